import { parseArgs } from 'node:util';
import { exitOnConfigError } from '../../platform/config-loader.ts';
import { createLogger } from '../../platform/log.ts';
import { stopOnSignals } from '../../platform/shutdown.ts';
import { deviceIdentity } from '../core/claim-provisioner.ts';
import { ProcessExitRestarter, type Restartable } from '../core/device-restarter.ts';
import { VirtualBoardIO } from '../core/hardware/virtual-board-io.ts';
import { LogRing } from '../core/log-ring.ts';
import { loadCartConfig } from './cart-config.ts';
import { adcFromVolts, CART_PINS, tmp36RawFromCelsius, voltageFromBatteryPercent } from './cart-hardware.ts';
import { CartRuntime } from './cart-runtime.ts';
import { VirtualZoneLocator } from './zone-locator.ts';

/**
 * Composition root of one cart: `npm run cart -- --config cart.json`. With `board.io: "firmata"` it drives the
 * cart's controller over serial; with `virtual` it runs on a virtual board at rest on its dock (the simulator in
 * sim/ is what moves virtual carts around).
 */
const { values } = parseArgs({ options: { config: { type: 'string' } } });
let config: ReturnType<typeof loadCartConfig>;
try {
  config = loadCartConfig(values.config);
} catch (err) {
  exitOnConfigError(err);
}
// The ring keeps the last lines for the `logs` command.
const logs = new LogRing();
let identity: Awaited<ReturnType<typeof deviceIdentity>>;
try {
  // With a claim section and no certificate of its own yet, the cart provisions itself first (docs/operations.md).
  const bootLog = createLogger(`cart:${config.thingName}`, config.logLevel, logs);
  identity = await deviceIdentity(config, bootLog, { HardwareModel: config.hardwareModel });
} catch (err) {
  exitOnConfigError(err);
}
config = { ...config, thingName: identity.thingName };
const credentials = identity.credentials;
const log = createLogger(`cart:${config.thingName}`, config.logLevel, logs);
// A commanded reboot exits with REBOOT_EXIT_CODE for the service manager to restart the runtime.
const options = { logs, restarter: (target: Restartable) => new ProcessExitRestarter(target, log) };
let virtualIo: VirtualBoardIO | undefined;
if (config.board.io === 'virtual') {
  virtualIo = new VirtualBoardIO();
  virtualIo.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(100)));
  virtualIo.setAnalogInput(1, tmp36RawFromCelsius(24));
  virtualIo.setDigitalInput(CART_PINS.dockContact, true);
}
const cart = new CartRuntime(config, credentials, new VirtualZoneLocator(), log, virtualIo, options);
await cart.start();
log.info({ endpoint: config.endpoint }, 'cart runtime started');

stopOnSignals(() => cart.stop());
