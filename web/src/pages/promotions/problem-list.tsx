/** A server's per-field problems (`details: [{ field, message }]`, e.g. PROMOTION_INVALID), or nothing. */
export type FieldProblem = { field: string; message: string };

export function fieldProblems(details: unknown): FieldProblem[] {
  if (!Array.isArray(details)) return [];
  return details.filter((d): d is FieldProblem => typeof d?.field === 'string' && typeof d?.message === 'string');
}

/** The problems of one field (and of its parts: `window` also shows `window.from`). */
export function problemsOf(problems: FieldProblem[], field: string): string[] {
  return problems
    .filter((p) => p.field === field || p.field.startsWith(`${field}.`) || p.field.startsWith(`${field}[`))
    .map((p) => p.message);
}

export function FieldError({ problems, field }: { problems: FieldProblem[]; field: string }) {
  const messages = problemsOf(problems, field);
  if (!messages.length) return null;
  return (
    <span class="hint hint-bad" data-testid={`problem-${field}`}>
      {messages.join('; ')}
    </span>
  );
}

export function ProblemList({ details }: { details: unknown }) {
  const problems = fieldProblems(details);
  if (!problems.length) return null;
  return (
    <ul class="form-error" data-testid="problem-list">
      {problems.map((p, i) => (
        <li key={i}>
          <span class="mono">{p.field}</span>: {p.message}
        </li>
      ))}
    </ul>
  );
}
