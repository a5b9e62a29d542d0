import { statfs } from 'node:fs/promises';
import { freemem, totalmem } from 'node:os';
import { LOG_LEVEL_VALUES, MAX_COMMAND_RESPONSE_BYTES } from '../../protocol/commands.ts';
import type { CommandHandler } from './command-channel.ts';
import type { DeviceRestarter } from './device-restarter.ts';
import type { Diagnostics } from './diagnostics.ts';
import type { LogRing } from './log-ring.ts';

/** Room left in an answer for its envelope (commandId, status, JSON punctuation). */
const ENVELOPE_BYTES = 1024;
/** Below this much free space on the data dir's disk, or free memory, a check fails. */
const MIN_FREE_PERCENT = 10;

/** `diagnostics`: runs every registered check now. */
export function diagnosticsCommand(diagnostics: Diagnostics): CommandHandler<'diagnostics'> {
  return async () => ({ result: { checks: await diagnostics.run() } });
}

/**
 * `logs`: the last `lines` lines of the ring (at `level` and above), oldest first. The oldest are left out when
 * the answer would pass {@link MAX_COMMAND_RESPONSE_BYTES} (`truncated: true`).
 */
export function logsCommand(ring: LogRing): CommandHandler<'logs'> {
  return ({ lines, level }) => {
    const picked = ring.tail(lines, level ? LOG_LEVEL_VALUES[level] : 0);
    let bytes = 0;
    let first = picked.length;
    // JSON.stringify of a line escapes quotes: measure what will really be sent.
    while (first > 0) {
      const size = Buffer.byteLength(JSON.stringify(picked[first - 1])) + 1;
      if (bytes + size > MAX_COMMAND_RESPONSE_BYTES - ENVELOPE_BYTES) break;
      bytes += size;
      first--;
    }
    return { result: { lines: picked.slice(first), truncated: first > 0 } };
  };
}

/** `reboot`: answers first (the answer is the only proof it was received), then restarts. */
export function rebootCommand(restarter: DeviceRestarter): CommandHandler<'reboot'> {
  return () => ({ result: { rebooting: true }, afterAnswer: () => restarter.restart() });
}

/** The checks every device has: board, broker, outbox, disk and memory headroom. */
export function addCoreChecks(
  diagnostics: Diagnostics,
  parts: {
    boardReady: () => boolean;
    brokerConnected: () => boolean;
    outboxDepth: () => number;
    outboxCapacity: number;
    dataDir: string;
  },
): void {
  diagnostics.add('board', () => {
    const ok = parts.boardReady();
    return { ok, detail: ok ? 'johnny-five board ready' : 'board not ready' };
  });
  diagnostics.add('broker', () => {
    const ok = parts.brokerConnected();
    return { ok, detail: ok ? 'connected' : 'not connected' };
  });
  diagnostics.add('outbox', () => {
    const depth = parts.outboxDepth();
    // Past half full the device has been offline (or throttled) long enough to be looked at.
    return { ok: depth < parts.outboxCapacity / 2, detail: `${depth} of ${parts.outboxCapacity} messages waiting` };
  });
  diagnostics.add('disk', async () => {
    const s = await statfs(parts.dataDir);
    const free = Math.round((s.bavail / s.blocks) * 1000) / 10;
    return { ok: free >= MIN_FREE_PERCENT, detail: `${free}% free on the data dir's disk` };
  });
  diagnostics.add('memory', () => {
    const free = Math.round((freemem() / totalmem()) * 1000) / 10;
    const rssMb = Math.round(process.memoryUsage.rss() / 1_048_576);
    return { ok: free >= MIN_FREE_PERCENT, detail: `${free}% of memory free; runtime uses ${rssMb} MB` };
  });
}
