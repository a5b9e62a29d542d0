import type { ScreenNotice } from '../../../protocol/commerce/cart-screen.ts';
import { noticeKey } from './messages.ts';
import { useScreen } from './screen-context.ts';

/** A coded error in the shopper's words, with the code in small print for staff and support. */
export function NoticeBar({ notice, onDismiss }: { notice: ScreenNotice; onDismiss: (() => void) | undefined }) {
  const { t } = useScreen();
  return (
    <div class="cs-notice" role="alert" data-testid="cs-notice" data-code={notice.code}>
      <span class="cs-notice-text" data-testid="cs-notice-text">
        {t(noticeKey(notice.code))}
      </span>
      <span class="cs-code">{notice.code}</span>
      {onDismiss && (
        <button type="button" class="cs-btn cs-btn-secondary" data-testid="cs-notice-dismiss" onClick={onDismiss}>
          {t('dismiss')}
        </button>
      )}
    </div>
  );
}
