#!/usr/bin/env node
// The fleetctl command: runs the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('../fleet/cli/main.ts');
