export * from './config-bundle.ts';
export * from './device-ota.ts';
export * from './job-document.ts';
export * from './model.ts';
export * from './release.ts';
