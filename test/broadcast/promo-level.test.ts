import assert from 'node:assert/strict';
import { promoLevel, SPEECH_OVER_NOISE_DB, volumeForGainDb, volumeGainDb } from '../../broadcast/promo-level.ts';
import { gainFromVolume } from '../../devices/speaker/player/master-gain.ts';

const promo = { targetSplDb: 60, maxSplDb: 70 };
const calibration = { splAtFullVolumeDb: 84 };

describe('a promo held at its sound pressure (broadcast/promo-level.ts)', () => {
  it('maps the volume curve both ways, as the player’s master gain applies it', () => {
    for (const v of [100, 80, 50, 25, 10]) {
      assert.ok(Math.abs(20 * Math.log10(gainFromVolume(v)) - volumeGainDb(v)) < 1e-9, `volume ${v}`);
      assert.ok(Math.abs(volumeForGainDb(volumeGainDb(v)) - v) < 1e-9);
    }
    assert.equal(volumeGainDb(0), Number.NEGATIVE_INFINITY);
  });

  it('plays at the target through the calibration when there is no microphone', () => {
    const { levelDbSpl, volume } = promoLevel(promo, calibration, null);
    assert.equal(levelDbSpl, 60);
    // 24 dB under the speaker's full level: volume 100·10^(−24/60) ≈ 39.8
    assert.ok(Math.abs(volume - 39.81) < 0.01, `volume ${volume}`);
  });

  it('rises over a noisy aisle by the speech margin, never past the campaign maximum', () => {
    assert.equal(promoLevel(promo, calibration, 45).levelDbSpl, 60, 'quiet aisle: the target');
    assert.equal(promoLevel(promo, calibration, 55).levelDbSpl, 55 + SPEECH_OVER_NOISE_DB);
    assert.equal(promoLevel(promo, calibration, 75).levelDbSpl, 70, 'capped');
  });

  it('plays at full volume a target the speaker cannot reach, and says what it really gives', () => {
    const weak = promoLevel({ targetSplDb: 90, maxSplDb: 95 }, calibration, null);
    assert.deepEqual(weak, { levelDbSpl: 84, volume: 100 });
  });
});
