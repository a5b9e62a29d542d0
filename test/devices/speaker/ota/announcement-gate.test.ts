import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnnouncementGate, type AnnouncementTimeline } from '../../../../devices/speaker/ota/announcement-gate.ts';
import { announcementTimeline } from '../../../../devices/speaker/ota/announcement-timeline.ts';
import { asset, item, manifest, musicWindow, sha } from '../../../helpers/broadcast-manifest.ts';
import { speakerOnFakeClock, toneAsset } from '../../../helpers/speaker-audio.ts';
import { FakeClock } from '../../../mocks/fake-clock.ts';

const T0 = 1_800_000_000_000;

/** A timeline the test writes: what is on air, the emergency, the announcements to come. */
class ScriptedTimeline implements AnnouncementTimeline {
  air: string | null = null;
  alarm = false;
  due: { at: number; title: string }[] = [];
  emergency(): boolean {
    return this.alarm;
  }
  onAir(): string | null {
    return this.air;
  }
  nextDue(from: number): { at: number; title: string } | undefined {
    return this.due.filter((d) => d.at >= from).sort((a, b) => a.at - b.at)[0];
  }
}

describe('AnnouncementGate (a speaker never installs during an announcement)', () => {
  let clock: FakeClock;
  let timeline: ScriptedTimeline;
  let gate: AnnouncementGate;
  let changes: number;
  let off: () => void;

  beforeEach(() => {
    clock = new FakeClock(T0);
    timeline = new ScriptedTimeline();
    gate = new AnnouncementGate(timeline, clock, { lookaheadMs: 120_000, pollMs: 1000 });
    changes = 0;
    off = gate.onChange(() => changes++);
  });
  afterEach(() => gate.stop());

  it('closes from the lookahead before an announcement, stays closed while it plays, opens after it', () => {
    timeline.due = [{ at: T0 + 600_000, title: 'Welcome' }];
    assert.deepEqual(gate.isOpen(), { open: true });
    clock.advance(480_000 - 1000);
    assert.equal(gate.isOpen().open, true, 'open until 120 s before');
    assert.equal(changes, 0);
    clock.advance(1000);
    assert.deepEqual(gate.isOpen(), { open: false, reason: 'announcement due in 120 s: Welcome' });
    assert.equal(changes, 1);
    clock.advance(120_000);
    timeline.due = [];
    timeline.air = 'Welcome';
    assert.deepEqual(gate.isOpen(), { open: false, reason: 'announcement playing: Welcome' });
    clock.advance(5000);
    timeline.air = null;
    clock.advance(1000);
    assert.deepEqual(gate.isOpen(), { open: true });
    assert.equal(changes, 2);
  });

  it('is closed during an emergency, whatever else', () => {
    timeline.alarm = true;
    assert.deepEqual(gate.isOpen(), { open: false, reason: 'emergency announcement' });
    timeline.alarm = false;
    assert.deepEqual(gate.isOpen(), { open: true });
  });

  it('looks only while someone listens', () => {
    assert.equal(clock.pending, 1);
    off();
    assert.equal(clock.pending, 0);
    timeline.air = 'Closing time';
    clock.advance(10_000);
    assert.equal(changes, 0);
    assert.equal(gate.isOpen().open, false, 'isOpen() still answers');
  });
});

describe('announcementTimeline (the speaker’s scheduler and live inserts, for the gate)', () => {
  it('counts live inserts (one waiting for its asset too) and the store’s emergency before it plays', () => {
    const inserts = { emergencyWanted: false, nextInsert: () => ({ at: T0 - 5000, title: 'Spill in aisle 4' }) };
    const timeline = announcementTimeline({ scheduler: () => undefined, inserts });
    assert.deepEqual(timeline.nextDue(T0), { at: T0 - 5000, title: 'Spill in aisle 4' });
    assert.equal(timeline.onAir(), null, 'no player, nothing on air');
    assert.equal(timeline.emergency(), false);
    inserts.emergencyWanted = true;
    assert.equal(timeline.emergency(), true);
    const gate = new AnnouncementGate(timeline, new FakeClock(T0));
    assert.deepEqual(gate.isOpen(), { open: false, reason: 'emergency announcement' });
    inserts.emergencyWanted = false;
    assert.deepEqual(gate.isOpen(), { open: false, reason: 'announcement due in 0 s: Spill in aisle 4' });
  });
});

describe('AnnouncementGate on the real broadcast scheduler', function () {
  this.timeout(60_000);
  let dir: string;
  const files = new Map<string, string>();

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'announcement-gate-'));
    for (const [name, hz, seconds] of [
      ['music', 400, 4],
      ['welcome', 1500, 1.5],
    ] as const) {
      const { sha256, file } = toneAsset(dir, name, hz, seconds);
      files.set(sha256, file);
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stays open over music, closes before the item, while it plays, and opens when it has ended', async () => {
    const clock = new FakeClock(T0);
    const speaker = speakerOnFakeClock(clock, join(dir, 'gate.wav'), files);
    const at = T0 + 10_000;
    speaker.scheduler.setManifest(
      manifest(T0, {
        assets: [asset(sha('music'), 4000), asset(sha('welcome'), 1500, 'speech')],
        music: [musicWindow('w', T0, T0 + 3_600_000, [sha('music')])],
        items: [item('welcome-1', at, sha('welcome'), 1500)],
      }),
    );
    const gate = new AnnouncementGate(announcementTimeline({ scheduler: () => speaker.scheduler }), clock, {
      lookaheadMs: 5000,
    });
    const seen: string[] = [];
    const off = gate.onChange(() => {
      const state = gate.isOpen();
      seen.push(state.open ? 'open' : state.reason);
    });
    await speaker.start();
    try {
      await speaker.run(4000);
      assert.deepEqual(gate.isOpen(), { open: true }, 'music plays, the item is 6 s away');
      await speaker.run(1000);
      assert.deepEqual(gate.isOpen(), {
        open: false,
        reason: `announcement due in 5 s: asset ${sha('welcome').slice(0, 8)}`,
      });
      await speaker.run(5300);
      assert.deepEqual(gate.isOpen(), {
        open: false,
        reason: `announcement playing: asset ${sha('welcome').slice(0, 8)}`,
      });
      await speaker.run(2500);
      assert.deepEqual(gate.isOpen(), { open: true }, 'music alone again');
      assert.deepEqual(
        seen.map((s) => s.split(':')[0]),
        ['announcement due in 5 s', 'open'],
        'the listener heard it close and open (the item went from due to playing while closed)',
      );
    } finally {
      off();
      gate.stop();
      await speaker.stop();
    }
  });
});
