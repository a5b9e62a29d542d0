export * from './bsdiff-delta.ts';
export * from './file-digest.ts';
