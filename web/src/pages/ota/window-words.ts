import type { MaintenanceWindow } from '../../api/types.ts';

/**
 * A store's maintenance window in words: the common crons (a time every day, on weekdays, on some days) read as a
 * sentence; anything else is shown as the cron itself. The fleet parses and judges the cron (`ota/rollout/`, with
 * cron-parser); this only reads the simple forms back.
 */
const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function two(n: number): string {
  return String(n).padStart(2, '0');
}

function daysText(field: string): string | null {
  if (field === '*' || field === '?') return 'every day';
  if (field === '1-5') return 'Monday to Friday';
  if (field === '0,6' || field === '6,0' || field === '6-7' || field === '6,7') return 'weekends';
  const days = field.split(',');
  if (!days.every((d) => /^[0-7]$/.test(d))) return null;
  return days.map((d) => DAY_NAMES[Number(d) % 7]).join(', ');
}

export function cronWords(cron: string): string {
  const f = cron.trim().split(/\s+/);
  if (f.length !== 5) return `cron ${cron}`;
  const [min, hour, dom, month, dow] = f as [string, string, string, string, string];
  if (!/^\d{1,2}$/.test(min) || !/^\d{1,2}$/.test(hour) || dom !== '*' || month !== '*') return `cron ${cron}`;
  const days = daysText(dow);
  if (!days) return `cron ${cron}`;
  return `${days} at ${two(Number(hour))}:${two(Number(min))}`;
}

export function durationWords(minutes: number): string {
  if (minutes % 60 === 0) return `${minutes / 60} h`;
  if (minutes > 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${minutes} min`;
}

export function windowWords(w: MaintenanceWindow): string {
  return `${cronWords(w.cron)} for ${durationWords(w.durationMinutes)}${w.timeZone ? ` (${w.timeZone})` : ''}`;
}

/** Presets for the editor: what most stores want. */
export const WINDOW_PRESETS: { label: string; cron: string; durationMinutes: number }[] = [
  { label: 'Every night 02:00–05:00', cron: '0 2 * * *', durationMinutes: 180 },
  { label: 'Weeknights 23:00–02:00', cron: '0 23 * * 1-5', durationMinutes: 180 },
  { label: 'Sunday 06:00–08:00', cron: '0 6 * * 0', durationMinutes: 120 },
];

/** Five whitespace-separated fields: the cron's shape; the fleet judges the rest. */
export function cronShapeOk(cron: string): boolean {
  return cron.trim().split(/\s+/).length === 5 && cron.trim().length >= 9 && cron.length <= 120;
}
