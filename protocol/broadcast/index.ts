export * from './audio-format.ts';
export * from './device-content.ts';
export * from './inserts.ts';
export * from './layers.ts';
export * from './manifest.ts';
export * from './presence.ts';
export * from './proof-of-play.ts';
