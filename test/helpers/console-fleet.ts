import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CartConfigSchema } from '../../devices/cart/cart-config.ts';
import {
  adcFromVolts,
  CART_PINS,
  tmp36RawFromCelsius,
  voltageFromBatteryPercent,
} from '../../devices/cart/cart-hardware.ts';
import { CartRuntime } from '../../devices/cart/cart-runtime.ts';
import { VirtualZoneLocator } from '../../devices/cart/zone-locator.ts';
import type { DeviceCredentials } from '../../devices/core/device-config.ts';
import { VirtualBoardIO } from '../../devices/core/hardware/virtual-board-io.ts';
import type { FleetConfigInput } from '../../fleet/config.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { silentLogger } from '../../platform/log.ts';
import {
  type ConsolePage,
  closeBrowser,
  closePages,
  ensureWebBuilt,
  launchBrowser,
  newConsolePage,
} from './browser.ts';
import { eventually, startFleet, tempDir } from './fleet-harness.ts';

export const XUHUI = 'hf-shanghai-xuhui';
export const BINJIANG = 'hf-hangzhou-binjiang';
export const HQ = { username: 'hq', password: 'hq-password-for-tests' };
export const MANAGER = { username: 'xuhui-manager', password: 'manager-password-for-tests' };

/**
 * A real fleet (seeded with the demo stores) serving the built console, a browser, and the pages a test opened;
 * the fields are set once the suite's `before` hook has run.
 */
export interface ConsoleFleet {
  dir: ReturnType<typeof tempDir>;
  fleet: FleetServer;
  browser: Browser;
  baseURL: string;
  /** A fresh page (own cookies); closed after the test, which fails if the page threw. */
  openPage(): Promise<ConsolePage>;
  /** Registers a cart in `${storeId}-${zone}`, keeping its credentials for `startCart`. */
  registerCart(thingName: string, storeId: string, zone?: string): Promise<void>;
  /**
   * A cart runtime on a virtual board reporting `battery` % (charging when docked), once the fleet sees it online;
   * a stopped cart starts again as a new process would.
   */
  startCart(thingName: string, options: { battery: number; docked?: boolean }): Promise<CartRuntime>;
  stopCart(thingName: string): Promise<void>;
  /** Something else to stop after the suite, before the fleet stops (a speaker runtime). */
  onStop(stop: () => Promise<void> | void): void;
}

/**
 * Sets up a console suite's hooks (call it inside `describe`): before all, builds the console, starts the fleet,
 * runs `setup`, then launches the browser; after each test, closes its pages; after all, stops everything.
 */
export function useConsoleFleet(
  tempPrefix: string,
  setup: (env: ConsoleFleet) => Promise<void>,
  /** Config beyond the demo seed, made once the temp dir exists (a key file written into it). */
  config: (dir: string) => FleetConfigInput = () => ({}),
): ConsoleFleet {
  const credentials = new Map<string, DeviceCredentials>();
  const carts = new Map<string, CartRuntime>();
  const stops: (() => Promise<void> | void)[] = [];
  let open: ConsolePage[] = [];

  const env = {
    async openPage() {
      const p = await newConsolePage(env.browser, env.baseURL);
      open.push(p);
      return p;
    },

    async registerCart(thingName, storeId, zone = 'dock') {
      const r = await env.fleet.services.registry.registerDevice({
        thingName,
        kind: 'cart',
        hardwareModel: 'SC-200',
        storeId,
        zoneId: `${storeId}-${zone}`,
      });
      credentials.set(thingName, {
        certificatePem: r.certificate.certificatePem,
        privateKeyPem: r.certificate.privateKeyPem,
        caPem: r.caPem,
      });
    },

    async startCart(thingName, { battery, docked = false }) {
      const { fleet, dir } = env;
      const io = new VirtualBoardIO();
      io.setAnalogInput(0, adcFromVolts(voltageFromBatteryPercent(battery)));
      io.setAnalogInput(1, tmp36RawFromCelsius(25));
      io.setDigitalInput(CART_PINS.dockContact, docked);
      const config = CartConfigSchema.parse({
        thingName,
        endpoint: { host: 'localhost', port: fleet.services.broker.tlsPort },
        certDir: join(dir.path, thingName),
        dataDir: join(dir.path, thingName, 'data'),
        telemetryIntervalMs: 250,
        healthIntervalMs: 400,
        screen: { port: 0 },
      });
      const runtime = new CartRuntime(
        config,
        credentials.get(thingName)!,
        new VirtualZoneLocator(),
        silentLogger(),
        io,
      );
      await runtime.start();
      carts.set(thingName, runtime);
      await eventually(() => fleet.services.presence.get(thingName)?.state === 'online', 10_000, `${thingName} online`);
      return runtime;
    },

    async stopCart(thingName) {
      await carts.get(thingName)?.stop();
      carts.delete(thingName);
    },

    onStop(stop) {
      stops.push(stop);
    },
  } as ConsoleFleet;

  before(async () => {
    await ensureWebBuilt();
    env.dir = tempDir(tempPrefix);
    env.fleet = await startFleet(join(env.dir.path, 'fleet'), { seedDemoData: true, ...config(env.dir.path) });
    env.baseURL = `http://127.0.0.1:${env.fleet.services.http.port}`;
    await setup(env);
    env.browser = await launchBrowser();
  });

  afterEach(async () => {
    const pages = open;
    open = [];
    await closePages(pages);
  });

  after(async () => {
    await closeBrowser(env.browser);
    for (const name of [...carts.keys()]) await env.stopCart(name);
    for (const stop of stops) await stop();
    await env.fleet?.stop();
    env.dir?.cleanup();
  });

  return env;
}

/** The hq-admin and Xuhui store manager the console suites sign in as. */
export async function createConsoleUsers(fleet: FleetServer): Promise<void> {
  const { access } = fleet.services;
  await access.createUser({ username: HQ.username, displayName: 'HQ Operator', role: 'hq-admin' }, HQ.password);
  await access.createUser(
    { username: MANAGER.username, displayName: 'Xuhui Manager', role: 'store-manager', storeIds: [XUHUI] },
    MANAGER.password,
  );
}
