import { useMemo } from 'preact/hooks';
import type { DeviceSummary, Zone } from '../../api/types.ts';
import { percent } from '../../app/format.ts';
import type { Tone } from '../../components/status.tsx';
import { boundsOf, centroid, type Point, spreadInPolygon } from './floor-geometry.ts';

const ZONE_FILL: Record<string, string> = {
  entrance: '#eef4ff',
  dock: '#f1f5f9',
  checkout: '#fdf6e9',
  department: '#f0f8f3',
  aisle: '#f7f5fb',
};

/** The zone a device is in: where a cart last reported itself, where a speaker was installed. */
export function zoneOf(d: DeviceSummary): string | null {
  return d.kind === 'cart' ? (d.zone ?? d.zoneId) : d.zoneId;
}

export function markerTone(d: DeviceSummary): Tone {
  if (d.presence.state === 'never') return 'idle';
  if (d.presence.state === 'offline') return 'bad';
  if (d.openAlerts > 0 || (d.battery !== null && d.battery < 20)) return 'warn';
  return 'ok';
}

/**
 * The store floor in its own metre frame: zones from their polygons, carts at a stable point inside the zone they
 * report (moving with a CSS transition when the zone changes), speakers in the zone they are installed in.
 */
export function FloorMap({
  zones,
  devices,
  selectedZone,
  onSelectZone,
}: {
  zones: Zone[];
  devices: DeviceSummary[];
  selectedZone: string | null;
  onSelectZone: (zoneId: string) => void;
}) {
  const bounds = useMemo(() => boundsOf(zones.map((z) => z.polygon)), [zones]);
  const pad = 1;
  const viewBox = `${bounds.minX - pad} ${bounds.minY - pad} ${bounds.maxX - bounds.minX + 2 * pad} ${bounds.maxY - bounds.minY + 2 * pad}`;
  const zoneById = useMemo(() => new Map(zones.map((z) => [z.id, z])), [zones]);

  // every device in a zone gets its own spot, spread over the zone so markers do not cover each other
  const placed = useMemo(() => {
    const byZone = new Map<string, DeviceSummary[]>();
    for (const d of devices) {
      const zoneId = zoneOf(d);
      if (!zoneId || !zoneById.has(zoneId)) continue;
      const here = byZone.get(zoneId) ?? [];
      here.push(d);
      byZone.set(zoneId, here);
    }
    const out: { d: DeviceSummary; point: Point; zone: Zone }[] = [];
    for (const [zoneId, here] of byZone) {
      const zone = zoneById.get(zoneId)!;
      // keyed by zone too, so a cart coming back to a zone lands on the same spot as before
      const spots = spreadInPolygon(
        zone.polygon,
        here.map((d) => `${d.thingName}@${zone.id}`),
      );
      for (const d of here) out.push({ d, point: spots.get(`${d.thingName}@${zone.id}`)!, zone });
    }
    // a stable paint order, whatever the zones
    return out.sort((a, b) => (a.d.thingName < b.d.thingName ? -1 : 1));
  }, [devices, zoneById]);

  return (
    <svg class="floor" viewBox={viewBox} role="img" aria-label="Store floor map" data-testid="floor-map">
      <rect
        x={bounds.minX}
        y={bounds.minY}
        width={bounds.maxX - bounds.minX}
        height={bounds.maxY - bounds.minY}
        class="floor-outline"
      />
      {zones.map((z) => {
        const [cx, cy] = centroid(z.polygon);
        const b = boundsOf([z.polygon]);
        return (
          // biome-ignore lint/a11y/noStaticElementInteractions: a pointer shortcut; keyboard users pick zones from the list beside the map
          <g
            key={z.id}
            class={`zone ${selectedZone === z.id ? 'selected' : ''}`}
            onClick={() => onSelectZone(z.id)}
            data-testid="map-zone"
            data-zone={z.id}
          >
            <polygon points={z.polygon.map((p) => p.join(',')).join(' ')} fill={ZONE_FILL[z.kind] ?? '#f5f6f8'} />
            <text x={b.minX + 0.5} y={b.minY + 1.1} class="zone-label">
              {z.name}
            </text>
            <title>{`${z.name} (${z.kind})`}</title>
            <circle cx={cx} cy={cy} r={0} />
          </g>
        );
      })}
      {placed.map(({ d, point }) => {
        const tone = markerTone(d);
        const title = `${d.thingName} · ${d.presence.state}${d.kind === 'cart' ? ` · battery ${percent(d.battery)}` : ''}`;
        return (
          <a
            key={d.thingName}
            href={`/devices/${encodeURIComponent(d.thingName)}`}
            class={`marker marker-${d.kind} tone-${tone}`}
            style={{ transform: `translate(${point[0]}px, ${point[1]}px)` }}
            data-testid="map-device"
            data-thing={d.thingName}
            data-zone={zoneOf(d)}
            data-tone={tone}
          >
            <title>{title}</title>
            {d.kind === 'cart' ? (
              <>
                {tone === 'ok' ? <circle r={0.8} class="halo" /> : null}
                <circle r={0.45} class="marker-body" />
              </>
            ) : (
              <>
                <rect x={-0.6} y={-0.6} width={1.2} height={1.2} rx={0.25} class="marker-body" />
                <path d="M-0.25 -0.2h0.15l0.25 -0.2v0.8l-0.25 -0.2h-0.15z" class="marker-glyph" />
              </>
            )}
          </a>
        );
      })}
    </svg>
  );
}
