import { buildRule, EVERY_MINUTES, type RecurrenceDraft, WEEKDAY_CODES, WEEKDAY_LABELS } from './rrule-builder.ts';

const MODES = [
  ['daily', 'Every day at'],
  ['weekly', 'On weekdays at'],
  ['every', 'Every N minutes'],
  ['custom', 'RRULE (expert)'],
] as const;

/** The friendly builder over an RFC 5545 RRULE, with the rule it makes shown (and editable in expert mode). */
export function RecurrenceFields({
  draft,
  onChange,
}: {
  draft: RecurrenceDraft;
  onChange: (d: RecurrenceDraft) => void;
}) {
  const built = buildRule(draft);
  const days = draft.mode === 'custom' ? [] : draft.days;
  const setMode = (mode: RecurrenceDraft['mode']) => {
    if (mode === draft.mode) return;
    if (mode === 'custom') onChange({ mode, rule: 'rule' in built ? built.rule : '' });
    else if (mode === 'every') onChange({ mode, days, everyMinutes: 30, from: '09:00', to: '21:00' });
    else onChange({ mode, days, times: draft.mode === 'daily' || draft.mode === 'weekly' ? draft.times : '10:00' });
  };
  return (
    <div class="recurrence" data-testid="recurrence">
      <div class="segmented" role="radiogroup" aria-label="Repeats">
        {MODES.map(([m, label]) => (
          <button
            key={m}
            type="button"
            class={draft.mode === m ? 'active' : ''}
            aria-pressed={draft.mode === m}
            onClick={() => setMode(m)}
            data-testid={`recurrence-${m}`}
          >
            {label}
          </button>
        ))}
      </div>
      {draft.mode !== 'custom' && draft.mode !== 'daily' ? (
        <div class="weekday-picks">
          {WEEKDAY_CODES.map((d) => (
            <label key={d} class="check">
              <input
                type="checkbox"
                checked={draft.days.includes(d)}
                onChange={(e) =>
                  onChange({
                    ...draft,
                    days: (e.currentTarget as HTMLInputElement).checked
                      ? [...draft.days, d]
                      : draft.days.filter((x) => x !== d),
                  })
                }
                data-testid={`recurrence-day-${d}`}
              />
              {WEEKDAY_LABELS[d]}
            </label>
          ))}
        </div>
      ) : null}
      {draft.mode === 'daily' || draft.mode === 'weekly' ? (
        <label class="field">
          <span>Times (HH:MM, comma separated)</span>
          <input
            value={draft.times}
            onInput={(e) => onChange({ ...draft, times: (e.currentTarget as HTMLInputElement).value })}
            data-testid="recurrence-times"
          />
        </label>
      ) : draft.mode === 'every' ? (
        <div class="inline-fields">
          <select
            value={draft.everyMinutes}
            aria-label="Every"
            onChange={(e) => onChange({ ...draft, everyMinutes: Number((e.currentTarget as HTMLSelectElement).value) })}
            data-testid="recurrence-every"
          >
            {EVERY_MINUTES.map((n) => (
              <option key={n} value={n}>
                every {n < 60 ? `${n} min` : `${n / 60} h`}
              </option>
            ))}
          </select>
          <label class="inline-field">
            from
            <input
              type="time"
              step={3600}
              value={draft.from}
              onInput={(e) => onChange({ ...draft, from: (e.currentTarget as HTMLInputElement).value })}
              data-testid="recurrence-from"
            />
          </label>
          <label class="inline-field">
            to
            <input
              type="time"
              step={3600}
              value={draft.to}
              onInput={(e) => onChange({ ...draft, to: (e.currentTarget as HTMLInputElement).value })}
              data-testid="recurrence-to"
            />
          </label>
        </div>
      ) : draft.mode === 'custom' ? (
        <label class="field">
          <span>RRULE (RFC 5545, without DTSTART: it starts at the first valid day, store time)</span>
          <input
            class="mono"
            value={draft.rule}
            onInput={(e) => onChange({ mode: 'custom', rule: (e.currentTarget as HTMLInputElement).value })}
            data-testid="recurrence-rule"
          />
        </label>
      ) : null}
      {'rule' in built ? (
        <div class="muted small">
          RRULE <code data-testid="recurrence-built">{built.rule}</code>, in each store’s own time
        </div>
      ) : (
        <div class="hint hint-bad" data-testid="recurrence-problem">
          {built.problem}
        </div>
      )}
    </div>
  );
}
