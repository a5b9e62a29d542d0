import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AlertCounts } from '../alerts/alert-repository.ts';
import type { DeviceBroker } from '../broker/device-broker.ts';
import type { PresenceService } from '../presence/presence-service.ts';
import type { WriterStats } from '../storage/database-writer.ts';
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

  constructor(deps: {
    broker: DeviceBroker;
    telemetry: TelemetryIngest;
    presence: PresenceService;
    alerts?: { counts(): AlertCounts };
    commands?: { stats(): { sent: number; answered: number } };
    /** Live-update sockets (browsers and scripts) connected now. */
    liveConnections?: () => number;
    writer?: { stats(): WriterStats };
  }) {
    const { broker, telemetry, presence, alerts, commands, liveConnections, writer } = deps;
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: 'cartfleet_' });

    // Subsystems keep plain counters; these metrics read them at scrape time.
    const counters: [name: string, help: string, read: () => number][] = [
      ['cartfleet_mqtt_messages_in_total', 'Client publishes accepted by policy', () => broker.stats().messagesIn],
      ['cartfleet_mqtt_bytes_in_total', 'Payload bytes of accepted client publishes', () => broker.stats().bytesIn],
      [
        'cartfleet_mqtt_messages_out_total',
        'Deliveries to clients (iot:Receive allowed)',
        () => broker.stats().messagesOut,
      ],
      [
        'cartfleet_mqtt_publishes_refused_total',
        'Publishes refused (policy, reserved topic, size)',
        () => broker.stats().publishesRefused,
      ],
      [
        'cartfleet_mqtt_subscriptions_refused_total',
        'Subscriptions refused by policy',
        () => broker.stats().subscriptionsRefused,
      ],
      ['cartfleet_mqtt_connects_refused_total', 'CONNECTs refused', () => broker.stats().connectsRefused],
      [
        'cartfleet_mqtt_packets_refused_total',
        'Connections closed for a packet announcing more than the largest allowed (never read)',
        () => broker.stats().packetsRefused,
      ],
      ['cartfleet_telemetry_received_total', 'Device data messages received', () => telemetry.stats().received],
      ['cartfleet_telemetry_stored_total', 'Device data messages stored', () => telemetry.stats().stored],
      [
        'cartfleet_telemetry_duplicates_total',
        'Device data messages already stored (outbox resends)',
        () => telemetry.stats().duplicates,
      ],
      [
        'cartfleet_telemetry_rejected_total',
        'Device data messages dropped as invalid',
        () => telemetry.stats().rejected,
      ],
      [
        'cartfleet_telemetry_withheld_total',
        'Device data messages not acknowledged because the backlog was full (the devices send them again)',
        () => telemetry.stats().withheld,
      ],
    ];
    if (writer) {
      counters.push(
        [
          'cartfleet_storage_busy_attempts_total',
          'Database writes that found the file locked by another process (retried on a timer)',
          () => writer.stats().busyAttempts,
        ],
        [
          'cartfleet_storage_writes_expired_total',
          'Database writes given up at their deadline (answered STORAGE_BUSY)',
          () => writer.stats().expired,
        ],
      );
    }
    if (commands) {
      counters.push(
        ['cartfleet_commands_sent_total', 'Remote commands published to devices', () => commands.stats().sent],
        ['cartfleet_commands_answered_total', 'Remote command answers accepted', () => commands.stats().answered],
      );
    }
    for (const [name, help, read] of counters) {
      new Counter({
        name,
        help,
        registers,
        collect() {
          this.reset();
          this.inc(read());
        },
      });
    }
    const gauges: [name: string, help: string, read: () => number][] = [
      ['cartfleet_mqtt_connections', 'Live MQTT connections (authenticated)', () => broker.stats().connections],
      [
        'cartfleet_telemetry_pending',
        'Device data messages received and not yet committed (their PUBACKs wait)',
        () => telemetry.stats().pending,
      ],
      [
        'cartfleet_devices_online',
        'Clients whose debounced presence is online',
        () => presence.list().filter((p) => p.state === 'online').length,
      ],
    ];
    if (liveConnections) {
      gauges.push(['cartfleet_live_connections', 'Live-update sockets (console browsers, scripts)', liveConnections]);
    }
    if (writer) {
      gauges.push([
        'cartfleet_storage_writes_waiting',
        'Database writes waiting for a lock held by another process',
        () => writer.stats().waiting,
      ]);
    }
    for (const [name, help, read] of gauges) {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    }
    if (alerts) {
      new Gauge({
        name: 'cartfleet_alerts',
        help: 'Alerts not resolved, by state (open, acknowledged) and severity',
        labelNames: ['state', 'severity'],
        registers,
        collect() {
          for (const [state, bySeverity] of Object.entries(alerts.counts())) {
            for (const [severity, n] of Object.entries(bySeverity)) this.set({ state, severity }, n);
          }
        },
      });
    }
    this.ingestLag = new Histogram({
      name: 'cartfleet_telemetry_ingest_lag_seconds',
      help: 'From receipt of the oldest message of a batch to its commit',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers,
    });
    telemetry.onFlush = (lagSeconds) => this.ingestLag.observe(lagSeconds);

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
