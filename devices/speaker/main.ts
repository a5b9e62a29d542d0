import { runDevice } from '../core/device-boot.ts';
import { speakerBoot } from './speaker-boot.ts';

/** Composition root of one speaker: `npm run speaker -- --config speaker.json`. */
await runDevice(speakerBoot);
