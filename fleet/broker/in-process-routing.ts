import type { Aedes, AedesPublishPacket, PublishPacket } from 'aedes';
import type { Logger } from '../../platform/log.ts';
import { mqttTopicMatches } from '../../protocol/topics.ts';

export type MessageHandler = (topic: string, payload: Buffer) => void;

/**
 * Takes a client's PUBLISH before it is acknowledged: the broker sends PUBACK (and delivers to subscribers) only
 * once `ack` is called. Lets a service make "acknowledged" mean "stored". `withhold` refuses the message instead:
 * no PUBACK, no delivery, and the connection stays open, so the client sends it again later (what AWS IoT Core
 * does with a throttled QoS 1 PUBLISH). Exactly one of the two is called, once.
 */
export type PublishGate = (topic: string, payload: Buffer, ack: () => void, withhold: () => void) => void;

type AedesHandler = (packet: AedesPublishPacket, cb: () => void) => void;

/**
 * How fleet services talk over the broker in-process, below the policy layer: `onMessage(filter)` receives clients'
 * publishes that passed the policy checks, `publish()` sends as the fleet (subscribers' iot:Receive still applies),
 * and one `PublishGate` may hold clients' publishes under a prefix until they are stored.
 */
export class InProcessRouting {
  private aedes: Aedes | undefined;
  private readonly handlers: { filter: string; fn: AedesHandler }[] = [];
  /** Topic gates, tried in order: those for a filter (a stream of its own) before those for a prefix. */
  private gates: { matches: (topic: string) => boolean; take: PublishGate; specific: boolean }[] = [];
  /** Payloads of publishes a gate withheld: aedes routes them as QoS 0, and they must reach nobody. */
  private readonly withheld = new WeakSet<object>();

  constructor(private readonly log: Logger) {}

  /** Subscribes what was registered before the broker started; later registrations subscribe at once. */
  attach(aedes: Aedes): void {
    this.aedes = aedes;
    for (const handler of this.handlers) aedes.subscribe(handler.filter, handler.fn, () => {});
  }

  detach(): void {
    this.aedes = undefined;
  }

  /** Publishes as the fleet itself (no policy applies; subscribers' iot:Receive still does). */
  publish(topic: string, payload: string | Buffer, qos: 0 | 1 = 0): Promise<void> {
    const aedes = this.aedes;
    if (!aedes) return Promise.reject(new Error('broker is not running'));
    const packet = { cmd: 'publish', topic, payload, qos, retain: false, dup: false } as PublishPacket;
    return new Promise((resolve, reject) => aedes.publish(packet, (err?: Error) => (err ? reject(err) : resolve())));
  }

  /** Receives every message matching `filter`, from any client, after policy checks. Returns the unsubscriber. */
  onMessage(filter: string, handler: MessageHandler): () => void {
    const fn: AedesHandler = (packet, cb) => {
      if (this.isWithheld(packet)) {
        cb();
        return;
      }
      try {
        handler(packet.topic, toBuffer(packet.payload));
      } catch (err) {
        this.log.error({ err, topic: packet.topic }, 'message handler failed');
      } finally {
        cb();
      }
    };
    const entry = { filter, fn };
    this.handlers.push(entry);
    this.aedes?.subscribe(filter, fn, () => {});
    return () => {
      const index = this.handlers.indexOf(entry);
      if (index >= 0) this.handlers.splice(index, 1);
      this.aedes?.unsubscribe(filter, fn, () => {});
    };
  }

  /** Routes clients' publishes under `prefix` through `take` before they are acknowledged (one gate per prefix). */
  gatePublishes(prefix: string, take: PublishGate): () => void {
    return this.addGate({ matches: (topic) => topic.startsWith(prefix), take, specific: false });
  }

  /**
   * Routes clients' publishes matching the MQTT `filter` through `take`, ahead of any prefix gate: a stream with its
   * own payload (proof of play on `dt/cartfleet/+/plays`) under the prefix the telemetry ingest takes (`dt/cartfleet/`).
   */
  gateFilter(filter: string, take: PublishGate): () => void {
    return this.addGate({ matches: (topic) => mqttTopicMatches(filter, topic), take, specific: true });
  }

  private addGate(gate: { matches: (topic: string) => boolean; take: PublishGate; specific: boolean }): () => void {
    this.gates = gate.specific ? [gate, ...this.gates] : [...this.gates, gate];
    return () => {
      this.gates = this.gates.filter((g) => g !== gate);
    };
  }

  /** Hands an authorized client publish to the gate, or acknowledges it at once when no gate takes its topic. */
  admit(packet: PublishPacket, ack: () => void): void {
    const gate = this.gates.find((g) => g.matches(packet.topic));
    if (!gate) {
      ack();
      return;
    }
    gate.take(packet.topic, toBuffer(packet.payload), ack, () => {
      // aedes acknowledges QoS 1 and 2 only [MQTT-4.3.2-2], and MQTT 3.1.1 has no negative PUBACK: taken as QoS 0
      // the message gets no PUBACK, and its payload is marked so that no subscriber receives it.
      packet.qos = 0;
      // aedes stores a retained publish once it is authorized: a withheld one must not replace (or, empty, clear)
      // what a topic retains.
      packet.retain = false;
      if (typeof packet.payload === 'object') this.withheld.add(packet.payload);
      ack();
    });
  }

  /** True for a publish a gate withheld: it is delivered to no one, in-process or client. */
  isWithheld(packet: AedesPublishPacket): boolean {
    return typeof packet.payload === 'object' && this.withheld.has(packet.payload);
  }
}

export function toBuffer(payload: PublishPacket['payload']): Buffer {
  return Buffer.isBuffer(payload) ? payload : Buffer.from(payload);
}
