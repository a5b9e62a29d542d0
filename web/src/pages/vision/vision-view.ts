import type {
  CartVision,
  EnrolledProductSummary,
  FieldAccuracyReport,
  GalleryVersion,
  GalleryVersionState,
  ShareFigure,
} from '../../api/types.ts';
import type { Tone } from '../../components/tone.ts';

/**
 * The Recognition section's view rules (issue 11 item 8), free of the DOM so they are unit-tested under Node
 * (`test/web/vision/`): where a cart stands against its store's latest gallery, a share in words, the products worst
 * first, the model versions that stand out, the decision mix.
 */

export type AccuracyFigures = FieldAccuracyReport['overall'];

export type CartStanding = 'current' | 'behind' | 'updating' | 'barcode-only' | 'no-gallery-yet';

export interface CartStandingView {
  standing: CartStanding;
  tone: Tone;
  label: string;
  /** Why, in words (the row's title and its small print). */
  detail: string;
}

/**
 * Where a cart stands: `barcode-only` when it runs no embedder or no gallery (it cannot recognise anything),
 * `updating` while its OTA job runs or a new release is on trial, `behind` on an older gallery than the store's
 * latest, `current` on the latest. `no-gallery-yet` when the store has built none, so nothing is expected of the cart.
 */
export function cartStanding(cart: CartVision, latest: Pick<GalleryVersion, 'version'> | null): CartStandingView {
  const updating = cart.job !== null || cart.model?.onTrial === true || cart.gallery?.onTrial === true;
  if (!cart.model) {
    return updating
      ? { standing: 'updating', tone: 'info', label: 'Updating', detail: 'No embedder yet: its update is running' }
      : { standing: 'barcode-only', tone: 'bad', label: 'Barcode only', detail: 'The cart reports no embedder model' };
  }
  if (!latest) {
    return { standing: 'no-gallery-yet', tone: 'idle', label: 'No gallery built', detail: 'The store has no gallery' };
  }
  if (cart.galleryVersion === null) {
    return updating
      ? { standing: 'updating', tone: 'info', label: 'Updating', detail: `Installing gallery v${latest.version}` }
      : {
          standing: 'barcode-only',
          tone: 'bad',
          label: 'Barcode only',
          detail: `No gallery installed (the store's is v${latest.version})`,
        };
  }
  if (cart.galleryVersion < latest.version) {
    const behind = latest.version - cart.galleryVersion;
    return updating
      ? {
          standing: 'updating',
          tone: 'info',
          label: 'Updating',
          detail: `v${cart.galleryVersion} → v${latest.version}`,
        }
      : {
          standing: 'behind',
          tone: 'warn',
          label: `${behind} behind`,
          detail: `Gallery v${cart.galleryVersion}; the store's latest is v${latest.version}`,
        };
  }
  if (updating) return { standing: 'updating', tone: 'info', label: 'Updating', detail: 'A model update is running' };
  return { standing: 'current', tone: 'ok', label: 'Current', detail: `Gallery v${cart.galleryVersion}` };
}

/** Counts of the carts by standing, for the page's summary line. */
export function standingCounts(
  carts: readonly CartVision[],
  latest: Pick<GalleryVersion, 'version'> | null,
): Record<CartStanding, number> {
  const counts: Record<CartStanding, number> = {
    current: 0,
    behind: 0,
    updating: 0,
    'barcode-only': 0,
    'no-gallery-yet': 0,
  };
  for (const cart of carts) counts[cartStanding(cart, latest).standing] += 1;
  return counts;
}

/** A rate as a whole-number percent with one decimal under 10 points from the ends (`99.4%`, `87%`). */
export function pct(rate: number | null): string {
  if (rate === null) return '—';
  const p = rate * 100;
  return p > 90 || p < 10 ? `${p.toFixed(1)}%` : `${Math.round(p)}%`;
}

/** A share in words: `87% (80–92%) · 40 of 46`; `no records` when nothing was counted. */
export function shareText(share: ShareFigure): string {
  if (share.n === 0 || share.rate === null) return 'no records';
  return `${pct(share.rate)} (${pct(share.low)}–${pct(share.high)}) · ${share.hits} of ${share.n}`;
}

/** Fewer records than this are a small sample: the table greys them and the chart says so. */
export const SMALL_SAMPLE = 20;

/**
 * The products worst first by vision's top-1 agreement: the lowest rate first, a larger sample first among equal
 * rates (more evidence that it is bad), products vision never saw (no candidates) last.
 */
export function productsWorstFirst(bySku: readonly AccuracyFigures[]): AccuracyFigures[] {
  return [...bySku].sort((a, b) => {
    const ra = a.visionTop1.rate;
    const rb = b.visionTop1.rate;
    if (ra === null || rb === null) return ra === rb ? b.records - a.records : ra === null ? 1 : -1;
    return ra - rb || b.visionTop1.n - a.visionTop1.n || (a.key ?? '').localeCompare(b.key ?? '');
  });
}

export interface VersionBar {
  /** The model version (`(no model)` for records made without one). */
  label: string;
  key: string | null;
  share: ShareFigure;
  records: number;
  /** Its whole interval lies below another version's: worse beyond chance, the bad model the chart is for. */
  worse: boolean;
  /** The version it is worse than (the one with the highest lower bound). */
  worseThan: string | null;
  small: boolean;
}

/**
 * The bars of the chart by model version, in the report's order (the earliest first, so a new version's dip is at
 * the end). A version stands out as `worse` when its interval's top is below the best other version's interval
 * bottom: the 95 % intervals do not overlap, so the gap is not a small sample's noise.
 */
export function versionBars(byModelVersion: readonly AccuracyFigures[]): VersionBar[] {
  return byModelVersion.map((f) => {
    const share = f.visionTop1;
    let best: AccuracyFigures | null = null;
    for (const other of byModelVersion) {
      if (other === f || other.visionTop1.low === null) continue;
      if (!best || (other.visionTop1.low ?? 0) > (best.visionTop1.low ?? 0)) best = other;
    }
    const worse = share.high !== null && best !== null && share.high < (best.visionTop1.low ?? 0);
    return {
      label: f.key ?? '(no model)',
      key: f.key,
      share,
      records: f.records,
      worse,
      worseThan: worse && best ? (best.key ?? '(no model)') : null,
      small: share.n < SMALL_SAMPLE,
    };
  });
}

export const DECISION_LABELS = {
  add: 'Auto-added',
  pick: 'Shopper picked',
  scan: 'Scan asked',
  'suggest-produce': 'Produce suggested',
  barcode: 'Barcode',
} as const;

export const SCAN_REASON_LABELS = {
  'no-candidate': 'no candidate',
  'weight-veto': 'weight vetoed',
  'low-confidence': 'low confidence',
  'camera-unavailable': 'camera unavailable',
} as const;

export interface MixRow {
  key: keyof typeof DECISION_LABELS | 'wrong-add';
  label: string;
  count: number;
  /** Of the records with a truth (0–1); null when there are none. */
  share: number | null;
  tone: Tone;
}

/** The decision mix: each kind with its count and share, and the wrong adds (the error a shopper pays for) apart. */
export function decisionMix(figures: AccuracyFigures): MixRow[] {
  const total = figures.records;
  const of = (n: number) => (total === 0 ? null : n / total);
  const rows: MixRow[] = (Object.keys(DECISION_LABELS) as (keyof typeof DECISION_LABELS)[]).map((key) => ({
    key,
    label: DECISION_LABELS[key],
    count: figures.decisions[key],
    share: of(figures.decisions[key]),
    tone: key === 'scan' ? 'warn' : key === 'add' ? 'ok' : 'info',
  }));
  rows.push({
    key: 'wrong-add',
    label: 'Wrong adds',
    count: figures.wrongAdds,
    share: of(figures.wrongAdds),
    tone: figures.wrongAdds > 0 ? 'bad' : 'idle',
  });
  return rows;
}

/** Scan reasons in words, the non-zero ones: `weight vetoed 3, low confidence 1`. */
export function scanReasonsText(figures: AccuracyFigures): string {
  const parts = (Object.keys(SCAN_REASON_LABELS) as (keyof typeof SCAN_REASON_LABELS)[])
    .filter((k) => figures.scanReasons[k] > 0)
    .map((k) => `${SCAN_REASON_LABELS[k]} ${figures.scanReasons[k]}`);
  return parts.join(', ');
}

export const VERSION_STATE_LABELS: Record<GalleryVersionState, { label: string; tone: Tone }> = {
  published: { label: 'Published (no carts)', tone: 'idle' },
  'rolling-out': { label: 'Rolling out', tone: 'info' },
  'rolled-out': { label: 'Live', tone: 'ok' },
  stopped: { label: 'Stopped', tone: 'warn' },
};

/** Why a product is not recognisable yet, as one sentence (the API's messages, joined). */
export function notRecognisableText(product: Pick<EnrolledProductSummary, 'recognisable' | 'reasons'>): string {
  if (product.recognisable) return '';
  return product.reasons.map((r) => r.message).join('; ') || 'not in the gallery yet';
}

/** The time range of an accuracy report: the last `days`, ending at the next whole minute (stable across reloads). */
export function accuracyRange(days: number, now: number): { from: number; to: number } {
  const to = Math.ceil(now / 60_000) * 60_000;
  return { from: to - days * 86_400_000, to };
}
