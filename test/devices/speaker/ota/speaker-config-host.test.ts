import assert from 'node:assert/strict';
import { SpeakerConfigHost } from '../../../../devices/speaker/ota/speaker-config-host.ts';
import { type SpeakerConfig, SpeakerConfigSchema } from '../../../../devices/speaker/speaker-config.ts';
import { SpeakerRuntime } from '../../../../devices/speaker/speaker-runtime.ts';
import { silentLogger } from '../../../../platform/log.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';

describe('SpeakerConfigHost (config releases on a speaker)', () => {
  let file: SpeakerConfig;
  let runtime: SpeakerRuntime;
  let host: SpeakerConfigHost;

  beforeEach(() => {
    file = SpeakerConfigSchema.parse({ thingName: 'spk-ota-1', certDir: '/nonexistent', dataDir: '/nonexistent' });
    runtime = new SpeakerRuntime(
      file,
      { certificatePem: '', privateKeyPem: '', caPem: '' },
      undefined,
      silentLogger(),
      undefined,
      {
        clock: new FakeClock(),
      },
    );
    host = new SpeakerConfigHost(runtime, file);
  });

  it('caps the volume live and lifts the cap when a bundle no longer sets it', () => {
    assert.equal(runtime.currentVolume, 60);
    assert.deepEqual(host.apply({ 'speaker.maxVolume': 40 }), { live: ['speaker.maxVolume'], atRestart: [] });
    assert.equal(runtime.currentVolume, 40);
    host.apply({});
    assert.equal(runtime.currentVolume, 60, 'back to the default volume under the file’s cap of 100');
  });

  it('refuses a default volume above the cap, counting the file’s values for keys the bundle lacks', () => {
    assert.deepEqual(host.check({ 'speaker.maxVolume': 50 }), [
      'speaker.defaultVolume 60 is above speaker.maxVolume 50',
    ]);
    assert.deepEqual(host.check({ 'speaker.maxVolume': 50, 'speaker.defaultVolume': 50 }), []);
    assert.deepEqual(host.apply({ 'speaker.defaultVolume': 50 }).atRestart, ['speaker.defaultVolume']);
  });
});
