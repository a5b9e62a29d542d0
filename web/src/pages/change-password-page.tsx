import type { Me } from '../api/types.ts';
import { session } from '../app/session.ts';
import { Icon } from '../components/icons.tsx';
import { ChangePasswordForm } from './change-password-form.tsx';

/** Shown instead of every page while the server requires a new password (`mustChangePassword`). */
export function ChangePasswordPage({ me }: { me: Me; forced: boolean }) {
  return (
    <div class="auth-page">
      <div class="auth-card" data-testid="change-password-page">
        <div class="auth-brand">
          <span class="brand-mark">
            <Icon name="key" size={22} />
          </span>
          <div>
            <h1>Choose a new password</h1>
            <p class="muted">
              Signed in as <strong>{me.user.username}</strong>. The password you used was temporary; choose your own to
              continue.
            </p>
          </div>
        </div>
        <ChangePasswordForm submitLabel="Save and continue" />
        <button type="button" class="btn btn-ghost btn-block" onClick={() => session.logout().catch(() => undefined)}>
          Sign out
        </button>
      </div>
    </div>
  );
}
