import { readFileSync, writeFileSync } from 'node:fs';
import {
  ANNOUNCER_FIELDS,
  ANNOUNCER_LANGUAGES,
  type AnnouncerTemplate,
  type FieldValues,
  type PreviewResponse,
  type RenderResponse,
  TIME_OF_DAY_PATTERN,
} from '../../../protocol/api/announcer.ts';
import type { Page } from '../../../protocol/api/parameters.ts';
import { type CommandGroup, groupHelp, integerOption, parseCommand, required } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';

const FIELD_HELP = Object.entries(ANNOUNCER_FIELDS)
  .map(([name, kind]) => `${name} (${kind === 'fen' ? 'integer fen: 990 is ¥9.90' : kind === 'time' ? 'HH:MM' : kind})`)
  .join(', ');

export const announcerCommands: CommandGroup = {
  name: 'announcer',
  summary: 'speak templates with fields (preview or save as an asset), manage templates',
  help: `fleetctl announcer — text templates turned into store announcements (zh, en)

  fleetctl announcer say (--template ID | --text TEXT) [--field NAME=VALUE ...] [--lang zh|en]
                         [--store ID] [--product SKU] [--no-chime] [--out FILE.wav|.opus] [--save [--title T]]
  fleetctl announcer templates [--store ID]
  fleetctl announcer template ID
  fleetctl announcer put ID FILE       a template as JSON: {"name", "text": {"zh", "en"}, "defaults", "storeId"}
  fleetctl announcer delete ID
  fleetctl announcer list [--store ID] [--limit N]     what the announcer made, newest first

Fields: ${FIELD_HELP}.
Without --save, say previews: it prints the words (and writes the audio with --out: Ogg/Opus for a .opus or
.ogg file, WAV otherwise) and stores nothing.
With --save the audio is normalised and stored in the content library; the asset's sha256 is printed.
--product fills product, price (the store's) and promotion (one running now) from the catalog.

Examples:
  fleetctl announcer say --template milk-promo --field product=牛奶 --field price=990 --lang zh --out milk.wav
  fleetctl announcer say --text "{product}, now {price}!" --product MILK-1L --store hf-shanghai-xuhui --lang en --save`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      template: { type: 'string' },
      text: { type: 'string' },
      field: { type: 'string', multiple: true },
      lang: { type: 'string', default: 'zh' },
      store: { type: 'string' },
      product: { type: 'string' },
      'no-chime': { type: 'boolean', default: false },
      out: { type: 'string' },
      save: { type: 'boolean', default: false },
      title: { type: 'string' },
      limit: { type: 'string' },
    });
    const [action, target, file] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    switch (action) {
      case 'say': {
        if ((values.template === undefined) === (values.text === undefined)) {
          throw usageError('give one of --template ID and --text TEXT');
        }
        if (!(ANNOUNCER_LANGUAGES as readonly string[]).includes(values.lang)) {
          throw usageError(`--lang must be one of ${ANNOUNCER_LANGUAGES.join(', ')}`);
        }
        if (values.title !== undefined && !values.save) throw usageError('--title names a saved asset: add --save');
        const request = {
          ...(values.template !== undefined ? { templateId: values.template } : { text: values.text }),
          language: values.lang,
          fields: parseFields(values.field ?? []),
          ...(values.store !== undefined ? { storeId: values.store } : {}),
          ...(values.product !== undefined ? { productId: values.product } : {}),
          ...(values['no-chime'] ? { chime: false } : {}),
        };
        if (values.save) {
          const rendered = await ctx.api().post<RenderResponse>('/api/announcer/render', {
            ...request,
            ...(values.title !== undefined ? { title: values.title } : {}),
          });
          if (ctx.out.json) {
            ctx.out.printJson(rendered);
            return EXIT.ok;
          }
          const a = rendered.announcement;
          ctx.out.line(a.text);
          ctx.out.fields([
            ['asset', a.sha256],
            ['duration', `${(a.durationMs / 1000).toFixed(1)} s`],
            ['loudness', `${a.integratedLufs} LUFS`],
            ['made in', `${rendered.elapsedMs} ms`],
          ]);
          return EXIT.ok;
        }
        // The file's extension picks the format: .opus or .ogg is what the speaker plays, anything else a WAV.
        const opus = values.out !== undefined && /\.(opus|ogg)$/i.test(values.out);
        const preview = await ctx
          .api()
          .post<PreviewResponse>('/api/announcer/preview', { ...request, ...(opus ? { format: 'opus' } : {}) });
        if (values.out !== undefined) writeFileSync(values.out, Buffer.from(preview.audio.base64, 'base64'));
        if (ctx.out.json) {
          const { audio: _audio, ...rest } = preview;
          ctx.out.printJson(values.out !== undefined ? { ...rest, file: values.out } : rest);
          return EXIT.ok;
        }
        ctx.out.line(preview.text);
        ctx.out.fields([
          ['duration', `${(preview.durationMs / 1000).toFixed(1)} s`],
          ['made in', `${preview.elapsedMs} ms`],
          ['audio', values.out ?? 'not written (--out FILE.wav); nothing stored (--save stores it)'],
        ]);
        return EXIT.ok;
      }
      case 'templates': {
        const page = await ctx.api().get<Page<AnnouncerTemplate>>('/api/announcer/templates', {
          storeId: values.store,
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.table(
          page.items,
          [
            { header: 'ID', value: (t) => t.id },
            { header: 'NAME', value: (t) => t.name, max: 24 },
            { header: 'LANG', value: (t) => t.languages.join(',') },
            { header: 'FIELDS', value: (t) => t.fields.join(','), max: 30 },
            { header: 'STORE', value: (t) => t.storeId ?? 'HQ' },
          ],
          '(no templates)',
        );
        return EXIT.ok;
      }
      case 'template': {
        const id = required(target, 'the template ID', 'announcer');
        ctx.out.printJson(await ctx.api().get<AnnouncerTemplate>(`/api/announcer/templates/${encodeURIComponent(id)}`));
        return EXIT.ok;
      }
      case 'put': {
        const id = required(target, 'the template ID', 'announcer');
        const path = required(file, 'the FILE holding the template', 'announcer');
        let body: unknown;
        try {
          body = JSON.parse(readFileSync(path, 'utf8'));
        } catch (err) {
          throw usageError(`cannot read ${path} as JSON: ${(err as Error).message}`);
        }
        const saved = await ctx
          .api()
          .put<AnnouncerTemplate>(`/api/announcer/templates/${encodeURIComponent(id)}`, body);
        if (ctx.out.json) ctx.out.printJson(saved);
        else
          ctx.out.line(
            `Template ${saved.id} saved (${saved.languages.join(', ')}; fields ${saved.fields.join(', ')}).`,
          );
        return EXIT.ok;
      }
      case 'delete': {
        const id = required(target, 'the template ID', 'announcer');
        await ctx.api().delete(`/api/announcer/templates/${encodeURIComponent(id)}`);
        if (!ctx.out.json) ctx.out.line(`Template ${id} deleted.`);
        return EXIT.ok;
      }
      case 'list': {
        const page = await ctx.api().get<Page<RenderResponse['announcement']>>('/api/announcer/announcements', {
          storeId: values.store,
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.table(
          page.items,
          [
            { header: 'ASSET', value: (a) => a.sha256.slice(0, 12) },
            { header: 'LANG', value: (a) => a.language },
            { header: 'TEXT', value: (a) => a.text, max: 48 },
            { header: 'TEMPLATE', value: (a) => a.templateId ?? '-' },
            { header: 'STORE', value: (a) => a.storeId ?? 'HQ' },
            { header: 'MADE', value: (a) => ctx.out.ago(a.createdAt) },
          ],
          '(nothing made yet)',
        );
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: announcer ${action}`, 'see `fleetctl announcer --help`');
    }
  },
};

/** `--field NAME=VALUE` as the API's field values, each checked against its kind here (exit 2, not a round trip). */
export function parseFields(pairs: string[]): FieldValues {
  const fields: Record<string, string | number> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = at === -1 ? pair : pair.slice(0, at);
    const value = at === -1 ? '' : pair.slice(at + 1);
    if (!Object.hasOwn(ANNOUNCER_FIELDS, name)) {
      throw usageError(`unknown field '${name}'`, `the fields are ${Object.keys(ANNOUNCER_FIELDS).join(', ')}`);
    }
    const kind = ANNOUNCER_FIELDS[name as keyof typeof ANNOUNCER_FIELDS];
    if (kind === 'fen' || kind === 'count') {
      if (!/^\d+$/.test(value)) {
        throw usageError(`--field ${name}= takes a whole number${kind === 'fen' ? ' of fen (990 is ¥9.90)' : ''}`);
      }
      fields[name] = Number(value);
    } else if (kind === 'time') {
      if (!new RegExp(TIME_OF_DAY_PATTERN).test(value)) throw usageError(`--field ${name}= takes HH:MM (24 h)`);
      fields[name] = value;
    } else {
      if (!value) throw usageError(`--field ${name}= needs a value`);
      fields[name] = value;
    }
  }
  return fields as FieldValues;
}
