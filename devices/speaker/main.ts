import { parseArgs } from 'node:util';
import { exitOnConfigError } from '../../platform/config-loader.ts';
import { createLogger } from '../../platform/log.ts';
import { stopOnSignals } from '../../platform/shutdown.ts';
import { deviceIdentity } from '../core/claim-provisioner.ts';
import { ProcessExitRestarter, type Restartable } from '../core/device-restarter.ts';
import { tmp36RawFromCelsius } from '../core/hardware/tmp36.ts';
import { VirtualBoardIO } from '../core/hardware/virtual-board-io.ts';
import { LogRing } from '../core/log-ring.ts';
import { VirtualAudioOutput } from './audio-output.ts';
import { loadSpeakerConfig } from './speaker-config.ts';
import { cellVoltageFromPercent } from './speaker-hardware.ts';
import { SpeakerRuntime } from './speaker-runtime.ts';

/** Composition root of one speaker: `npm run speaker -- --config speaker.json`. */
const { values } = parseArgs({ options: { config: { type: 'string' } } });
let config: ReturnType<typeof loadSpeakerConfig>;
try {
  config = loadSpeakerConfig(values.config);
} catch (err) {
  exitOnConfigError(err);
}
// The ring keeps the last lines for the `logs` command.
const logs = new LogRing();
let identity: Awaited<ReturnType<typeof deviceIdentity>>;
try {
  // With a claim section and no certificate of its own yet, the speaker provisions itself first (docs/operations.md).
  const bootLog = createLogger(`speaker:${config.thingName}`, config.logLevel, logs);
  identity = await deviceIdentity(config, bootLog, { HardwareModel: config.hardwareModel });
} catch (err) {
  exitOnConfigError(err);
}
config = { ...config, thingName: identity.thingName };
const credentials = identity.credentials;
const log = createLogger(`speaker:${config.thingName}`, config.logLevel, logs);
// A commanded reboot exits with REBOOT_EXIT_CODE for the service manager to restart the runtime.
const options = { logs, restarter: (target: Restartable) => new ProcessExitRestarter(target, log) };
let virtualIo: VirtualBoardIO | undefined;
if (config.board.io === 'virtual') {
  virtualIo = new VirtualBoardIO();
  virtualIo.setAnalogInput(0, (cellVoltageFromPercent(100) / 5) * 1023);
  virtualIo.setAnalogInput(1, tmp36RawFromCelsius(28));
}
// Until the broadcast issue brings real audio output, every speaker plays through the virtual output.
const speaker = new SpeakerRuntime(config, credentials, new VirtualAudioOutput(), log, virtualIo, options);
await speaker.start();
log.info({ endpoint: config.endpoint }, 'speaker runtime started');

stopOnSignals(() => speaker.stop());
