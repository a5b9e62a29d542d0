import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeAnnouncement } from '../../../broadcast/announcer/announcement-audio.ts';
import { type ParsedTemplate, parseTemplate, renderTemplate } from '../../../broadcast/announcer/template.ts';
import { VOICES } from '../../../broadcast/announcer/voices.ts';
import { durationMs, readMonoWav, writeMonoWav } from '../../../broadcast/announcer/wav.ts';
import type { Clock } from '../../../platform/clock.ts';
import { resolveFfmpeg } from '../../../platform/ffmpeg-binary.ts';
import type { Logger } from '../../../platform/log.ts';
import type {
  Announcement,
  AnnouncerLanguage,
  FieldValues,
  PreviewFormat,
  RenderRequest,
  RenderResponse,
  SpeechRequest,
} from '../../../protocol/api/announcer.ts';
import { DEVICE_AUDIO_FORMAT } from '../../../protocol/broadcast/audio-format.ts';
import { FleetError } from '../../../protocol/errors.ts';
import type { Database } from '../../storage/database.ts';
import type { DatabaseWriter } from '../../storage/database-writer.ts';
import { AnnouncementRepository } from './announcement-repository.ts';
import { type AnnouncerActor, AnnouncerTemplates, mayUseStore } from './announcer-templates.ts';
import type { AssetIngest } from './asset-ingest.ts';
import { encodeOpusPreview } from './opus-preview.ts';
import type { ProductFieldSource } from './product-fields.ts';
import { SpeechPool, type SpeechSynthesizer } from './speech-pool.ts';

export interface AnnouncerOptions {
  /** Synthesis threads (speech-pool.ts). */
  speechThreads: number;
  /** Where a render's WAV waits for the content library (removed after, whatever happens). */
  tempDir: string;
  writeDeadlineMs: number;
  /** ffmpeg for Opus previews (`platform/ffmpeg-binary.ts`); resolved on the first Opus preview when not given. */
  ffmpegPath?: string | null;
}

export interface AnnouncerDeps {
  db: Database;
  writer: DatabaseWriter;
  ingest: AssetIngest;
  products: ProductFieldSource;
  storeExists: (storeId: string) => boolean;
  clock: Clock;
  log: Logger;
  /** Instead of the worker pool (unit tests: test/mocks/fake-speech.ts). */
  speech?: SpeechSynthesizer;
}

/** Spoken text and its audio, not stored: a preview, or what a render hands the content library. */
export interface Speech {
  text: string;
  language: AnnouncerLanguage;
  /** WAV, 16-bit mono at the synthesiser's rate, chime included. */
  wav: Uint8Array;
  durationMs: number;
  fields: FieldValues;
  template: { id: string; storeId: string | null } | null;
  storeId: string | null;
}

const TITLE_CHARS = 60;

/**
 * The announcer (issue 9 item 2): template or raw text + field values (+ a catalog product) → the words a store
 * announcer says (broadcast/announcer/) → eSpeak-NG in worker threads → chime + speech WAV → the content library
 * (`AssetIngest`), which normalises and stores it; the announcement row records what the asset says. A preview stops
 * before the library and stores nothing.
 */
export class Announcer {
  readonly templates: AnnouncerTemplates;
  readonly announcements: AnnouncementRepository;
  private pool: SpeechPool | undefined;
  private speech: SpeechSynthesizer | undefined;
  private ffmpeg: string | undefined;

  constructor(
    private readonly deps: AnnouncerDeps,
    private readonly options: AnnouncerOptions,
  ) {
    this.templates = new AnnouncerTemplates(deps.db, deps.writer, deps.storeExists, deps.clock, options);
    this.announcements = new AnnouncementRepository(deps.db);
  }

  async start(): Promise<void> {
    mkdirSync(this.options.tempDir, { recursive: true });
    if (this.deps.speech) {
      this.speech = this.deps.speech;
      return;
    }
    this.pool = new SpeechPool(this.options.speechThreads, this.deps.log.child({ component: 'speech' }));
    await this.pool.start();
    this.speech = this.pool;
  }

  async stop(): Promise<void> {
    const pool = this.pool;
    this.pool = undefined;
    this.speech = undefined;
    await pool?.stop();
  }

  /** The words and the audio, nothing stored. Codes: TEMPLATE_*, PRODUCT_NOT_FOUND, STORE_NOT_FOUND, TTS_FAILED. */
  async speak(actor: AnnouncerActor, request: SpeechRequest): Promise<Speech> {
    const speech = this.speech;
    if (!speech) throw new FleetError('TTS_FAILED', 'the announcer is not running');
    const { parsed, template, storeId } = this.source(actor, request);
    const fields: FieldValues = {
      ...(template?.defaults ?? {}),
      ...(request.productId !== undefined
        ? this.deps.products.fieldsFor(request.productId, storeId, this.deps.clock.now())
        : {}),
      ...(request.fields ?? {}),
    };
    const text = renderTemplate(parsed, fields, request.language);
    if (!text) throw new FleetError('TEMPLATE_FIELD_MISSING', 'nothing to say: the text is empty', { fields: [] });
    const raw = await speech.synthesize(text, VOICES[request.language]);
    const pcm = composeAnnouncement(readMonoWav(raw), { chime: request.chime ?? true });
    return {
      text,
      language: request.language,
      wav: writeMonoWav(pcm),
      durationMs: durationMs(pcm),
      fields,
      template: template ? { id: template.id, storeId: template.storeId } : null,
      storeId,
    };
  }

  /**
   * Speaks, hands the WAV to the content library and records what the asset says. Nothing is recorded when the
   * library refuses it; the temporary WAV is removed either way.
   */
  async render(actor: AnnouncerActor, request: RenderRequest): Promise<RenderResponse> {
    const started = performance.now();
    const speech = await this.speak(actor, request);
    const path = join(this.options.tempDir, `announcement-${randomUUID()}.wav`);
    const title = request.title ?? shorten(speech.text);
    let asset: Awaited<ReturnType<AssetIngest['ingestFile']>>;
    try {
      writeFileSync(path, speech.wav);
      asset = await this.deps.ingest.ingestFile(path, {
        title,
        kind: 'speech',
        origin: 'announcer',
        storeId: speech.storeId,
        createdBy: actor.username,
      });
    } finally {
      rmSync(path, { force: true });
    }
    const announcement = await this.deps.writer.write(
      'announcement',
      () =>
        this.announcements.insert({
          sha256: asset.sha256,
          title: asset.title,
          text: speech.text,
          language: speech.language,
          templateId: speech.template?.id ?? null,
          fields: speech.fields,
          productId: request.productId ?? null,
          storeId: speech.storeId,
          durationMs: asset.durationMs,
          integratedLufs: asset.integratedLufs,
          createdBy: actor.username,
          createdAt: this.deps.clock.now(),
        }),
      { deadlineMs: this.options.writeDeadlineMs },
    );
    return { announcement, elapsedMs: Math.round(performance.now() - started) };
  }

  /**
   * The preview's audio in the format asked: the WAV as made, or Ogg/Opus (the device format) through ffmpeg.
   * FFMPEG_UNAVAILABLE when no ffmpeg is found.
   */
  async previewAudio(speech: Speech, format: PreviewFormat): Promise<{ mimeType: string; bytes: Uint8Array }> {
    if (format === 'wav') return { mimeType: 'audio/wav', bytes: speech.wav };
    this.ffmpeg ??= resolveFfmpeg(this.options.ffmpegPath).path;
    return { mimeType: DEVICE_AUDIO_FORMAT.mimeType, bytes: await encodeOpusPreview(this.ffmpeg, speech.wav) };
  }

  listAnnouncements(
    actor: AnnouncerActor,
    query: { storeId?: string; sha256?: string; limit: number; offset: number },
  ): { items: Announcement[]; total: number } {
    if (query.storeId !== undefined && !mayUseStore(actor, query.storeId)) return { items: [], total: 0 };
    return this.announcements.list(actor.storeIds, query, query.limit, query.offset);
  }

  /** The parsed text to speak, the template it came from, and the store it is for. */
  private source(
    actor: AnnouncerActor,
    request: SpeechRequest,
  ): { parsed: ParsedTemplate; template: ReturnType<AnnouncerTemplates['get']> | undefined; storeId: string | null } {
    if ((request.templateId === undefined) === (request.text === undefined)) {
      throw new FleetError('BAD_REQUEST', 'give either templateId or text');
    }
    const template = request.templateId === undefined ? undefined : this.templates.get(actor, request.templateId);
    // A store's template speaks for its store; an HQ template for the store asked for (HQ's own when none is).
    const storeId = request.storeId !== undefined ? request.storeId : (template?.storeId ?? null);
    if (template?.storeId != null && storeId !== template.storeId) {
      throw new FleetError('BAD_REQUEST', `template '${template.id}' belongs to store '${template.storeId}'`);
    }
    if (storeId !== null && !this.deps.storeExists(storeId)) {
      throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
    }
    if (!mayUseStore(actor, storeId)) {
      throw new FleetError(
        'NOT_AUTHORIZED',
        storeId === null ? 'only HQ makes chain-wide announcements: name one of your stores' : `not your store`,
      );
    }
    const text = template ? template.text[request.language] : request.text;
    if (text === undefined) {
      throw new FleetError('TEMPLATE_FIELD_MISSING', `template '${template?.id}' has no ${request.language} text`, {
        fields: [],
      });
    }
    return {
      parsed: template ? this.templates.parsed(template, request.language) : parseTemplate(text),
      template,
      storeId,
    };
  }
}

function shorten(text: string): string {
  return text.length <= TITLE_CHARS ? text : `${text.slice(0, TITLE_CHARS - 1)}…`;
}
