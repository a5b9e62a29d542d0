import type { ScreenCheckout } from '../../../protocol/commerce/cart-screen.ts';
import { formatYuan } from '../../../protocol/commerce/money.ts';
import { ActionButton, LocalButton } from './action-button.tsx';
import { noticeKey } from './messages.ts';
import { QrImage } from './qr-image.tsx';
import { useScreen } from './screen-context.ts';

/**
 * Checkout, from the order's submission to the receipt: the pay QR (the provider's pay page) and the amount while
 * payment is awaited, the receipt QR once paid; offline, the order QR to show at the attendant desk, where the
 * attendant takes payment and confirms on this cart with the staff code (docs/architecture.md, offline checkout).
 */
export function CheckoutOverlay({ checkout, onStaff }: { checkout: ScreenCheckout; onStaff: () => void }) {
  const { t } = useScreen();
  const amount = (
    <p class="cs-amount">
      <span>{t('amount')}</span>
      <strong data-testid="cs-pay-amount">{formatYuan(checkout.payableFen)}</strong>
    </p>
  );
  const orderLine = checkout.orderId && (
    <p class="cs-muted cs-small" data-testid="cs-order-id">
      {t('orderId', { id: checkout.orderId })}
    </p>
  );
  let body: preact.ComponentChildren;
  switch (checkout.state) {
    case 'submitting':
      body = (
        <>
          <div class="cs-spinner" aria-hidden="true" />
          <h2>{t('submitting')}</h2>
          {amount}
        </>
      );
      break;
    case 'awaiting-payment':
      body = (
        <>
          <h2>{t('payTitle')}</h2>
          <div class="cs-pay">
            {checkout.payQrSvg && <QrImage svg={checkout.payQrSvg} label={t('payTitle')} testId="cs-pay-qr" />}
            <div>
              {amount}
              <p>{t('payHint')}</p>
              <p class="cs-waiting">{t('waitingPayment')}</p>
              {orderLine}
            </div>
          </div>
        </>
      );
      break;
    case 'paid':
      body = (
        <>
          <h2 data-testid="cs-paid">{t('paidTitle')}</h2>
          <div class="cs-pay">
            {checkout.receiptQrSvg && (
              <QrImage svg={checkout.receiptQrSvg} label={t('receiptHint')} testId="cs-receipt-qr" />
            )}
            <div>
              {amount}
              <p>{t('receiptHint')}</p>
              {orderLine}
            </div>
          </div>
          <ActionButton action={{ type: 'end-session' }} kind="primary" testId="cs-finish">
            {t('endYes')}
          </ActionButton>
        </>
      );
      break;
    case 'offline-attendant':
      body = (
        <>
          <h2>{t('offlineTitle')}</h2>
          <div class="cs-pay">
            {checkout.payQrSvg && <QrImage svg={checkout.payQrSvg} label={t('offlineTitle')} testId="cs-order-qr" />}
            <div>
              {amount}
              <p>{t('offlineHint')}</p>
              {orderLine}
              <LocalButton onClick={onStaff} testId="cs-open-staff-pay">
                {t('staffButton')}
              </LocalButton>
            </div>
          </div>
        </>
      );
      break;
    case 'failed':
      body = (
        <>
          <h2>{t('failedTitle')}</h2>
          {checkout.error && (
            <p>
              {t(noticeKey(checkout.error.code))} <span class="cs-code">{checkout.error.code}</span>
            </p>
          )}
          <ActionButton action={{ type: 'checkout' }} kind="primary" testId="cs-checkout-retry">
            {t('tryAgain')}
          </ActionButton>
        </>
      );
      break;
  }
  const cancellable = checkout.state !== 'paid';
  return (
    <div class="cs-overlay" data-testid="cs-checkout-overlay" data-state={checkout.state}>
      <div class="cs-card cs-checkout">
        {body}
        {cancellable && (
          <ActionButton action={{ type: 'cancel-checkout' }} kind="quiet" testId="cs-cancel-checkout">
            {t('cancelCheckout')}
          </ActionButton>
        )}
      </div>
    </div>
  );
}
