import type { InstallGate } from '../../../ota/agent/component-handler.ts';
import type { Clock, TimerHandle } from '../../../platform/clock.ts';

/** What the gate reads of the speaker's broadcast (announcement-timeline.ts binds it to the running speaker). */
export interface AnnouncementTimeline {
  /** An emergency announcement is on (playing or waiting for its asset). */
  emergency(): boolean;
  /** The title of what holds the voice bus now (playing, placed, or waiting for a track's end), or null. */
  onAir(): string | null;
  /**
   * The next announcement due at or after `from` (a scheduled item or a live insert); an insert whose time passed
   * while its asset downloads counts with its own, earlier, time.
   */
  nextDue(from: number): { at: number; title: string } | undefined;
}

export interface AnnouncementGateOptions {
  /**
   * Closed this long before an announcement is due: what a software restart of the speaker takes (stop, start,
   * reconnect, manifest from disk, player pre-roll) with a wide margin, so an install that passes the gate never
   * makes an announcement late.
   */
  lookaheadMs?: number;
  /** How often a gate with listeners looks again. */
  pollMs?: number;
}

const DEFAULT_LOOKAHEAD_MS = 120_000;
const DEFAULT_POLL_MS = 1000;

/**
 * The speaker's install gate (issue 10 item 4: "a speaker never installs during an announcement"): closed while an
 * emergency is on, while an announcement, insert or promo plays or waits to, and from `lookaheadMs` before the next
 * one is due. Music alone leaves it open.
 *
 * It looks at the timeline once a second, on the injected clock, while someone listens, rather than following
 * events: whether it is open depends on time (an item coming due) and on parts the runtime makes anew at each
 * restart in process (scheduler, player), and a look is a binary search in the manifest's items. The agent hears
 * of a change within a second, which is nothing against an install's minutes.
 */
export class AnnouncementGate implements InstallGate {
  private readonly listeners = new Set<() => void>();
  private timer: TimerHandle | undefined;
  private wasOpen = true;

  constructor(
    private readonly timeline: AnnouncementTimeline,
    private readonly clock: Clock,
    private readonly options: AnnouncementGateOptions = {},
  ) {}

  stop(): void {
    this.listeners.clear();
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  isOpen(): { open: true } | { open: false; reason: string } {
    if (this.timeline.emergency()) return { open: false, reason: 'emergency announcement' };
    const onAir = this.timeline.onAir();
    if (onAir !== null) return { open: false, reason: `announcement playing: ${onAir}` };
    const now = this.clock.now();
    const next = this.timeline.nextDue(now);
    const lookahead = this.options.lookaheadMs ?? DEFAULT_LOOKAHEAD_MS;
    if (next && next.at - now <= lookahead)
      return {
        open: false,
        reason: `announcement due in ${Math.max(0, Math.ceil((next.at - now) / 1000))} s: ${next.title}`,
      };
    return { open: true };
  }

  /** Calls `listener` when the gate opens or closes; the gate looks once a second while it has listeners. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    if (!this.timer) {
      this.wasOpen = this.isOpen().open;
      this.timer = this.clock.setInterval(() => this.look(), this.options.pollMs ?? DEFAULT_POLL_MS);
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      this.clock.clearInterval(this.timer);
      this.timer = undefined;
    };
  }

  private look(): void {
    const open = this.isOpen().open;
    if (open === this.wasOpen) return;
    this.wasOpen = open;
    for (const listener of [...this.listeners]) listener();
  }
}
