import { EventEmitter } from 'node:events';
import { musicWindowAt, volumeAt } from '../../../broadcast/manifest-resolver.ts';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';
import {
  type BroadcastLayer,
  type EntryMode,
  layerRank,
  type PlayTrigger,
} from '../../../protocol/broadcast/layers.ts';
import type {
  BroadcastManifest,
  ManifestAsset,
  PresencePromo,
  ScheduledItem,
} from '../../../protocol/broadcast/manifest.ts';
import type { PlayRecord } from '../../../protocol/broadcast/proof-of-play.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { type PcmSource, samplesFromMs } from '../player/pcm.ts';
import { Playback, type PlaybackEnd } from '../player/playback.ts';
import type { SpeakerPlayer } from '../player/speaker-player.ts';
import { ToneSource } from '../player/tone-source.ts';
import { MusicChain, type MusicTrack } from './music-chain.ts';
import { type NowPlaying, nowPlayingOf, playRecord } from './play-record.ts';
import { type PresenceDecision, PresenceGate } from './presence-gate.ts';
import { EMERGENCY_RANK, VoiceEntries, type VoicePlan } from './voice-entries.ts';

export type { NowPlaying };

export interface SchedulerPorts {
  /** The cached file of an asset, or undefined while it is not (yet) in the cache. */
  assetPath(sha256: string): string | undefined;
  /** Battery percent of a promo speaker (undefined on mains). */
  battery?(): number | undefined;
  /**
   * The volume a presence promo plays at and the sound pressure it gives (broadcast/promo-level.ts: the speaker's
   * calibration and ambient noise); absent: the scheduled volume, level unknown.
   */
  promoLevel?(promo: PresencePromo): { volume: number; levelDbSpl: number };
}

export interface SchedulerOptions {
  /** How long before its time an item's decoder starts. */
  prerollMs?: number;
  /** How often the scheduler looks ahead. */
  tickMs?: number;
  /** The volume while no manifest is set (the shadow's `volume`); the locate tone plays at it even in quiet hours. */
  fallbackVolume?: () => number;
  /** The least volume an emergency plays at, quiet hours included. */
  emergencyVolume?: number;
  /** Silence between two repetitions of an emergency announcement. */
  emergencyGapMs?: number;
}

export interface PlayNowRequest {
  sha256: string;
  layer: BroadcastLayer;
  entry: EntryMode;
  trigger: PlayTrigger;
  campaignId?: string | null;
  itemId?: string | null;
  /** For `between_tracks`: how long it may wait for the current track to end (default 10 min). */
  maxDelayMs?: number;
}

/** A between-tracks item waiting for the current track (and any voice) to end. */
interface Waiting {
  key: string;
  plan: VoicePlan;
  /** Pre-rolled while it waits: it starts on the boundary's very sample. */
  source: PcmSource;
  deadline: number;
}

/** The decoder lead for an item started "now" (playNow, presence, emergency): ffmpeg's start-up plus a margin. */
const NOW_LATENCY_MS = 250;
const LOCATE_RANK = layerRank('adhoc');

/**
 * Plays a speaker's manifest on a SpeakerPlayer: music windows track after track; scheduled items by entry mode
 * (`between_tracks` after the current track within maxDelayMs, else skipped; `interrupt` pauses the music, which
 * resumes after; `overlay` ducks it DUCKING.depthDb with DUCKING.rampMs ramps); quiet outside volume spans; and the
 * primitives of ad-hoc insertion (`playNow`), emergency (`startEmergency` / `clearEmergency`) and presence promos
 * (`presence`). One PlayRecord per play when it ends (event `play`); `nowPlaying` for the shadow.
 *
 * Everything is placed on the mixer's sample timeline ahead of time (pre-roll), so an item starts on its sample
 * whatever the event loop is doing when its time comes.
 */
export class BroadcastScheduler extends EventEmitter<{ play: [PlayRecord]; nowPlaying: [NowPlaying | null] }> {
  private manifest: BroadcastManifest | null = null;
  private assets = new Map<string, ManifestAsset>();
  private sortedItems: ScheduledItem[] = [];
  private readonly handled = new Map<string, Playback | Waiting | null>();
  private waiting: Waiting[] = [];
  private timer: TimerHandle | undefined;
  private readonly music: MusicChain;
  private readonly gate = new PresenceGate();
  private readonly voices: VoiceEntries;
  /** The music track playing now, for `nowPlaying`. */
  private musicNow: { track: MusicTrack; now: NowPlaying } | undefined;
  private emergency: { sha256: string; file: string; playback: Playback | undefined } | undefined;
  private overrideVolume: number | undefined;
  /** The volume of a presence promo while it plays (its calibrated level), instead of the scheduled one. */
  private promoVolume: { from: number; to: number; volume: number } | undefined;
  private readonly prerollMs: number;

  constructor(
    private readonly clock: Clock,
    readonly player: SpeakerPlayer,
    private readonly ports: SchedulerPorts,
    private readonly options: SchedulerOptions = {},
  ) {
    super();
    this.prerollMs = options.prerollMs ?? 3000;
    this.music = new MusicChain(
      player,
      {
        assetPath: (sha) => this.ports.assetPath(sha),
        asset: (sha) => this.assets.get(sha),
        started: (track, sample) => this.musicStarted(track, sample),
        ended: (track, sample, end, withdrawn) => this.musicEnded(track, sample, end, withdrawn),
      },
      this.prerollMs,
    );
    this.voices = new VoiceEntries(player, {
      volumeAt: (t) => this.volumeAt(t),
      emergencyActive: () => this.emergency !== undefined,
      record: (plan, times, end, volume) => this.emitRecord(plan, times, end, volume),
      nowPlayingChanged: () => this.emit('nowPlaying', this.nowPlaying),
      ended: (sample) => this.startWaiting(sample),
    });
  }

  /** The volume the mixer applies at `t`: an override (emergency, locate), the manifest's spans, or the fallback. */
  volumeAt(t: number): number {
    const promo = this.promoVolume;
    if (promo && t >= promo.from && t < promo.to && this.overrideVolume === undefined) return promo.volume;
    const scheduled = this.manifest ? volumeAt(this.manifest, t) : (this.options.fallbackVolume?.() ?? 0);
    return this.overrideVolume === undefined ? scheduled : Math.max(scheduled, this.overrideVolume);
  }

  start(): void {
    if (this.timer) return;
    this.timer = this.clock.setInterval(() => this.tick(), this.options.tickMs ?? 100);
    this.tick();
  }

  /**
   * Stops looking ahead. What was placed but has not started is withdrawn without a record (a restarted speaker
   * places it again from its manifest); what plays ends as interrupted when the player stops.
   */
  stop(): void {
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
    for (const w of [...this.waiting]) this.dropWaiting(w, this.clock.now(), false);
    this.voices.withdrawQueued();
    this.music.withdrawQueued();
    this.emergency = undefined;
  }

  get nowPlaying(): NowPlaying | null {
    return this.voices.now ?? this.musicNow?.now ?? null;
  }

  get manifestVersion(): number | null {
    return this.manifest?.version ?? null;
  }

  get emergencyActive(): boolean {
    return this.emergency !== undefined;
  }

  /**
   * What holds the voice bus: the announcement playing, one placed to start, or one waiting for a track's end (an
   * item, an insert, a presence promo, the locate tone), by title; null when the voice bus is free. The OTA install
   * gate (devices/speaker/ota/) keeps installs away from it.
   */
  get voiceInUse(): string | null {
    if (this.voices.now) return this.voices.now.title;
    const waiting = this.waiting[0];
    if (waiting) return waiting.plan.intent.title;
    return this.player.mixer.voice.idle ? null : 'an announcement about to start';
  }

  /** The manifest's first scheduled item (an announcement; music is not an item) at or after `from`. */
  nextItem(from: number): { at: number; title: string } | undefined {
    const item = this.sortedItems[this.firstItemAtOrAfter(from)];
    return item ? { at: item.at, title: this.titleOf(item.sha256) } : undefined;
  }

  /**
   * Takes a new manifest at any time: what plays continues (no glitch); items already placed that the new manifest
   * still has stay placed, the others are withdrawn without a record; the next music track is chosen again.
   */
  setManifest(manifest: BroadcastManifest): void {
    const previous = this.manifest;
    this.manifest = manifest;
    this.assets = new Map(manifest.assets.map((a) => [a.sha256, a]));
    this.sortedItems = [...manifest.items].sort((a, b) => a.at - b.at);
    const keep = new Set(manifest.items.map(itemKey));
    for (const [key, placed] of this.handled) {
      if (keep.has(key) || !placed) continue;
      this.handled.delete(key);
      if (placed instanceof Playback) this.voices.withdraw(placed);
      else this.dropWaiting(placed, this.clock.now(), false);
    }
    const currentWindow = this.music.current?.window.id;
    this.music.manifestChanged(!previous || !currentWindow || manifest.music.some((w) => w.id === currentWindow));
    this.music.withdrawQueued();
    this.tick();
  }

  /** Plays an asset now (ad-hoc insertion, the next wave's fleet command); a lower layer never cuts a higher one. */
  playNow(request: PlayNowRequest): { accepted: true; startsAt: number } | { accepted: false; reason: string } {
    const now = this.clock.now();
    const plan: VoicePlan = {
      intent: {
        sha256: request.sha256,
        title: this.titleOf(request.sha256),
        layer: request.layer,
        trigger: request.trigger,
        campaignId: request.campaignId ?? null,
        itemId: request.itemId ?? null,
        scheduledAt: now,
      },
      entry: request.entry,
      rank: layerRank(request.layer),
      record: true,
    };
    const refusal = this.refusal(plan, now);
    if (refusal) return { accepted: false, reason: refusal };
    const file = this.ports.assetPath(request.sha256) as string;
    const at = now + NOW_LATENCY_MS;
    if (request.entry === 'between_tracks' && this.player.mixer.music.current) {
      const source = this.player.decode(file);
      this.waiting.push({ key: `now:${at}`, plan, source, deadline: at + (request.maxDelayMs ?? 600_000) });
      return { accepted: true, startsAt: at };
    }
    this.voices.place(plan, file, this.player.mixer.sampleAt(at));
    return { accepted: true, startsAt: at };
  }

  /** An emergency announcement: cuts everything, repeats until `clearEmergency()`, quiet hours included. */
  startEmergency(sha256: string): void {
    if (this.emergency)
      throw new FleetError('EMERGENCY_ALREADY_ACTIVE', 'an emergency announcement is already playing');
    const file = this.ports.assetPath(sha256);
    if (!file) throw new FleetError('ASSET_NOT_FOUND', `asset ${sha256} is not in this speaker's cache`);
    const mixer = this.player.mixer;
    const at = mixer.sampleAt(this.clock.now() + NOW_LATENCY_MS);
    this.emergency = { sha256, file, playback: undefined };
    this.overrideVolume = this.options.emergencyVolume ?? 80;
    for (const w of [...this.waiting]) this.dropWaiting(w, this.clock.now(), true);
    mixer.voice.clear(at);
    this.music.stop(at);
    this.repeatEmergency(at);
  }

  clearEmergency(): void {
    const emergency = this.emergency;
    if (!emergency) throw new FleetError('EMERGENCY_NOT_ACTIVE', 'no emergency announcement is playing');
    this.emergency = undefined;
    this.overrideVolume = undefined;
    const at = this.player.mixer.earliestSample();
    const playback = emergency.playback;
    if (playback) {
      if (playback.started === undefined) this.player.mixer.voice.cancel(playback, at);
      else playback.stopAt = Math.min(playback.stopAt ?? at, at);
    }
    this.tick();
  }

  /** Someone is near a promo speaker (its PIR, or a cart entering its zone): plays the promo if its rules allow. */
  presence(trigger: 'pir' | 'cart'): PresenceDecision {
    const now = this.clock.now();
    const manifest = this.manifest;
    const promo = manifest?.promo ?? null;
    if (this.emergency) return 'emergency';
    const decision = this.gate.check(promo, now, {
      battery: this.ports.battery?.(),
      lastAnnouncementEnd: this.voices.lastEnd,
      minGapMs: manifest?.minGapMs ?? 0,
    });
    if (decision !== 'played' || !promo) return decision;
    if (this.player.mixer.voice.current || this.player.mixer.voice.queued.length > 0) return 'busy';
    if (this.volumeAt(now) === 0) return 'quiet';
    const sha256 = this.gate.nextAsset(promo);
    const plan: VoicePlan = {
      intent: {
        sha256,
        title: this.titleOf(sha256),
        // The manifest's promo carries no layer: a promo is a campaign's, below store-made and ad-hoc messages.
        layer: 'hq_campaign',
        trigger,
        campaignId: promo.campaignId,
        itemId: null,
        scheduledAt: null,
      },
      entry: 'overlay',
      rank: layerRank('hq_campaign'),
      record: true,
      onEnded: (sample, end) => {
        if (end !== 'skipped') this.gate.ended(this.player.mixer.timeAt(sample));
      },
    };
    const file = this.ports.assetPath(sha256);
    if (!file) {
      this.skip(plan, now);
      return 'asset_missing';
    }
    const level = this.ports.promoLevel?.(promo);
    if (level) {
      plan.levelDbSpl = level.levelDbSpl;
      // Held from a little before its first sample to the end of its last (its length is the manifest's).
      const from = now + NOW_LATENCY_MS - 20;
      this.promoVolume = { from, to: from + 40 + (this.assets.get(sha256)?.durationMs ?? 0), volume: level.volume };
    }
    this.gate.started(now);
    this.voices.place(plan, file, this.player.mixer.sampleAt(now + NOW_LATENCY_MS));
    return 'played';
  }

  /** The locate tone: a beep pattern through the mixer (no file), over whatever plays, audible in quiet hours too. */
  playLocateTone(durationMs: number): void {
    const mixer = this.player.mixer;
    const at = mixer.earliestSample() + samplesFromMs(20);
    const volume = this.options.fallbackVolume?.() ?? 60;
    this.overrideVolume = Math.max(this.overrideVolume ?? 0, volume);
    const plan: VoicePlan = {
      intent: {
        sha256: LOCATE_TONE_ID,
        title: 'Locate tone',
        layer: 'adhoc',
        trigger: 'adhoc',
        campaignId: null,
        itemId: null,
        scheduledAt: null,
      },
      entry: 'interrupt',
      rank: LOCATE_RANK,
      record: false,
      onEnded: () => {
        if (!this.emergency) this.overrideVolume = undefined;
      },
    };
    this.voices.place(plan, new ToneSource(durationMs), at);
  }

  /** Looks ahead: places the items due within the pre-roll, keeps the music going, gives up on late waiters. */
  tick(): void {
    const now = this.clock.now();
    const manifest = this.manifest;
    const mixer = this.player.mixer;
    if (!manifest || !mixer.running) return;
    for (const item of this.dueItems(now)) this.placeItem(item);
    const renderedTime = mixer.timeAt(mixer.renderedUntil);
    for (const w of [...this.waiting]) if (renderedTime > w.deadline) this.dropWaiting(w, w.deadline, true);
    if (!this.emergency) this.music.tick(manifest, now, this.volumeAt(now) === 0);
    this.startWaiting(mixer.renderedUntil, false);
  }

  private firstItemAtOrAfter(t: number): number {
    const items = this.sortedItems;
    let lo = 0;
    let hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((items[mid] as ScheduledItem).at < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private dueItems(now: number): ScheduledItem[] {
    const items = this.sortedItems;
    const due: ScheduledItem[] = [];
    for (
      let i = this.firstItemAtOrAfter(now);
      i < items.length && (items[i] as ScheduledItem).at < now + this.prerollMs;
      i++
    ) {
      const item = items[i] as ScheduledItem;
      if (!this.handled.has(itemKey(item))) due.push(item);
    }
    return due;
  }

  private placeItem(item: ScheduledItem): void {
    const manifest = this.manifest as BroadcastManifest;
    const key = itemKey(item);
    const plan: VoicePlan = {
      intent: {
        sha256: item.sha256,
        title: this.titleOf(item.sha256),
        layer: item.reason.layer,
        trigger: 'schedule',
        campaignId: item.campaignId,
        itemId: item.id,
        scheduledAt: item.at,
      },
      entry: item.entry,
      rank: layerRank(item.reason.layer),
      record: true,
    };
    const refusal = this.refusal(plan, item.at);
    if (refusal) {
      this.handled.set(key, null);
      this.skip(plan, item.at);
      return;
    }
    const file = this.ports.assetPath(item.sha256) as string;
    if (item.entry === 'between_tracks' && (musicWindowAt(manifest, item.at) || this.music.current)) {
      const waiting: Waiting = { key, plan, source: this.player.decode(file), deadline: item.at + item.maxDelayMs };
      this.waiting.push(waiting);
      this.handled.set(key, waiting);
      return;
    }
    this.handled.set(key, this.voices.place(plan, file, Math.max(this.player.mixer.sampleAt(item.at), 0)));
  }

  /** Why a voice item cannot play at `at`, or undefined. */
  private refusal(plan: VoicePlan, at: number): string | undefined {
    if (this.emergency && plan.rank < EMERGENCY_RANK) return 'emergency';
    if (this.volumeAt(at) === 0) return 'quiet';
    if (!this.ports.assetPath(plan.intent.sha256)) return 'asset_missing';
    return undefined;
  }

  /**
   * Starts a waiting between-tracks item when neither a track nor a voice plays at `sample`: on a track's or a
   * voice's last sample (`boundary`), or, from the tick, at its own time when no music is playing then.
   */
  private startWaiting(sample: number, boundary = true): void {
    const mixer = this.player.mixer;
    if (this.waiting.length === 0 || !mixer.voice.idle || mixer.music.busyAt(sample)) return;
    const horizon = mixer.timeAt(sample) + (boundary ? 0 : this.prerollMs);
    const w = this.waiting.find((x) => (x.plan.intent.scheduledAt ?? 0) <= horizon);
    if (!w) return;
    const at = boundary ? sample : Math.max(sample, mixer.sampleAt(w.plan.intent.scheduledAt ?? 0));
    // From the tick only when no music plays or is about to: otherwise the track's end is its boundary.
    if (!boundary && (mixer.music.current || mixer.music.next)) return;
    if (mixer.timeAt(at) > w.deadline) {
      this.dropWaiting(w, w.deadline, true);
      return;
    }
    this.waiting = this.waiting.filter((x) => x !== w);
    this.voices.place(w.plan, w.source, at);
    if (this.handled.has(w.key)) this.handled.set(w.key, null);
  }

  private repeatEmergency(sample: number): void {
    const emergency = this.emergency;
    if (!emergency) return;
    const plan: VoicePlan = {
      intent: {
        sha256: emergency.sha256,
        title: this.titleOf(emergency.sha256),
        layer: 'emergency',
        trigger: 'emergency',
        campaignId: null,
        itemId: null,
        scheduledAt: this.player.mixer.timeAt(sample),
      },
      entry: 'interrupt',
      rank: EMERGENCY_RANK,
      record: true,
      onEnded: (s, end) => {
        if (end === 'completed' && this.emergency === emergency)
          this.repeatEmergency(s + samplesFromMs(this.options.emergencyGapMs ?? 1000));
      },
    };
    emergency.playback = this.voices.place(plan, emergency.file, sample);
  }

  private musicStarted(track: MusicTrack, sample: number): void {
    this.musicNow = { track, now: nowPlayingOf(track.intent, this.player.mixer.timeAt(sample)) };
    this.emit('nowPlaying', this.nowPlaying);
  }

  private musicEnded(track: MusicTrack, sample: number, end: PlaybackEnd, withdrawn: boolean): void {
    const mixer = this.player.mixer;
    if (this.musicNow?.track === track) {
      this.musicNow = undefined;
      this.emit('nowPlaying', this.nowPlaying);
    }
    // A track that never started (withdrawn, undecodable) leaves no record: the window goes on with the next one.
    if (!withdrawn && end !== 'skipped') {
      const startedAt = track.playback.started !== undefined ? mixer.timeAt(track.playback.started) : undefined;
      const endedAt = mixer.timeAt(sample);
      this.emitRecord(
        { intent: track.intent, entry: 'between_tracks', rank: -1, record: true },
        { startedAt: startedAt ?? endedAt, endedAt },
        end,
        this.volumeAt(startedAt ?? endedAt),
      );
    }
    // A track boundary: an item waiting between tracks starts on this very sample (the next track waits for it).
    if (end === 'completed') this.startWaiting(sample);
  }

  private dropWaiting(w: Waiting, at: number, record: boolean): void {
    this.waiting = this.waiting.filter((x) => x !== w);
    w.source.close();
    if (record) this.skip(w.plan, at);
  }

  private skip(plan: VoicePlan, at: number): void {
    if (plan.record) this.emitRecord(plan, { startedAt: at, endedAt: at }, 'skipped', this.volumeAt(at));
  }

  private emitRecord(
    plan: VoicePlan,
    times: { startedAt: number; endedAt: number },
    end: PlaybackEnd,
    volume: number,
  ): void {
    this.emit('play', playRecord(plan.intent, times, end, volume, this.manifestVersion, plan.levelDbSpl ?? null));
  }

  private titleOf(sha256: string): string {
    return this.assets.get(sha256)?.title ?? sha256.slice(0, 12);
  }
}

/** Track id of the tone a speaker plays while it is being located. */
export const LOCATE_TONE_ID = 'locate-tone';

function itemKey(item: ScheduledItem): string {
  return `${item.id}@${item.at}:${item.sha256}`;
}
