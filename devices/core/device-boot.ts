import { parseArgs } from 'node:util';
import { OTA_SLOT_ENV } from '../../ota/agent/launcher-env.ts';
import { type Clock, systemClock } from '../../platform/clock.ts';
import { exitOnConfigError } from '../../platform/config-loader.ts';
import { createLogger, type Logger } from '../../platform/log.ts';
import { stopOnSignals } from '../../platform/shutdown.ts';
import type { DeviceKind } from '../../protocol/api/devices.ts';
import { deviceIdentity } from './claim-provisioner.ts';
import type { DeviceConfig, DeviceCredentials } from './device-config.ts';
import { ProcessExitRestarter, type Restartable } from './device-restarter.ts';
import type { DeviceRuntimeOptions } from './device-runtime.ts';
import { VirtualBoardIO } from './hardware/virtual-board-io.ts';
import { LogRing } from './log-ring.ts';
import { withActiveConfigSlot } from './ota/active-config.ts';

/** What a device kind (cart, speaker) gives its composition root; the rest of booting is the same for every kind. */
export interface DeviceBoot<C extends DeviceConfig & { hardwareModel: string }, R extends Restartable> {
  /** Log names are `{kind}:{thingName}`. */
  kind: string;
  /** `--config FILE`, then the kind's environment overrides. */
  loadConfig(file: string | undefined, env?: NodeJS.ProcessEnv): C;
  /** A virtual board's inputs at rest (`board.io: "virtual"`); the simulator in sim/ is what moves them. */
  restingInputs(io: VirtualBoardIO): void;
  create(
    config: C,
    credentials: DeviceCredentials,
    log: Logger,
    virtualIo: VirtualBoardIO | undefined,
    options: DeviceRuntimeOptions,
  ): R;
}

export interface BootOptions {
  configFile?: string | undefined;
  env?: NodeJS.ProcessEnv;
  /** How a commanded reboot ends the process (tests replace it). */
  exit?: (code: number) => void;
  /** Decides the device's retries, backoff, timeouts and beats; `systemClock` when not given. */
  clock?: Clock;
}

/**
 * Boots one device: config, identity (provisioning by claim first when the config has a claim section and `certDir`
 * holds no certificate of the device's own yet; docs/operations.md), a logger that also fills the ring the `logs`
 * command reads, the virtual board when asked for, and the runtime, started. A commanded reboot exits with
 * REBOOT_EXIT_CODE for the service manager to restart the runtime.
 */
export async function bootDevice<C extends DeviceConfig & { hardwareModel: string }, R extends Restartable>(
  boot: DeviceBoot<C, R>,
  options: BootOptions = {},
): Promise<{ runtime: R; config: C; log: Logger }> {
  const clock = options.clock ?? systemClock;
  const loaded = boot.loadConfig(options.configFile, options.env ?? process.env);
  const logs = new LogRing();
  const bootLog = createLogger(`${boot.kind}:${loaded.thingName}`, loaded.logLevel, logs);
  const identity = await deviceIdentity(loaded, bootLog, clock, { HardwareModel: loaded.hardwareModel });
  const fileConfig: C = { ...loaded, thingName: identity.thingName };
  // The active config slot's settings over the file's (an OTA config release's restart keys take effect here).
  const config = await withActiveConfigSlot(fileConfig, boot.kind as DeviceKind);
  const log = createLogger(`${boot.kind}:${config.thingName}`, config.logLevel, logs);
  let virtualIo: VirtualBoardIO | undefined;
  if (config.board.io === 'virtual') {
    virtualIo = new VirtualBoardIO();
    boot.restingInputs(virtualIo);
  }
  const env = options.env ?? process.env;
  const runtime = boot.create(config, identity.credentials, log, virtualIo, {
    logs,
    restarter: (target, restarterLog) => new ProcessExitRestarter(target, restarterLog, options.exit),
    clock,
    // Software can switch slots only under the OTA launcher, which boots the slot boot-state names.
    ota: { softwareUpdates: env[OTA_SLOT_ENV] ? 'launcher' : 'none', env },
    fileConfig,
  });
  await runtime.start();
  log.info({ endpoint: config.endpoint }, `${boot.kind} runtime started`);
  return { runtime, config, log };
}

/** A device's `main.ts`: `--config FILE`; an invalid config exits 78; SIGINT/SIGTERM stop the runtime cleanly. */
export async function runDevice<C extends DeviceConfig & { hardwareModel: string }, R extends Restartable>(
  boot: DeviceBoot<C, R>,
  argv: string[] = process.argv.slice(2),
): Promise<void> {
  const { values } = parseArgs({ args: argv, options: { config: { type: 'string' } } });
  let runtime: R;
  try {
    ({ runtime } = await bootDevice(boot, { configFile: values.config, clock: systemClock }));
  } catch (err) {
    exitOnConfigError(err);
  }
  stopOnSignals(() => runtime.stop());
}
