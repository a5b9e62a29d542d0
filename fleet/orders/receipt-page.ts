import type { Order } from '../../protocol/commerce/orders.ts';
import { escapeHtml, type PageLanguage, page, yuan } from '../http/html-page.ts';

const TEXT = {
  zh: {
    title: '电子小票',
    paid: '已支付',
    notPaid: '未支付',
    exit: '已出口核验',
    refunded: '已退款',
    partRefunded: '部分退款',
    cancelled: '已取消',
    subtotal: '小计',
    discount: '优惠',
    total: '合计',
    points: '积分抵扣',
    payable: '实付',
    earned: '本单积分',
    store: '门店',
    time: '时间',
    order: '订单',
    member: '会员',
    priceAudit: '价格已复核',
  },
  en: {
    title: 'E-receipt',
    paid: 'PAID',
    notPaid: 'NOT PAID',
    exit: 'Exit verified',
    refunded: 'Refunded',
    partRefunded: 'Partly refunded',
    cancelled: 'Cancelled',
    subtotal: 'Subtotal',
    discount: 'Discounts',
    total: 'Total',
    points: 'Points used',
    payable: 'Paid with money',
    earned: 'Points earned',
    store: 'Store',
    time: 'Time',
    order: 'Order',
    member: 'Member',
    priceAudit: 'Prices reviewed',
  },
} as const;

/** The state as an attendant at the exit must read it at a glance: paid (green) or NOT PAID (red). */
function banner(lang: PageLanguage, order: Order): string {
  const t = TEXT[lang];
  switch (order.state) {
    case 'paid':
      return `<div class="banner paid">${t.paid}</div>`;
    case 'exit_verified':
      return `<div class="banner paid">${t.paid} · ${t.exit}</div>`;
    case 'partially_refunded':
      return `<div class="banner paid">${t.paid} · ${t.partRefunded}</div>`;
    case 'refunded':
      return `<div class="banner unpaid">${t.refunded}</div>`;
    case 'cancelled':
      return `<div class="banner unpaid">${t.notPaid} · ${t.cancelled}</div>`;
    default:
      return `<div class="banner unpaid">${t.notPaid}</div>`;
  }
}

/** `/receipt/{orderId}?t=...`: lines, discounts with the promotions' names, points, paid or not, store and time. */
export function renderReceipt(
  lang: PageLanguage,
  order: Order,
  storeName: string,
  timeZone: string,
  link: string,
): string {
  const t = TEXT[lang];
  const other = lang === 'zh' ? 'en' : 'zh';
  const time = new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone,
  }).format(order.createdAt);
  const rows = order.lines
    .map((l) => {
      const name = l.name ? l.name[lang] : l.sku;
      const qty = l.weightG !== null ? `${l.weightG} g` : `× ${l.quantity}`;
      const discounts = l.discounts
        .map(
          (d) =>
            `<tr class="disc"><td>${escapeHtml(d.promotionName ? d.promotionName[lang] : d.promotionId)}</td><td class="r">-${yuan(d.amountFen)}</td></tr>`,
        )
        .join('');
      return `<tr><td>${escapeHtml(name)} <span class="muted">${qty}</span></td><td class="r">${yuan(l.grossFen)}</td></tr>${discounts}`;
    })
    .join('');
  const sum = (label: string, fen: number) => `<tr><td>${label}</td><td class="r">${yuan(fen)}</td></tr>`;
  return page(
    lang,
    t.title,
    `<a class="lang" href="${escapeHtml(link.replace(/&lang=\w+$/, ''))}&amp;lang=${other}">${other === 'zh' ? '中文' : 'English'}</a>
<h1>${t.title}</h1>
${banner(lang, order)}
<div class="muted">${t.store}: ${escapeHtml(storeName)} · ${t.time}: ${escapeHtml(time)}</div>
<div class="muted">${t.order}: ${escapeHtml(order.id)}${order.memberNumber ? ` · ${t.member}: ****${escapeHtml(order.memberNumber.slice(-4))}` : ''}</div>
<table>${rows}</table><hr><table>
${sum(t.subtotal, order.subtotalFen)}${sum(t.discount, -order.discountFen)}${sum(t.total, order.totalFen)}
${order.pointsRedeemed > 0 ? `<tr><td>${t.points} (${order.pointsRedeemed})</td><td class="r">-${yuan(order.pointsRedeemedValueFen)}</td></tr>` : ''}
${sum(t.payable, order.payableFen)}
${order.pointsEarned > 0 ? `<tr><td>${t.earned}</td><td class="r">+${order.pointsEarned}</td></tr>` : ''}
</table>
${order.priceAudit ? `<p class="muted">${t.priceAudit}</p>` : ''}`,
  );
}
