/** Display formats shared by every page. */

export function relativeTime(ts: number | null | undefined, now = Date.now()): string {
  if (ts === null || ts === undefined) return '—';
  const diff = now - ts;
  const abs = Math.abs(diff);
  const suffix = diff >= 0 ? 'ago' : 'from now';
  if (abs < 5_000) return 'just now';
  if (abs < 60_000) return `${Math.round(abs / 1000)} s ${suffix}`;
  if (abs < 3_600_000) return `${Math.round(abs / 60_000)} min ${suffix}`;
  if (abs < 86_400_000) return `${Math.round(abs / 3_600_000)} h ${suffix}`;
  return `${Math.round(abs / 86_400_000)} d ${suffix}`;
}

const dateTime = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

export function absoluteTime(ts: number | null | undefined): string {
  if (ts === null || ts === undefined) return '—';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? String(ts) : dateTime.format(d);
}

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value)}%`;
}

export function temperature(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${value.toFixed(1)} °C`;
}

/** Who acknowledged or resolved an alert; `—` when nobody did (or the fleet did). */
export function actorName(actor: { username: string } | null): string {
  return actor?.username ?? '—';
}

/** A zone id without its store prefix (`hf-shanghai-xuhui-dairy` → `dairy`) when no zone name is known. */
export function shortZone(zoneId: string | null | undefined, storeId: string | null | undefined): string {
  if (!zoneId) return '—';
  return storeId && zoneId.startsWith(`${storeId}-`) ? zoneId.slice(storeId.length + 1) : zoneId;
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}

/** Integer fen as yuan (`¥12.30`; negative `-¥4.60`), the money of plan decision 1. */
export function money(fen: number | null | undefined): string {
  if (fen === null || fen === undefined) return '—';
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** Yuan typed in a form (`12.3`, `12.30`) as fen; `null` for anything else. */
export function parseYuan(text: string): number | null {
  const m = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** A bilingual name in the console's language (English), the Chinese one when English is empty. */
export function nameOf(name: { zh: string; en: string } | null | undefined): string {
  if (!name) return '—';
  return name.en || name.zh;
}
