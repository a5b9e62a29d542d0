/**
 * Named instants of an update where the power-cut test (test/integration/ota-power-cut.test.ts) kills the process with
 * SIGKILL: between every two writes that matter, so that each gap of the state machine is cut at least once.
 */
export const OTA_CHECKPOINTS = [
  /** A chunk of the artifact (or delta) was written to the `.part` file. */
  'download.chunk',
  /** The artifact is verified and renamed; the journal still says downloading. */
  'download.verified',
  /** boot-state marks the target slot dirty; the slot still holds the old contents. */
  'install.dirty',
  /** The handler filled the slot; boot-state still says dirty. */
  'install.written',
  /** boot-state records the slot's new contents; the journal still says installing. */
  'install.recorded',
  /** The journal says switching; boot-state is not switched yet. */
  'switch.journal',
  /** boot-state has the trial; the journal still says switching. */
  'switch.done',
  /** The journal says rebooting and the fleet was told; the restart has not begun. */
  'restart.before',
  /** The launcher counted a trial boot in boot-state; the runtime is not started yet. */
  'launcher.counted',
  /** The agent found its trial and begins the health check. */
  'health.start',
  /** The health check passed; nothing is committed yet. */
  'health.passed',
  /** boot-state has the commit; the journal does not know yet. */
  'commit.done',
  /** boot-state has the rollback; the journal does not know yet. */
  'rollback.done',
  /** The outcome is in the journal; the fleet has not been told. */
  'report.journaled',
  /** The fleet took the outcome; the journal is not cleared yet. */
  'report.sent',
] as const;
export type OtaCheckpoint = (typeof OTA_CHECKPOINTS)[number];

/** The hook the agent and the launcher call at each checkpoint. */
export interface FaultPoints {
  hit(checkpoint: OtaCheckpoint): void;
}

export const noFaults: FaultPoints = { hit() {} };

/** Environment variable naming one kill: `<checkpoint>:<n>` (the n-th time that checkpoint is reached, from 1). */
export const OTA_FAULT_ENV = 'CARTFLEET_OTA_FAULT';

/**
 * Cuts the power the `n`-th time `checkpoint` is reached, when `CARTFLEET_OTA_FAULT=<checkpoint>:<n>` is set:
 * SIGKILL to this process's whole process group — the launcher and the runtime it started die at the same instant,
 * no handler runs, nothing is flushed, as when the device loses power (the test starts the launcher as the leader of
 * its own group). For tests only: with the variable unset (every real device) this is a no-op.
 */
export function faultPointsFromEnv(
  env: NodeJS.ProcessEnv,
  kill: () => void = () => process.kill(0, 'SIGKILL'),
): FaultPoints {
  const spec = env[OTA_FAULT_ENV];
  if (!spec) return noFaults;
  const match = /^([a-z.]+):(\d+)$/.exec(spec);
  const checkpoint = match?.[1] as OtaCheckpoint | undefined;
  if (!checkpoint || !(OTA_CHECKPOINTS as readonly string[]).includes(checkpoint))
    throw new Error(`${OTA_FAULT_ENV}=${spec}: expected <checkpoint>:<n> with one of ${OTA_CHECKPOINTS.join(', ')}`);
  const at = Number(match?.[2]);
  let count = 0;
  return {
    hit(reached) {
      if (reached === checkpoint && ++count === at) kill();
    },
  };
}
