import { useEffect, useState } from 'preact/hooks';
import { api, describeError, enc } from '../../api/api-client.ts';
import type { Member, MemberAppLink } from '../../api/types.ts';
import { absoluteTime } from '../../app/format.ts';
import { Modal } from '../../components/modal.tsx';

/**
 * Makes a single-use member app link for the member (members:write) and shows it as a QR for their phone. The
 * member opens it, chooses a PIN (staff never see it) and is signed in; a new link replaces any unused one and, once
 * used, sets a new PIN and signs the member's other phones out (a lost phone, a forgotten PIN).
 */
export function MemberAppLinkDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const [link, setLink] = useState<MemberAppLink | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .post<MemberAppLink>(`/api/members/${enc(member.id)}/app-link`)
      .then(setLink)
      .catch((err) => setError(describeError(err)));
  }, [member.id]);
  return (
    <Modal title={`Member app link: ${member.displayName}`} onClose={onClose} testId="member-app-link-dialog">
      <div class="stack">
        {error ? <p class="form-error">{error}</p> : null}
        {link ? (
          <>
            <p>
              Let the member scan this with their phone. They choose a PIN there and sign in; afterwards they sign in
              with member number <strong class="mono">{member.memberNumber}</strong> and that PIN.
            </p>
            <img
              class="qr-large"
              alt="Member app link"
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(link.qrSvg)}`}
              data-testid="member-app-link-qr"
            />
            <label class="field">
              <span>Link (single use, until {absoluteTime(link.expiresAt)})</span>
              <input readOnly value={link.url} class="mono" data-testid="member-app-link-url" />
            </label>
            <p class="muted small">
              Any earlier unused link no longer works. Using this one sets a new PIN and signs the member out of the app
              on other phones.
            </p>
            <div class="modal-actions">
              <button type="button" class="btn" onClick={() => navigator.clipboard?.writeText(link.url)}>
                Copy link
              </button>
              <button type="button" class="btn btn-primary" onClick={onClose}>
                Done
              </button>
            </div>
          </>
        ) : error ? null : (
          <p class="muted">Making the link…</p>
        )}
      </div>
    </Modal>
  );
}
