import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isFleetError } from '../../../protocol/errors.ts';
import type { CameraFailureReason, CameraStatus } from '../../../protocol/vision/camera.ts';
import { FfmpegCamera, type FfmpegCameraOptions } from '../../../vision/camera/ffmpeg-camera.ts';
import { FakeClock } from '../../mocks/fake-clock.ts';
import { eventually, waitFor } from '../../mocks/wait-for.ts';

/** A real ffmpeg reading its own test pattern at its native rate (`-re`): no /dev/video needed. */
const TEST_PATTERN: Partial<FfmpegCameraOptions> = {
  inputFormat: 'lavfi',
  device: 'testsrc2=size=320x240:rate=15',
  inputOptions: ['-re'],
  width: 160,
  height: 120,
  captureTimeoutMs: 20_000,
};

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

async function rejectsFor(promise: Promise<unknown>, reason: CameraFailureReason): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isFleetError(err, 'CAMERA_UNAVAILABLE'), String(err));
    assert.equal((err.details as { reason: string }).reason, reason);
    return true;
  });
}

describe('FfmpegCamera', () => {
  const cameras: FfmpegCamera[] = [];
  let dir: string;
  const camera = (options: Partial<FfmpegCameraOptions>, clock?: FakeClock): FfmpegCamera => {
    const c = new FfmpegCamera(options, clock);
    cameras.push(c);
    return c;
  };
  /** A stand-in ffmpeg: a shell script that ignores its arguments. */
  const script = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ffmpeg-camera-'));
  });
  afterEach(async () => {
    await Promise.all(cameras.splice(0).map((c) => c.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('captures frames of the configured size from a real ffmpeg, each taken after the call', async () => {
    const cam = camera(TEST_PATTERN);
    assert.equal(cam.status().reason, 'stopped');
    await rejectsFor(cam.capture(1), 'stopped');
    await cam.start();
    assert.equal(cam.status().ok, true);
    const first = await cam.capture(1000);
    assert.equal(first.width, 160);
    assert.equal(first.height, 120);
    assert.equal(first.rgb.length, 160 * 120 * 3);
    assert.ok(first.at >= 1000);
    // testsrc2 is a colour pattern: many distinct byte values, not a blank frame.
    assert.ok(new Set(first.rgb).size > 50);
    const second = await cam.capture(first.at);
    // testsrc2 moves and prints a running clock: a later frame differs.
    assert.notDeepEqual(second.rgb, first.rgb);
    assert.equal(cam.streamStarts, 1, 'one stream served both captures');
  });

  it('stop() leaves no ffmpeg behind and fails the capture that waited', async () => {
    const cam = camera({ ...TEST_PATTERN, device: 'testsrc2=size=320x240:rate=1' });
    await cam.start();
    await cam.capture(0);
    const pid = cam.streamPid as number;
    assert.ok(pid > 0);
    const waiting = rejectsFor(cam.capture(0), 'stopped');
    await cam.stop();
    await waiting;
    assert.ok(gone(pid), `ffmpeg ${pid} is still running`);
    assert.equal(cam.streamPid, undefined);
    assert.deepEqual([cam.status().ok, cam.status().reason], [false, 'stopped']);
  });

  it('a missing V4L2 device: status not ok at start, captures refused without starting ffmpeg', async () => {
    const cam = camera({ inputFormat: 'v4l2', device: '/dev/video-none' });
    await cam.start();
    assert.deepEqual([cam.status().ok, cam.status().reason], [false, 'device-missing']);
    await rejectsFor(cam.capture(0), 'device-missing');
    cam.wake();
    assert.equal(cam.streamStarts, 0);
  });

  it('ffmpeg saying it cannot open the device fails the capture as device-missing', async () => {
    // `video4linux2` is ffmpeg's other name for v4l2: the camera does not pre-check it, so ffmpeg itself fails.
    const cam = camera({ inputFormat: 'video4linux2', device: '/dev/video-none', captureTimeoutMs: 20_000 });
    await cam.start();
    await rejectsFor(cam.capture(0), 'device-missing');
    assert.equal(cam.status().reason, 'device-missing');
    assert.match(cam.status().detail ?? '', /video-none/);
    assert.equal(cam.streamStarts, 1);
  });

  it('ffmpeg killed mid-stream: status goes not ok, the next capture restarts the stream', async () => {
    const cam = camera(TEST_PATTERN);
    const seen: CameraStatus[] = [];
    cam.onStatus((s) => seen.push(s));
    await cam.start();
    await cam.capture(0);
    const pid = cam.streamPid as number;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !cam.status().ok, 'the status to go not ok', 10_000);
    assert.equal(cam.status().reason, 'ffmpeg-exited');
    const frame = await cam.capture(0);
    assert.equal(frame.rgb.length, 160 * 120 * 3);
    assert.equal(cam.streamStarts, 2);
    assert.notEqual(cam.streamPid, pid);
    assert.equal(cam.status().ok, true);
    assert.deepEqual(
      seen.map((s) => s.reason),
      [null, 'ffmpeg-exited', null],
    );
  });

  it('opens the stream on wake() and closes it after idleMs without a capture (fake clock)', async () => {
    const clock = new FakeClock();
    const cam = camera({ ...TEST_PATTERN, idleMs: 5000 }, clock);
    await cam.start();
    assert.equal(cam.streamPid, undefined, 'not run continuously');
    cam.wake();
    // (read through a function: the assertion above narrowed the property to undefined)
    const pid = ((c: FfmpegCamera) => c.streamPid ?? 0)(cam);
    assert.ok(pid > 0);
    const frame = await cam.capture(clock.now());
    assert.equal(frame.at, clock.now());
    clock.advance(4999);
    assert.equal(cam.streamPid, pid, 'still open before the idle time');
    clock.advance(1);
    assert.equal(cam.streamPid, undefined);
    await eventually(() => gone(pid), 5000, 'ffmpeg to end');
    assert.equal(cam.status().ok, true, 'closing when idle is no failure');
  });

  it('no frame within captureTimeoutMs: the capture fails as timeout and the silent ffmpeg is killed', async () => {
    const clock = new FakeClock();
    const silent = script('silent-ffmpeg', 'exec sleep 60');
    const cam = camera({ ...TEST_PATTERN, ffmpegPath: silent, captureTimeoutMs: 3000 }, clock);
    await cam.start();
    const capture = cam.capture(clock.now());
    const pid = cam.streamPid as number;
    clock.advance(3000);
    await rejectsFor(capture, 'timeout');
    assert.equal(cam.status().reason, 'timeout');
    await eventually(() => gone(pid), 5000, 'the silent ffmpeg to be killed');
  });

  it('a stream that ends inside a frame fails as bad-frame-size', async () => {
    const short = script('short-ffmpeg', 'head -c 1000 /dev/zero; exit 0');
    const cam = camera({ ...TEST_PATTERN, ffmpegPath: short });
    await cam.start();
    await rejectsFor(cam.capture(0), 'bad-frame-size');
  });

  it('no ffmpeg binary: status ffmpeg-missing, captures refused', async () => {
    const cam = camera({ ...TEST_PATTERN, ffmpegPath: join(dir, 'no-such-ffmpeg') });
    await cam.start();
    assert.deepEqual([cam.status().ok, cam.status().reason], [false, 'ffmpeg-missing']);
    await rejectsFor(cam.capture(0), 'ffmpeg-missing');
  });
});
