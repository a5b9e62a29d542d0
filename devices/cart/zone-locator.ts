import { EventEmitter } from 'node:events';

/**
 * Where the cart is, as a zone id of the store's floor plan. The positioning issue brings BLE beacon positioning;
 * until then the simulator moves carts through {@link VirtualZoneLocator}.
 */
export interface ZoneLocator extends EventEmitter<{ zone: [zoneId: string | null] }> {
  readonly zoneId: string | null;
}

export class VirtualZoneLocator extends EventEmitter<{ zone: [zoneId: string | null] }> implements ZoneLocator {
  private current: string | null = null;

  get zoneId(): string | null {
    return this.current;
  }

  moveTo(zoneId: string | null): void {
    if (zoneId === this.current) return;
    this.current = zoneId;
    this.emit('zone', zoneId);
  }
}
