export * from './canonical-json.ts';
export * from './job-document.ts';
export * from './keyring.ts';
export * from './signing.ts';
export * from './verify.ts';
