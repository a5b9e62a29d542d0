import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'fleetctl.js');

export interface FleetctlRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real CLI in a child process against `server` with an API token, its config kept under `configHome`. */
export function runFleetctl(server: string, token: string, configHome: string, args: string[]): Promise<FleetctlRun> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      XDG_CONFIG_HOME: configHome,
      LOG_LEVEL: 'silent',
      NO_COLOR: '1',
      FLEETCTL_SERVER: server,
      FLEETCTL_TOKEN: token,
    };
    // The API commands only: a data dir or fleet config in the caller's environment must not reach the CLI.
    for (const key of ['FLEET_DATA_DIR', 'FLEET_CONFIG']) delete env[key];
    const child = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The run, after asserting it exited 0 (its output in the failure message). */
export function succeeded(run: FleetctlRun): FleetctlRun {
  assert.equal(run.code, 0, `exit ${run.code}\nstdout: ${run.stdout}\nstderr: ${run.stderr}`);
  return run;
}
