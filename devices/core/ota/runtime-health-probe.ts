import type { HealthProbe, ProbeResult } from '../../../ota/agent/ports.ts';
import type { DeviceConnection } from '../device-connection.ts';
import type { Diagnostics } from '../diagnostics.ts';
import type { ShadowSync } from '../shadow-sync.ts';

/**
 * Diagnostics checks that say how the device is kept, not whether its software works: a full outbox (a long time
 * offline), a full disk or little free memory would refuse every update, including the one that fixes them.
 */
const NOT_HEALTH = new Set(['outbox', 'disk', 'memory']);

/**
 * The OTA health check's view of the running runtime: the MQTT connection, the classic shadow's sync, and the
 * diagnostics checks (the board and what the device kind adds: battery, temperature, screen, audio).
 */
export class RuntimeHealthProbe implements HealthProbe {
  constructor(
    private readonly connection: DeviceConnection,
    private readonly shadow: ShadowSync,
    private readonly diagnostics: Diagnostics,
  ) {}

  connected(): boolean {
    return this.connection.online;
  }

  shadowInSync(): boolean {
    return this.shadow.inSync;
  }

  async hardwareSelfTest(): Promise<ProbeResult> {
    const failed = (await this.diagnostics.run()).filter((c) => !c.ok && !NOT_HEALTH.has(c.name));
    if (failed.length === 0) return { ok: true };
    return { ok: false, detail: failed.map((c) => `${c.name}: ${c.detail}`).join('; ') };
  }

  onChange(listener: () => void): () => void {
    const online = () => listener();
    this.connection.on('online', online);
    this.connection.on('offline', online);
    const offSync = this.shadow.onSyncChange(listener);
    return () => {
      this.connection.off('online', online);
      this.connection.off('offline', online);
      offSync();
    };
  }
}
