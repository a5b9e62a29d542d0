import { statfs } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { MetricValue } from '../../protocol/telemetry.ts';
import type { TelemetryPublisher } from './telemetry-publisher.ts';

/** Extra vitals a device kind adds (battery, amplifier temperature...). */
export type VitalsProvider = () => Record<string, MetricValue>;

/**
 * Samples the device's health every `intervalMs` and publishes it on the `health` stream: CPU (this process's share
 * of the machine since the last sample), memory, disk use of the data dir, temperature and whatever the device kind
 * adds (battery).
 */
export class HealthMonitor {
  private timer: TimerHandle | undefined;
  private lastCpu = process.cpuUsage();
  private lastAt = process.hrtime.bigint();
  private readonly providers: VitalsProvider[] = [];

  constructor(
    private readonly telemetry: TelemetryPublisher,
    private readonly options: { intervalMs: number; dataDir: string },
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  addVitals(provider: VitalsProvider): void {
    this.providers.push(provider);
  }

  start(): void {
    this.clock.clearInterval(this.timer);
    this.timer = this.clock.setInterval(() => void this.sample(), this.options.intervalMs);
    void this.sample();
  }

  stop(): void {
    this.clock.clearInterval(this.timer);
    this.timer = undefined;
  }

  async sample(): Promise<Record<string, MetricValue>> {
    const metrics: Record<string, MetricValue> = {
      'cpu.percent': this.cpuPercent(),
      'memory.percent': round(((totalmem() - freemem()) / totalmem()) * 100),
      'memory.rss.mb': round(process.memoryUsage.rss() / 1_048_576),
      'disk.percent': await this.diskPercent(),
    };
    for (const provider of this.providers) {
      try {
        Object.assign(metrics, provider());
      } catch (err) {
        this.log.warn({ err }, 'vitals provider failed');
      }
    }
    try {
      this.telemetry.publish('health', metrics);
    } catch (err) {
      this.log.error({ err }, 'health sample not queued');
    }
    return metrics;
  }

  private cpuPercent(): number {
    const now = process.hrtime.bigint();
    const usage = process.cpuUsage(this.lastCpu);
    const elapsedUs = Number(now - this.lastAt) / 1000;
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    if (elapsedUs <= 0) return 0;
    return round(((usage.user + usage.system) / elapsedUs / cpus().length) * 100);
  }

  private async diskPercent(): Promise<number | null> {
    try {
      const s = await statfs(this.options.dataDir);
      return round(((s.blocks - s.bavail) / s.blocks) * 100);
    } catch {
      return null;
    }
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
