import type {
  Campaign,
  CompiledSchedule,
  DroppedEntry,
  Holiday,
  ManifestDraft,
} from '../../protocol/api/broadcast-schedule.ts';
import { layerRank } from '../../protocol/broadcast/layers.ts';
import type { ManifestAsset, MusicWindow, PresencePromo } from '../../protocol/broadcast/manifest.ts';
import { MIN_HORIZON_DAYS } from '../../protocol/broadcast/manifest.ts';
import { FleetError } from '../../protocol/errors.ts';
import { type CompileInput, campaignExclusion, targetsSpeaker, targetsStore } from './compile-input.ts';
import { type ItemCandidate, type LocalHours, placeItems } from './item-placement.ts';
import { musicWindows } from './music-windows.ts';
import type { HolidayDates } from './recurrence.ts';
import { volumeSpans } from './volume-spans.ts';
import { DAY_MS } from './zoned-time.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
/** The manifest's limit on promo windows (PresencePromoSchema). */
const MAX_PROMO_WINDOWS = 500;

/**
 * Compiles one speaker's manifest draft (the manifest without `version`, which delivery assigns) for
 * `horizonDays` from `from`, with what was left out and why. Pure: the same input gives the same output.
 *
 * Order of work: volume spans (quiet outside opening hours), music windows (layers decide who owns each moment),
 * announcements (placed by layer rank, then campaign priority, then time, against the gaps and caps), the promo.
 */
export function compileManifest(input: CompileInput): CompiledSchedule {
  if (input.horizonDays < MIN_HORIZON_DAYS) {
    throw new FleetError('SCHEDULE_INVALID', `the horizon must be at least ${MIN_HORIZON_DAYS} days`);
  }
  const { store, speaker, expander } = input;
  const zones = expander.zones;
  const zone = store.timeZone;
  const from = input.from;
  const to = from + input.horizonDays * DAY_MS;
  const holidays = holidayDates(input.holidays);
  const dropped: DroppedEntry[] = [];

  const volume = volumeSpans(
    store.openingHours,
    input.volume,
    input.chain.defaultVolume,
    speaker.thingName,
    zone,
    zones,
    from,
    to,
  );

  const programmes = input.programmes.filter(
    (p) => targetsStore(p.stores, store) && targetsSpeaker(p.speakers, speaker),
  );
  const music = musicWindows(programmes, input.slotOverrides, zone, from, to, holidays, expander);
  dropped.push(...music.dropped);
  const windows: MusicWindow[] = [];
  for (const w of music.music) {
    const playlist = w.playlist.filter((sha) => input.assets.get(sha)?.kind === 'music');
    if (playlist.length === 0) {
      dropped.push(droppedMusic(w, 'no playable music: its assets are missing from the content library'));
      continue;
    }
    windows.push(playlist.length === w.playlist.length ? w : { ...w, playlist });
  }

  const campaigns: Campaign[] = [];
  for (const c of input.campaigns) {
    if (!targetsSpeaker(c.speakers, speaker)) continue;
    if (campaignExclusion(c, input.campaignOwners.get(c.id) ?? null, store, input.opts.get(c.id)) !== null) continue;
    campaigns.push(c);
  }

  const candidates: ItemCandidate[] = [];
  for (const c of campaigns.filter((x) => x.kind === 'announcement')) {
    const occurrences = expander.expand(c.recurrence, zone, from, to, holidays);
    for (const o of occurrences) {
      // Rotation by the local day and the occurrence's place in it: the same asset for the same slot on every
      // compile, and a different one each day where the day has fewer occurrences than assets.
      const day = Math.floor(o.wall / DAY_MS);
      const sha256 = c.assets[(day + o.ordinal) % c.assets.length] as string;
      const asset = input.assets.get(sha256);
      if (!asset) {
        dropped.push({
          kind: 'item',
          at: o.at,
          until: o.at,
          source: c.id,
          layer: c.layer,
          sha256,
          why: 'asset missing from the content library',
        });
        continue;
      }
      candidates.push({
        campaignId: c.id,
        layer: c.layer,
        rank: layerRank(c.layer),
        priority: c.priority,
        at: o.at,
        sha256,
        durationMs: asset.durationMs,
        entry: c.entry,
        maxDelayMs: c.maxDelayMs,
        maxPerHour: c.caps.maxPerHour,
        minGapMs: c.caps.minGapMinutes === null ? null : c.caps.minGapMinutes * MINUTE_MS,
      });
    }
  }
  const minGapMs = input.storeMinGapMs ?? input.chain.minGapMs;
  const hours: LocalHours = {
    hourOf: (t) => Math.floor(zones.toWall(zone, t) / HOUR_MS),
    nextHourStart: (t) => zones.toInstant(zone, (Math.floor(zones.toWall(zone, t) / HOUR_MS) + 1) * HOUR_MS),
  };
  const placed = placeItems(candidates, volume, minGapMs, hours);
  dropped.push(...placed.dropped);

  const promo = speaker.role === 'promo' ? presencePromo(input, campaigns, holidays, dropped, to) : null;

  const used = new Set<string>();
  for (const w of windows) for (const sha of w.playlist) used.add(sha);
  for (const item of placed.items) used.add(item.sha256);
  for (const sha of promo?.assets ?? []) used.add(sha);
  const assets: ManifestAsset[] = [...used].sort().map((sha) => {
    const a = input.assets.get(sha) as NonNullable<ReturnType<CompileInput['assets']['get']>>;
    return { sha256: a.sha256, bytes: a.bytes, durationMs: a.durationMs, title: a.title, kind: a.kind };
  });

  const manifest: ManifestDraft = {
    thingName: speaker.thingName,
    storeId: store.id,
    timeZone: zone,
    compiledAt: input.compiledAt,
    from,
    to,
    assets,
    music: windows,
    items: placed.items,
    volume,
    promo,
    minGapMs,
  };
  dropped.sort((a, b) => a.at - b.at || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  return { manifest, dropped };
}

/**
 * A promo speaker plays one promo: of the promo campaigns that reach it, the highest layer, then priority, then id.
 * Its windows are the recurrence's occurrences, `windowMinutes` long, merged where they touch.
 */
function presencePromo(
  input: CompileInput,
  campaigns: readonly Campaign[],
  holidays: HolidayDates,
  dropped: DroppedEntry[],
  to: number,
): PresencePromo | null {
  const promos = campaigns
    .filter((c) => c.kind === 'promo' && c.promo !== null)
    .sort(
      (a, b) =>
        layerRank(b.layer) - layerRank(a.layer) || b.priority - a.priority || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  let chosen: PresencePromo | null = null;
  for (const c of promos) {
    const settings = c.promo as NonNullable<Campaign['promo']>;
    const assets = c.assets.filter((sha) => input.assets.get(sha) !== undefined);
    const why = chosen
      ? `one promo per speaker: ${chosen.campaignId} wins`
      : assets.length === 0
        ? 'assets missing from the content library'
        : null;
    if (why) {
      dropped.push({ kind: 'promo', at: input.from, until: to, source: c.id, layer: c.layer, sha256: null, why });
      continue;
    }
    const length = settings.windowMinutes * MINUTE_MS;
    const windows: { from: number; to: number }[] = [];
    const occurrences = input.expander.expand(c.recurrence, input.store.timeZone, input.from, to, holidays, length);
    for (const o of occurrences) {
      const a = Math.max(o.at, input.from);
      const b = Math.min(o.at + length, to);
      if (b <= a) continue;
      const last = windows[windows.length - 1];
      if (last && last.to >= a) last.to = Math.max(last.to, b);
      else windows.push({ from: a, to: b });
    }
    chosen = {
      campaignId: c.id,
      assets,
      windows: windows.slice(0, MAX_PROMO_WINDOWS),
      cooldownMs: settings.cooldownMs,
      maxPerHour: settings.maxPerHour,
      minBatteryPercent: settings.minBatteryPercent,
      targetSplDb: settings.targetSplDb,
      maxSplDb: settings.maxSplDb,
    };
  }
  return chosen;
}

function holidayDates(holidays: readonly Holiday[]): HolidayDates {
  return new Map(holidays.map((h) => [h.id, new Set(h.dates)]));
}

function droppedMusic(w: MusicWindow, why: string): DroppedEntry {
  return { kind: 'music', at: w.from, until: w.to, source: w.reason.source, layer: w.reason.layer, sha256: null, why };
}
