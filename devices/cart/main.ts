import { runDevice } from '../core/device-boot.ts';
import { cartBoot } from './cart-boot.ts';

/**
 * Composition root of one cart: `npm run cart -- --config cart.json`. With `board.io: "firmata"` it drives the
 * cart's controller over serial; with `virtual` it runs on a virtual board at rest on its dock (the simulator in
 * sim/ is what moves virtual carts around).
 */
await runDevice(cartBoot);
