import assert from 'node:assert/strict';
import { VOICES } from '../../../../broadcast/announcer/voices.ts';
import { readMonoWav } from '../../../../broadcast/announcer/wav.ts';
import { FleetError, isFleetError } from '../../../../protocol/errors.ts';
import {
  announcerFixture,
  BINJIANG,
  type announcerFixture as Fixture,
  HQ,
  MANAGER_XUHUI,
  milkPromotion,
  XUHUI,
} from './announcer-fixture.ts';

async function refusal(p: Promise<unknown>): Promise<FleetError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof FleetError) return err;
    throw err;
  }
  assert.fail('expected a FleetError');
}

const MILK_TEMPLATE = {
  name: '牛奶促销',
  text: { zh: '{product}现价{price}，{promotion}！', en: '{product}, now {price}. {promotion}!' },
  defaults: { price: 1000 },
  storeId: null,
};

describe('Announcer (fake speech and content library, real SQLite)', () => {
  let f: Awaited<ReturnType<typeof Fixture>>;

  beforeEach(async () => {
    f = await announcerFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  it('previews a raw text: the words, the Mandarin voice, a chime before the speech, and nothing stored', async () => {
    const speech = await f.announcer.speak(HQ, {
      text: '{product}只要{price}，{time}截止',
      language: 'zh',
      fields: { product: '鸡蛋12枚装', price: 1290, time: '21:00' },
    });
    assert.equal(speech.text, '鸡蛋十二枚装只要十二块九，晚上九点截止');
    assert.deepEqual(f.speech.calls, [{ text: speech.text, voice: VOICES.zh }]);
    const spoken = readMonoWav(speech.wav);
    // The fake speaks 60 ms a character; the chime, its gap and the tail come on top.
    const bare = [...speech.text].length * 60;
    assert.ok(speech.durationMs > bare + 1000, `${speech.durationMs} ms`);
    const plain = await f.announcer.speak(HQ, { text: speech.text, language: 'zh', chime: false });
    assert.ok(Math.abs(plain.durationMs - (bare + 300)) <= 1, `${plain.durationMs} ms`);
    // The chime is sound, not silence: its first 100 ms have a peak well above zero.
    const chimePeak = Math.max(...spoken.samples.subarray(0, spoken.sampleRate / 10).map(Math.abs));
    assert.ok(chimePeak > 3000, `${chimePeak}`);
    assert.equal(f.ingest.ingested.length, 0);
    assert.deepEqual(f.announcementRows(), []);
    assert.deepEqual(f.tempFiles(), []);
  });

  it('renders a template through the content library and records what the asset says', async () => {
    await f.announcer.templates.put(HQ, 'milk', MILK_TEMPLATE);
    const { announcement, elapsedMs } = await f.announcer.render(MANAGER_XUHUI, {
      templateId: 'milk',
      language: 'en',
      storeId: XUHUI,
      fields: { product: 'Whole milk', promotion: 'Buy 2 get 1 free' },
    });
    assert.equal(announcement.text, 'Whole milk, now ten yuan. Buy two get one free!');
    assert.equal(announcement.templateId, 'milk');
    assert.equal(announcement.storeId, XUHUI);
    assert.deepEqual(announcement.fields, { price: 1000, product: 'Whole milk', promotion: 'Buy 2 get 1 free' });
    assert.ok(elapsedMs >= 0);
    const [ingested] = f.ingest.ingested;
    assert.equal(ingested?.asset.sha256, announcement.sha256);
    assert.deepEqual(ingested?.meta, {
      title: announcement.text,
      kind: 'speech',
      origin: 'announcer',
      storeId: XUHUI,
      createdBy: 'manager-xuhui',
    });
    assert.equal(f.announcementRows().length, 1);
    assert.deepEqual(f.tempFiles(), []);
    const listed = f.announcer.listAnnouncements(MANAGER_XUHUI, { sha256: announcement.sha256, limit: 10, offset: 0 });
    assert.deepEqual(listed.items, [announcement]);
  });

  it('fills product, store price and the running promotion from the catalog; request fields win', async () => {
    await f.promotions.put({ username: 'hq', storeIds: null }, 'milk-3-for-30', milkPromotion());
    await f.catalog.putStorePrice(XUHUI, 'MILK-1L', { priceFen: 990, available: null }, 'hq');
    const xuhui = await f.announcer
      .speak(HQ, { templateId: 'none', language: 'zh', storeId: XUHUI } as never)
      .catch((e: unknown) => e);
    assert.ok(isFleetError(xuhui, 'TEMPLATE_NOT_FOUND'));
    await f.announcer.templates.put(HQ, 'milk', MILK_TEMPLATE);
    const zh = await f.announcer.speak(HQ, {
      templateId: 'milk',
      language: 'zh',
      storeId: XUHUI,
      productId: 'MILK-1L',
    });
    assert.equal(zh.text, '全脂牛奶现价九块九，买二送一！');
    // Binjiang: the chain's price (¥12.30) and no promotion running there, so {promotion} has no value.
    const err = await refusal(
      f.announcer.speak(HQ, { templateId: 'milk', language: 'zh', storeId: BINJIANG, productId: 'MILK-1L' }),
    );
    assert.equal(err.code, 'TEMPLATE_FIELD_MISSING');
    assert.deepEqual(err.details, { fields: ['promotion'] });
    const given = await f.announcer.speak(HQ, {
      templateId: 'milk',
      language: 'en',
      storeId: BINJIANG,
      productId: 'MILK-1L',
      fields: { promotion: 'Fresh today' },
    });
    assert.equal(given.text, 'Whole milk, now twelve yuan thirty. Fresh today!');
    const unknown = await refusal(f.announcer.speak(HQ, { text: '{product}', language: 'zh', productId: 'NOPE' }));
    assert.equal(unknown.code, 'PRODUCT_NOT_FOUND');
  });

  it('stores nothing and leaves no file when the content library refuses, or synthesis fails', async () => {
    f.ingest.refuseNext('AUDIO_NORMALISATION_FAILED');
    const refused = await refusal(f.announcer.render(HQ, { text: '欢迎光临', language: 'zh' }));
    assert.equal(refused.code, 'AUDIO_NORMALISATION_FAILED');
    f.speech.failNext();
    const failed = await refusal(f.announcer.render(HQ, { text: '欢迎光临', language: 'zh' }));
    assert.equal(failed.code, 'TTS_FAILED');
    assert.deepEqual(f.announcementRows(), []);
    assert.deepEqual(f.tempFiles(), []);
    // Positive control: the same request, with nothing told to fail, is stored.
    await f.announcer.render(HQ, { text: '欢迎光临', language: 'zh' });
    assert.equal(f.announcementRows().length, 1);
    assert.deepEqual(f.tempFiles(), []);
  });

  it('keeps store people to their stores: HQ announcements and other stores are refused', async () => {
    const hqWide = await refusal(f.announcer.render(MANAGER_XUHUI, { text: '欢迎光临', language: 'zh' }));
    assert.equal(hqWide.code, 'NOT_AUTHORIZED');
    const other = await refusal(
      f.announcer.render(MANAGER_XUHUI, { text: '欢迎光临', language: 'zh', storeId: BINJIANG }),
    );
    assert.equal(other.code, 'NOT_AUTHORIZED');
    const unknownStore = await refusal(f.announcer.speak(HQ, { text: '欢迎光临', language: 'zh', storeId: 'nowhere' }));
    assert.equal(unknownStore.code, 'STORE_NOT_FOUND');
    await f.announcer.templates.put(HQ, 'binjiang-only', { ...MILK_TEMPLATE, storeId: BINJIANG });
    const hidden = await refusal(
      f.announcer.speak(MANAGER_XUHUI, { templateId: 'binjiang-only', language: 'zh', storeId: XUHUI }),
    );
    assert.equal(hidden.code, 'TEMPLATE_NOT_FOUND');
    assert.deepEqual(f.announcementRows(), []);
    // Positive control: their own store is fine.
    await f.announcer.render(MANAGER_XUHUI, { text: '欢迎光临', language: 'zh', storeId: XUHUI });
    assert.equal(f.announcementRows().length, 1);
  });

  it('asks for exactly one of templateId and text, and for a text in the language asked', async () => {
    const both = await refusal(f.announcer.speak(HQ, { templateId: 'milk', text: 'x', language: 'zh' }));
    assert.equal(both.code, 'BAD_REQUEST');
    const neither = await refusal(f.announcer.speak(HQ, { language: 'zh' }));
    assert.equal(neither.code, 'BAD_REQUEST');
    await f.announcer.templates.put(HQ, 'zh-only', { name: '中文', text: { zh: '欢迎光临' }, storeId: null });
    const noEnglish = await refusal(f.announcer.speak(HQ, { templateId: 'zh-only', language: 'en' }));
    assert.equal(noEnglish.code, 'TEMPLATE_FIELD_MISSING');
    assert.equal(f.speech.calls.length, 0);
  });
});

describe('Announcer templates (scope and checks)', () => {
  let f: Awaited<ReturnType<typeof Fixture>>;

  beforeEach(async () => {
    f = await announcerFixture();
  });
  afterEach(async () => {
    await f.close();
  });

  it('refuses a text with an unknown field (language, field, position) and stores nothing', async () => {
    const err = await refusal(
      f.announcer.templates.put(HQ, 'bad', { name: 'x', text: { zh: '欢迎', en: 'Only {prize}' }, storeId: null }),
    );
    assert.equal(err.code, 'TEMPLATE_FIELD_UNKNOWN');
    assert.deepEqual(err.details, { language: 'en', field: 'prize', position: 5 });
    assert.equal(f.announcer.templates.list(HQ, { limit: 10, offset: 0 }).total, 0);
  });

  it('reports languages and fields; the scope rules of HQ and store templates', async () => {
    const { template, created } = await f.announcer.templates.put(HQ, 'milk', MILK_TEMPLATE);
    assert.equal(created, true);
    assert.deepEqual(template.languages, ['zh', 'en']);
    assert.deepEqual(template.fields, ['product', 'price', 'promotion']);
    const notHq = await refusal(f.announcer.templates.put(MANAGER_XUHUI, 'milk', { ...MILK_TEMPLATE, storeId: XUHUI }));
    assert.equal(notHq.code, 'NOT_AUTHORIZED');
    const otherStore = await refusal(
      f.announcer.templates.put(MANAGER_XUHUI, 'mine', { ...MILK_TEMPLATE, storeId: BINJIANG }),
    );
    assert.equal(otherStore.code, 'NOT_AUTHORIZED');
    await f.announcer.templates.put(MANAGER_XUHUI, 'xuhui-hello', {
      name: '欢迎',
      text: { zh: '欢迎光临{store}' },
      storeId: XUHUI,
    });
    await f.announcer.templates.put(HQ, 'binjiang-hello', { name: '欢迎', text: { zh: '欢迎' }, storeId: BINJIANG });
    const ids = (actor: typeof HQ | typeof MANAGER_XUHUI) =>
      f.announcer.templates.list(actor, { limit: 10, offset: 0 }).items.map((t) => t.id);
    assert.deepEqual(ids(HQ), ['binjiang-hello', 'milk', 'xuhui-hello']);
    assert.deepEqual(ids(MANAGER_XUHUI), ['milk', 'xuhui-hello']);
    const hidden = await refusal(f.announcer.templates.delete(MANAGER_XUHUI, 'binjiang-hello'));
    assert.equal(hidden.code, 'TEMPLATE_NOT_FOUND');
    const hqOne = await refusal(f.announcer.templates.delete(MANAGER_XUHUI, 'milk'));
    assert.equal(hqOne.code, 'NOT_AUTHORIZED');
  });

  it('a deleted template leaves its announcements, without the template link', async () => {
    await f.announcer.templates.put(HQ, 'milk', MILK_TEMPLATE);
    await f.announcer.render(HQ, {
      templateId: 'milk',
      language: 'zh',
      fields: { product: '牛奶', promotion: '第2件半价' },
    });
    await f.announcer.templates.delete(HQ, 'milk');
    const [row] = f.announcer.listAnnouncements(HQ, { limit: 10, offset: 0 }).items;
    assert.equal(row?.templateId, null);
    assert.equal(row?.text, '牛奶现价十块，第二件半价！');
  });

  it('speaks the new text after a template changes (the parsed text is per version)', async () => {
    await f.announcer.templates.put(HQ, 'hello', { name: 'x', text: { zh: '欢迎光临' }, storeId: null });
    assert.equal((await f.announcer.speak(HQ, { templateId: 'hello', language: 'zh' })).text, '欢迎光临');
    f.clock.advance(1000);
    await f.announcer.templates.put(HQ, 'hello', { name: 'x', text: { zh: '欢迎再来' }, storeId: null });
    assert.equal((await f.announcer.speak(HQ, { templateId: 'hello', language: 'zh' })).text, '欢迎再来');
  });
});
