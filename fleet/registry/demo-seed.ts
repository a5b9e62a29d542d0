import type { Chain, Store, Zone } from './registry-types.ts';
import type { StoreRepository } from './store-repository.ts';

const weekdays = {
  mon: [['08:00', '22:00']],
  tue: [['08:00', '22:00']],
  wed: [['08:00', '22:00']],
  thu: [['08:00', '22:00']],
  fri: [['08:00', '23:00']],
  sat: [['08:00', '23:00']],
  sun: [['09:00', '21:00']],
} as Store['openingHours'];

export const DEMO_CHAIN: Chain = { id: 'harbor-foods', name: 'Harbor Foods' };

export const DEMO_STORES: Store[] = [
  {
    id: 'hf-shanghai-xuhui',
    chainId: DEMO_CHAIN.id,
    name: 'Harbor Foods Xuhui',
    region: 'east',
    timeZone: 'Asia/Shanghai',
    openingHours: weekdays,
    address: { street: '88 Caoxi North Road', city: 'Shanghai', postcode: '200030', country: 'CN' },
  },
  {
    id: 'hf-hangzhou-binjiang',
    chainId: DEMO_CHAIN.id,
    name: 'Harbor Foods Binjiang',
    region: 'east',
    timeZone: 'Asia/Shanghai',
    openingHours: weekdays,
    address: { street: '1 Jiangnan Avenue', city: 'Hangzhou', postcode: '310051', country: 'CN' },
  },
];

/** A 40 m x 30 m floor: entrance and checkout along the front, departments behind, the cart dock by the door. */
export function demoFloorPlan(storeId: string): Zone[] {
  const rect = (x: number, y: number, w: number, h: number): [number, number][] => [
    [x, y],
    [x + w, y],
    [x + w, y + h],
    [x, y + h],
  ];
  const zone = (id: string, name: string, kind: Zone['kind'], polygon: [number, number][]): Zone => ({
    id: `${storeId}-${id}`,
    storeId,
    name,
    kind,
    polygon,
  });
  return [
    zone('entrance', 'Entrance', 'entrance', rect(0, 0, 8, 6)),
    zone('dock', 'Cart dock', 'dock', rect(8, 0, 6, 6)),
    zone('checkout', 'Checkout', 'checkout', rect(14, 0, 26, 6)),
    zone('produce', 'Fresh produce', 'department', rect(0, 6, 14, 12)),
    zone('dairy', 'Dairy', 'department', rect(14, 6, 12, 12)),
    zone('bakery', 'Bakery', 'department', rect(26, 6, 14, 12)),
    zone('aisles', 'Grocery aisles', 'aisle', rect(0, 18, 40, 12)),
  ];
}

/** Seeds the demo chain with two stores and their floor plans (idempotent). */
export function seedDemoData(stores: StoreRepository): void {
  stores.upsertChain(DEMO_CHAIN);
  for (const store of DEMO_STORES) {
    stores.upsertStore(store);
    for (const zone of demoFloorPlan(store.id)) stores.upsertZone(zone);
  }
}
