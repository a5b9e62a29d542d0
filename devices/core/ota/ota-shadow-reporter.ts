import type { OtaShadowReporter } from '../../../ota/agent/ports.ts';
import type { OtaReported } from '../../../protocol/ota/index.ts';
import type { JsonObject } from '../../../protocol/shadow.ts';
import type { NamedShadowWatch } from '../named-shadow-watch.ts';
import type { ShadowSync } from '../shadow-sync.ts';

/**
 * Where the agent's state goes: the slots, the job and the last rollback into the named shadow `ota` (the console's
 * device page), the running software's version into the classic shadow's `softwareVersion` (the fleet's inventory,
 * which rollouts target by version).
 */
export class ShadowOtaReporter implements OtaShadowReporter {
  constructor(
    private readonly named: NamedShadowWatch,
    private readonly classic: ShadowSync,
  ) {}

  reportOta(reported: OtaReported): void {
    this.named.report(reported as unknown as JsonObject);
  }

  reportSoftwareVersion(version: string): void {
    this.classic.report({ softwareVersion: version });
  }
}
