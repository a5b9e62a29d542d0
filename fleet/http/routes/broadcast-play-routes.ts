import {
  PLAY_REPORT_CSV_COLUMNS,
  PLAY_REPORT_DEFAULT_DAYS,
  PlayListQuery,
  PlayPageSchema,
  type PlayReport,
  PlayReportQuery,
  PlayReportSchema,
} from '../../../protocol/api/broadcast-plays.ts';
import { FleetError } from '../../../protocol/errors.ts';
import { inScope, type Principal } from '../../access/principal.ts';
import type { PlayFilter } from '../../broadcast/plays/play-repository.ts';
import { type HttpDeps, principal } from '../route-support.ts';
import type { ApiApp } from '../schema-type-provider.ts';

/**
 * Proof of play (issue 9 item 8): the plays speakers logged, and reports per campaign, store or speaker with a
 * per-day series and a CSV export. `broadcast:read`; a store-scoped caller sees its stores' plays only, and a store
 * outside its scope answers 404 STORE_NOT_FOUND, as for an unknown one (the rule of every store-scoped route).
 */
export function broadcastPlayRoutes(app: ApiApp, deps: HttpDeps): void {
  const plays = deps.playRepository;

  app.get(
    '/api/broadcast/plays',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags: ['broadcast'],
        summary: 'Plays the speakers logged (proof of play), newest first',
        querystring: PlayListQuery,
        response: { 200: PlayPageSchema },
      },
    },
    async (req) => {
      const { limit, offset, storeId, ...rest } = req.query;
      const filter: PlayFilter = { ...rest, storeIds: storesFor(principal(req), storeId) };
      return plays.list(filter, limit, offset);
    },
  );

  app.get(
    '/api/broadcast/plays/report',
    {
      config: { permission: 'broadcast:read' },
      schema: {
        tags: ['broadcast'],
        summary: 'Plays, airtime, outcomes and presence triggers per campaign, store or speaker, with a daily series',
        description: '`format=csv` answers the rows as text/csv with a header line.',
        querystring: PlayReportQuery,
        response: { 200: PlayReportSchema },
      },
    },
    async (req, reply) => {
      const { groupBy, storeId, format } = req.query;
      const to = req.query.to ?? deps.clock.now();
      const from = req.query.from ?? to - PLAY_REPORT_DEFAULT_DAYS * 86_400_000;
      if (to <= from) throw new FleetError('BAD_REQUEST', '`to` must be after `from`');
      const filter: PlayFilter = { from, to, storeIds: storesFor(principal(req), storeId) };
      const report: PlayReport = {
        groupBy,
        from,
        to,
        rows: plays.totals(groupBy, filter).map(({ pir, cart, ...row }) => ({ ...row, presence: { pir, cart } })),
        days: plays.perDay(groupBy, filter),
      };
      if (format !== 'csv') return report;
      const name = `plays-by-${groupBy}-${new Date(from).toISOString().slice(0, 10)}.csv`;
      // A string with a non-JSON type is sent as is (the response schema describes the JSON answer).
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(toCsv(report) as never);
    },
  );
}

/** The stores a query covers: the one asked for (if in scope), else the caller's (undefined: every store). */
function storesFor(p: Principal, storeId: string | undefined): readonly string[] | undefined {
  if (storeId !== undefined) {
    if (!inScope(p, storeId)) throw new FleetError('STORE_NOT_FOUND', `no store '${storeId}'`);
    return [storeId];
  }
  return p.storeIds === null ? undefined : [...p.storeIds];
}

/** RFC 4180: CRLF line ends, a field with a comma, quote or line break quoted with its quotes doubled. */
function toCsv(report: PlayReport): string {
  const lines = [PLAY_REPORT_CSV_COLUMNS.join(',')];
  for (const r of report.rows) {
    const fields = [
      r.key ?? '',
      r.plays,
      r.airtimeMs,
      r.completed,
      r.interrupted,
      r.skipped,
      r.presence.pir,
      r.presence.cart,
    ];
    lines.push(fields.map((f) => csvField(String(f))).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}

function csvField(value: string): string {
  // A spreadsheet runs a cell that starts with = + - @ as a formula (OWASP "CSV Injection"): make it text.
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
