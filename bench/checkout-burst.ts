/**
 * Checkout burst (issue 8, target: 1,000 carts at once, every order settled, p99 submit→paid ≤ 1 s): a real
 * FleetServer with the demo catalog, promotions and loyalty program loaded through its own services and the pricing
 * snapshot built; N carts (mqtt.js clients, each its own MQTT connection to the embedded broker as a registered
 * thing) submit an order each at the same moment (`cx/cartfleet/{thing}/order-submit`), priced on the "cart" with
 * the same engine and snapshot. The fleet recomputes each with the engine (current and claimed snapshot), decides
 * the price policy, earns points for the member carts (every 5th cart is a demo member), and opens a sandbox payment.
 * As soon as a cart has its `accepted` answer, its shopper's phone pays: a POST to the pay page, whose sandbox
 * provider then sends the signed notification to the fleet's `/api/payments/sandbox/notify`; the cart hears
 * `notify/order-status` `paid` over MQTT.
 *
 * Measured per cart: submit → accepted, and submit → paid (the `paid` push received by the cart).
 * Baseline, same run, same broker, same connections, same shape (all at once): N named-shadow `get` round trips
 * (`$aws/things/{thing}/shadow/name/commerce/get` → `get/accepted`): a request the fleet answers from SQLite with no
 * commerce work.
 *
 * The carts use the broker's plain listener (loopback): 1,000 mTLS handshakes are a cost of connecting, not of
 * checkout, and are measured separately (ECDSA P-256 client certificates, N connects in batches of 50).
 */
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';
import mqtt from 'mqtt';
import { createPricingContext, type PricingContext, priceBasket } from '../commerce/pricing-engine.ts';
import { FleetConfigSchema } from '../fleet/config.ts';
import { FleetServer } from '../fleet/fleet-server.ts';
import { silentLogger } from '../platform/log.ts';
import { commerceTopics } from '../protocol/commerce/commerce-topics.ts';
import type { OrderSubmission } from '../protocol/commerce/orders.ts';
import type { PricingSnapshot } from '../protocol/commerce/snapshot.ts';
import { shadowTopics } from '../protocol/topics.ts';
import { loadDemoCatalog } from '../sim/demo-catalog.ts';
import { loadDemoMembers } from '../sim/demo-members.ts';
import { mulberry32 } from '../sim/simulated-store.ts';
import {
  type BenchOptions,
  fmt,
  type LatencySummary,
  markdownTable,
  runWhenMain,
  summarize,
  tempDir,
  withTimeout,
} from './lib/common.ts';
import { startPhaseProfile } from './lib/profile.ts';

const STORE = 'hf-shanghai-xuhui';
const log = (message: string) => process.stderr.write(`[checkout-burst] ${message}\n`);

export interface CheckoutBurstReport {
  carts: number;
  settled: number;
  refused: number;
  baseline: LatencySummary;
  accepted: LatencySummary;
  paid: LatencySummary;
  burstSeconds: number;
  connectPlain: LatencySummary;
  connectTls: LatencySummary;
  markdown: string;
}

interface Cart {
  thing: string;
  client: mqtt.MqttClient;
  certificatePem: string;
  privateKeyPem: string;
  caPem: string;
  waiters: Map<string, (topic: string, payload: Record<string, unknown>) => void>;
}

export async function run(options: BenchOptions = { quick: false }): Promise<CheckoutBurstReport> {
  const n = options.quick ? 100 : 1000;
  const dir = tempDir('cartfleet-bench-checkout-');
  const config = FleetConfigSchema.parse({
    dataDir: dir.path,
    logLevel: 'silent',
    seedDemoData: true,
    mqtt: { host: '127.0.0.1', tlsPort: 0, plainPort: 0 },
    http: { host: '127.0.0.1', port: 0 },
  });
  const fleet = new FleetServer(config, silentLogger());
  const carts: Cart[] = [];
  try {
    await fleet.start();
    await loadDemoCatalog(fleet.services);
    const members = await loadDemoMembers(fleet.services.loyalty, [STORE]);
    await fleet.services.pricing.flush();
    const version = fleet.services.pricing.currentVersion(STORE)!;
    const context = createPricingContext(
      JSON.parse(gunzipSync(fleet.services.pricing.bytes(STORE, version)!).toString('utf8')) as PricingSnapshot,
    );
    log(`snapshot v${version}: ${context.snapshot.products.length} products, ${context.promotions.length} promotions`);

    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const thing = `bench-cart-${String(i).padStart(4, '0')}`;
      const r = await fleet.services.registry.registerDevice({
        thingName: thing,
        kind: 'cart',
        hardwareModel: 'SC-200',
        storeId: STORE,
      });
      carts.push({
        thing,
        client: undefined as unknown as mqtt.MqttClient,
        certificatePem: r.certificate.certificatePem,
        privateKeyPem: r.certificate.privateKeyPem!,
        caPem: r.caPem,
        waiters: new Map(),
      });
    }
    log(`${n} carts registered in ${fmt((performance.now() - t0) / 1000)} s`);

    // Separately: what n mTLS handshakes (+ CONNECT) cost, in batches of 50; those connections are closed again.
    const tlsTimes: number[] = [];
    for (let i = 0; i < n; i += 50) {
      const batch = carts.slice(i, i + 50);
      const clients = await Promise.all(
        batch.map(async (c) => {
          const start = performance.now();
          const client = await mqtt.connectAsync({
            protocol: 'mqtts',
            host: 'localhost',
            port: fleet.services.broker.tlsPort,
            clientId: `${c.thing}`,
            cert: c.certificatePem,
            key: c.privateKeyPem,
            ca: c.caPem,
            protocolVersion: 4,
            reconnectPeriod: 0,
            connectTimeout: 30_000,
          });
          tlsTimes.push(performance.now() - start);
          return client;
        }),
      );
      await Promise.all(clients.map((c) => c.endAsync()));
    }

    const plainTimes: number[] = [];
    for (let i = 0; i < n; i += 50) {
      await Promise.all(
        carts.slice(i, i + 50).map(async (c) => {
          const start = performance.now();
          c.client = await mqtt.connectAsync({
            host: '127.0.0.1',
            port: fleet.services.broker.plainPort!,
            clientId: c.thing,
            protocolVersion: 4,
            reconnectPeriod: 0,
            connectTimeout: 30_000,
          });
          plainTimes.push(performance.now() - start);
          c.client.on('message', (topic, payload) => {
            let body: Record<string, unknown>;
            try {
              body = JSON.parse(payload.toString('utf8'));
            } catch {
              return;
            }
            for (const [key, waiter] of c.waiters) if (topic.includes(key)) waiter(topic, body);
          });
          await c.client.subscribeAsync(
            [...commerceTopics.deviceFilters(c.thing), shadowTopics.response(c.thing, 'get', 'accepted', 'commerce')],
            { qos: 1 },
          );
        }),
      );
    }
    log(`${n} carts connected (plain listener)`);

    // Baseline: every cart asks for its commerce shadow at once.
    const baseline = await Promise.all(
      carts.map(
        (c) =>
          new Promise<number>((resolve) => {
            const start = performance.now();
            c.waiters.set('/shadow/name/commerce/get/accepted', () => {
              c.waiters.delete('/shadow/name/commerce/get/accepted');
              resolve(performance.now() - start);
            });
            c.client.publish(shadowTopics.request(c.thing, 'get', 'commerce'), '{}', { qos: 1 });
          }),
      ),
    );

    // The burst: each cart's basket priced on the cart, then every submit published at once.
    const random = mulberry32(42);
    const each = context.snapshot.products.filter((p) => p.soldBy === 'each' && p.available);
    const at = Date.now();
    const submissions = carts.map((c, i) => submissionFor(c.thing, i, context, each, random, members.memberIds, at));
    const accepted: number[] = [];
    const paid: number[] = [];
    let refused = 0;
    const stopProfile = await startPhaseProfile('checkout-burst');
    const burstStart = performance.now();
    await withTimeout(
      Promise.all(
        carts.map(
          (c, i) =>
            new Promise<void>((resolve) => {
              const start = performance.now();
              let orderId: string | undefined;
              c.waiters.set('/order-submit/', (topic, body) => {
                if (topic.endsWith('/rejected')) {
                  refused++;
                  log(`refused: ${JSON.stringify(body)}`);
                  resolve();
                  return;
                }
                accepted.push(performance.now() - start);
                const status = body.order as { orderId: string; payUrl: string; state: string };
                orderId = status.orderId;
                // The shopper's phone pays at once: the pay page charges and the sandbox notifies the fleet.
                void fetch(status.payUrl, { method: 'POST', redirect: 'manual', body: '' }).catch((err) =>
                  log(`pay failed: ${err}`),
                );
              });
              c.waiters.set('/notify/order-status', (_topic, body) => {
                if (body.orderId === orderId && body.state === 'paid') {
                  paid.push(performance.now() - start);
                  resolve();
                }
              });
              c.client.publish(
                commerceTopics.request(c.thing, 'order-submit'),
                JSON.stringify({ clientToken: `t${i}`, order: submissions[i] }),
                { qos: 1 },
              );
            }),
        ),
      ),
      120_000,
      'every order settled',
    );
    const burstSeconds = (performance.now() - burstStart) / 1000;
    await stopProfile();
    const settled = (
      fleet.services.db.prepare(`SELECT count(*) AS n FROM orders WHERE state = 'paid'`).get() as { n: number }
    ).n;

    const report = {
      carts: n,
      settled,
      refused,
      baseline: summarize(baseline),
      accepted: summarize(accepted),
      paid: summarize(paid),
      burstSeconds,
      connectPlain: summarize(plainTimes),
      connectTls: summarize(tlsTimes),
    };
    return { ...report, markdown: markdown(report) };
  } finally {
    await Promise.all(carts.map((c) => c.client?.endAsync(true).catch(() => undefined)));
    await fleet.stop();
    dir.cleanup();
  }
}

function submissionFor(
  thing: string,
  i: number,
  context: PricingContext,
  each: PricingSnapshot['products'],
  random: () => number,
  memberIds: readonly string[],
  at: number,
): OrderSubmission {
  const count = 3 + Math.floor(random() * 6);
  const lines = Array.from({ length: count }, (_, k) => ({
    lineId: `l${k + 1}`,
    sku: each[Math.floor(random() * each.length)]!.sku,
    quantity: 1 + Math.floor(random() * 3),
    weightG: null,
    barcode: null,
    scannedAt: at,
  }));
  // Every 5th cart: a demo member (member prices, points earned when paid); no redemption (that needs a login).
  const memberNumber = i % 5 === 0 ? String(80_000_001 + ((i / 5) % memberIds.length)) : null;
  const member = memberNumber ? { ...fleetMember(memberNumber, memberIds), verified: false } : null;
  const priced = priceBasket(context, { lines, member, couponIds: [], pointsToRedeem: 0, at });
  return {
    idempotencyKey: `${thing}-checkout-1`,
    storeId: STORE,
    sessionId: null,
    member: memberNumber ? { memberNumber, code: null } : null,
    lines: lines.map((l, k) => ({ ...l, cartNetFen: priced.lines[k]!.netFen })),
    couponIds: [],
    pointsToRedeem: 0,
    snapshotVersion: context.snapshot.version,
    cartTotalFen: priced.totalFen,
    cartPayableFen: priced.payableFen,
    payment: { method: 'qr' },
    createdAt: at,
  };
}

/** What an offline-logged-in cart knows of a demo member: enough for member prices (tier from the demo list). */
function fleetMember(memberNumber: string, memberIds: readonly string[]) {
  const index = Number(memberNumber) - 80_000_001;
  return {
    memberId: memberIds[index] as string,
    memberNumber,
    displayName: 'member',
    tierId: 'standard',
    familyId: null,
    balancePoints: 0,
    storeRedeemablePoints: null,
    coupons: [],
  };
}

function markdown(r: Omit<CheckoutBurstReport, 'markdown'>): string {
  const row = (what: string, s: LatencySummary) => [what, s.n, fmt(s.p50), fmt(s.p90), fmt(s.p99), fmt(s.max)];
  return [
    `## Checkout burst: ${r.carts} carts submit at once (real engine, demo catalog, sandbox payment)`,
    '',
    markdownTable(
      ['measure (ms)', 'n', 'p50', 'p90', 'p99', 'max'],
      [
        row('baseline: named-shadow get round trip, all at once', r.baseline),
        row('submit → accepted', r.accepted),
        row('submit → paid (pushed to the cart)', r.paid),
        row('connect, plain listener (batches of 50)', r.connectPlain),
        row('connect, mTLS handshake + CONNECT (batches of 50)', r.connectTls),
      ],
    ),
    '',
    `Settled: ${r.settled} of ${r.carts} orders paid, ${r.refused} refused; the burst took ${fmt(r.burstSeconds, 2)} s ` +
      `(${fmt(r.carts / r.burstSeconds, 0)} orders/s). Target p99 submit → paid ≤ 1000 ms: ` +
      `${r.paid.p99 <= 1000 ? 'met' : `missed by ${fmt(r.paid.p99 - 1000, 0)} ms`}.`,
  ].join('\n');
}

await runWhenMain(import.meta.url, run);
