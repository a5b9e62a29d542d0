import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { ContentAsset, ContentPage, ContentUploadResult } from '../../protocol/api/content.ts';
import { makeAudio, measure } from '../helpers/audio-fixtures.ts';
import { type ApiUser, apiAs, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const A = 'hf-shanghai-xuhui';
const B = 'hf-hangzhou-binjiang';
const MAX_UPLOAD = 256 * 1024;

describe('content library over HTTP (real fleet, real ffmpeg, real SQLite)', function () {
  this.timeout(60_000);
  let dir: ReturnType<typeof tempDir>;
  let fixtures: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let hq: ApiUser;
  let managerA: ApiUser;
  let managerB: ApiUser;
  let viewer: ApiUser;
  let attendant: ApiUser;
  let tone: Buffer;
  let jingle: Buffer;

  const upload = (token: string, query: string, body: Buffer, type = 'audio/mpeg') =>
    fleet.services.http.instance!.inject({
      method: 'POST',
      url: `/api/content?${query}`,
      headers: { authorization: `Bearer ${token}`, 'content-type': type },
      payload: body,
    });
  const assetsDir = () => join(dir.path, 'broadcast', 'assets');
  const tmpFiles = () => readdirSync(join(dir.path, 'broadcast', 'tmp'));

  before(async () => {
    dir = tempDir();
    fixtures = tempDir('cartfleet-content-fixtures-');
    tone = readFileSync(
      makeAudio(fixtures.path, 'tone.mp3', 'sine=f=523:d=3', ['-af', 'volume=-18dB', '-c:a', 'libmp3lame']),
    );
    jingle = readFileSync(makeAudio(fixtures.path, 'jingle.wav', 'sine=f=660:d=1.5', ['-c:a', 'pcm_s16le']));
    fleet = await startFleet(dir.path, { seedDemoData: true, broadcast: { maxUploadBytes: MAX_UPLOAD } });
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    managerA = await apiUser(fleet, 'manager-a', 'store-manager', { storeIds: [A] });
    managerB = await apiUser(fleet, 'manager-b', 'store-manager', { storeIds: [B] });
    viewer = await apiUser(fleet, 'viewer', 'viewer');
    attendant = await apiUser(fleet, 'attendant', 'attendant', { storeIds: [A] });
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
    fixtures.cleanup();
  });

  it('uploads, normalises and describes an asset; the same upload again is deduplicated, not normalised', async () => {
    const first = await upload(hq.token, 'title=Welcome%20tone&kind=jingle', tone);
    assert.equal(first.statusCode, 200, first.body);
    const { asset, deduplicated } = first.json<ContentUploadResult>();
    assert.equal(deduplicated, false);
    assert.match(asset.sha256, /^[0-9a-f]{64}$/);
    assert.equal(asset.kind, 'jingle');
    assert.equal(asset.storeId, null);
    assert.ok(Math.abs(asset.durationMs - 3000) < 60, String(asset.durationMs));
    assert.ok(Math.abs(asset.loudness.integratedLufs + 16) <= 1);
    assert.ok(asset.input.loudness.integratedLufs < -25);
    assert.equal(asset.waveform.length, 200);
    assert.equal(asset.audioUrl, `/api/content/${asset.sha256}/audio`);
    // Stored content-addressed; measured independently.
    const stored = join(assetsDir(), `${asset.sha256}.opus`);
    assert.ok(Math.abs(measure(stored).lufs + 16) <= 1);
    assert.equal(fleet.services.content.stats().normalised, 1);

    const again = await upload(hq.token, 'title=Another%20name', tone);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json<ContentUploadResult>().deduplicated, true);
    assert.equal(again.json<ContentUploadResult>().asset.sha256, asset.sha256);
    assert.deepEqual(fleet.services.content.stats(), { normalised: 1, deduplicated: 1 });
    assert.equal(readdirSync(assetsDir()).length, 1);
    assert.deepEqual(tmpFiles(), []);

    const audit = await apiAs(fleet, hq.token).get(`/api/audit?action=content.upload`);
    assert.equal(audit.json<{ total: number }>().total, 2);
  });

  it('serves the audio with Range support for seeking', async () => {
    const [asset] = (await apiAs(fleet, hq.token).get('/api/content')).json<ContentPage>().items as [ContentAsset];
    const file = readFileSync(join(assetsDir(), `${asset.sha256}.opus`));
    const whole = await apiAs(fleet, viewer.token).get(asset.audioUrl);
    assert.equal(whole.statusCode, 200);
    assert.equal(whole.headers['content-type'], 'audio/ogg; codecs=opus');
    assert.equal(whole.headers['accept-ranges'], 'bytes');
    assert.ok(whole.rawPayload.equals(file));
    const part = await fleet.services.http.instance!.inject({
      method: 'GET',
      url: asset.audioUrl,
      headers: { authorization: `Bearer ${viewer.token}`, range: 'bytes=100-199' },
    });
    assert.equal(part.statusCode, 206);
    assert.equal(part.headers['content-range'], `bytes 100-199/${file.length}`);
    assert.ok(part.rawPayload.equals(file.subarray(100, 200)));
    const beyond = await fleet.services.http.instance!.inject({
      method: 'GET',
      url: asset.audioUrl,
      headers: { authorization: `Bearer ${viewer.token}`, range: `bytes=${file.length}-` },
    });
    assert.equal(beyond.statusCode, 416);
    assert.equal(beyond.json<{ code: string }>().code, 'RANGE_NOT_SATISFIABLE');
    assert.equal(beyond.headers['content-range'], `bytes */${file.length}`);
  });

  it('refuses bad uploads with their codes and stores nothing', async () => {
    const before = readdirSync(assetsDir()).length;
    const cases: Array<[Buffer, string, number]> = [
      [Buffer.alloc(0), 'AUDIO_EMPTY', 400],
      [Buffer.from('not audio at all\n'.repeat(200)), 'AUDIO_UNDECODABLE', 415],
      [
        readFileSync(makeAudio(fixtures.path, 'silence.wav', 'anullsrc=r=48000:cl=mono', ['-t', '2'])),
        'AUDIO_SILENT',
        422,
      ],
    ];
    for (const [body, code, status] of cases) {
      const res = await upload(hq.token, 'title=bad', body);
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json<{ code: string }>().code, code);
    }
    assert.equal(readdirSync(assetsDir()).length, before);
    assert.deepEqual(tmpFiles(), []);
    assert.equal((await apiAs(fleet, hq.token).get('/api/content')).json<ContentPage>().total, before);
  });

  it('cuts an oversized upload off while streaming: 413 AUDIO_TOO_LARGE before the body is read', async () => {
    // Over a real socket, without Content-Length (chunked): the fleet must count while reading.
    const port = fleet.services.http.port;
    const chunk = Buffer.alloc(16 * 1024, 1);
    const result = await new Promise<{ status: number; body: string; sent: number }>((resolve, reject) => {
      let sent = 0;
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/content?title=huge',
          headers: { authorization: `Bearer ${hq.token}`, 'content-type': 'audio/wav', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            body += d;
          });
          res.on('end', () => {
            req.destroy();
            resolve({ status: res.statusCode ?? 0, body, sent });
          });
        },
      );
      req.on('error', (err) => (sent > MAX_UPLOAD ? undefined : reject(err)));
      // Up to 16x the limit; the answer must come long before.
      const pump = () => {
        while (sent < MAX_UPLOAD * 16) {
          sent += chunk.length;
          if (!req.write(chunk)) return req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    assert.equal(result.status, 413, result.body);
    assert.equal(JSON.parse(result.body).code, 'AUDIO_TOO_LARGE');
    // How much of the rest the client manages to send is the runtime's: Node 20 closes the connection after the
    // answer, Node 22 reads the rest of the body and discards it (never into the spool: the temp dir stays empty).
    assert.deepEqual(tmpFiles(), []);
    // An unknown store: refused before the body is read.
    const nowhere = await upload(hq.token, 'title=x&storeId=no-such-store', tone);
    assert.equal(nowhere.statusCode, 404);
    assert.equal(nowhere.json<{ code: string }>().code, 'STORE_NOT_FOUND');
    // Declared too large: refused unread.
    const declared = await upload(hq.token, 'title=huge', Buffer.alloc(MAX_UPLOAD + 1));
    assert.equal(declared.statusCode, 413);
    assert.equal(declared.json<{ code: string }>().code, 'AUDIO_TOO_LARGE');
  });

  it("scopes a store manager's upload to their store; another store sees it only once it uploads the same audio", async () => {
    const up = await upload(managerA.token, 'title=Store%20A%20jingle&kind=speech', jingle, 'audio/wav');
    assert.equal(up.statusCode, 200, up.body);
    const asset = up.json<ContentUploadResult>().asset;
    assert.equal(asset.storeId, A);
    const url = `/api/content/${asset.sha256}`;
    assert.equal((await apiAs(fleet, managerA.token).get(url)).statusCode, 200);
    assert.equal((await apiAs(fleet, hq.token).get(url)).statusCode, 200);
    const hidden = await apiAs(fleet, managerB.token).get(url);
    assert.equal(hidden.statusCode, 404);
    assert.equal(hidden.json<{ code: string }>().code, 'ASSET_NOT_FOUND');
    assert.equal((await apiAs(fleet, managerB.token).get(`${url}/audio`)).statusCode, 404);
    const listB = (await apiAs(fleet, managerB.token).get('/api/content')).json<ContentPage>();
    assert.ok(!listB.items.some((a) => a.sha256 === asset.sha256));
    // B may not rename or delete it, nor upload into A.
    assert.equal((await apiAs(fleet, managerB.token).patch(url, { title: 'mine' })).statusCode, 404);
    assert.equal((await apiAs(fleet, managerB.token).delete(url)).statusCode, 404);
    const intoA = await upload(managerB.token, `title=x&storeId=${A}`, jingle, 'audio/wav');
    assert.equal(intoA.statusCode, 403);
    // B uploads the same audio: shared, not normalised again.
    const normalised = fleet.services.content.stats().normalised;
    const same = await upload(managerB.token, 'title=Same', jingle, 'audio/wav');
    assert.equal(same.statusCode, 200);
    assert.deepEqual(same.json<ContentUploadResult>().asset.sharedWith, [B]);
    assert.equal(fleet.services.content.stats().normalised, normalised);
    assert.equal((await apiAs(fleet, managerB.token).get(url)).statusCode, 200);
    // B drops its share; A's asset stays.
    assert.equal((await apiAs(fleet, managerB.token).delete(url)).statusCode, 204);
    assert.equal((await apiAs(fleet, managerB.token).get(url)).statusCode, 404);
    assert.equal((await apiAs(fleet, managerA.token).get(url)).statusCode, 200);
    // A renames, then removes it: file and row gone.
    const renamed = await apiAs(fleet, managerA.token).patch(url, { title: 'Store A welcome' });
    assert.equal(renamed.statusCode, 200);
    assert.equal(renamed.json<ContentAsset>().title, 'Store A welcome');
    assert.equal((await apiAs(fleet, managerA.token).delete(url)).statusCode, 204);
    assert.equal((await apiAs(fleet, hq.token).get(url)).statusCode, 404);
    assert.ok(!readdirSync(assetsDir()).includes(`${asset.sha256}.opus`));
  });

  it('roles: a viewer reads but may not write; an attendant may not read; chain content is HQ’s to change', async () => {
    const [hqAsset] = (await apiAs(fleet, hq.token).get('/api/content?storeId=chain')).json<ContentPage>().items as [
      ContentAsset,
    ];
    assert.equal((await apiAs(fleet, viewer.token).get('/api/content')).statusCode, 200);
    const write = await upload(viewer.token, 'title=x', tone);
    assert.equal(write.statusCode, 403);
    assert.equal(write.json<{ code: string }>().code, 'NOT_AUTHORIZED');
    const read = await apiAs(fleet, attendant.token).get('/api/content');
    assert.equal(read.statusCode, 403);
    const patch = await apiAs(fleet, managerA.token).patch(`/api/content/${hqAsset.sha256}`, { title: 'mine' });
    assert.equal(patch.statusCode, 403);
    const del = await apiAs(fleet, managerA.token).delete(`/api/content/${hqAsset.sha256}`);
    assert.equal(del.statusCode, 403);
    assert.equal((await apiAs(fleet, hq.token).get(`/api/content/${hqAsset.sha256}`)).statusCode, 200);
  });

  it('refuses to remove an asset a schedule uses (ASSET_IN_USE), then removes it once free', async () => {
    const [asset] = (await apiAs(fleet, hq.token).get('/api/content?storeId=chain')).json<ContentPage>().items as [
      ContentAsset,
    ];
    let inUse = true;
    fleet.services.content.ports.isInUse = (sha) => inUse && sha === asset.sha256;
    const refused = await apiAs(fleet, hq.token).delete(`/api/content/${asset.sha256}`);
    assert.equal(refused.statusCode, 409);
    assert.equal(refused.json<{ code: string }>().code, 'ASSET_IN_USE');
    assert.ok(readdirSync(assetsDir()).includes(`${asset.sha256}.opus`));
    inUse = false;
    assert.equal((await apiAs(fleet, hq.token).delete(`/api/content/${asset.sha256}`)).statusCode, 204);
    assert.ok(!readdirSync(assetsDir()).includes(`${asset.sha256}.opus`));
  });
});
