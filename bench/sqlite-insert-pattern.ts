/**
 * Diagnostic (not part of `npm run bench`): what one telemetry row costs in SQLite, through the fleet's own
 * TelemetryRepository.insertMany (one transaction per 1000 rows, as TelemetryIngest batches), depending on how rows
 * from different devices interleave inside a batch. The telemetry table's indexes are keyed by thing name, so a batch
 * that touches 1000 devices dirties far more B-tree pages (and WAL) than one with long runs per device.
 *
 * Variants on a scratch database only (the fleet's schema and code are untouched): without the secondary index
 * (migration 3 dropped the other one, on received_at), and with synchronous=OFF, to show where the time goes.
 *
 *   npx tsx bench/sqlite-insert-pattern.ts
 */
import { pathToFileURL } from 'node:url';
import { openDatabase } from '../fleet/storage/database.ts';
import { TelemetryRepository } from '../fleet/telemetry/telemetry-repository.ts';
import { silentLogger } from '../platform/log.ts';
import { fmt, markdownTable, median, tempDir } from './lib/common.ts';

const ROWS = 100_000;
const BATCH = 1000;
const THINGS = 1000;

interface Variant {
  label: string;
  /** Consecutive rows per device before the next device's rows (1 = every batch has 1000 different devices). */
  runLength: number;
  dropIndexes?: string[];
  synchronous?: 'OFF';
}

const VARIANTS: Variant[] = [
  {
    label: '1 row per device in turn (1000 devices per batch) — many devices, each sending now and then',
    runLength: 1,
  },
  { label: 'runs of 4 per device (≈ the ingest bench: ≤ 4 in flight per client)', runLength: 4 },
  { label: 'runs of 100 per device', runLength: 100 },
  {
    label: '1 per device, without index telemetry_thing_stream_ts',
    runLength: 1,
    dropIndexes: ['telemetry_thing_stream_ts'],
  },
  { label: '1 per device, synchronous = OFF (no fsync at WAL checkpoints)', runLength: 1, synchronous: 'OFF' },
];

/** µs per row for ROWS rows in batches of BATCH. */
function measure(variant: Variant): number {
  const dir = tempDir('cartfleet-bench-sqlite-');
  const db = openDatabase(dir.path, silentLogger());
  try {
    for (const index of variant.dropIndexes ?? []) db.exec(`DROP INDEX IF EXISTS ${index}`);
    if (variant.synchronous) db.pragma(`synchronous = ${variant.synchronous}`);
    const repository = new TelemetryRepository(db);
    const sequence = new Array<number>(THINGS).fill(0);
    let n = 0;
    let elapsedNs = 0n;
    while (n < ROWS) {
      const batch = [];
      for (let j = 0; j < BATCH; j++, n++) {
        const thing = Math.floor(n / variant.runLength) % THINGS;
        const k = sequence[thing] ?? 0;
        sequence[thing] = k + 1;
        const thingName = `bench-cart-${String(thing).padStart(4, '0')}`;
        const now = Date.now();
        batch.push({
          thingName,
          stream: 'telemetry' as const,
          msgId: `m-${k}`,
          ts: now,
          receivedAt: now,
          metrics: {
            'battery.percent': 87.5,
            zone: 'produce',
            'speed.mps': 0.42,
            locked: false,
            'basket.items': k % 12,
          },
        });
      }
      const started = process.hrtime.bigint();
      repository.insertMany(batch);
      elapsedNs += process.hrtime.bigint() - started;
    }
    return Number(elapsedNs) / 1000 / ROWS;
  } finally {
    db.close();
    dir.cleanup();
  }
}

export function run(reps = 3): string {
  measure(VARIANTS[0] as Variant); // warm-up
  const rows = VARIANTS.map((variant) => {
    const samples = Array.from({ length: reps }, () => measure(variant));
    return [variant.label, fmt(median(samples), 2), samples.map((s) => fmt(s, 2)).join(', ')];
  });
  return [
    `### SQLite insert cost per telemetry row (TelemetryRepository.insertMany, ${BATCH} rows per transaction, ${ROWS} rows, ${THINGS} devices)`,
    '',
    markdownTable(['pattern', 'median µs/row', 'runs'], rows),
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(run());
}
