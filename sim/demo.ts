import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadFleetConfig } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { storeDay } from '../fleet/loyalty/store-day.ts';
import { CLAIM_BUNDLE_FILES, writeClaimBundle } from '../fleet/provisioning/claim-certificate.ts';
import { exitOnConfigError } from '../platform/config-loader.ts';
import { createLogger } from '../platform/log.ts';
import { stopOnSignals } from '../platform/shutdown.ts';
import { loadDemoBroadcast } from './demo-broadcast.ts';
import { loadDemoCatalog } from './demo-catalog.ts';
import { loadDemoMembers } from './demo-members.ts';
import { DEMO_RELEASES, demoOtaKeys, loadDemoReleases } from './demo-ota.ts';
import { DEMO_PROMOS, loadDemoSalesHistory } from './demo-sales-history.ts';
import { DEMO_VISION, enrolDemoProducts, loadDemoModelRelease } from './demo-vision.ts';
import { SimulatedAttendant } from './simulated-attendant.ts';
import type { ShopperWorld } from './simulated-shopper.ts';
import { SimulatedStore } from './simulated-store.ts';

/**
 * `npm run demo`: the fleet server on embedded defaults (broker, SQLite, CA in ./.demo-data) and a simulated store
 * of real device runtimes in each demo store. Ctrl-C stops everything cleanly; the next run continues with the same
 * data (delete .demo-data to start over).
 */
const { values } = parseArgs({
  options: {
    config: { type: 'string' },
    carts: { type: 'string', default: '6' },
    speakers: { type: 'string', default: '2' },
    'time-scale': { type: 'string', default: '30' },
    /** Cart screens listen from this port on (store by store); 0: a free port each. */
    'screen-port': { type: 'string', default: '8100' },
  },
});

const dataRoot = resolve(process.env.DEMO_DATA_DIR ?? '.demo-data');
let config: ReturnType<typeof loadFleetConfig>;
let otaKeys: ReturnType<typeof demoOtaKeys>;
try {
  config = loadFleetConfig({ file: values.config });
  config = {
    ...config,
    dataDir: process.env.FLEET_DATA_DIR ? config.dataDir : join(dataRoot, 'fleet'),
    seedDemoData: true,
  };
  // The demo's release key (made once in the data dir): the fleet signs the demo's releases, the devices trust it.
  otaKeys = demoOtaKeys(dataRoot);
  config = {
    ...config,
    ota: {
      ...config.ota,
      signingKeyFile: config.ota.signingKeyFile ?? otaKeys.signingKeyFile,
      trustedKeys: [...config.ota.trustedKeys, otaKeys.verifyKeyFile],
    },
  };
} catch (err) {
  exitOnConfigError(err);
}
const log = createLogger('demo', process.env.LOG_LEVEL ?? 'warn');
const fleet = new FleetServer(config, log.child({ process: 'fleet' }));
await fleet.start();

const { stores, broker, http } = fleet.services;
const storeIds = stores.listStores().map((s) => s.id);
// The commerce demo data, loaded through the fleet's own services as an operator would (idempotent across runs).
await loadDemoCatalog(fleet.services);
const members = await loadDemoMembers(fleet.services.loyalty, storeIds);
await fleet.services.pricing.flush();
// A year of the lanes' sales, so that the promo uplift report has its baselines (synthetic: sim/demo-sales-history.ts).
const historyStarted = Date.now();
const storeDays = stores.listStores().map((s) => ({ storeId: s.id, today: storeDay(Date.now(), s.timeZone).day }));
const promos = DEMO_PROMOS(storeDays);
const imported = await loadDemoSalesHistory(
  fleet.services.sales,
  storeDays,
  fleet.services.catalog.products.all(),
  promos,
);
if (imported > 0) log.warn({ rows: imported, ms: Date.now() - historyStarted }, 'demo point-of-sale history imported');
// The speakers' programme: generated music, announcer announcements, campaigns and the dairy shelf's promo.
const broadcastStarted = Date.now();
if (await loadDemoBroadcast(fleet.services, promos))
  log.warn({ ms: Date.now() - broadcastStarted }, 'demo broadcast programme made (music, announcements, campaigns)');

// The carts' software releases for the OTA demo: a good one and a broken one (README, "Updates in the demo").
const otaStarted = Date.now();
if (await loadDemoReleases(fleet, log)) log.warn({ ms: Date.now() - otaStarted }, 'demo cart releases published');

const random = Math.random;
const world: ShopperWorld = {
  // Six in ten shoppers are members: their app shows the current code (TOTP), which the cart's scanner reads.
  memberCode: async () => {
    if (random() > 0.6) return null;
    const id = members.memberIds[Math.floor(random() * members.memberIds.length)] as string;
    return fleet.services.loyalty.currentCode(id).code;
  },
  // The shopper's phone opens the pay page and presses Pay (the sandbox provider then notifies the fleet, signed).
  pay: async (payUrl) => {
    const answer = await fetch(payUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    if (!answer.ok) throw new Error(`pay page answered ${answer.status}`);
  },
};
const attendant = new SimulatedAttendant(fleet.services.attendants, log.child({ process: 'sim-attendant' }));
attendant.start();

const simulated: SimulatedStore[] = [];
let seed = 7;
const screenPort = Number(values['screen-port']);
for (const [index, store] of stores.listStores().entries()) {
  const sim = new SimulatedStore(
    {
      store,
      zones: stores.listZones(store.id),
      carts: Number(values.carts),
      broadcastSpeakers: 1,
      promoSpeakers: Math.max(0, Number(values.speakers) - 1),
      dataDir: join(dataRoot, 'devices'),
      endpoint: { host: 'localhost', port: broker.tlsPort, contentPort: fleet.services.deviceHttps.port },
      telemetryIntervalMs: 2000,
      healthIntervalMs: 10_000,
      timeScale: Number(values['time-scale']),
      seed: seed++,
      deviceLogs: true,
      world,
      screenBasePort: screenPort > 0 ? screenPort + index * 20 : undefined,
      otaVerifyKey: otaKeys.verifyKeyFile,
      cameras: true,
    },
    fleet.services.registry,
    log.child({ process: 'sim', store: store.id }),
  );
  await sim.start();
  simulated.push(sim);
}

// A promo speaker just unboxed at the first store: it holds only the shared claim certificate of the
// `speaker-default` template (which needs a technician's approval) and provisions itself by claim.
const claimDir = join(dataRoot, 'claims', 'speaker-default');
if (!existsSync(join(claimDir, CLAIM_BUNDLE_FILES.certificate))) {
  const claim = await fleet.services.provisioning.issueClaimCertificate('speaker-default');
  writeClaimBundle(claimDir, claim);
}
const unboxed = await simulated[0]?.onboardByClaim('px-unboxed-01', claimDir, 'speaker-default');

// Product recognition: the committed embedder as a model release rolled out to the carts (once), and each store's
// products enrolled from rendered photos in the background (once); the fleet's builds roll the galleries out.
const visionModel = await loadDemoModelRelease(fleet, log);
let stopping = false;
const enrolStarted = Date.now();
const enrolling = enrolDemoProducts(fleet, storeIds, log, () => stopping)
  .then((photos) => {
    if (photos > 0)
      log.warn(
        { photos, ms: Date.now() - enrolStarted },
        'demo products enrolled in the store galleries from rendered photos',
      );
  })
  .catch((err: unknown) => log.error({ err }, 'demo enrolment failed'));

const devices = simulated.reduce((n, s) => n + s.carts.length + s.speakers.length, 0);
// The first shoppers do not wait for the random moment a shopper takes a cart.
for (const sim of simulated) sim.carts[0]?.startTrip();
const firstCart = simulated[0]?.carts[0]?.runtime;
const screenUrl = firstCart?.screen
  ? (() => {
      try {
        return firstCart.screen?.url;
      } catch {
        return undefined;
      }
    })()
  : undefined;
const api = `http://${config.http.host}:${http.port}`;
const { access } = fleet.services;
const ticket = access.issueLoginTicket('admin');
// The Zhang family's owner gets a fresh member app link each run (it replaces the last run's unused one).
const demoMember = fleet.services.loyalty.member(members.memberIds[0] as string);
const enrolment = await fleet.services.memberApp.issueLink(demoMember.id, 'demo');
const firstAdmin = access.firstAdmin;
process.stdout.write(`
  Cartfleet demo is running: ${devices} devices in ${simulated.length} stores, each its own mTLS connection.

  Console       ${api}/login?ticket=${ticket}
                (a single-use sign-in link for 'admin', valid ${config.http.loginTicketMinutes} minutes; later: ${api}/)
${
  firstAdmin
    ? `                First start: admin's one-time password is  ${firstAdmin.password}  - the console asks you to
                replace it; keep the new one (the data dir ${config.dataDir} persists).\n`
    : ''
}  Member app    ${api}/member   (a phone's layout: member number + PIN; Chinese or English)
                ${api}/member#enrol=${enrolment.token}
                (single use, ${config.memberApp.enrolmentLinkHours} h: ${demoMember.displayName}, No. ${demoMember.memberNumber}, chooses a PIN and sees
                the live member code a cart scans, the family pool's points and coupons; staff make such links
                on a member's page in the console, "Member app link")
  API docs      ${api}/api/docs
  Cart screen   ${screenUrl ?? "(not started: see the cart's diagnostics)"}   (${firstCart?.config.thingName ?? ''}; the next carts on the next ports)
                Shoppers scan, weigh and pay through the carts' virtual hardware; orders appear live under
                Orders, calls for an attendant (age checks, mismatches) under Attendants: approve them there
                (a simulated attendant approves what waits more than 20 s).
${
  unboxed && fleet.services.registry.getThing(unboxed.thingName)?.provisioning === 'pending-approval'
    ? `  By claim      ${unboxed.thingName} provisioned itself with the shared claim certificate and waits for a
                technician: open it in the console and approve it.\n`
    : ''
}  Updates       Two cart software releases wait in Updates > Releases: ${DEMO_RELEASES.good.name}@${DEMO_RELEASES.good.version} (good) and
                @${DEMO_RELEASES.broken.version} (a broken build: its self-test fails on the cart, which rolls back). Roll one
                out from Updates > Rollouts > New, or with the CLI (README, "Updates in the demo"):
                  npx fleetctl rollouts create --release ${DEMO_RELEASES.good.name}@${DEMO_RELEASES.good.version} --kinds cart --canary 1 --phases 50,100 --no-windows
                  npx fleetctl rollouts status <id> --watch
                Carts install between shoppers (never during a session), so a wave takes a few minutes.
  Recognition   Each cart has a virtual basket camera; ${visionModel}. The stores' products are enrolled from
                rendered photos in the background, then each store's gallery is built and rolled out to its carts:
                shoppers then drop most items in unscanned. ${DEMO_VISION.notEnrolled.length} products are not enrolled (the cart asks for a scan);
                enrol one live (README, "Product recognition in the demo"):
                  npm run demo:photos -- ${DEMO_VISION.notEnrolled[0]} /tmp/photos
                  npx fleetctl gallery enrol ${storeIds[0] ?? 'STORE'} ${DEMO_VISION.notEnrolled[0]} /tmp/photos/*.png
  MQTT (mTLS)   mqtts://localhost:${broker.tlsPort}       CA: ${join(config.dataDir, 'pki', 'ca.cert.pem')}

  Scripts use an API token (console: Account > API tokens); the CLI signs in itself:
    curl -s -H "Authorization: Bearer cft_..." ${api}/api/devices?limit=5
    npx fleetctl login --server ${api}                          (then: fleetctl devices list, alerts list ...)
    FLEET_DATA_DIR=${config.dataDir} npx fleetctl local devices list   (on the data dir)

  Ctrl-C stops everything.
`);

stopOnSignals(
  async () => {
    process.stdout.write('\n  stopping devices and fleet...\n');
    stopping = true;
    await enrolling;
    attendant.stop();
    for (const sim of simulated) await sim.stop();
    await fleet.stop();
  },
  (err) => log.error({ err }, 'stop failed'),
);
