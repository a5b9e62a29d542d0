import type { Order } from '../../protocol/commerce/orders.ts';
import { escapeHtml, type PageLanguage, page, yuan } from '../http/html-page.ts';
import type { PaymentRecord } from './payment-repository.ts';

const TEXT = {
  zh: {
    title: '收银台（沙箱）',
    pay: '确认支付',
    paid: '已支付',
    expired: '已过期，请在购物车上重新结账',
    refunded: '已退款',
    order: '订单',
    store: '门店',
    sandbox: '这是测试支付：不会扣真实款项。',
    failed: '支付未完成',
  },
  en: {
    title: 'Checkout (sandbox)',
    pay: 'Pay',
    paid: 'Paid',
    expired: 'Expired: check out again on the cart',
    refunded: 'Refunded',
    order: 'Order',
    store: 'Store',
    sandbox: 'A test payment: no real money moves.',
    failed: 'The payment did not go through',
  },
} as const;

/** The sandbox provider's mobile pay page (`/pay/{paymentId}`): the amount, the store, and a Pay button. */
export function renderPayPage(
  lang: PageLanguage,
  payment: PaymentRecord,
  order: Order,
  storeName: string,
  failure?: string,
): string {
  const t = TEXT[lang];
  const other = lang === 'zh' ? 'en' : 'zh';
  const state =
    payment.state === 'pending'
      ? `<form method="post" action="/pay/${payment.paymentId}?lang=${lang}"><button type="submit">${t.pay}</button></form>`
      : payment.state === 'paid'
        ? `<div class="banner paid">${t.paid}</div>`
        : payment.state === 'expired'
          ? `<div class="banner unpaid">${t.expired}</div>`
          : `<div class="banner paid">${t.refunded}</div>`;
  return page(
    lang,
    t.title,
    `<a class="lang" href="/pay/${payment.paymentId}?lang=${other}">${other === 'zh' ? '中文' : 'English'}</a>
<h1>${t.title}</h1>
<div class="muted">${t.store}: ${escapeHtml(storeName)}</div>
<div class="amount">${yuan(payment.amountFen)}</div>
<div class="muted">${t.order}: ${escapeHtml(order.id)}</div>
${failure ? `<div class="banner unpaid">${t.failed}: ${escapeHtml(failure)}</div>` : ''}
${state}
<p class="muted">${t.sandbox}</p>`,
  );
}
