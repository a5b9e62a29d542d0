import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'mocha';
import { type BootState, initialBootState, readBootState, writeBootState } from '../../../ota/agent/boot-state.ts';
import type { FaultPoints } from '../../../ota/agent/fault-points.ts';
import { Launcher, type LauncherOptions } from '../../../ota/agent/launcher.ts';
import { OtaPaths } from '../../../ota/agent/ota-paths.ts';
import { silentLogger } from '../../../platform/log.ts';
import { tempDir } from '../../helpers/fleet-harness.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';
import { eventually } from '../../mocks/wait-for.ts';

const A = { name: 'cart-runtime', version: '1.0.0', sha256: 'a'.repeat(64) };
const B = { name: 'cart-runtime', version: '1.1.0', sha256: 'b'.repeat(64) };

/**
 * Tiny runtimes for the launcher to start (plain ES modules, no dependencies): each appends `<slot>` to boots.log,
 * then does what its kind says. `commit` clears the trial in boot-state as the agent's commit would.
 */
const PROGRAMS = {
  stay: '',
  crash: `process.stderr.write('boom: the new code cannot start\\n'); process.exit(1);`,
  commit: `
    const file = join(process.env.CARTFLEET_OTA_DIR, 'boot-state.json');
    const state = JSON.parse(readFileSync(file, 'utf8'));
    state.components.software.trial = null;
    state.generation += 1;
    writeFileSync(file + '.tmp', JSON.stringify(state));
    renameSync(file + '.tmp', file);`,
  /** The factory's agent switched to b (as after an install) and asks for the restart. */
  switchAndReboot: `
    const file = join(process.env.CARTFLEET_OTA_DIR, 'boot-state.json');
    const state = JSON.parse(readFileSync(file, 'utf8'));
    if (state.components.software.active === 'a') {
      state.components.software.active = 'b';
      state.components.software.trial = { slot: 'b', bootsLeft: 2, healthCheckTimeoutSeconds: 60, jobId: 'job-1', executionNumber: 1, switchedAt: 0 };
      writeFileSync(file + '.tmp', JSON.stringify(state));
      renameSync(file + '.tmp', file);
      process.exit(75);
    }`,
  config: 'process.exit(78);',
};

function program(kind: keyof typeof PROGRAMS): string {
  return `import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
appendFileSync(join(process.env.CARTFLEET_OTA_DIR, '..', 'boots.log'), process.env.CARTFLEET_OTA_SLOT + '\\n');
${PROGRAMS[kind]}
const alive = setInterval(() => {}, 1000);
process.on('SIGTERM', () => { clearInterval(alive); process.exit(0); });
`;
}

function writeTree(dir: string, version: string, kind: keyof typeof PROGRAMS): void {
  mkdirSync(join(dir, 'devices/cart'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  writeFileSync(
    join(dir, 'bundle.json'),
    JSON.stringify({ schema: 1, name: 'cart-runtime', version, kind: 'cart', entry: 'devices/cart/main.js' }),
  );
  writeFileSync(join(dir, 'devices/cart/main.js'), program(kind));
}

describe('the launcher (real processes)', () => {
  let dir: ReturnType<typeof tempDir>;
  let paths: OtaPaths;
  let clock: FakeClock;
  let launcher: Launcher | undefined;

  beforeEach(() => {
    dir = tempDir('cartfleet-launcher-');
    paths = new OtaPaths(join(dir.path, 'ota'));
    clock = new FakeClock();
  });

  afterEach(async () => {
    await launcher?.stop();
    launcher = undefined;
    dir.cleanup();
  });

  function boots(): string[] {
    const file = join(dir.path, 'boots.log');
    return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : [];
  }

  async function state(): Promise<BootState> {
    const read = await readBootState(paths.bootState);
    assert.ok(read.state);
    return read.state;
  }

  /** Boot-state with b installed and on trial (as the agent leaves it at its switch). */
  async function trialOnB(options: { bootsLeft?: number; healthCheckTimeoutSeconds?: number } = {}) {
    const initial = initialBootState(A);
    initial.components.software.slots.b = B;
    initial.components.software.active = 'b';
    initial.components.software.trial = {
      slot: 'b',
      bootsLeft: options.bootsLeft ?? 2,
      healthCheckTimeoutSeconds: options.healthCheckTimeoutSeconds ?? 60,
      jobId: 'job-1',
      executionNumber: 1,
      switchedAt: clock.now(),
    };
    await writeBootState(paths.bootState, initial);
  }

  async function start(
    factory: keyof typeof PROGRAMS,
    slotB?: keyof typeof PROGRAMS,
    faults?: FaultPoints,
  ): Promise<Launcher> {
    writeTree(join(dir.path, 'factory'), '1.0.0', factory);
    if (slotB) writeTree(paths.slotDir('software', 'b'), '1.1.0', slotB);
    const options: LauncherOptions = {
      otaDir: paths.root,
      factoryDir: join(dir.path, 'factory'),
      factoryEntry: 'devices/cart/main.js',
      nodeModules: resolve('node_modules'),
      nodePath: process.execPath,
      nodeArgs: [],
      args: [],
      env: { PATH: process.env.PATH },
      echoStderr: false,
      crashLogLines: 10,
      watchdogGraceMs: 5000,
      restartMinMs: 1000,
      restartMaxMs: 8000,
      stableMs: 60_000,
      pollMs: 500,
    };
    launcher = new Launcher(options, clock, silentLogger(), faults);
    await launcher.start();
    return launcher;
  }

  /** Advances the fake clock until `check` holds (real processes run in between). */
  async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
    await eventually(
      async () => {
        await clock.advanceAsync(100);
        return check();
      },
      10_000,
      what,
    );
  }

  it('boots the factory tree as slot a when there is no boot-state yet, and links node_modules beside the slots', async () => {
    await start('stay');
    await until(() => boots().length === 1, 'first boot');
    assert.deepEqual(boots(), ['a']);
    assert.ok(existsSync(join(paths.nodeModulesLink, 'mocha')), 'node_modules resolves from the slots');
  });

  it('a trial that crashes on every boot it has is rolled back (OTA_CRASH_LOOP) with its stderr kept', async () => {
    await trialOnB({ bootsLeft: 2 });
    await start('stay', 'crash');
    await until(() => boots().length === 3, 'two trial boots and the factory');
    assert.deepEqual(boots(), ['b', 'b', 'a']);
    const software = (await state()).components.software;
    assert.equal(software.active, 'a');
    assert.equal(software.trial, null);
    assert.equal(software.lastRollback?.reason, 'OTA_CRASH_LOOP');
    assert.equal(software.lastRollback?.jobId, 'job-1');
    const crashLog = readFileSync(paths.crashLog, 'utf8');
    assert.match(crashLog, /boom: the new code cannot start/);
    assert.match(crashLog, /exit code 1/);
  });

  it('a switch asked with exit 75 boots the new slot at once, counting the boot; the commit ends the trial', async () => {
    const initial = initialBootState(A);
    initial.components.software.slots.b = B;
    await writeBootState(paths.bootState, initial);
    await start('switchAndReboot', 'commit');
    await until(() => boots().length === 2, 'factory then b');
    assert.deepEqual(boots(), ['a', 'b']);
    await until(async () => (await state()).components.software.trial === null, 'committed');
    const software = (await state()).components.software;
    assert.equal(software.active, 'b');
    assert.equal(software.lastRollback, null);
    assert.ok(!existsSync(paths.crashLog), 'no crash log for a trial that committed');
  });

  it('a trial that neither commits nor ends is killed after its health-check time and rolled back', async () => {
    await trialOnB({ healthCheckTimeoutSeconds: 30 });
    await start('stay', 'stay');
    await until(() => boots().length === 1, 'the trial boots');
    await clock.advanceAsync(30_000);
    assert.equal((await state()).components.software.trial?.slot, 'b', 'the grace is not over at 30 s');
    await until(() => boots().length === 2, 'killed, the previous slot boots');
    assert.deepEqual(boots(), ['b', 'a']);
    const software = (await state()).components.software;
    assert.equal(software.active, 'a');
    assert.equal(software.lastRollback?.reason, 'OTA_HEALTH_CHECK_TIMEOUT');
    assert.match(readFileSync(paths.crashLog, 'utf8'), /killed by SIGKILL/);
  });

  it('an invalid config (exit 78) outside a trial ends the launcher with 78', async () => {
    const started = await start('config');
    assert.equal(await started.done, 78);
    launcher = undefined;
    assert.deepEqual(boots(), ['a']);
  });

  it('a stop() that comes while a boot reads boot-state starts nothing after it (positive control: the boot before)', async () => {
    let seen = 0;
    let stopped: Promise<number> | undefined;
    const stopOnSecondBoot: FaultPoints = {
      hit(checkpoint) {
        if (checkpoint === 'launcher.counted' && ++seen === 2) stopped = launcher?.stop();
      },
    };
    const started = await start('crash', undefined, stopOnSecondBoot);
    await until(() => boots().length === 1, 'first boot');
    await until(() => seen === 2, 'the restart reaches its boot');
    assert.equal(await stopped, 0);
    assert.equal(started.childPid, undefined, 'no runtime started after the stop');
    assert.deepEqual(boots(), ['a']);
  });

  it('a crash outside a trial restarts after a back-off on the clock', async () => {
    await start('crash');
    await until(() => boots().length === 1, 'first boot');
    await eventually(() => launcher?.childPid === undefined, 5000, 'the crash seen');
    await clock.advanceAsync(900);
    assert.equal(boots().length, 1, 'not before the back-off');
    await until(() => boots().length === 2, 'restarted');
  });
});
