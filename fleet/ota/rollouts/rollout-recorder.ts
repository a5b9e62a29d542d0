import type { Clock } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import type { RolloutState } from '../../../protocol/api/rollouts.ts';
import type { JobFailureType } from '../../../protocol/jobs-status.ts';
import { type DatabaseWriter, GROUP_COMMIT } from '../../storage/database-writer.ts';
import type { ActiveRollout } from './active-rollout.ts';
import type { RolloutLiveEvents } from './rollout-live-events.ts';
import type { RolloutDeviceRecord, RolloutRepository } from './rollout-repository.ts';
import { rolloutDeviceView, rolloutView } from './rollout-views.ts';
import type { PenaltyBoxRepository } from './store-ota-repository.ts';

/**
 * What the engine changes, made durable and visible: each change written through the fleet's writer (a device's
 * with the turn's group commit: a wave reporting at once costs one commit), and announced to the live throttle.
 * A write that fails is logged; the engine's copy stays ahead, and a restart reads what landed and catches up with
 * the jobs service.
 */
export class RolloutRecorder {
  constructor(
    private readonly deps: {
      repository: RolloutRepository;
      penalties: PenaltyBoxRepository;
      writer: DatabaseWriter;
      live: RolloutLiveEvents;
      log: Logger;
      clock: Clock;
    },
  ) {}

  device(r: ActiveRollout, d: RolloutDeviceRecord): void {
    const snapshot = { ...d };
    this.deps.writer
      .write('ota.rollout.device', () => this.deps.repository.updateDevice(snapshot), GROUP_COMMIT)
      .catch((err: unknown) => this.deps.log.error({ err, thingName: d.thingName }, 'rollout device not stored'));
    this.deps.live.device(r.id, d.thingName, () => rolloutDeviceView(d));
    this.announce(r);
  }

  /** The rollout's new state, in memory at once; resolves once stored. */
  state(r: ActiveRollout, state: RolloutState, reason: string | null): Promise<void> {
    const now = this.deps.clock.now();
    r.record.state = state;
    r.record.stateReason = reason;
    r.record.updatedAt = now;
    this.announce(r);
    const id = r.id;
    const write = this.deps.writer.write('ota.rollout.state', () =>
      this.deps.repository.setState(id, state, reason, now),
    );
    write.catch((err: unknown) => this.deps.log.error({ err, rolloutId: id, state }, 'rollout state not stored'));
    return write;
  }

  phaseStarted(r: ActiveRollout, phase: number, at: number): void {
    r.record.phaseStartedAt[phase] = at;
    const id = r.id;
    this.deps.writer
      .write('ota.rollout.phase', () => this.deps.repository.setPhaseStarted(id, phase, at))
      .catch((err: unknown) => this.deps.log.error({ err, rolloutId: id }, 'rollout phase start not stored'));
    this.announce(r);
  }

  /** A failed execution, for the penalty box (which counts only the statuses its rule names). */
  failure(r: ActiveRollout, d: RolloutDeviceRecord, status: JobFailureType, at: number): void {
    const { thingName, reason } = d;
    const rolloutId = r.id;
    this.deps.writer
      .write(
        'ota.penalty.failure',
        () => this.deps.penalties.recordFailure(thingName, rolloutId, status, reason, at),
        GROUP_COMMIT,
      )
      .catch((err: unknown) => this.deps.log.error({ err, thingName }, 'failure not recorded for the penalty box'));
  }

  announce(r: ActiveRollout): void {
    this.deps.live.rollout(r.id, () => rolloutView(r.record, r.phaseCounts));
  }

  /** The rollout leaves the engine: its last event goes out (now or with the next flush), then it is forgotten. */
  released(r: ActiveRollout): void {
    this.announce(r);
    this.deps.live.forget(r.id);
  }
}
