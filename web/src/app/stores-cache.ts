import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/api-client.ts';
import type { Store } from '../api/types.ts';

/** Stores change rarely: loaded once per session and shared (names for ids, zones for maps and filters). */
let cached: Promise<Store[]> | undefined;

export function loadStores(): Promise<Store[]> {
  cached ??= api.get<Store[]>('/api/stores').catch((err) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

export function forgetStores(): void {
  cached = undefined;
}

export function useStores(): Store[] {
  const [stores, setStores] = useState<Store[]>([]);
  useEffect(() => {
    let live = true;
    loadStores().then(
      (s) => live && setStores(s),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return stores;
}

export function storeName(stores: Store[], storeId: string | null | undefined): string {
  if (!storeId) return 'No store';
  return stores.find((s) => s.id === storeId)?.name ?? storeId;
}

export function zoneName(stores: Store[], zoneId: string | null | undefined): string {
  if (!zoneId) return '—';
  for (const s of stores) {
    const z = s.zones.find((z) => z.id === zoneId);
    if (z) return z.name;
  }
  return zoneId;
}
