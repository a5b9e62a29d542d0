import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMonoWav } from '../../broadcast/announcer/wav.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { resolveFfmpeg } from '../../platform/ffmpeg-binary.ts';
import { DEFAULT_LOUDNESS_TARGET } from '../../protocol/broadcast/audio-format.ts';
import { CATEGORIES_CSV, PRODUCTS_CSV } from '../fleet/catalog/catalog-fixture.ts';
import { type ApiUser, apiAs, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';

const A = 'hf-shanghai-xuhui';
const B = 'hf-hangzhou-binjiang';

const PROMO = {
  name: '牛奶促销',
  text: { zh: '{product}现价{price}，{promotion}！活动{time}结束。', en: '{product}, now {price}! Ends at {time}.' },
  defaults: { time: '21:00' },
  storeId: null,
};

/** Integrated loudness of a file, measured by ffmpeg's ebur128 (EBU R128), independently of the ingest. */
function measuredLufs(path: string): number {
  const out = spawnSync(
    resolveFfmpeg().path,
    ['-hide_banner', '-nostats', '-i', path, '-af', 'ebur128', '-f', 'null', '-'],
    {
      encoding: 'utf8',
    },
  );
  const summary = out.stderr.slice(out.stderr.lastIndexOf('Summary:'));
  return Number(/I:\s+(-?[\d.]+) LUFS/.exec(summary)?.[1]);
}

describe('announcer over HTTP (real fleet, real eSpeak in a worker, the real content library)', function () {
  this.timeout(90_000);
  let dir: ReturnType<typeof tempDir>;
  let fleet: FleetServer;
  let library: string;
  let hq: ApiUser;
  let managerA: ApiUser;
  let viewer: ApiUser;
  let attendant: ApiUser;

  before(async () => {
    dir = tempDir();
    fleet = await startFleet(dir.path, { seedDemoData: true });
    library = join(dir.path, 'broadcast', 'assets');
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    managerA = await apiUser(fleet, 'manager-a', 'store-manager', { storeIds: [A] });
    viewer = await apiUser(fleet, 'viewer', 'viewer');
    attendant = await apiUser(fleet, 'attendant', 'attendant', { storeIds: [A] });
    const s = fleet.services;
    await s.catalog.import({ format: 'csv', text: CATEGORIES_CSV, table: 'categories' }, false);
    await s.catalog.import({ format: 'csv', text: PRODUCTS_CSV, table: 'products' }, false);
  });

  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  it('keeps templates: HQ writes one, a viewer reads it, an unknown field is refused and nothing is stored', async () => {
    const bad = await apiAs(fleet, hq.token).put('/api/announcer/templates/bad', {
      ...PROMO,
      text: { zh: '{product}打{discount}折' },
    });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().code, 'TEMPLATE_FIELD_UNKNOWN');
    assert.deepEqual(bad.json().details, { language: 'zh', field: 'discount', position: 10 });
    assert.equal((await apiAs(fleet, hq.token).get('/api/announcer/templates/bad')).json().code, 'TEMPLATE_NOT_FOUND');

    const put = await apiAs(fleet, hq.token).put('/api/announcer/templates/milk-promo', PROMO);
    assert.equal(put.statusCode, 200, put.body);
    assert.deepEqual(put.json().fields, ['product', 'price', 'promotion', 'time']);
    const read = await apiAs(fleet, viewer.token).get('/api/announcer/templates');
    assert.deepEqual(
      read.json().items.map((t: { id: string }) => t.id),
      ['milk-promo'],
    );
    const audit = await apiAs(fleet, hq.token).get('/api/audit?action=announcer.template.create');
    assert.equal(audit.json().total, 1);
  });

  it('previews a product promotion (Chinese, audio in the answer) and stores nothing', async () => {
    const res = await apiAs(fleet, managerA.token).post('/api/announcer/preview', {
      templateId: 'milk-promo',
      language: 'zh',
      storeId: A,
      productId: 'MILK-1L',
      fields: { promotion: '第2件半价' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.text, '全脂牛奶现价十二块三，第二件半价！活动晚上九点结束。');
    assert.equal(body.audio.mimeType, 'audio/wav');
    const wav = readMonoWav(Buffer.from(body.audio.base64, 'base64'));
    assert.ok(wav.samples.length / wav.sampleRate > 3, 'seconds of speech');
    assert.equal((await apiAs(fleet, hq.token).get('/api/announcer/announcements')).json().total, 0);
    assert.deepEqual(existsSync(library) ? readdirSync(library) : [], []);
  });

  it('previews in the device format on request (Ogg/Opus that ffmpeg decodes), still storing nothing', async () => {
    const res = await apiAs(fleet, hq.token).post('/api/announcer/preview', {
      text: '欢迎光临',
      language: 'zh',
      format: 'opus',
    });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().audio.mimeType, 'audio/ogg; codecs=opus');
    const ogg = Buffer.from(res.json().audio.base64, 'base64');
    assert.equal(ogg.subarray(0, 4).toString('latin1'), 'OggS');
    const file = join(dir.path, 'preview.opus');
    writeFileSync(file, ogg);
    assert.ok(measuredLufs(file) > -40, 'decodes to sound');
    assert.equal((await apiAs(fleet, hq.token).get('/api/announcer/announcements')).json().total, 0);
    const bad = await apiAs(fleet, hq.token).post('/api/announcer/preview', {
      text: '欢迎',
      language: 'zh',
      format: 'mp3',
    });
    assert.equal(bad.json().code, 'BAD_REQUEST');
  });

  it('renders to a stored, normalised asset that says what the console lists, audited', async () => {
    const res = await apiAs(fleet, managerA.token).post('/api/announcer/render', {
      templateId: 'milk-promo',
      language: 'en',
      storeId: A,
      fields: { product: 'Whole milk', price: 990, promotion: 'unused' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const { announcement, elapsedMs } = res.json();
    assert.equal(announcement.text, 'Whole milk, now nine yuan ninety! Ends at nine p.m.');
    assert.ok(elapsedMs > 0);
    const file = join(library, `${announcement.sha256}.opus`);
    assert.ok(existsSync(file));
    const lufs = measuredLufs(file);
    assert.ok(
      Math.abs(lufs - DEFAULT_LOUDNESS_TARGET.integratedLufs) <= DEFAULT_LOUDNESS_TARGET.toleranceLu,
      `${lufs}`,
    );
    const listed = await apiAs(fleet, viewer.token).get(`/api/announcer/announcements?sha256=${announcement.sha256}`);
    assert.deepEqual(listed.json().items, [announcement]);
    const audit = await apiAs(fleet, hq.token).get('/api/audit?action=announcer.render');
    assert.equal(audit.json().items[0].targetId, announcement.sha256);
    assert.equal(audit.json().items[0].storeId, A);
    assert.deepEqual(readdirSync(join(dir.path, 'tmp', 'announcer')), []);
  });

  it('answers by role and scope: 403 for roles without the permission or outside their stores', async () => {
    const say = { text: '欢迎光临', language: 'zh' };
    const forbidden = [
      await apiAs(fleet, viewer.token).post('/api/announcer/render', { ...say, storeId: A }),
      await apiAs(fleet, attendant.token).get('/api/announcer/templates'),
      await apiAs(fleet, managerA.token).post('/api/announcer/render', { ...say, storeId: B }),
      await apiAs(fleet, managerA.token).post('/api/announcer/preview', say),
      await apiAs(fleet, managerA.token).put('/api/announcer/templates/milk-promo', { ...PROMO, storeId: A }),
    ];
    assert.deepEqual(
      forbidden.map((r) => [r.statusCode, r.json().code]),
      Array(5).fill([403, 'NOT_AUTHORIZED']),
    );
    const before = (await apiAs(fleet, hq.token).get('/api/announcer/announcements')).json().total;
    // Positive control: the manager's own store.
    const own = await apiAs(fleet, managerA.token).post('/api/announcer/preview', { ...say, storeId: A });
    assert.equal(own.statusCode, 200, own.body);
    assert.equal((await apiAs(fleet, hq.token).get('/api/announcer/announcements')).json().total, before);
  });

  it('refuses bad requests with a code: missing fields, a field not in the contract, a template and a text', async () => {
    const missing = await apiAs(fleet, hq.token).post('/api/announcer/preview', {
      templateId: 'milk-promo',
      language: 'zh',
    });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().code, 'TEMPLATE_FIELD_MISSING');
    assert.deepEqual(missing.json().details, { fields: ['product', 'price', 'promotion'] });
    const unknownValue = await apiAs(fleet, hq.token).post('/api/announcer/preview', {
      text: '欢迎',
      language: 'zh',
      fields: { discount: 8 },
    });
    assert.equal(unknownValue.statusCode, 400);
    assert.equal(unknownValue.json().code, 'BAD_REQUEST');
    const both = await apiAs(fleet, hq.token).post('/api/announcer/preview', {
      text: '欢迎',
      templateId: 'milk-promo',
      language: 'zh',
    });
    assert.equal(both.json().code, 'BAD_REQUEST');
  });
});
