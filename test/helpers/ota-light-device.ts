import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { BuiltBundle } from '../../ota/bundle/build-bundle.ts';
import { buildBundle } from '../../ota/bundle/build-bundle.ts';

const ROOT = resolve(import.meta.dirname, '..', '..');
const FIXTURES = 'test/ota/fixtures';
export const LIGHT_ENTRY = `${FIXTURES}/light-device-main.js`;
export const LIGHT_SELF_TEST = `${FIXTURES}/light-self-test.js`;

export interface Behaviour {
  crashAtStart: boolean;
  selfTestFails: boolean;
}

export const GOOD: Behaviour = { crashAtStart: false, selfTestFails: false };

/**
 * Compiles the light device (test/ota/fixtures/light-device-main.ts) and its self-test with the project's compiler
 * into `outDir`: only their import closure, as JS, so a bundle of it is small and a process starts without tsx. The
 * tree is also the factory install the launcher starts first (package.json marks it as ES modules; node_modules is
 * linked in).
 */
export async function compileLightDevice(outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const tsconfig = join(outDir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: {
        outDir,
        rootDir: ROOT,
        types: ['node'],
        typeRoots: [join(ROOT, 'node_modules/@types')],
        sourceMap: false,
      },
      files: [
        join(ROOT, FIXTURES, 'light-device-main.ts'),
        join(ROOT, FIXTURES, 'light-self-test.ts'),
        join(ROOT, 'ota/agent/launcher-main.ts'),
        // Ambient declarations the closure needs (a library without its own types).
        ...readdirSync(join(ROOT, 'ota'), { recursive: true, encoding: 'utf8' })
          .filter((path) => path.endsWith('.d.ts'))
          .map((path) => join(ROOT, 'ota', path)),
      ],
      include: [],
    }),
  );
  await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsc'), ['-p', tsconfig], { cwd: ROOT });
  writeFileSync(join(outDir, 'package.json'), JSON.stringify({ type: 'module' }));
  symlinkSync(join(ROOT, 'node_modules'), join(outDir, 'node_modules'), 'dir');
  setBehaviour(outDir, GOOD);
}

function setBehaviour(buildDir: string, behaviour: Behaviour): void {
  writeFileSync(join(buildDir, FIXTURES, 'behaviour.json'), JSON.stringify(behaviour));
}

/** A software bundle of the compiled light device at `version`, good or broken as `behaviour` says. */
export async function lightBundle(
  buildDir: string,
  version: string,
  behaviour: Behaviour,
  outFile: string,
): Promise<BuiltBundle> {
  setBehaviour(buildDir, behaviour);
  try {
    return await buildBundle({
      root: buildDir,
      include: ['devices', 'ota', 'platform', 'protocol', 'test'],
      manifest: {
        schema: 1,
        name: 'cart-runtime',
        version,
        kind: 'cart',
        entry: LIGHT_ENTRY,
        selfTest: LIGHT_SELF_TEST,
      },
      exclude: (path) => path.endsWith('.tsbuildinfo'),
      outFile,
    });
  } finally {
    setBehaviour(buildDir, GOOD);
  }
}
