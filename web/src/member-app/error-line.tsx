import { MemberApiError } from './member-api.ts';
import { useMemberContext } from './member-context.ts';
import { errorKey, type MessageKey } from './messages.ts';

/** What went wrong, in the member's words; the code in small print and in `data-code` (for support and tests). */
export function ErrorLine({ error }: { error: MemberApiError | MessageKey | null }) {
  const { t } = useMemberContext();
  if (!error) return null;
  if (!(error instanceof MemberApiError)) {
    return (
      <p class="ma-error" role="alert" data-testid="member-error" data-code={error}>
        {t(error)}
      </p>
    );
  }
  return (
    <p class="ma-error" role="alert" data-testid="member-error" data-code={error.code}>
      {t(errorKey(error.code), { seconds: error.retryAfterS ?? 1 })}
      <small class="ma-code">{error.code}</small>
    </p>
  );
}

export function asMemberError(err: unknown): MemberApiError {
  return err instanceof MemberApiError ? err : new MemberApiError(0, 'other', String(err));
}
