import { Announcer } from '../../fleet/broadcast/announcer/announcer.ts';
import type { AssetIngest } from '../../fleet/broadcast/announcer/asset-ingest.ts';
import { CatalogProductFields } from '../../fleet/broadcast/announcer/product-fields.ts';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import type { HttpDeps } from '../../fleet/http/route-support.ts';
import { silentLogger } from '../../platform/log.ts';

/**
 * An announcer (real eSpeak in a worker thread) on a running fleet's database, catalog and HTTP API.
 *
 * TEMPORARY: `FleetServer` does not build the announcer yet, because it stores through the content library (issue 9
 * item 1), which is not on main; the integrator wires it there (`fleet/broadcast/announcer/README.md`). Until then
 * this puts it into the HTTP server's dependencies, which the announcer routes read at request time.
 */
export async function attachAnnouncer(fleet: FleetServer, ingest: AssetIngest, tempDir: string): Promise<Announcer> {
  const s = fleet.services;
  const announcer = new Announcer(
    {
      db: s.db,
      writer: s.writer,
      ingest,
      products: new CatalogProductFields(s.catalog, s.promotions, s.stores),
      storeExists: (id) => s.stores.getStore(id) !== undefined,
      clock: fleet.clock,
      log: silentLogger(),
    },
    { speechThreads: 1, tempDir, writeDeadlineMs: 5000 },
  );
  await announcer.start();
  (s.http as unknown as { deps: HttpDeps }).deps.announcer = announcer;
  return announcer;
}
