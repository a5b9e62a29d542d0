import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DeviceBroker } from '../broker/device-broker.ts';
import type { PresenceService } from '../presence/presence-service.ts';
import type { TelemetryIngest } from '../telemetry/telemetry-ingest.ts';

/**
 * The fleet's Prometheus metrics (served at GET /metrics): MQTT connections and traffic, refusals, telemetry ingest
 * (received, stored, duplicates, rejected, pending, lag), presence, HTTP latency, plus Node's process metrics.
 * Counters kept by the subsystems are read at scrape time; nothing on the hot path beyond a counter increment.
 */
export class FleetMetrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly ingestLag: Histogram;

  constructor(deps: { broker: DeviceBroker; telemetry: TelemetryIngest; presence: PresenceService }) {
    const { broker, telemetry, presence } = deps;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'cartfleet_' });

    const brokerCounter = (name: string, help: string, read: () => number) =>
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    new Gauge({
      name: 'cartfleet_mqtt_connections',
      help: 'Live MQTT connections (authenticated)',
      registers,
      collect() {
        this.set(broker.stats().connections);
      },
    });
    brokerCounter(
      'cartfleet_mqtt_messages_in_total',
      'Client publishes accepted by policy',
      () => broker.stats().messagesIn,
    );
    brokerCounter(
      'cartfleet_mqtt_bytes_in_total',
      'Payload bytes of accepted client publishes',
      () => broker.stats().bytesIn,
    );
    brokerCounter(
      'cartfleet_mqtt_messages_out_total',
      'Deliveries to clients (iot:Receive allowed)',
      () => broker.stats().messagesOut,
    );
    brokerCounter(
      'cartfleet_mqtt_publishes_refused_total',
      'Publishes refused (policy, reserved topic, size)',
      () => broker.stats().publishesRefused,
    );
    brokerCounter(
      'cartfleet_mqtt_subscriptions_refused_total',
      'Subscriptions refused by policy',
      () => broker.stats().subscriptionsRefused,
    );
    brokerCounter('cartfleet_mqtt_connects_refused_total', 'CONNECTs refused', () => broker.stats().connectsRefused);

    brokerCounter(
      'cartfleet_telemetry_received_total',
      'Device data messages received',
      () => telemetry.stats().received,
    );
    brokerCounter('cartfleet_telemetry_stored_total', 'Device data messages stored', () => telemetry.stats().stored);
    brokerCounter(
      'cartfleet_telemetry_duplicates_total',
      'Device data messages already stored (outbox resends)',
      () => telemetry.stats().duplicates,
    );
    brokerCounter(
      'cartfleet_telemetry_rejected_total',
      'Device data messages dropped as invalid',
      () => telemetry.stats().rejected,
    );
    new Gauge({
      name: 'cartfleet_telemetry_pending',
      help: 'Device data messages received and not yet committed (their PUBACKs wait)',
      registers,
      collect() {
        this.set(telemetry.stats().pending);
      },
    });
    this.ingestLag = new Histogram({
      name: 'cartfleet_telemetry_ingest_lag_seconds',
      help: 'From receipt of the oldest message of a batch to its commit',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers,
    });
    telemetry.onFlush = (lagSeconds) => this.ingestLag.observe(lagSeconds);

    new Gauge({
      name: 'cartfleet_devices_online',
      help: 'Clients whose debounced presence is online',
      registers,
      collect() {
        this.set(presence.list().filter((p) => p.state === 'online').length);
      },
    });

    this.httpDuration = new Histogram({
      name: 'cartfleet_http_request_duration_seconds',
      help: 'HTTP API latency by route',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    });
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
