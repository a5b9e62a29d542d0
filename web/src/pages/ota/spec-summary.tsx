import type { RolloutSpec } from '../../api/types.ts';
import { absoluteTime } from '../../app/format.ts';
import { storeName, useStores } from '../../app/stores-cache.ts';
import { FAILURE_TYPE_LABELS } from './ota-labels.ts';

const list = (items: string[] | undefined, any: string) => (items?.length ? items.join(', ') : any);

/** A rollout spec in words: what it targets and the safety rules it runs under (the wizard's review, the detail). */
export function SpecSummary({ spec }: { spec: RolloutSpec }) {
  const stores = useStores();
  const t = spec.targets;
  return (
    <section class="panel" data-testid="spec-summary">
      <header class="panel-header">
        <h2>Targets and safety</h2>
      </header>
      <div class="grid-2">
        <dl class="facts">
          <dt>Stores</dt>
          <dd data-testid="summary-stores">
            {t.storeIds?.length ? t.storeIds.map((s) => storeName(stores, s)).join(', ') : 'every store'}
          </dd>
          <dt>Regions</dt>
          <dd>{list(t.regions, 'any')}</dd>
          <dt>Device tags</dt>
          <dd>{list(t.tags, 'any')}</dd>
          <dt>Kinds</dt>
          <dd>{list(t.kinds, 'any the release fits')}</dd>
          <dt>Hardware models</dt>
          <dd>{list(t.hardwareModels, 'any the release fits')}</dd>
          <dt>Current versions</dt>
          <dd class="mono">{t.currentVersions ?? 'any'}</dd>
          <dt>Only these devices</dt>
          <dd class="mono small">{t.thingNames?.length ? t.thingNames.join(', ') : '—'}</dd>
        </dl>
        <dl class="facts">
          <dt>Rate</dt>
          <dd>{spec.ratePerMinute === null ? 'no limit' : `${spec.ratePerMinute} devices a minute`}</dd>
          <dt>Store bandwidth</dt>
          <dd>{spec.storeBandwidthKbps === null ? 'no cap' : `${spec.storeBandwidthKbps} kbit/s per store`}</dd>
          <dt>Abort</dt>
          <dd data-testid="summary-abort">
            when {spec.abort.failureTypes.map((f) => FAILURE_TYPE_LABELS[f].toLowerCase()).join(', ')} pass{' '}
            {spec.abort.thresholdPercent} % of finished devices, once {spec.abort.minFinished} finished
          </dd>
          <dt>Retries</dt>
          <dd>
            failed {spec.retries.FAILED}×, timed out {spec.retries.TIMED_OUT}×
          </dd>
          <dt>In-progress timeout</dt>
          <dd>{spec.inProgressTimeoutMinutes} min</dd>
          <dt>Maintenance windows</dt>
          <dd>{spec.useMaintenanceWindows ? 'only inside each store’s windows' : 'any time'}</dd>
          <dt>Downgrade</dt>
          <dd>{spec.allowDowngrade ? 'allowed' : 'refused'}</dd>
          <dt>Health check</dt>
          <dd>
            within {spec.healthCheckTimeoutSeconds} s, {spec.maxTrialBoots} trial boot
            {spec.maxTrialBoots === 1 ? '' : 's'}
          </dd>
          <dt>Starts</dt>
          <dd>{spec.startAt ? absoluteTime(spec.startAt) : 'when created'}</dd>
        </dl>
      </div>
    </section>
  );
}
