import assert from 'node:assert/strict';
import {
  CONFIG_SETTINGS,
  configBundleProblems,
  mergeConfigSettings,
  settingsFor,
} from '../../../protocol/ota/config-bundle.ts';

describe('protocol/ota/config-bundle: the settings a config release may change', () => {
  it('lists each setting with its kinds, range and when it applies', () => {
    for (const [key, spec] of Object.entries(CONFIG_SETTINGS)) {
      assert.ok(spec.kinds.length > 0, key);
      const prefix = key.split('.')[0];
      if (prefix === 'cart' || prefix === 'speaker') assert.deepEqual(spec.kinds, [prefix], key);
    }
  });

  it('names every problem of a bundle at once', () => {
    assert.deepEqual(
      configBundleProblems({ telemetryIntervalMs: 0, 'cart.colour': 'red', 'speaker.maxVolume': 101 }, [
        'cart',
        'speaker',
      ]),
      [
        "'telemetryIntervalMs' must be an integer from 1000 to 600000",
        `'cart.colour' is not a setting a config release may change (${Object.keys(CONFIG_SETTINGS).join(', ')})`,
        "'speaker.maxVolume' must be an integer from 0 to 100",
      ],
    );
    // Keys that name Object.prototype's members are unknown settings like any other (JSON.parse makes them own keys).
    assert.equal(configBundleProblems(JSON.parse('{"__proto__": 1, "constructor": 2}'), ['cart']).length, 2);
  });

  it('merges a bundle over a config at the settings’ paths, for the kind only', () => {
    const config = {
      healthIntervalMs: 30_000,
      maxVolume: 100,
      broadcast: { playBatchDelayMs: 2000, cacheBudgetBytes: 8 },
    };
    const settings = { healthIntervalMs: 60_000, 'speaker.playBatchDelayMs': 500, 'cart.lowBatteryPercent': 30 };
    assert.deepEqual(settingsFor('speaker', settings), { healthIntervalMs: 60_000, 'speaker.playBatchDelayMs': 500 });
    assert.deepEqual(mergeConfigSettings(config, 'speaker', settings), {
      healthIntervalMs: 60_000,
      maxVolume: 100,
      broadcast: { playBatchDelayMs: 500, cacheBudgetBytes: 8 },
    });
    assert.equal(config.broadcast.playBatchDelayMs, 2000, 'the input is not changed');
  });
});
