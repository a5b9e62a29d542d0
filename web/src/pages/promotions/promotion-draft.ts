import type { Promotion, PromotionKind } from '../../api/types.ts';
import { money, parseYuan } from '../../app/format.ts';
import { type KindDraft, kindFields } from './kind-fields.tsx';

/** The editor's state: the contract's promotion with its lists and numbers as the text the form shows. */
export interface PromotionDraft {
  id: string;
  nameZh: string;
  nameEn: string;
  kind: PromotionKind;
  kindValues: KindDraft;
  skus: string;
  categoryIds: string;
  from: string;
  to: string;
  weekdays: number[];
  hours: string;
  storeIds: string[];
  regions: string;
  stacking: 'exclusive' | 'stackable';
  priority: string;
  memberOnly: boolean;
  memberTiers: string;
  couponRequired: boolean;
}

const words = (s: string) => s.split(/[\s,]+/).filter(Boolean);

export function draftOf(p: Promotion | null, today: string): PromotionDraft {
  const kindValues: KindDraft = {};
  if (p) {
    for (const f of kindFields(p.kind)) {
      const v = (p as Record<string, unknown>)[f.key];
      kindValues[f.key] = f.check ? Boolean(v) : f.money ? money(v as number).slice(1) : String(v ?? '');
    }
  }
  return {
    id: p?.id ?? '',
    nameZh: p?.name.zh ?? '',
    nameEn: p?.name.en ?? '',
    kind: p?.kind ?? 'percent_off',
    kindValues,
    skus: p?.target.skus?.join(' ') ?? '',
    categoryIds: p?.target.categoryIds?.join(' ') ?? '',
    from: p?.window.from ?? today,
    to: p?.window.to ?? today,
    weekdays: p?.window.weekdays ?? [],
    hours: p?.window.hours?.map(([a, b]) => `${a}-${b}`).join(', ') ?? '',
    storeIds: p?.scope.storeIds ?? [],
    regions: p?.scope.regions.join(' ') ?? '',
    stacking: p?.stacking ?? 'exclusive',
    priority: String(p?.priority ?? 100),
    memberOnly: p?.memberOnly ?? false,
    memberTiers: p?.memberTiers.join(' ') ?? '',
    couponRequired: p?.couponRequired ?? false,
  };
}

/**
 * The promotion to PUT. A number field whose text is not a number is sent as -1, so the server's check names that
 * field (PROMOTION_INVALID `{ field, message }`) and the form shows it there: one set of rules, the server's.
 */
export function promotionOf(d: PromotionDraft): Promotion {
  const kindPart: Record<string, unknown> = {};
  for (const f of kindFields(d.kind)) {
    const v = d.kindValues[f.key];
    if (f.check) kindPart[f.key] = Boolean(v);
    else if (f.money) kindPart[f.key] = parseYuan(String(v ?? '')) ?? -1;
    else kindPart[f.key] = Number(String(v ?? '').trim() || Number.NaN) || -1;
  }
  const target: Promotion['target'] = {};
  if (words(d.skus).length) target.skus = words(d.skus);
  if (words(d.categoryIds).length) target.categoryIds = words(d.categoryIds);
  const window: Promotion['window'] = { from: d.from, to: d.to };
  if (d.weekdays.length) window.weekdays = [...d.weekdays].sort();
  const hours = d.hours
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean)
    .map((h) => h.split(/\s*[-–]\s*/) as [string, string]);
  if (hours.length) window.hours = hours;
  return {
    id: d.id.trim(),
    name: { zh: d.nameZh.trim(), en: d.nameEn.trim() },
    kind: d.kind,
    target,
    window,
    scope: { storeIds: d.storeIds, regions: words(d.regions) },
    stacking: d.stacking,
    priority: Number(d.priority),
    memberOnly: d.memberOnly,
    memberTiers: words(d.memberTiers),
    couponRequired: d.couponRequired,
    ...kindPart,
  } as Promotion;
}
