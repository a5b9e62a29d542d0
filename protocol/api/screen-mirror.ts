import { CommandParamsJsonSchemas } from '../commands.ts';
import type { FromSchema } from './json-schema.ts';

/**
 * `POST /api/devices/:thingName/screen-mirror` (`carts:screen`): asks the cart to mirror its screen for `seconds`
 * (the `screen-mirror` command's params, one definition). Answered 202 with the command; the states then arrive on
 * the live socket as `cart-screen` once the console watches the cart (protocol/commerce/screen-mirror.ts).
 */
export const ScreenMirrorBody = CommandParamsJsonSchemas['screen-mirror'];
export type ScreenMirrorBody = FromSchema<typeof ScreenMirrorBody>;
