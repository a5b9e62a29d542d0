import { REBOOT_EXIT_CODE } from '../../platform/exit-codes.ts';
import type { Logger } from '../../platform/log.ts';

/** What a `reboot` command restarts: a device runtime (cart, speaker). */
export interface Restartable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** How a device reboots once it has answered a `reboot` command. */
export interface DeviceRestarter {
  restart(): Promise<void>;
}

export { REBOOT_EXIT_CODE };

/** On a real device: stop cleanly (outbox closed, DISCONNECT sent), then exit for the service manager to restart. */
export class ProcessExitRestarter implements DeviceRestarter {
  constructor(
    private readonly target: Restartable,
    private readonly log: Logger,
    private readonly exit: (code: number) => void = (code) => process.exit(code),
  ) {}

  async restart(): Promise<void> {
    this.log.warn({ exitCode: REBOOT_EXIT_CODE }, 'rebooting on command: exiting for the service manager');
    try {
      await this.target.stop();
    } finally {
      this.exit(REBOOT_EXIT_CODE);
    }
  }
}

/**
 * In the simulator and tests: stop the runtime and start it again in this process. The device disconnects and
 * connects again, as after a real reboot, without ending the process that hosts other devices.
 */
export class InProcessRestarter implements DeviceRestarter {
  constructor(
    private readonly target: Restartable,
    private readonly log: Logger,
  ) {}

  async restart(): Promise<void> {
    this.log.warn('rebooting on command: restarting the runtime in process');
    await this.target.stop();
    await this.target.start();
  }
}
