import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shiftDay } from '../broadcast/uplift/uplift-calculation.ts';
import type { FleetServices } from '../fleet/fleet-server.ts';
import { resolveFfmpeg } from '../platform/ffmpeg-binary.ts';
import type { CampaignBody } from '../protocol/api/broadcast-schedule.ts';
import { DEMO_TRACKS, writeDemoTrack } from './demo-music.ts';
import type { DemoPromo } from './demo-sales-history.ts';

/** The demo's broadcast programme, seeded once (the ids say whether it is there). */
export const DEMO_PROGRAMME_ID = 'demo-ambient';
export const DEMO_PROMO_CAMPAIGN_ID = 'demo-milk-shelf';

const HQ = { username: 'demo', storeIds: null } as const;
const allStores = { all: true, regions: [], tags: [], storeIds: [] };
const boxes = { roles: ['broadcast' as const], zoneIds: [], thingNames: [] };

/**
 * Every demo speaker plays a real programme (issue 9 item 11), loaded through the fleet's own services as HQ would:
 * generated ambient music (sim/demo-music.ts) normalised by the content library; announcements rendered by the
 * announcer from templates (a welcome in both languages, the milk promotion with its live price, closing time); a
 * programme playing the music all day (the store's hours make it quiet at night); an HQ campaign welcoming shoppers
 * every 15 minutes between tracks; the Xuhui store's own milk promotion over the music (ducked) every 20 minutes; and
 * the milk promo at the dairy shelf's promo speakers, played when a shopper (PIR) or a cart comes near. Idempotent:
 * a data dir that has the programme keeps what it has.
 */
export async function loadDemoBroadcast(services: FleetServices, promos: readonly DemoPromo[]): Promise<boolean> {
  const { content, announcer, broadcastSchedule: schedule, stores } = services;
  if (schedule.listProgrammes(HQ).some((p) => p.programme.id === DEMO_PROGRAMME_ID)) return false;
  const ffmpeg = resolveFfmpeg().path;
  const dir = mkdtempSync(join(tmpdir(), 'cartfleet-demo-music-'));
  const music: string[] = [];
  try {
    for (const [i, track] of DEMO_TRACKS.entries()) {
      const path = join(dir, `track-${i}.wav`);
      await writeDemoTrack(ffmpeg, track, path);
      const asset = await content.ingestFile(path, {
        title: track.title,
        kind: 'music',
        origin: 'upload',
        storeId: null,
        createdBy: 'demo',
      });
      music.push(asset.sha256);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  await announcer.templates.put(HQ, 'demo-welcome', {
    name: 'Welcome',
    text: {
      zh: '欢迎光临{store}，祝您购物愉快。推着智能购物车，扫码即可自助结账。',
      en: 'Welcome to {store}. Scan as you shop with a smart cart, and pay right at the cart.',
    },
    defaults: { store: '海港超市' },
    storeId: null,
  });
  await announcer.templates.put(HQ, 'demo-promo', {
    name: 'Product promotion',
    text: {
      zh: '{product}，今天只要{price}！欢迎到乳品区选购。',
      en: '{product}, today only {price}! Find it in the dairy aisle.',
    },
    storeId: null,
  });
  await announcer.templates.put(HQ, 'demo-closing', {
    name: 'Closing time',
    text: {
      zh: '各位顾客，本店将于{time}打烊，请您抓紧时间选购，并到收银区或在购物车上结账。',
      en: 'Dear customers, the store closes at {time}. Please finish your shopping and pay at the checkout or on your cart.',
    },
    defaults: { time: '22:00' },
    storeId: null,
  });
  const render = async (templateId: string, language: 'zh' | 'en', title: string, extra: object = {}) =>
    (await announcer.render(HQ, { templateId, language, title, ...extra })).announcement.sha256;
  const welcomeZh = await render('demo-welcome', 'zh', 'Welcome (zh)');
  const welcomeEn = await render('demo-welcome', 'en', 'Welcome (en)');
  const milk = promos[0]?.sku ?? 'DAIRY-MILK-1-1';
  const xuhui = stores.listStores()[0]?.id ?? 'hf-shanghai-xuhui';
  const promoZh = await render('demo-promo', 'zh', 'Milk promotion (zh)', { productId: milk, storeId: null });
  const closingZh = await render('demo-closing', 'zh', 'Closing time (zh)');

  // From the promo period's first day (the uplift report's period), so the campaigns were running all of it.
  const validFrom = promos[0]?.fromDay ?? shiftDay(new Date().toISOString().slice(0, 10), -13);
  await schedule.putProgramme(HQ, DEMO_PROGRAMME_ID, {
    id: DEMO_PROGRAMME_ID,
    name: 'Ambient music, all day',
    layer: 'ambient',
    stores: allStores,
    speakers: boxes,
    slots: [
      {
        id: 'all-day',
        recurrence: { rule: 'FREQ=DAILY;BYHOUR=0;BYMINUTE=0', validFrom, validUntil: null },
        durationMinutes: 24 * 60,
        playlist: music,
        shuffle: true,
      },
    ],
  });
  const campaign = (id: string, body: Omit<CampaignBody, 'id'>) => schedule.putCampaign(HQ, id, { id, ...body });
  const noPromo = { caps: { maxPerHour: null, minGapMinutes: null }, promo: null } as const;
  await campaign('demo-welcome', {
    name: 'Welcome, every 15 minutes',
    kind: 'announcement',
    layer: 'hq_campaign',
    assets: [welcomeZh, welcomeEn],
    recurrence: { rule: 'FREQ=MINUTELY;INTERVAL=15', validFrom, validUntil: null },
    entry: 'between_tracks',
    maxDelayMs: 5 * 60_000,
    stores: allStores,
    speakers: boxes,
    optPolicy: 'opt_out',
    ...noPromo,
  });
  await campaign('demo-closing', {
    name: 'Closing time',
    kind: 'announcement',
    layer: 'hq_campaign',
    assets: [closingZh],
    recurrence: { rule: 'FREQ=DAILY;BYHOUR=21;BYMINUTE=45', validFrom, validUntil: null },
    entry: 'interrupt',
    maxDelayMs: 60_000,
    stores: allStores,
    speakers: boxes,
    optPolicy: 'mandatory',
    ...noPromo,
  });
  await campaign('demo-milk-xuhui', {
    name: 'Milk of the week (Xuhui)',
    kind: 'announcement',
    layer: 'store_campaign',
    assets: [promoZh],
    recurrence: { rule: 'FREQ=MINUTELY;INTERVAL=20', validFrom, validUntil: null },
    entry: 'overlay',
    maxDelayMs: 5 * 60_000,
    stores: { ...allStores, all: false, storeIds: [xuhui] },
    speakers: boxes,
    optPolicy: 'mandatory',
    caps: { maxPerHour: 3, minGapMinutes: 15 },
    promo: null,
  });
  await campaign(DEMO_PROMO_CAMPAIGN_ID, {
    name: 'Milk at the dairy shelf',
    kind: 'promo',
    layer: 'hq_campaign',
    assets: [promoZh],
    recurrence: { rule: 'FREQ=DAILY;BYHOUR=0;BYMINUTE=0', validFrom, validUntil: null },
    entry: 'overlay',
    maxDelayMs: 0,
    caps: { maxPerHour: null, minGapMinutes: null },
    stores: allStores,
    speakers: { roles: ['promo'], zoneIds: [], thingNames: [] },
    optPolicy: 'mandatory',
    promo: {
      productId: milk,
      windowMinutes: 24 * 60,
      cooldownMs: 45_000,
      maxPerHour: 30,
      minBatteryPercent: 15,
      targetSplDb: 60,
      maxSplDb: 68,
    },
  });
  return true;
}
