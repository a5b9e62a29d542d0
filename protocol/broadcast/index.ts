export * from './audio-format.ts';
export * from './layers.ts';
export * from './manifest.ts';
export * from './proof-of-play.ts';
