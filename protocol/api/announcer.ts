import { sha256String } from '../broadcast/manifest.ts';
import { fen, points } from '../commerce/money.ts';
import { LocalizedTextSchema } from '../commerce/text.ts';
import { type FromSchema, integer, nullable, object, oneOfValues } from './json-schema.ts';
import { idString, page, paging } from './parameters.ts';

/**
 * The announcer's contract (issue 9 item 2): template fields, languages, and the API's requests and answers. The
 * template language and the readings are `broadcast/announcer/`; the server, `fleetctl` and the console import the
 * shapes from here.
 */

/** The languages the announcer speaks: eSpeak-NG's Mandarin (`cmn`) and English voices. */
export const ANNOUNCER_LANGUAGES = ['zh', 'en'] as const;
export type AnnouncerLanguage = (typeof ANNOUNCER_LANGUAGES)[number];

/**
 * What a field holds, which decides how it is read aloud: `text` (a name or a label; numbers inside are read as
 * numbers), `fen` (a price in integer fen: 九块九 / "nine yuan ninety"), `time` (`HH:MM`, 24 h: 下午三点半 /
 * "three thirty p.m."), `count` (a whole number: 两百 / "two hundred").
 */
export const FIELD_KINDS = ['text', 'fen', 'time', 'count'] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** Every field a template may name, and its kind. `{store}` is the store's name, `{points}` a number of points. */
export const ANNOUNCER_FIELDS = {
  product: 'text',
  price: 'fen',
  promotion: 'text',
  time: 'time',
  store: 'text',
  points: 'count',
} as const satisfies Record<string, FieldKind>;
export type AnnouncerField = keyof typeof ANNOUNCER_FIELDS;

export const TIME_OF_DAY_PATTERN = '^([01]\\d|2[0-3]):[0-5]\\d$';

/** A text field's value: one text for both languages, or one per language (a catalog product's name). */
const textValue = {
  oneOf: [{ type: 'string', minLength: 1, maxLength: 200 }, LocalizedTextSchema],
} as const;

/** Values for a template's fields; each optional here, required when the template names it. */
export const FieldValuesSchema = object(
  {
    product: textValue,
    price: fen,
    promotion: textValue,
    time: { type: 'string', pattern: TIME_OF_DAY_PATTERN },
    store: textValue,
    points,
  },
  { optional: ['product', 'price', 'promotion', 'time', 'store', 'points'] },
);
export type FieldValues = FromSchema<typeof FieldValuesSchema>;

const templateText = { type: 'string', minLength: 1, maxLength: 1000 } as const;

/** A template's text per language: at least one of them. */
export const TemplateTextSchema = {
  ...object({ zh: templateText, en: templateText }, { optional: ['zh', 'en'] }),
  minProperties: 1,
} as const;
export type TemplateText = FromSchema<typeof TemplateTextSchema>;

/** `PUT /api/announcer/templates/:id`: create or replace. `storeId` null: an HQ template (chain-wide roles only). */
export const TemplateBody = object(
  {
    name: { type: 'string', minLength: 1, maxLength: 120 },
    text: TemplateTextSchema,
    defaults: FieldValuesSchema,
    storeId: nullable(idString),
  },
  { optional: ['defaults'] },
);
export type TemplateBody = FromSchema<typeof TemplateBody, 'checked'>;

export const AnnouncerTemplateSchema = object({
  id: idString,
  name: { type: 'string' },
  text: TemplateTextSchema,
  /** The languages it has a text for. */
  languages: { type: 'array', items: oneOfValues(ANNOUNCER_LANGUAGES) },
  /** The fields its texts name, in order of first appearance. */
  fields: { type: 'array', items: { type: 'string' } },
  defaults: FieldValuesSchema,
  storeId: nullable(idString),
  createdBy: nullable({ type: 'string' }),
  createdAt: integer({ minimum: 0 }),
  updatedAt: integer({ minimum: 0 }),
});
export type AnnouncerTemplate = FromSchema<typeof AnnouncerTemplateSchema>;

export const TemplateParams = object({ id: idString });

/** `GET /api/announcer/templates`: HQ's and the caller's stores' templates (`storeId`: that store's and HQ's). */
export const TemplateListQuery = object(
  { storeId: { type: 'string', minLength: 1, maxLength: 64 }, ...paging },
  { optional: ['storeId', 'limit', 'offset'] },
);
export type TemplateListQuery = FromSchema<typeof TemplateListQuery, 'checked'>;
export const TemplatePageSchema = page(AnnouncerTemplateSchema);

/**
 * What to say (`POST /api/announcer/preview` and `/render`): a stored template (`templateId`) or a raw `text`, in
 * `language`, with `fields` over the template's defaults. `productId` fills `product`, `price` (the store's price)
 * and `promotion` (the label of a promotion running there now) from the catalog, under the given fields. `storeId`:
 * where the asset is for (null: HQ), and whose prices and promotions `productId` reads.
 */
export const SpeechRequestSchema = object(
  {
    templateId: idString,
    text: templateText,
    language: oneOfValues(ANNOUNCER_LANGUAGES),
    fields: FieldValuesSchema,
    productId: { type: 'string', minLength: 1, maxLength: 64 },
    storeId: nullable(idString),
    /** A short tone before the speech (default true). */
    chime: { type: 'boolean' },
  },
  { optional: ['templateId', 'text', 'fields', 'productId', 'storeId', 'chime'] },
);
export type SpeechRequest = FromSchema<typeof SpeechRequestSchema, 'checked'>;

/** The preview's audio: the WAV as synthesised, or Ogg/Opus as the speaker will play it (a tenth of the bytes). */
export const PREVIEW_FORMATS = ['wav', 'opus'] as const;
export type PreviewFormat = (typeof PREVIEW_FORMATS)[number];

/** `POST /api/announcer/preview`: a speech request, and the audio format wanted (default `wav`). */
export const PreviewRequestSchema = object(
  { ...SpeechRequestSchema.properties, format: oneOfValues(PREVIEW_FORMATS) },
  { optional: ['templateId', 'text', 'fields', 'productId', 'storeId', 'chime', 'format'] },
);
export type PreviewRequest = FromSchema<typeof PreviewRequestSchema, 'checked'>;

/** `POST /api/announcer/render`: also a title for the library (default: the spoken text, shortened). */
export const RenderRequestSchema = object(
  { ...SpeechRequestSchema.properties, title: { type: 'string', minLength: 1, maxLength: 200 } },
  { optional: ['templateId', 'text', 'fields', 'productId', 'storeId', 'chime', 'title'] },
);
export type RenderRequest = FromSchema<typeof RenderRequestSchema, 'checked'>;

/** The preview: the text as spoken and the audio, not stored (base64, for the console's player). */
export const PreviewResponseSchema = object({
  text: { type: 'string' },
  language: oneOfValues(ANNOUNCER_LANGUAGES),
  durationMs: integer({ minimum: 0 }),
  audio: object({ mimeType: { type: 'string' }, base64: { type: 'string' } }),
  elapsedMs: integer({ minimum: 0 }),
});
export type PreviewResponse = FromSchema<typeof PreviewResponseSchema>;

/** A stored announcer asset and what it says (the console shows it beside the asset). */
export const AnnouncementSchema = object({
  id: integer({ minimum: 1 }),
  sha256: sha256String,
  title: { type: 'string' },
  text: { type: 'string' },
  language: oneOfValues(ANNOUNCER_LANGUAGES),
  templateId: nullable(idString),
  fields: FieldValuesSchema,
  productId: nullable({ type: 'string' }),
  storeId: nullable(idString),
  durationMs: integer({ minimum: 0 }),
  integratedLufs: { type: 'number' },
  createdBy: nullable({ type: 'string' }),
  createdAt: integer({ minimum: 0 }),
});
export type Announcement = FromSchema<typeof AnnouncementSchema>;

/** `POST /api/announcer/render`: the stored asset, what it says, and how long text → stored asset took. */
export const RenderResponseSchema = object({
  announcement: AnnouncementSchema,
  elapsedMs: integer({ minimum: 0 }),
});
export type RenderResponse = FromSchema<typeof RenderResponseSchema>;

/** `GET /api/announcer/announcements`: what the announcer made, newest first (`sha256`: what one asset says). */
export const AnnouncementListQuery = object(
  { storeId: { type: 'string', minLength: 1, maxLength: 64 }, sha256: sha256String, ...paging },
  { optional: ['storeId', 'sha256', 'limit', 'offset'] },
);
export type AnnouncementListQuery = FromSchema<typeof AnnouncementListQuery, 'checked'>;
export const AnnouncementPageSchema = page(AnnouncementSchema);
