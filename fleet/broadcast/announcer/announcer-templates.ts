import { type ParsedTemplate, parseTemplate } from '../../../broadcast/announcer/template.ts';
import type { Clock } from '../../../platform/clock.ts';
import {
  ANNOUNCER_LANGUAGES,
  type AnnouncerField,
  type AnnouncerLanguage,
  type AnnouncerTemplate,
  type TemplateBody,
} from '../../../protocol/api/announcer.ts';
import { FleetError, isFleetError } from '../../../protocol/errors.ts';
import type { Database } from '../../storage/database.ts';
import type { DatabaseWriter } from '../../storage/database-writer.ts';
import { type TemplateRecord, TemplateRepository } from './template-repository.ts';

/** Who acts: their name and stores (`null`: the whole chain, a chain-wide role). */
export interface AnnouncerActor {
  username: string;
  storeIds: ReadonlySet<string> | null;
}

/** Whether the actor may make or read things for `storeId` (null: HQ's, chain-wide roles only). */
export function mayUseStore(actor: AnnouncerActor, storeId: string | null): boolean {
  if (actor.storeIds === null) return true;
  return storeId !== null && actor.storeIds.has(storeId);
}

/**
 * Templates, scoped: HQ's (store null) are read by everyone and written by chain-wide roles; a store's are read and
 * written by that store's people. One out of the caller's scope answers TEMPLATE_NOT_FOUND, as an unknown one does.
 * Every text is parsed when written (TEMPLATE_FIELD_UNKNOWN names the language, field and position), and parsed
 * once more per language and version when first spoken, then reused.
 */
export class AnnouncerTemplates {
  readonly repository: TemplateRepository;
  private readonly parsedCache = new Map<string, ParsedTemplate>();

  constructor(
    db: Database,
    private readonly writer: DatabaseWriter,
    private readonly storeExists: (storeId: string) => boolean,
    private readonly clock: Clock,
    private readonly options: { writeDeadlineMs: number },
  ) {
    this.repository = new TemplateRepository(db);
  }

  get(actor: AnnouncerActor, id: string): AnnouncerTemplate {
    const record = this.repository.get(id);
    if (!record || (record.storeId !== null && !mayUseStore(actor, record.storeId))) {
      throw new FleetError('TEMPLATE_NOT_FOUND', `no template '${id}'`);
    }
    return withParts(record);
  }

  list(actor: AnnouncerActor, query: { storeId?: string; limit: number; offset: number }) {
    if (query.storeId !== undefined && !mayUseStore(actor, query.storeId)) return { items: [], total: 0 };
    const page = this.repository.list(actor.storeIds, query.storeId, query.limit, query.offset);
    return { items: page.items.map(withParts), total: page.total };
  }

  /** The parsed text of one language, parsed once per template version. */
  parsed(template: AnnouncerTemplate, language: AnnouncerLanguage): ParsedTemplate {
    const key = `${template.id}\u0000${template.updatedAt}\u0000${language}`;
    let parsed = this.parsedCache.get(key);
    if (!parsed) {
      parsed = parseTemplate(template.text[language] as string);
      this.parsedCache.set(key, parsed);
    }
    return parsed;
  }

  async put(
    actor: AnnouncerActor,
    id: string,
    body: TemplateBody,
  ): Promise<{ template: AnnouncerTemplate; created: boolean; before: AnnouncerTemplate | null }> {
    for (const language of ANNOUNCER_LANGUAGES) {
      const text = body.text[language];
      if (text === undefined) continue;
      try {
        parseTemplate(text);
      } catch (err) {
        if (!isFleetError(err, 'TEMPLATE_FIELD_UNKNOWN')) throw err;
        throw new FleetError(err.code, `${language}: ${err.message}`, { language, ...(err.details as object) });
      }
    }
    if (body.storeId !== null && !this.storeExists(body.storeId)) {
      throw new FleetError('STORE_NOT_FOUND', `no store '${body.storeId}'`);
    }
    this.requireWritable(actor, body.storeId);
    const result = await this.writer.write(
      'announcer template',
      () => {
        const before = this.repository.get(id);
        if (before) this.requireWritable(actor, before.storeId);
        const created = this.repository.put(
          { id, name: body.name, text: body.text, defaults: body.defaults ?? {}, storeId: body.storeId },
          actor.username,
          this.clock.now(),
        );
        return { created, before };
      },
      { deadlineMs: this.options.writeDeadlineMs },
    );
    this.forget(id);
    return {
      template: withParts(this.repository.get(id) as TemplateRecord),
      created: result.created,
      before: result.before ? withParts(result.before) : null,
    };
  }

  async delete(actor: AnnouncerActor, id: string): Promise<AnnouncerTemplate> {
    const template = await this.writer.write(
      'announcer template delete',
      () => {
        const found = this.get(actor, id);
        this.requireWritable(actor, found.storeId);
        this.repository.delete(id);
        return found;
      },
      { deadlineMs: this.options.writeDeadlineMs },
    );
    this.forget(id);
    return template;
  }

  private requireWritable(actor: AnnouncerActor, storeId: string | null): void {
    if (mayUseStore(actor, storeId)) return;
    throw new FleetError(
      'NOT_AUTHORIZED',
      storeId === null ? 'HQ templates are written by HQ: give one of your stores' : `store '${storeId}' is not yours`,
    );
  }

  private forget(id: string): void {
    for (const key of this.parsedCache.keys()) if (key.startsWith(`${id}\u0000`)) this.parsedCache.delete(key);
  }
}

function withParts(record: TemplateRecord): AnnouncerTemplate {
  const languages = ANNOUNCER_LANGUAGES.filter((l) => record.text[l] !== undefined);
  const fields: AnnouncerField[] = [];
  for (const language of languages) {
    for (const field of parseTemplate(record.text[language] as string).fields) {
      if (!fields.includes(field)) fields.push(field);
    }
  }
  return { ...record, languages, fields };
}
