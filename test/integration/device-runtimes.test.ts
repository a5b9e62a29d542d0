import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { silentLogger } from '../../platform/log.ts';
import type { PlayRecord } from '../../protocol/broadcast/proof-of-play.ts';
import { SimulatedCart } from '../../sim/simulated-cart.ts';
import { SimulatedSpeaker } from '../../sim/simulated-speaker.ts';
import { mulberry32 } from '../../sim/simulated-store.ts';
import { asset, manifest, musicWindow } from '../helpers/broadcast-manifest.ts';
import { eventually, registerDevice, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { toneAsset } from '../helpers/speaker-audio.ts';

describe('cart and speaker runtimes against the fleet (virtual hardware)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let cart: SimulatedCart;
  let speaker: SimulatedSpeaker;

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
    const port = fleet.services.broker.tlsPort;
    const zones = fleet.services.stores.listZones('hf-shanghai-xuhui');
    const base = (thingName: string) => ({
      thingName,
      endpoint: { host: 'localhost', port },
      certDir: join(dir.path, thingName),
      dataDir: join(dir.path, thingName, 'data'),
      telemetryIntervalMs: 200,
      healthIntervalMs: 300,
    });
    cart = new SimulatedCart(
      base('cart-rt1'),
      await registerDevice(fleet, 'cart-rt1', 'cart'),
      zones,
      { drainPerMinute: 0.2, chargePerMinute: 0.5, timeScale: 1 },
      mulberry32(1),
      silentLogger(),
    );
    speaker = new SimulatedSpeaker(
      { ...base('spk-rt1'), model: 'promo', microphone: true, calibration: { splAtFullVolumeDb: 84 } },
      await registerDevice(fleet, 'spk-rt1', 'speaker'),
      1,
      mulberry32(2),
      silentLogger(),
    );
    await cart.start();
    await speaker.start();
  });

  after(async () => {
    await cart.stop();
    await speaker.stop();
    await fleet.stop();
    dir.cleanup();
  });

  it('cart: reports battery measured on its board, charging on the dock, zone and session', async () => {
    const latest = await eventually(
      () => fleet.services.telemetry.latestOf('cart-rt1').telemetry,
      5000,
      'cart telemetry',
    );
    const expected = Math.round(cart.stateOfCharge);
    assert.ok(
      Math.abs((latest.metrics['battery.percent'] as number) - expected) <= 2,
      `battery ${latest.metrics['battery.percent']} ≈ ${expected}`,
    );
    assert.equal(latest.metrics['battery.charging'], true);
    assert.equal(latest.metrics.zone, 'hf-shanghai-xuhui-dock');
    const health = await eventually(() => fleet.services.telemetry.latestOf('cart-rt1').health, 5000, 'cart health');
    for (const metric of ['cpu.percent', 'memory.percent', 'disk.percent', 'battery.percent', 'temperature.c']) {
      assert.equal(typeof health.metrics[metric], 'number', metric);
    }
    assert.ok((health.metrics['temperature.c'] as number) > 20 && (health.metrics['temperature.c'] as number) < 35);
    const shadow = await eventually(() => fleet.services.shadows.find('cart-rt1')?.state.reported, 5000, 'cart shadow');
    assert.equal(shadow.kind, 'cart');
    assert.equal(shadow.zone, 'hf-shanghai-xuhui-dock');
    // reporting sessionId: null removes the field (shadow semantics)
    assert.deepEqual(shadow.session, { state: 'idle' });
    await eventually(
      () => fleet.services.registry.getThing('cart-rt1')?.softwareVersion === '0.1.0',
      3000,
      'registry version',
    );
  });

  it('cart: a shopping session shows up in shadow and telemetry', async () => {
    cart.runtime.startSession('member-1');
    cart.locator.moveTo('hf-shanghai-xuhui-dairy');
    await eventually(
      () => {
        const reported = fleet.services.shadows.find('cart-rt1')?.state.reported as
          | Record<string, { state?: string }>
          | undefined;
        return (
          reported?.session?.state === 'shopping' &&
          (reported as Record<string, unknown>).zone === 'hf-shanghai-xuhui-dairy'
        );
      },
      5000,
      'session in shadow',
    );
    const events = fleet.services.telemetry.history({
      thingName: 'cart-rt1',
      stream: 'events',
      from: 0,
      to: Date.now(),
      limit: 10,
    });
    assert.ok(events.some((e) => e.metrics.event === 'session.shopping'));
    cart.runtime.endSession();
  });

  it('cart: reports leaving and returning to the dock in its shadow', async () => {
    const charging = () =>
      (fleet.services.shadows.find('cart-rt1')?.state.reported as Record<string, unknown>)?.charging;
    await eventually(() => charging() === true, 5000, 'charging on the dock');
    cart.io.setDigitalInput(2, false);
    await eventually(() => charging() === false, 5000, 'not charging off the dock');
    cart.io.setDigitalInput(2, true);
    await eventually(() => charging() === true, 5000, 'charging again');
  });

  it('cart: applies a desired brightness from its shadow to the backlight and reports it', async () => {
    await fleet.services.shadows.update('cart-rt1', undefined, { state: { desired: { brightness: 25 } } });
    await eventually(
      () => (fleet.services.shadows.find('cart-rt1')?.state.reported as Record<string, unknown>)?.brightness === 25,
      5000,
    );
    assert.equal(cart.io.outputValue(9), Math.round(0.25 * 255));
  });

  it('speaker: applies the desired volume, reports it, and the delta clears', async () => {
    await eventually(() => fleet.services.shadows.find('spk-rt1')?.state.reported, 5000, 'speaker shadow');
    await fleet.services.shadows.update('spk-rt1', undefined, { state: { desired: { volume: 35 } } });
    await eventually(
      () => (fleet.services.shadows.find('spk-rt1')?.state.reported as Record<string, unknown>)?.volume === 35,
      5000,
      'volume reported',
    );
    assert.equal(speaker.runtime.currentVolume, 35);
    assert.equal(speaker.io.outputValue(5), Math.round(0.35 * 255), 'amplifier gain set');
    const got = fleet.services.shadows.get('spk-rt1', undefined);
    assert.ok(got.ok);
    assert.equal((got.payload as { state: { delta?: unknown } }).state.delta, undefined);
    // No manifest yet: the speaker plays nothing (the broadcast scheduler tests cover what it plays from one).
    const reported = fleet.services.shadows.find('spk-rt1')?.state.reported as Record<string, unknown>;
    assert.equal(reported.nowPlaying ?? null, null, 'a null in reported deletes the key (AWS shadow semantics)');
  });

  it('speaker: reports shopper presence from its PIR sensor, only when it changes', async () => {
    const presenceEvents = () =>
      fleet.services.telemetry
        .history({ thingName: 'spk-rt1', stream: 'events', from: 0, to: Date.now(), limit: 50 })
        .map((e) => String(e.metrics.event))
        .filter((event) => event.startsWith('presence.'));
    speaker.io.setDigitalInput(3, true);
    await eventually(() => presenceEvents().length === 1, 5000, 'presence event');
    speaker.io.setDigitalInput(3, true); // the same level again: no change, no event
    speaker.io.setDigitalInput(3, false);
    await eventually(() => presenceEvents().length >= 2, 5000, 'presence cleared');
    // The device sends its events in order: had the repeated level (or the first reading at start) been reported,
    // it would be stored by now.
    assert.deepEqual(presenceEvents().sort(), ['presence.cleared', 'presence.detected']);
  });

  it('speaker: plays the manifest it is handed; its shadow says what plays, each play ends in a PlayRecord', async () => {
    const track = toneAsset(dir.path, 'rt-track', 400, 1);
    const plays: PlayRecord[] = [];
    speaker.runtime.onPlay((record) => plays.push(record));
    speaker.runtime.setAssetPaths((sha256) => (sha256 === track.sha256 ? track.file : undefined));
    const now = Date.now();
    speaker.runtime.setManifest(
      manifest(now - 1000, {
        thingName: 'spk-rt1',
        assets: [asset(track.sha256, 1000)],
        music: [musicWindow('ambient-1', now - 1000, now + 3_600_000, [track.sha256])],
      }),
    );
    const playing = await eventually(
      () =>
        (fleet.services.shadows.find('spk-rt1')?.state.reported as Record<string, Record<string, unknown>>)?.nowPlaying,
      5000,
      'now playing in the shadow',
    );
    assert.equal(playing.trackId, track.sha256);
    assert.equal(playing.layer, 'ambient');
    assert.equal(typeof playing.startedAt, 'number');
    const done = await eventually(() => plays.find((p) => p.outcome === 'completed'), 5000, 'a completed play');
    assert.equal(done.sha256, track.sha256);
    assert.equal(done.itemId, 'ambient-1');
    assert.equal(done.manifestVersion, 1);
    assert.ok(Math.abs(done.endedAt - done.startedAt - 1000) <= 1, 'played for its length');
  });

  it('promo speaker: its PIR seeing someone plays the manifest promo (trigger pir)', async () => {
    const promoAsset = toneAsset(dir.path, 'rt-promo', 1500, 0.5);
    const plays: PlayRecord[] = [];
    speaker.runtime.onPlay((record) => plays.push(record));
    speaker.runtime.setAssetPaths((sha256) => (sha256 === promoAsset.sha256 ? promoAsset.file : undefined));
    const now = Date.now();
    speaker.io.setDigitalInput(3, false);
    speaker.runtime.setManifest(
      manifest(now - 1000, {
        version: 2,
        thingName: 'spk-rt1',
        assets: [asset(promoAsset.sha256, 500, 'speech')],
        promo: {
          campaignId: 'promo-milk',
          assets: [promoAsset.sha256],
          windows: [{ from: now - 1000, to: now + 3_600_000 }],
          cooldownMs: 60_000,
          maxPerHour: 10,
          minBatteryPercent: 0,
          targetSplDb: 60,
          maxSplDb: 70,
        },
      }),
    );
    speaker.io.setDigitalInput(3, true);
    const played = await eventually(
      () => plays.find((p) => p.trigger === 'pir' && p.outcome === 'completed'),
      5000,
      'the promo played',
    );
    assert.equal(played.campaignId, 'promo-milk');
    assert.equal(played.scheduledAt, null, 'self-triggered');
    assert.equal(played.manifestVersion, 2);
    // Held at its sound pressure: the target (60 dB) or 10 dB over the aisle's noise the simulated sensor reads
    // (48-62 dBA, drifting at most 1 dB a second), capped at 70.
    const ambient = speaker.runtime.hardware.ambientDbSpl();
    assert.ok(ambient !== null && ambient >= 47 && ambient <= 63, `ambient ${ambient} dBA`);
    const expected = Math.min(70, Math.max(60, ambient + 10));
    assert.ok(
      played.levelDbSpl !== null && Math.abs(played.levelDbSpl - expected) <= 1.1,
      `played at ${played.levelDbSpl} dB SPL, about ${expected} expected`,
    );
  });

  it('speaker: an ALSA device that cannot open is reported (AUDIO_OUTPUT_UNAVAILABLE), the runtime runs on', async () => {
    const port = fleet.services.broker.tlsPort;
    const broken = new SimulatedSpeaker(
      {
        thingName: 'spk-rt2',
        endpoint: { host: 'localhost', port },
        certDir: join(dir.path, 'spk-rt2'),
        dataDir: join(dir.path, 'spk-rt2', 'data'),
        audio: { sink: 'alsa', device: 'hw:CARD=NoSuchCard,DEV=0' },
      },
      await registerDevice(fleet, 'spk-rt2', 'speaker'),
      1,
      mulberry32(3),
      silentLogger(),
    );
    await broken.start();
    try {
      const reported = await eventually(
        () => fleet.services.shadows.find('spk-rt2')?.state.reported as Record<string, unknown> | undefined,
        5000,
        'the speaker reports',
      );
      // Where this machine has a sound card the name is still wrong; where it has none (here) nothing opens.
      assert.equal(reported.audioError, 'AUDIO_OUTPUT_UNAVAILABLE');
      assert.equal(reported.kind, 'speaker', 'the rest of the runtime is up');
    } finally {
      await broken.stop();
    }
  });
});
