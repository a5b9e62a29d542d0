import { statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { ContentAsset, ContentPage, ContentUploadResult } from '../../../protocol/api/content.ts';
import { ASSET_KINDS } from '../../../protocol/broadcast/layers.ts';
import { type CommandGroup, groupHelp, integerOption, parseCommand, required } from '../cli-context.ts';
import { EXIT, usageError } from '../cli-error.ts';
import type { Output } from '../output.ts';

/** The content type an upload is sent with, by extension (the fleet decodes whatever ffmpeg reads either way). */
const CONTENT_TYPES: Record<string, string> = {
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
  '.m4a': 'audio/mp4',
  '.aac': 'audio/aac',
  '.ogg': 'audio/ogg',
  '.opus': 'audio/ogg',
  '.flac': 'audio/flac',
};

export const contentCommands: CommandGroup = {
  name: 'content',
  summary: 'the broadcast content library: upload, list, show, remove audio',
  help: `fleetctl content — audio for the store speakers, normalised to the loudness target

  fleetctl content upload FILE [--title TEXT] [--kind KIND] [--store ID]
  fleetctl content list [--kind KIND] [--store ID|chain] [--search WORDS] [--limit N]
  fleetctl content show SHA256        duration, loudness (input and stored), waveform
  fleetctl content rm SHA256

Uploads take MP3, WAV, AAC/M4A, Ogg/Opus and FLAC; the fleet stores them as Ogg/Opus at the loudness target
(default −16 LUFS, −1.5 dBTP). Kinds: ${ASSET_KINDS.join(', ')} (default music). --title defaults to the file name.
A store manager's upload belongs to their store (--store picks one when they manage several); HQ's is chain-wide
unless --store names a store. The same file uploaded again answers the stored asset.

Examples:
  fleetctl content upload welcome.mp3 --title "Welcome" --kind speech
  fleetctl content list --store hf-shanghai-xuhui
  fleetctl content show 3f5a...`,
  async run(args, ctx) {
    const { values, positionals } = parseCommand(args, {
      title: { type: 'string' },
      kind: { type: 'string' },
      store: { type: 'string' },
      search: { type: 'string' },
      limit: { type: 'string' },
    });
    const [action, target] = positionals;
    if (values.help || !action) return groupHelp(ctx, this, values.help);
    if (values.kind && !(ASSET_KINDS as readonly string[]).includes(values.kind)) {
      throw usageError(`--kind must be one of ${ASSET_KINDS.join(', ')}`);
    }
    switch (action) {
      case 'upload': {
        const path = required(target, 'FILE', 'content');
        let size: number;
        try {
          size = statSync(path).size;
        } catch {
          throw usageError(`cannot read ${path}`);
        }
        const contentType = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
        const title = values.title ?? basename(path, extname(path));
        let lastShown = -1;
        const result = await ctx.api().upload<ContentUploadResult>(
          '/api/content',
          { path, size, contentType },
          { title, kind: values.kind, storeId: values.store },
          (sent, total) => {
            // One line per 5 % (a terminal rewrites it in place): a CI log does not get thousands.
            const percent = total === 0 ? 100 : Math.floor((sent / total) * 100);
            if (percent - lastShown < 5 && sent < total) return;
            lastShown = percent;
            ctx.out.progress(`uploading ${bytes(sent)} / ${bytes(total)} (${percent} %)`);
          },
          () => ctx.out.progress('normalising…'),
        );
        ctx.out.clearProgress();
        if (ctx.out.json) {
          ctx.out.printJson(result);
          return EXIT.ok;
        }
        if (result.deduplicated) ctx.out.note('already in the library: the stored asset is answered');
        showAsset(ctx.out, result.asset);
        return EXIT.ok;
      }
      case 'list': {
        const page = await ctx.api().get<ContentPage>('/api/content', {
          kind: values.kind,
          storeId: values.store,
          q: values.search,
          limit: integerOption(values.limit, '--limit', 1),
        });
        if (ctx.out.json) {
          ctx.out.printJson(page);
          return EXIT.ok;
        }
        ctx.out.table(page.items, [
          { header: 'SHA256', value: (a) => a.sha256.slice(0, 12) },
          { header: 'TITLE', value: (a) => a.title, max: 40 },
          { header: 'KIND', value: (a) => a.kind },
          { header: 'DURATION', value: (a) => duration(a.durationMs), align: 'right' },
          { header: 'LUFS', value: (a) => a.loudness.integratedLufs.toFixed(1), align: 'right' },
          { header: 'STORE', value: (a) => a.storeId ?? 'chain' },
          { header: 'ORIGIN', value: (a) => a.origin },
        ]);
        if (page.total > page.items.length) ctx.out.note(`${page.items.length} of ${page.total} (--limit for more)`);
        return EXIT.ok;
      }
      case 'show': {
        const asset = await ctx.api().get<ContentAsset>(`/api/content/${encodeURIComponent(sha(target))}`);
        if (ctx.out.json) {
          ctx.out.printJson(asset);
          return EXIT.ok;
        }
        showAsset(ctx.out, asset);
        ctx.out.heading('Waveform');
        ctx.out.line(sparkline(asset.waveform));
        return EXIT.ok;
      }
      case 'rm': {
        await ctx.api().delete(`/api/content/${encodeURIComponent(sha(target))}`);
        ctx.out.note('removed');
        return EXIT.ok;
      }
      default:
        throw usageError(`unknown command: content ${action}`, 'see `fleetctl content --help`');
    }
  },
};

function sha(value: string | undefined): string {
  const id = required(value, 'SHA256', 'content');
  if (!/^[0-9a-f]{64}$/.test(id))
    throw usageError('SHA256 is the asset id: 64 hex digits (see `fleetctl content list --json`)');
  return id;
}

function showAsset(out: Output, a: ContentAsset): void {
  out.fields([
    ['sha256', a.sha256],
    ['title', a.title],
    ['kind', a.kind],
    ['origin', a.origin],
    ['store', a.storeId ?? 'chain-wide'],
    ['shared with', a.sharedWith.join(', ') || null],
    ['duration', duration(a.durationMs)],
    ['loudness', `${a.loudness.integratedLufs.toFixed(1)} LUFS, true peak ${a.loudness.truePeakDbtp.toFixed(1)} dBTP`],
    [
      'input',
      `${a.input.loudness.integratedLufs.toFixed(1)} LUFS, true peak ${a.input.loudness.truePeakDbtp.toFixed(1)} dBTP, ${bytes(a.input.bytes)}`,
    ],
    ['gain', `${a.gainDb >= 0 ? '+' : ''}${a.gainDb.toFixed(1)} dB${a.limited ? ' (peaks limited)' : ''}`],
    ['stored', bytes(a.bytes)],
    ['audio', a.audioUrl],
    ['created', `${new Date(a.createdAt).toISOString()} by ${a.createdBy ?? '-'}`],
  ]);
}

function duration(ms: number): string {
  const total = Math.round(ms / 100) / 10;
  if (total < 60) return `${total.toFixed(1)} s`;
  const m = Math.floor(total / 60);
  return `${m}:${String(Math.round(total - m * 60)).padStart(2, '0')}`;
}

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

const BARS = '▁▂▃▄▅▆▇█';

/** The waveform as one line of block characters, 100 wide. */
function sparkline(points: readonly number[]): string {
  const step = Math.max(1, Math.ceil(points.length / 100));
  let line = '';
  for (let i = 0; i < points.length; i += step) {
    const peak = Math.max(...points.slice(i, i + step));
    line += BARS[Math.min(BARS.length - 1, Math.floor(peak * BARS.length))];
  }
  return line;
}
