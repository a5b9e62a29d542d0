import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { SchemaValidator } from '../../platform/schema-validator.ts';
import {
  type AdhocInsert,
  type Emergency,
  INSERT_SHADOW,
  type InsertDesired,
  InsertDesiredSchema,
  MAX_ACTIVE_INSERTS,
} from '../../protocol/broadcast/inserts.ts';
import type { ManifestAsset } from '../../protocol/broadcast/manifest.ts';
import type { PlayRecord } from '../../protocol/broadcast/proof-of-play.ts';
import { isFleetError } from '../../protocol/errors.ts';
import type { DeviceConnection } from '../core/device-connection.ts';
import { type NamedShadowDocument, NamedShadowWatch } from '../core/named-shadow-watch.ts';
import { playRecord } from './scheduler/play-record.ts';

const desiredSchema = new SchemaValidator<InsertDesired>(InsertDesiredSchema);

/** What the follower needs from the rest of the speaker. */
export interface LiveInsertPorts {
  /** Keeps these assets in the content cache (fetched first). */
  pinExtra(assets: readonly ManifestAsset[]): void;
  /** Whether the cache holds the asset whole. */
  has(sha256: string): boolean;
  /** Calls back when a pinned asset arrives; returns the unsubscribe. */
  onReady(listener: (sha256: string) => void): () => void;
  playNow(insert: AdhocInsert): { accepted: true } | { accepted: false; reason: string };
  startEmergency(sha256: string): void;
  clearEmergency(): void;
  /** A play that never happened (an insert whose time passed while the speaker was away). */
  recordSkipped(record: PlayRecord): void;
  volume(): number;
  manifestVersion(): number | null;
}

/** The decoder lead of a play started "now" (the scheduler's own), so that an insert starts on its `at`. */
const START_LEAD_MS = 250;

/**
 * Follows the named shadow `broadcast-insert` (issue 9 item 7): plays each ad-hoc insert once at its time (downloading
 * its asset first if need be; one whose `expiresAt` passes first is skipped and logged as such), starts the store's
 * emergency announcement (which repeats until the fleet clears it) and stops it when the shadow no longer has it.
 * Reports `{handled, emergency}`; at start it reads back its own report, so a reboot does not play an insert twice.
 */
export class LiveInserts {
  private readonly watch: NamedShadowWatch;
  private readonly handled: string[] = [];
  private readonly timers = new Map<string, TimerHandle>();
  private pending = new Map<string, AdhocInsert>();
  private emergency: Emergency | undefined;
  private emergencyPlaying: string | null = null;
  private offReady: (() => void) | undefined;
  private readonly onDocument = (doc: NamedShadowDocument) => this.apply(doc);

  constructor(
    connection: DeviceConnection,
    thingName: string,
    private readonly ports: LiveInsertPorts,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {
    this.watch = new NamedShadowWatch(connection, thingName, INSERT_SHADOW, log, clock);
  }

  start(): void {
    this.offReady = this.ports.onReady((sha256) => this.assetArrived(sha256));
    this.watch.on('document', this.onDocument);
    this.watch.start();
  }

  stop(): void {
    this.watch.off('document', this.onDocument);
    this.watch.stop();
    this.offReady?.();
    for (const timer of this.timers.values()) this.clock.clearTimeout(timer);
    this.timers.clear();
  }

  /** The emergency this speaker is repeating now, if any. */
  get activeEmergency(): string | null {
    return this.emergencyPlaying;
  }

  /** The store has an emergency on: playing, or waiting for its asset. */
  get emergencyWanted(): boolean {
    return this.emergency !== undefined;
  }

  /**
   * The earliest insert not yet played: its time may have passed while its asset downloads, in which case it plays
   * as soon as the asset is here.
   */
  nextInsert(): { at: number; title: string } | undefined {
    let next: AdhocInsert | undefined;
    for (const insert of this.pending.values()) if (!next || insert.at < next.at) next = insert;
    return next ? { at: next.at, title: next.title } : undefined;
  }

  private apply({ desired, reported }: NamedShadowDocument): void {
    // The shadow stores `emergency: null` as no key (AWS): absent is none.
    const checked = desiredSchema.check({ inserts: [], ...desired });
    if (!checked.ok) {
      this.log.warn({ reason: checked.reason }, 'broadcast-insert desired state invalid: ignored');
      return;
    }
    if (Array.isArray(reported.handled))
      for (const id of reported.handled)
        if (typeof id === 'string' && !this.handled.includes(id)) this.handled.push(id);
    const { inserts, emergency } = checked.value;
    this.pending = new Map(inserts.filter((i) => !this.handled.includes(i.id)).map((i) => [i.id, i]));
    for (const [id, timer] of this.timers)
      if (!this.pending.has(id)) {
        this.clock.clearTimeout(timer);
        this.timers.delete(id);
      }
    this.emergency = emergency ?? undefined;
    const wanted: ManifestAsset[] = [...this.pending.values(), ...(emergency ? [emergency] : [])].map((a) => ({
      sha256: a.sha256,
      bytes: a.bytes,
      durationMs: a.durationMs,
      title: a.title,
      kind: 'speech',
    }));
    this.ports.pinExtra(wanted);
    for (const insert of this.pending.values()) this.schedule(insert);
    this.syncEmergency();
  }

  private schedule(insert: AdhocInsert): void {
    if (this.timers.has(insert.id)) return;
    const delay = Math.max(0, insert.at - START_LEAD_MS - this.clock.now());
    this.timers.set(
      insert.id,
      this.clock.setTimeout(() => {
        this.timers.delete(insert.id);
        this.due(insert);
      }, delay),
    );
  }

  /** Its time has come: play it if the asset is here, else wait for it until it expires. */
  private due(insert: AdhocInsert): void {
    if (!this.pending.has(insert.id)) return;
    const now = this.clock.now();
    if (now >= insert.expiresAt) {
      this.skip(insert);
      return;
    }
    if (!this.ports.has(insert.sha256)) {
      // assetArrived() plays it; this timer skips it if the asset never comes in time.
      this.timers.set(
        insert.id,
        this.clock.setTimeout(() => {
          this.timers.delete(insert.id);
          if (this.pending.has(insert.id)) this.skip(insert);
        }, insert.expiresAt - now),
      );
      return;
    }
    const result = this.ports.playNow(insert);
    if (!result.accepted) this.log.warn({ id: insert.id, reason: result.reason }, 'insert not played');
    this.done(insert.id);
  }

  private assetArrived(sha256: string): void {
    const now = this.clock.now();
    for (const insert of [...this.pending.values()])
      if (insert.sha256 === sha256 && insert.at - START_LEAD_MS <= now && !this.isWaitingForTime(insert)) {
        const timer = this.timers.get(insert.id);
        this.clock.clearTimeout(timer);
        this.timers.delete(insert.id);
        this.due(insert);
      }
    if (this.emergency?.sha256 === sha256) this.syncEmergency();
  }

  /** A timer still waiting for the insert's own time (not the expiry wait of a missing asset). */
  private isWaitingForTime(insert: AdhocInsert): boolean {
    return this.timers.has(insert.id) && this.clock.now() < insert.at - START_LEAD_MS;
  }

  private skip(insert: AdhocInsert): void {
    const now = this.clock.now();
    this.log.warn({ id: insert.id, at: insert.at }, 'insert skipped: its time passed before it could play');
    this.ports.recordSkipped(
      playRecord(
        {
          sha256: insert.sha256,
          title: insert.title,
          layer: 'adhoc',
          trigger: 'adhoc',
          campaignId: null,
          itemId: insert.id,
          scheduledAt: insert.at,
        },
        { startedAt: now, endedAt: now },
        'skipped',
        this.ports.volume(),
        this.ports.manifestVersion(),
      ),
    );
    this.done(insert.id);
  }

  private done(id: string): void {
    this.pending.delete(id);
    this.handled.push(id);
    this.handled.splice(0, Math.max(0, this.handled.length - MAX_ACTIVE_INSERTS));
    this.watch.report({ handled: [...this.handled] });
  }

  private syncEmergency(): void {
    const wanted = this.emergency;
    if (this.emergencyPlaying && this.emergencyPlaying !== wanted?.id) {
      try {
        this.ports.clearEmergency();
      } catch (err) {
        if (!isFleetError(err, 'EMERGENCY_NOT_ACTIVE')) throw err;
      }
      this.emergencyPlaying = null;
      this.watch.report({ emergency: null });
    }
    if (wanted && this.emergencyPlaying !== wanted.id && this.ports.has(wanted.sha256)) {
      this.ports.startEmergency(wanted.sha256);
      this.emergencyPlaying = wanted.id;
      this.watch.report({ emergency: wanted.id });
    }
  }
}
