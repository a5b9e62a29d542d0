import { randomUUID } from 'node:crypto';
import type mqttJs from 'mqtt';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { CommerceOperation } from '../../protocol/commerce/commerce-topics.ts';
import { commerceTopics } from '../../protocol/commerce/commerce-topics.ts';
import type { OrderSubmission } from '../../protocol/commerce/orders.ts';
import { eventually, mqttJsClient, type TestDevice } from './fleet-harness.ts';

/** A cart registered in a store, with its device credentials. */
export async function registerCart(fleet: FleetServer, thingName: string, storeId: string): Promise<TestDevice> {
  const r = await fleet.services.registry.registerDevice({ thingName, kind: 'cart', hardwareModel: 'SC-200', storeId });
  return {
    thingName,
    certificateId: r.certificate.certificateId,
    certificatePem: r.certificate.certificatePem,
    privateKeyPem: r.certificate.privateKeyPem,
    caPem: r.caPem,
  };
}

/**
 * A cart speaking the commerce request/reply topics over a real MQTT connection (mqtt.js over the broker's mTLS
 * listener): `request()` publishes with a fresh clientToken and resolves with the matching answer.
 */
export class CommerceCart {
  readonly messages: { topic: string; payload: Record<string, unknown> }[] = [];

  private constructor(
    readonly client: mqttJs.MqttClient,
    readonly thingName: string,
  ) {
    client.on('message', (topic, payload) => {
      try {
        this.messages.push({ topic, payload: JSON.parse(payload.toString()) });
      } catch {
        this.messages.push({ topic, payload: { raw: payload.toString() } });
      }
    });
  }

  static async connect(fleet: FleetServer, device: TestDevice, clientId = device.thingName): Promise<CommerceCart> {
    const client = await mqttJsClient(fleet.services.broker.tlsPort, device, clientId);
    await client.subscribeAsync(commerceTopics.deviceFilters(device.thingName), { qos: 1 });
    return new CommerceCart(client, device.thingName);
  }

  /** Publishes a request; resolves with `{ reply: 'accepted'|'rejected', payload }` for its clientToken. */
  async request(op: CommerceOperation, body: Record<string, unknown>, clientToken: string = randomUUID()) {
    this.client.publish(commerceTopics.request(this.thingName, op), JSON.stringify({ clientToken, ...body }), {
      qos: 1,
    });
    return this.answer(op, clientToken);
  }

  async answer(op: CommerceOperation, clientToken: string | null) {
    const accepted = commerceTopics.reply(this.thingName, op, 'accepted');
    const rejected = commerceTopics.reply(this.thingName, op, 'rejected');
    const found = await eventually(
      () =>
        this.messages.find(
          (m) => (m.topic === accepted || m.topic === rejected) && m.payload.clientToken === clientToken,
        ),
      5000,
      `the answer to ${op}`,
    );
    return { reply: found.topic === accepted ? ('accepted' as const) : ('rejected' as const), payload: found.payload };
  }

  notifications(event: 'order-status' | 'attendant-resolved') {
    const topic = commerceTopics.notify(this.thingName, event);
    return this.messages.filter((m) => m.topic === topic).map((m) => m.payload);
  }

  end(): void {
    this.client.end(true);
  }
}

/** An order submission of `lines` (sku, quantity, cart net) at the given time. */
export function submission(
  storeId: string,
  lines: { sku: string; quantity?: number; cartNetFen: number; scannedAt?: number }[],
  overrides: Partial<OrderSubmission> = {},
): OrderSubmission {
  const now = Date.now();
  const total = lines.reduce((s, l) => s + l.cartNetFen, 0);
  return {
    idempotencyKey: randomUUID(),
    storeId,
    sessionId: 'sess-1',
    member: null,
    lines: lines.map((l, i) => ({
      lineId: `l${i + 1}`,
      sku: l.sku,
      quantity: l.quantity ?? 1,
      weightG: null,
      barcode: null,
      scannedAt: l.scannedAt ?? now,
      cartNetFen: l.cartNetFen,
    })),
    couponIds: [],
    pointsToRedeem: 0,
    snapshotVersion: 1,
    cartTotalFen: total,
    cartPayableFen: total,
    payment: { method: 'qr' },
    createdAt: now,
    ...overrides,
  };
}
