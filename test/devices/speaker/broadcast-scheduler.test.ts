import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promoLevel } from '../../../broadcast/promo-level.ts';
import type { BroadcastManifest } from '../../../protocol/broadcast/manifest.ts';
import { isFleetError } from '../../../protocol/errors.ts';
import { levelAt, onsetMs, readWav, toneAnywhere } from '../../helpers/audio-analysis.ts';
import { asset, item, manifest, musicWindow, sha } from '../../helpers/broadcast-manifest.ts';
import { speakerOnFakeClock, toneAsset } from '../../helpers/speaker-audio.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';

const T0 = 1_800_000_000_000;
/** Frequencies (multiples of 100 Hz: no leakage between them in 10 ms frames). */
const HZ = { a: 400, b: 600, v1: 1500, v2: 2500, alarm: 3000 } as const;
/** Where the first track starts: the mixer's first render (200 ms lookahead) + the music's start-up lead (150 ms). */
const FIRST_TRACK_MS = 350;
/** Every test asset is a −12 dBFS sine; an onset is where a 10 ms frame reaches half its energy. */
const ONSET_DB = -18;
/**
 * Absent: 28 dB under the tones. A 10 ms frame holding the abrupt end of another tone leaks up to about −46 dB into
 * every bin, so absence is judged above that.
 */
const ABSENT_DB = -40;

describe('devices/speaker: the broadcast scheduler on the real player (ffmpeg decoding Opus, output analysed)', function () {
  this.timeout(60_000);
  let dir: string;
  const files = new Map<string, string>();
  let clock: FakeClock;
  let wav: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'speaker-player-'));
    for (const [name, hz, seconds] of [
      ['a', HZ.a, 4],
      ['b', HZ.b, 4],
      ['v1', HZ.v1, 1.5],
      ['v2', HZ.v2, 1.5],
      ['alarm', HZ.alarm, 1],
      // 1000.5 ms: the next track starts between two milliseconds, as real tracks' lengths make it.
      ['odd', 800, 1.0005],
    ] as const) {
      const { sha256, file } = toneAsset(dir, name, hz, seconds);
      files.set(sha256, file);
    }
    // In the cache but not decodable (a disk error after the download's sha256 check).
    const corrupt = join(dir, 'corrupt.opus');
    writeFileSync(corrupt, 'OggS but nothing after it');
    files.set(sha('corrupt'), corrupt);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  beforeEach(function () {
    clock = new FakeClock(T0);
    wav = join(dir, `${this.currentTest?.title.replace(/\W+/g, '-').slice(0, 60)}.wav`);
  });

  const assets = [
    asset(sha('a'), 4000),
    asset(sha('b'), 4000),
    asset(sha('v1'), 1500, 'speech'),
    asset(sha('v2'), 1500, 'speech'),
    asset(sha('alarm'), 1000, 'speech'),
  ];
  const withMusic = (parts: Partial<BroadcastManifest> = {}) =>
    manifest(T0, { assets, music: [musicWindow('w1', T0, T0 + 3_600_000, [sha('a'), sha('b')])], ...parts });

  async function play(
    m: BroadcastManifest | null,
    ms: number,
    during?: (s: ReturnType<typeof speakerOnFakeClock>) => Promise<void>,
  ) {
    const speaker = speakerOnFakeClock(clock, wav, files);
    if (m) speaker.scheduler.setManifest(m);
    await speaker.start();
    if (during) await during(speaker);
    await speaker.run(ms - (clock.now() - T0));
    await speaker.stop();
    assert.equal(speaker.player.liveDecoders, 0, 'no decoder left running');
    return { samples: readWav(wav), records: speaker.records, speaker };
  }

  it('overlay: the item on its scheduled sample, the music ducked 12 dB with 0.5 s ramps under it', async () => {
    const { samples, records } = await play(withMusic({ items: [item('i1', T0 + 5000, sha('v1'), 1500)] }), 8000);
    const onset = onsetMs(samples, HZ.v1, 4000, ONSET_DB);
    assert.ok(onset !== undefined && Math.abs(onset - 5000) <= 10, `voice onset ${onset} ms, scheduled 5000 ms`);
    const full = levelAt(samples, 4400, HZ.b);
    assert.ok(full > -13 && full < -11, `music at its level before (${full.toFixed(1)} dB)`);
    const ducked = levelAt(samples, 5500, HZ.b) - full;
    assert.ok(Math.abs(ducked + 12) <= 1, `ducked by ${ducked.toFixed(2)} dB`);
    // A 500 ms ramp linear in dB, ending on the voice's first sample: half way (−6 dB) at 250 ms before it.
    assert.ok(Math.abs(levelAt(samples, 4485, HZ.b) - full) <= 1, 'ramp not begun 15 ms before 4500');
    assert.ok(Math.abs(levelAt(samples, 4745, HZ.b) - full + 6) <= 1.5, 'half way at 4750');
    assert.ok(Math.abs(levelAt(samples, 6485, HZ.b) - full - ducked) <= 1, "still ducked on the voice's last sample");
    assert.ok(Math.abs(levelAt(samples, 6745, HZ.b) - full + 6) <= 1.5, 'half way back up 250 ms after the voice');
    assert.ok(Math.abs(levelAt(samples, 7100, HZ.b) - full) <= 1, 'back up 0.5 s after the voice');
    const played = records.find((r) => r.itemId === 'i1');
    assert.equal(played?.outcome, 'completed');
    assert.equal(played?.scheduledAt, T0 + 5000);
    assert.ok(Math.abs((played?.startedAt ?? 0) - (T0 + 5000)) <= 1);
    assert.equal(played?.trigger, 'schedule');
    assert.equal(played?.layer, 'hq_campaign');
  });

  it('interrupt: the music stops on the item sample, the item plays, the track resumes where it stopped', async () => {
    const { samples, records } = await play(
      withMusic({ items: [item('i1', T0 + 2000, sha('v1'), 1500, { entry: 'interrupt' })] }),
      7000,
    );
    const onset = onsetMs(samples, HZ.v1, 1000, ONSET_DB);
    assert.ok(onset !== undefined && Math.abs(onset - 2000) <= 10, `voice onset ${onset}`);
    assert.ok(levelAt(samples, 1900, HZ.a) > -13, 'music before');
    assert.equal(toneAnywhere(samples, HZ.a, 2010, 3490, ABSENT_DB), false, 'no music under the interrupt');
    assert.ok(levelAt(samples, 3600, HZ.a) > -13, 'track A resumes after the voice');
    // A had played 1650 ms of 4000 before the cut: it ends 2350 ms after resuming at 3500, then B starts.
    const bOnset = onsetMs(samples, HZ.b, 3000, ONSET_DB);
    assert.ok(bOnset !== undefined && Math.abs(bOnset - 5850) <= 20, `B starts at ${bOnset}, expected 5850`);
    const trackA = records.find((r) => r.sha256 === sha('a'));
    assert.equal(trackA?.outcome, 'completed');
    assert.equal(records.find((r) => r.itemId === 'i1')?.outcome, 'completed');
  });

  it('between tracks: waits for the current track to end; past maxDelayMs it is skipped', async () => {
    const { samples, records } = await play(
      withMusic({
        items: [
          item('short', T0 + 1000, sha('v1'), 1500, { entry: 'between_tracks', maxDelayMs: 500 }),
          item('long', T0 + 1200, sha('v2'), 1500, { entry: 'between_tracks', maxDelayMs: 10_000 }),
        ],
      }),
      7500,
    );
    const onset = onsetMs(samples, HZ.v2, 0, ONSET_DB);
    assert.ok(onset !== undefined && Math.abs(onset - (FIRST_TRACK_MS + 4000)) <= 10, `voice at track end: ${onset}`);
    // (From 10 ms after A's end: a frame holding A's last cycles leaks into other bins.)
    assert.equal(toneAnywhere(samples, HZ.b, onset + 10, onset + 1490, ABSENT_DB), false, 'the next track waits');
    const bOnset = onsetMs(samples, HZ.b, 0, ONSET_DB);
    assert.ok(bOnset !== undefined && Math.abs(bOnset - (onset + 1500)) <= 20, `B after the voice: ${bOnset}`);
    assert.equal(toneAnywhere(samples, HZ.v1, 0, 7500, ABSENT_DB), false, 'the item that could not wait never played');
    assert.equal(records.find((r) => r.itemId === 'short')?.outcome, 'skipped');
    const long = records.find((r) => r.itemId === 'long');
    assert.equal(long?.outcome, 'completed');
    assert.equal(long?.scheduledAt, T0 + 1200);
    assert.ok(Math.abs((long?.startedAt ?? 0) - (T0 + FIRST_TRACK_MS + 4000)) <= 10);
  });

  it('quiet outside the volume spans: no music, the item skipped; inside a span the same plays', async () => {
    const { samples, records } = await play(
      withMusic({
        volume: [
          { from: T0, to: T0 + 3000, volume: 100 },
          { from: T0 + 6000, to: T0 + 3_600_000, volume: 100 },
        ],
        items: [item('quiet', T0 + 4000, sha('v1'), 1500), item('open', T0 + 7000, sha('v2'), 1500)],
      }),
      9000,
    );
    assert.ok(levelAt(samples, 2000, HZ.a) > -13, 'music while open');
    for (const hz of [HZ.a, HZ.b, HZ.v1])
      assert.equal(toneAnywhere(samples, hz, 3050, 6000, ABSENT_DB), false, `${hz} Hz`);
    assert.equal(records.find((r) => r.itemId === 'quiet')?.outcome, 'skipped');
    // Positive control: the same kind of item and the music, once a span opens again.
    const onset = onsetMs(samples, HZ.v2, 6000, ONSET_DB);
    assert.ok(onset !== undefined && Math.abs(onset - 7000) <= 10, `item in the span at ${onset}`);
    assert.ok(toneAnywhere(samples, HZ.a, 6000, 9000, -20) || toneAnywhere(samples, HZ.b, 6000, 9000, -20));
    assert.equal(records.find((r) => r.itemId === 'open')?.outcome, 'completed');
  });

  it('volume spans: the level follows the span (volume 50 is −18 dB on the cubic curve)', async () => {
    const { samples } = await play(
      withMusic({
        volume: [
          { from: T0, to: T0 + 2000, volume: 100 },
          { from: T0 + 2000, to: T0 + 3_600_000, volume: 50 },
        ],
      }),
      3000,
    );
    const change = levelAt(samples, 2500, HZ.a) - levelAt(samples, 1500, HZ.a);
    assert.ok(Math.abs(change - 20 * Math.log10(0.125)) <= 0.5, `level change ${change.toFixed(2)} dB`);
  });

  it('emergency: cuts in, repeats until cleared, then the music comes back; coded refusals', async () => {
    let code = '';
    const { samples, records } = await play(withMusic(), 9000, async (speaker) => {
      await speaker.run(1000);
      assert.throws(
        () => speaker.scheduler.startEmergency(sha('nope')),
        (e) => isFleetError(e, 'ASSET_NOT_FOUND'),
      );
      speaker.scheduler.startEmergency(sha('alarm'));
      try {
        speaker.scheduler.startEmergency(sha('alarm'));
      } catch (err) {
        code = isFleetError(err) ? err.code : 'other';
      }
      await speaker.run(5000);
      speaker.scheduler.clearEmergency();
      assert.throws(
        () => speaker.scheduler.clearEmergency(),
        (e) => isFleetError(e, 'EMERGENCY_NOT_ACTIVE'),
      );
    });
    assert.equal(code, 'EMERGENCY_ALREADY_ACTIVE');
    // Starts 250 ms after the call (decoder lead), then every 1 s play + 1 s gap.
    const onsets: number[] = [];
    for (let from = 1000, o = onsetMs(samples, HZ.alarm, from, ONSET_DB); o !== undefined && o < 9000; ) {
      onsets.push(o);
      from = o + 1100;
      o = onsetMs(samples, HZ.alarm, from, ONSET_DB);
    }
    assert.ok(onsets.length >= 3, `repeated: ${onsets.join(', ')}`);
    assert.ok(Math.abs((onsets[0] as number) - 1250) <= 10, `first at ${onsets[0]}`);
    assert.ok(Math.abs((onsets[1] as number) - 3250) <= 20, `second at ${onsets[1]}`);
    assert.equal(toneAnywhere(samples, HZ.a, 1260, 6000, ABSENT_DB), false, 'no music during the emergency');
    assert.equal(toneAnywhere(samples, HZ.b, 1260, 6000, ABSENT_DB), false, 'no music during the emergency');
    // Cleared at 6000: what was already rendered (the 200 ms lookahead) still plays, then nothing.
    assert.equal(toneAnywhere(samples, HZ.alarm, 6210, 9000, ABSENT_DB), false, 'silent once cleared');
    assert.ok(toneAnywhere(samples, HZ.alarm, 5000, 6200, -20), 'it was playing when cleared');
    assert.ok(
      toneAnywhere(samples, HZ.a, 6000, 9000, -20) || toneAnywhere(samples, HZ.b, 6000, 9000, -20),
      'music back',
    );
    const emergencies = records.filter((r) => r.trigger === 'emergency');
    assert.ok(emergencies.filter((r) => r.outcome === 'completed').length >= 2);
    assert.equal(
      emergencies.every((r) => r.layer === 'emergency'),
      true,
    );
  });

  it('layers: a lower layer never cuts a higher one', async () => {
    const { samples, records } = await play(
      withMusic({ items: [item('hq', T0 + 2000, sha('v1'), 1500, { reason: { layer: 'hq_campaign', source: 'c' } })] }),
      5000,
      async (speaker) => {
        await speaker.run(1000);
        const answer = speaker.scheduler.playNow({
          sha256: sha('v2'),
          layer: 'adhoc',
          entry: 'overlay',
          trigger: 'adhoc',
        });
        assert.deepEqual(answer, { accepted: true, startsAt: T0 + 1250 });
      },
    );
    assert.ok(toneAnywhere(samples, HZ.v2, 1250, 2700, -20), 'the ad-hoc insert plays');
    assert.equal(toneAnywhere(samples, HZ.v1, 0, 5000, ABSENT_DB), false, 'the HQ item did not cut it');
    assert.equal(records.find((r) => r.itemId === 'hq')?.outcome, 'skipped');
    assert.equal(records.find((r) => r.trigger === 'adhoc')?.outcome, 'completed');
  });

  it('layers: a higher layer cuts a lower one (the positive control)', async () => {
    const { samples, records } = await play(
      withMusic({ items: [item('hq', T0 + 1000, sha('v1'), 1500)] }),
      4000,
      async (speaker) => {
        await speaker.run(1500);
        speaker.scheduler.playNow({ sha256: sha('v2'), layer: 'adhoc', entry: 'overlay', trigger: 'adhoc' });
      },
    );
    const cut = onsetMs(samples, HZ.v2, 1000, ONSET_DB);
    assert.ok(cut !== undefined && Math.abs(cut - 1750) <= 10, `ad-hoc at ${cut}`);
    assert.equal(toneAnywhere(samples, HZ.v1, 1760, 4000, ABSENT_DB), false, 'the HQ item was cut');
    assert.equal(records.find((r) => r.itemId === 'hq')?.outcome, 'interrupted');
  });

  it('a missing or undecodable asset: the item is skipped, the music goes on', async () => {
    const { samples, records } = await play(
      withMusic({
        items: [item('gone', T0 + 1500, sha('missing'), 1500), item('broken', T0 + 2200, sha('corrupt'), 1500)],
      }),
      3000,
    );
    assert.equal(records.find((r) => r.itemId === 'gone')?.outcome, 'skipped');
    assert.equal(records.find((r) => r.itemId === 'broken')?.outcome, 'skipped');
    for (let ms = FIRST_TRACK_MS + 20; ms < 2900; ms += 100)
      assert.ok(levelAt(samples, ms, HZ.a) > -13, `music at ${ms}`);
  });

  it('a new manifest mid-track: the track plays on without a gap, then the new window takes over', async () => {
    const { samples } = await play(withMusic(), 7000, async (speaker) => {
      await speaker.run(2000);
      speaker.scheduler.setManifest(
        manifest(T0, { version: 2, assets, music: [musicWindow('w2', T0, T0 + 3_600_000, [sha('v2')])] }),
      );
    });
    for (let ms = FIRST_TRACK_MS + 20; ms < FIRST_TRACK_MS + 3980; ms += 20)
      assert.ok(levelAt(samples, ms, HZ.a) > -13, `track A uninterrupted at ${ms}`);
    const next = onsetMs(samples, HZ.v2, 4000, ONSET_DB);
    assert.ok(
      next !== undefined && Math.abs(next - (FIRST_TRACK_MS + 4000)) <= 10,
      `the new window's track at ${next}`,
    );
    // (Around A's last sample a frame leaks into every bin: looked at from 10 ms either side.)
    assert.equal(toneAnywhere(samples, HZ.b, 0, next - 10, ABSENT_DB), false, 'the old window is gone');
    assert.equal(toneAnywhere(samples, HZ.b, next + 10, 7000, ABSENT_DB), false, 'the old window is gone');
  });

  it('presence promo: plays on presence, then cooldown, hourly cap, battery floor and minimum gap', async () => {
    let battery = 80;
    const promo = {
      campaignId: 'promo-1',
      assets: [sha('v1')],
      windows: [{ from: T0, to: T0 + 3_600_000 }],
      cooldownMs: 3000,
      maxPerHour: 2,
      minBatteryPercent: 20,
      targetSplDb: 60,
      maxSplDb: 70,
    };
    const speaker = speakerOnFakeClock(clock, wav, files, { battery: () => battery });
    speaker.scheduler.setManifest(manifest(T0, { assets, promo, minGapMs: 1000 }));
    await speaker.start();
    const answers: string[] = [];
    answers.push(speaker.scheduler.presence('pir'));
    await speaker.run(500);
    answers.push(speaker.scheduler.presence('cart')); // still playing
    await speaker.run(2000); // ended at 1750
    answers.push(speaker.scheduler.presence('pir')); // 2500: within the cooldown
    await speaker.run(3000);
    battery = 10;
    answers.push(speaker.scheduler.presence('pir'));
    battery = 80;
    answers.push(speaker.scheduler.presence('cart')); // 5500: plays (second this hour)
    await speaker.run(6000);
    answers.push(speaker.scheduler.presence('pir')); // third in the hour
    await speaker.stop();
    assert.deepEqual(answers, ['played', 'busy', 'cooldown', 'battery_low', 'played', 'hourly_cap']);
    const samples = readWav(wav);
    const first = onsetMs(samples, HZ.v1, 0, ONSET_DB);
    assert.ok(first !== undefined && Math.abs(first - 250) <= 10, `promo at ${first}`);
    assert.deepEqual(
      speaker.records.map((r) => [r.trigger, r.outcome, r.campaignId, r.scheduledAt]),
      [
        ['pir', 'completed', 'promo-1', null],
        ['cart', 'completed', 'promo-1', null],
      ],
    );
  });

  it('presence promo: held at its sound pressure through the calibration, raised over ambient noise', async () => {
    const promo = {
      campaignId: 'promo-1',
      assets: [sha('v1')],
      windows: [{ from: T0, to: T0 + 3_600_000 }],
      cooldownMs: 0,
      maxPerHour: 10,
      minBatteryPercent: 0,
      targetSplDb: 60,
      maxSplDb: 70,
    };
    let ambient: number | null = null;
    // 84 dB SPL at volume 100: 60 dB is 24 dB under it, 65 dB (55 dB of noise + 10) is 19 dB under it.
    const calibration = { splAtFullVolumeDb: 84 };
    const speaker = speakerOnFakeClock(clock, wav, files, {
      promoLevel: (p) => promoLevel(p, calibration, ambient),
    });
    // The scheduled volume is 100 all hour: the promo's own level must replace it, not add to it.
    speaker.scheduler.setManifest(
      manifest(T0, { assets, promo, volume: [{ from: T0, to: T0 + 3_600_000, volume: 100 }] }),
    );
    await speaker.start();
    assert.equal(speaker.scheduler.presence('pir'), 'played');
    await speaker.run(3000);
    ambient = 55;
    assert.equal(speaker.scheduler.presence('cart'), 'played');
    await speaker.run(3000);
    await speaker.stop();
    const samples = readWav(wav);
    // Every test asset is a −12 dBFS sine.
    const quiet = levelAt(samples, 1000, HZ.v1);
    const noisy = levelAt(samples, 4000, HZ.v1);
    assert.ok(Math.abs(quiet - (-12 - 24)) <= 0.5, `at 60 dB SPL: ${quiet.toFixed(2)} dBFS`);
    assert.ok(Math.abs(noisy - (-12 - 19)) <= 0.5, `at 65 dB SPL: ${noisy.toFixed(2)} dBFS`);
    assert.deepEqual(
      speaker.records.map((r) => [r.trigger, r.levelDbSpl]),
      [
        ['pir', 60],
        ['cart', 65],
      ],
    );
  });

  it('no manifest: silence, and the locate tone through the mixer', async () => {
    const speaker = speakerOnFakeClock(clock, wav, files, { fallbackVolume: () => 60 });
    await speaker.start();
    await speaker.run(1000);
    speaker.scheduler.playLocateTone(1000);
    await speaker.run(100);
    assert.equal(speaker.scheduler.nowPlaying?.trackId, 'locate-tone');
    await speaker.run(1500);
    assert.equal(speaker.scheduler.nowPlaying, null);
    await speaker.stop();
    const samples = readWav(wav);
    assert.equal(toneAnywhere(samples, 1000, 0, 1000, -80), false, 'silent before');
    const onset = onsetMs(samples, 1000, 1000, -30);
    assert.ok(onset !== undefined && Math.abs(onset - 1220) <= 10, `beep at ${onset}`);
    assert.equal(toneAnywhere(samples, 1000, 1480, 1710, -60), false, 'a gap between beeps');
    assert.deepEqual(speaker.records, [], 'a locate tone is no play');
  });

  it('music: tracks not in the cache or undecodable are passed over, once, without records; the window plays on', async () => {
    const { samples, records } = await play(
      manifest(T0, {
        assets: [...assets, asset(sha('corrupt'), 1000), asset(sha('missing'), 1000)],
        music: [musicWindow('w', T0, T0 + 3_600_000, [sha('corrupt'), sha('missing'), sha('a')])],
      }),
      6000,
    );
    const onset = onsetMs(samples, HZ.a, 0, ONSET_DB);
    // The corrupt track failed before its time and A, pre-rolled behind it, took its place on the same sample.
    assert.ok(onset !== undefined && Math.abs(onset - FIRST_TRACK_MS) <= 10, `track A from ${onset} ms`);
    for (let ms = (onset ?? 0) + 20; ms < (onset ?? 0) + 3980; ms += 100)
      assert.ok(levelAt(samples, ms, HZ.a) > -13, `A at ${ms}`);
    // A ended at onset + 4000: the corrupt track is not tried again (each attempt would leave a gap): A follows A.
    for (const ms of [10, 50, 500]) assert.ok(levelAt(samples, (onset ?? 0) + 4000 + ms, HZ.a) > -13, `A again +${ms}`);
    assert.deepEqual(
      records.map((r) => r.sha256),
      [sha('a'), sha('a')],
      'one record per play of A (the second interrupted by the stop), none for the others',
    );
  });

  it('a window that closes mid-track: the track fades out over the ducking ramp and ends interrupted', async () => {
    const { samples, records } = await play(
      manifest(T0, { assets, music: [musicWindow('short', T0, T0 + 2000, [sha('a')])] }),
      3500,
    );
    const full = levelAt(samples, 1900, HZ.a);
    assert.ok(full > -13, 'playing before the end');
    assert.ok(Math.abs(levelAt(samples, 2245, HZ.a) - full + 45) <= 3, 'half way down the ramp (to −90 dB) at 2250');
    assert.equal(toneAnywhere(samples, HZ.a, 2510, 3500, ABSENT_DB), false, 'silent after the ramp');
    const track = records.find((r) => r.sha256 === sha('a'));
    assert.equal(track?.outcome, 'interrupted');
    assert.equal(track?.endedAt, T0 + 2500);
  });

  it('presence promo: the manifest minimum gap after any announcement', async () => {
    const promo = {
      campaignId: 'promo-1',
      assets: [sha('v1')],
      windows: [{ from: T0, to: T0 + 3_600_000 }],
      cooldownMs: 0,
      maxPerHour: 60,
      minBatteryPercent: 0,
      targetSplDb: 60,
      maxSplDb: 70,
    };
    const speaker = speakerOnFakeClock(clock, wav, files);
    speaker.scheduler.setManifest(
      manifest(T0, { assets, promo, minGapMs: 1000, items: [item('sched', T0 + 500, sha('v2'), 1500)] }),
    );
    await speaker.start();
    await speaker.run(2500); // the scheduled item ended at 2000
    const tooSoon = speaker.scheduler.presence('cart');
    await speaker.run(600);
    const later = speaker.scheduler.presence('cart');
    await speaker.run(2000);
    await speaker.stop();
    assert.deepEqual([tooSoon, later], ['min_gap', 'played']);
  });

  it('now playing follows the music, also after a track whose length is not whole milliseconds', async () => {
    const now: (string | undefined)[] = [];
    await play(
      manifest(T0, {
        assets: [...assets, asset(sha('odd'), 1001)],
        music: [musicWindow('odd', T0, T0 + 2000, [sha('odd')])],
      }),
      3500,
      async (speaker) => {
        await speaker.run(1000);
        now.push(speaker.scheduler.nowPlaying?.trackId);
        await speaker.run(500); // the second play began at 1350.5 ms
        now.push(speaker.scheduler.nowPlaying?.trackId);
        await speaker.run(1500); // the window closed at 2000, faded out by 2500
        now.push(speaker.scheduler.nowPlaying?.trackId);
      },
    );
    assert.deepEqual(now, [sha('odd'), sha('odd'), undefined]);
  });
});
