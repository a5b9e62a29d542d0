import type { DeviceBoot } from '../core/device-boot.ts';
import { type CartConfig, loadCartConfig } from './cart-config.ts';
import { adcFromVolts, CART_PINS, tmp36RawFromCelsius, voltageFromBatteryPercent } from './cart-hardware.ts';
import { CartRuntime } from './cart-runtime.ts';
import { VirtualZoneLocator } from './zone-locator.ts';

/** A cart on its own: at rest on its dock, fully charged, at room temperature. */
export const cartBoot: DeviceBoot<CartConfig, CartRuntime> = {
  kind: 'cart',
  loadConfig: loadCartConfig,
  restingInputs(io) {
    io.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(100)));
    io.setAnalogInput(1, tmp36RawFromCelsius(24));
    io.setDigitalInput(CART_PINS.dockContact, true);
  },
  // Until BLE positioning arrives, every cart locates itself through the virtual locator.
  create: (config, credentials, log, virtualIo, options) =>
    new CartRuntime(config, credentials, new VirtualZoneLocator(), log, virtualIo, options),
};
