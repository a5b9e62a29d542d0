import QRCode from 'qrcode';

/**
 * The few server-rendered pages a shopper or an attendant opens without the console (the sandbox pay page, the
 * e-receipt): plain HTML, no script (the CSP allows none), in Chinese or English.
 */
export type PageLanguage = 'zh' | 'en';

/** `?lang=` when given, else the browser's first choice (Chinese unless it prefers another language). */
export function pageLanguage(query: string | undefined, acceptLanguage: string | undefined): PageLanguage {
  if (query === 'zh' || query === 'en') return query;
  const first = acceptLanguage?.split(',')[0]?.trim().toLowerCase() ?? 'zh';
  return first.startsWith('zh') || first === '' ? 'zh' : 'en';
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** ¥12.30 from 1230 fen, in integer arithmetic. */
export function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** A QR code of `text` as inline SVG markup (the `qrcode` package). */
export function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
}

export function page(lang: PageLanguage, title: string, body: string): string {
  return `<!doctype html>
<html lang="${lang === 'zh' ? 'zh-CN' : 'en'}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;margin:0;padding:16px;max-width:480px;margin:auto;color:#222}
h1{font-size:1.3em}.amount{font-size:2.2em;font-weight:700;margin:.4em 0}
.banner{padding:14px;border-radius:8px;font-size:1.6em;font-weight:700;text-align:center;margin:12px 0}
.paid{background:#d9f7d9;color:#145214}.unpaid{background:#ffd6d6;color:#8a0000}.muted{color:#666;font-size:.9em}
table{width:100%;border-collapse:collapse}td{padding:4px 0;vertical-align:top}td.r{text-align:right;white-space:nowrap}
.disc td{color:#b04000;font-size:.9em;padding-left:12px}button{font-size:1.3em;padding:12px 40px;border-radius:8px;border:0;background:#07c160;color:#fff;width:100%}
.qr svg{width:160px;height:160px}.lang{float:right;font-size:.9em}
</style></head><body>${body}</body></html>`;
}
