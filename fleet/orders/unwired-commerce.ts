import { FleetError } from '../../protocol/errors.ts';
import type { LoyaltyLedger, OrderPricing } from './commerce-ports.ts';

/**
 * Stand-ins for the pricing and loyalty subsystems where a fleet runs without them (issue 8 lands in parts): a
 * submit is refused with a coded error instead of being priced by nothing. The composition root replaces them
 * with the real ones; tests pass their own.
 */
export const unwiredPricing: OrderPricing = {
  price() {
    throw new FleetError('SNAPSHOT_NOT_FOUND', 'this fleet has no pricing engine wired');
  },
  priceWithSnapshot: () => undefined,
  productName: () => undefined,
  promotionName: () => undefined,
};

export const unwiredLoyalty: LoyaltyLedger = {
  async login() {
    throw new FleetError('MEMBER_NOT_FOUND', 'this fleet has no loyalty service wired');
  },
  member: () => undefined,
  async hold() {
    throw new FleetError('POINTS_REDEMPTION_INVALID', 'this fleet has no loyalty service wired');
  },
  capture: async () => {},
  release: async () => {},
  earn: async () => {},
  reverse: async () => ({ pointsReversed: 0, pointsReturned: 0 }),
};
