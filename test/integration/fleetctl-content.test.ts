import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { ContentAsset, ContentPage, ContentUploadResult } from '../../protocol/api/content.ts';
import { makeAudio } from '../helpers/audio-fixtures.ts';
import { type ApiUser, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { type FleetctlRun, runFleetctl, succeeded } from '../helpers/fleetctl-run.ts';

describe('fleetctl content (real fleet, real ffmpeg, CLI in a child process)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let viewer: ApiUser;

  const fleetctl = (args: string[], user: ApiUser = hq): Promise<FleetctlRun> =>
    runFleetctl(`http://127.0.0.1:${fleet.services.http.port}`, user.token, join(dir.path, 'xdg'), args);

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(join(dir.path, 'fleet'), { seedDemoData: true });
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    viewer = await apiUser(fleet, 'viewer', 'viewer');
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('uploads with a progress line, lists, shows and removes', async () => {
    // ~200 KB: several progress lines.
    const file = makeAudio(dir.path, 'morning-music.flac', 'anoisesrc=d=4:c=pink:a=0.1', ['-c:a', 'flac']);
    const up = succeeded(
      await fleetctl(['content', 'upload', file, '--kind', 'music', '--store', 'hf-shanghai-xuhui']),
    );
    assert.match(up.stderr, /uploading \d+(\.\d)? KB \/ \d+(\.\d)? KB \(100 %\)/);
    assert.match(up.stderr, /normalising…/);
    assert.ok(up.stderr.indexOf('(100 %)') < up.stderr.indexOf('normalising…'));
    const sha = /sha256\s+([0-9a-f]{64})/.exec(up.stdout)?.[1];
    assert.ok(sha, up.stdout);
    assert.match(up.stdout, /title\s+morning-music/);
    assert.match(up.stdout, /duration\s+4\.0 s/);
    assert.match(up.stdout, /loudness\s+-1[5-7]\.\d LUFS/);
    assert.match(up.stdout, /store\s+hf-shanghai-xuhui/);

    const again = succeeded(await fleetctl(['content', 'upload', file, '--store', 'hf-shanghai-xuhui', '--json']));
    assert.equal(JSON.parse(again.stdout).deduplicated, true);
    assert.equal((JSON.parse(again.stdout) as ContentUploadResult).asset.sha256, sha);

    const list = succeeded(await fleetctl(['content', 'list']));
    assert.match(list.stdout, /morning-music\s+music\s+4\.0 s\s+-1[5-7]\.\d\s+hf-shanghai-xuhui\s+upload/);
    const json = JSON.parse(succeeded(await fleetctl(['content', 'list', '--json'])).stdout) as ContentPage;
    assert.equal(json.total, 1);

    const show = succeeded(await fleetctl(['content', 'show', sha]));
    assert.match(show.stdout, /Waveform\n[▁▂▃▄▅▆▇█]{100}/);
    const shown = JSON.parse(succeeded(await fleetctl(['content', 'show', sha, '--json'])).stdout) as ContentAsset;
    assert.equal(shown.waveform.length, 200);

    const refused = await fleetctl(['content', 'rm', sha], viewer);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /NOT_AUTHORIZED/);
    succeeded(await fleetctl(['content', 'rm', sha]));
    const gone = await fleetctl(['content', 'show', sha]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /ASSET_NOT_FOUND/);
  });

  it('reports a refused upload with its code', async () => {
    const silent = makeAudio(dir.path, 'silence.wav', 'anullsrc=r=48000:cl=mono', ['-t', '2']);
    const run = await fleetctl(['content', 'upload', silent]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /AUDIO_SILENT/);
    const usage = await fleetctl(['content', 'upload', silent, '--kind', 'noise']);
    assert.equal(usage.code, 2);
  });
});
