export * from './commands.ts';
export * from './desired-state.ts';
export * from './errors.ts';
export * from './shadow.ts';
export * from './streams.ts';
export * from './telemetry.ts';
export * from './topics.ts';
