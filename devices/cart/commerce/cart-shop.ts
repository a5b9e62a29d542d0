import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { checkRedemption } from '../../../commerce/points-rules.ts';
import { createPricingContext, type PricingContext, priceBasket } from '../../../commerce/pricing-engine.ts';
import type { Clock } from '../../../platform/clock.ts';
import type { Logger } from '../../../platform/log.ts';
import type { PricedBasket } from '../../../protocol/commerce/basket.ts';
import type {
  CartScreenAction,
  CartScreenState,
  ScreenCheckout,
  ScreenLocale,
  ScreenNotice,
  ScreenRecognition,
} from '../../../protocol/commerce/cart-screen.ts';
import type { MemberContext } from '../../../protocol/commerce/loyalty.ts';
import type { OrderStatus } from '../../../protocol/commerce/orders.ts';
import type { PricingSnapshot } from '../../../protocol/commerce/snapshot.ts';
import { FleetError, isFleetError } from '../../../protocol/errors.ts';
import { Basket, type BasketOptions, DEFAULT_BASKET_OPTIONS } from '../basket/basket.ts';
import type { AttendantCall, BasketCatalog, BasketRecognitionEvents, BasketState } from '../basket/basket-types.ts';
import type { RecognitionActions, RecognitionOffer } from '../vision/product-recognizer.ts';
import {
  applyReply,
  applyStatus,
  buildSubmission,
  type CheckoutRecord,
  newCheckout,
  screenCheckout,
} from './checkout-flow.ts';
import type { CommerceClient, CommerceReplyMessage } from './commerce-client.ts';
import { isMemberCode, loginMember } from './member-session.ts';
import type { OfflineStaffCodes } from './offline-staff.ts';
import { screenState } from './screen-state.ts';
import type { ShopJournal } from './shop-journal.ts';

/** The trip as the journal keeps it (see ShopJournal). */
export interface ShopRecord {
  session: { sessionId: string; startedAt: number } | null;
  memberCode: string | null;
  member: MemberContext | null;
  basket: BasketState | null;
  couponIds: string[];
  pointsToRedeem: number;
  checkout: CheckoutRecord | null;
  locale: ScreenLocale;
}

const EMPTY: ShopRecord = {
  session: null,
  memberCode: null,
  member: null,
  basket: null,
  couponIds: [],
  pointsToRedeem: 0,
  checkout: null,
  locale: 'zh',
};

export interface CartShopEvents {
  change: [CartScreenState];
  /** The trip's life cycle, for the runtime's session reports (telemetry, shadow). */
  session: [{ state: 'shopping' | 'checkout' | 'idle'; sessionId: string | null; memberNumber: string | null }];
}

/** What the shop tells product recognition (ProductRecognizer): the basket's moments and the shopper's choices. */
export interface ShopRecognizer {
  unexplained(deltaG: number, at: number): void;
  scanned(sku: string, deltaG: number, at: number): void;
  removed(lineId: string, at: number): void;
  withdrawn(deltaG: number, at: number): void;
  picked(decisionId: string, sku: string, at: number): void;
  checkout(at: number): void;
  sessionEnded(): void;
}

type RecognitionEvent<K extends keyof BasketRecognitionEvents> = BasketRecognitionEvents[K][0];

export interface CartShopOptions {
  thingName: string;
  storeName: string | null;
  basket: BasketOptions;
}

/**
 * The shopper's trip on the cart, and the cart screen's model: the member login, the basket (fed by the scanner,
 * the scale and the motion sensor), live pricing with the shared engine on the store's pricing snapshot (so it works
 * offline), coupons and points, checkout through the outbox, payment and receipt. Every change is journaled before
 * it is shown, so a restart resumes the same trip and a checkout resumes with the same idempotency key.
 */
export class CartShop extends EventEmitter<CartShopEvents> implements RecognitionActions {
  private context: PricingContext | null = null;
  private readonly basket: Basket;
  private record: ShopRecord = { ...EMPTY };
  private priced: PricedBasket | null = null;
  private notice: ScreenNotice | null = null;
  private produceQuery: string | null = null;
  private recognizer: ShopRecognizer | null = null;
  /** Recognition's open offer (a pick, or produce suggestions), about the open unexplained increase. */
  private offered: RecognitionOffer | null = null;
  private checkoutView: ScreenCheckout | null = null;
  private current: CartScreenState;
  private lastSettledG = 0;
  private running = false;
  /** Renders finish in any order; only the newest is shown. */
  private renders = 0;
  private readonly catalogProxy: BasketCatalog = {
    resolveBarcode: (code) => this.requireContext().catalog.resolveBarcode(code),
    product: (sku) => this.context?.catalog.product(sku),
  };
  private readonly onBasketChange = (state: BasketState) => {
    // The basket moved on (a barcode named the item, it was taken out): the offer is about nothing any more.
    const offer = this.offered;
    if (offer && !(state.prompt?.kind === 'scan-added' && state.prompt.deltaG === offer.deltaG)) this.offered = null;
    this.changed();
  };
  private readonly onUnexplained = (e: RecognitionEvent<'unexplained'>) => this.recognizer?.unexplained(e.deltaG, e.at);
  private readonly onScanned = (e: RecognitionEvent<'scanned'>) => this.recognizer?.scanned(e.sku, e.deltaG, e.at);
  private readonly onRemoved = (e: RecognitionEvent<'removed'>) => this.recognizer?.removed(e.lineId, e.at);
  private readonly onWithdrawn = (e: RecognitionEvent<'withdrawn'>) => this.recognizer?.withdrawn(e.deltaG, e.at);
  private readonly onAttendant = (call: AttendantCall) => void this.raiseAttendant(call);
  private readonly onReply = (reply: CommerceReplyMessage) => this.reply(reply);
  private readonly onNotify = (n: { event: string; body: Record<string, unknown> }) => this.notify(n.event, n.body);

  constructor(
    private readonly options: CartShopOptions,
    private readonly client: CommerceClient,
    private readonly journal: ShopJournal<ShopRecord>,
    private readonly offlineStaff: OfflineStaffCodes,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {
    super();
    this.basket = new Basket(this.catalogProxy, clock, options.basket ?? DEFAULT_BASKET_OPTIONS);
    this.current = this.view();
  }

  start(): void {
    this.running = true;
    this.offlineStaff.start();
    const saved = this.journal.load();
    if (saved) {
      this.record = { ...EMPTY, ...saved };
      if (saved.basket) this.basket.restore(saved.basket);
    }
    this.basket.on('change', this.onBasketChange);
    this.basket.on('attendant', this.onAttendant);
    this.basket.on('unexplained', this.onUnexplained);
    this.basket.on('scanned', this.onScanned);
    this.basket.on('removed', this.onRemoved);
    this.basket.on('withdrawn', this.onWithdrawn);
    this.client.on('reply', this.onReply);
    this.client.on('notify', this.onNotify);
    // A checkout interrupted before its order reached the outbox (power cut between journal and enqueue) goes now:
    // the same idempotency key makes a second copy harmless.
    const checkout = this.record.checkout;
    if (checkout && checkout.state === 'submitting' && !checkout.sent) this.sendOrder(checkout);
    this.changed();
  }

  stop(): void {
    this.running = false;
    this.basket.off('change', this.onBasketChange);
    this.basket.off('attendant', this.onAttendant);
    this.basket.off('unexplained', this.onUnexplained);
    this.basket.off('scanned', this.onScanned);
    this.basket.off('removed', this.onRemoved);
    this.basket.off('withdrawn', this.onWithdrawn);
    this.client.off('reply', this.onReply);
    this.client.off('notify', this.onNotify);
    this.basket.stop();
  }

  state(): CartScreenState {
    return this.current;
  }

  /** A new pricing snapshot for the cart's store (the snapshot store verified it). */
  setSnapshot(snapshot: PricingSnapshot): void {
    this.context = createPricingContext(snapshot);
    this.basket.setCatalog(this.catalogProxy);
  }

  get storeId(): string | null {
    return this.context?.snapshot.storeId ?? null;
  }

  /** A product of the installed snapshot (recognition's names, weights and produce). */
  product(sku: string) {
    return this.context?.catalog.product(sku);
  }

  // ---- product recognition -----------------------------------------------------------------------------------------

  /** Product recognition plugs in here (devices/cart/vision/); without one, an unexplained increase asks for a scan. */
  useRecognizer(recognizer: ShopRecognizer | null): void {
    this.recognizer = recognizer;
  }

  /** Recognition was sure: the item is added by the weight that is open, or refused quietly (the scan prompt stays). */
  addRecognized(sku: string, deltaG: number): string | null {
    try {
      return this.basket.addRecognized(sku, deltaG).lineId;
    } catch (err) {
      this.log.info({ sku, deltaG, code: isFleetError(err) ? err.code : null }, 'recognised item not added');
      return null;
    }
  }

  /** Recognition offers a pick (or produce to choose from) for the open increase, if it is still open. */
  offer(offer: RecognitionOffer): void {
    const prompt = this.basket.state().prompt;
    if (prompt?.kind !== 'scan-added' || prompt.deltaG !== offer.deltaG) return;
    this.offered = offer;
    if (offer.kind === 'suggest-produce') this.produceQuery = '';
    this.changed();
  }

  private pickRecognized(decisionId: string, sku: string): void {
    const offer = this.offered;
    if (!offer || offer.decisionId !== decisionId) throw new FleetError('BAD_REQUEST', 'that choice is no longer open');
    if (!offer.options.some((o) => o.sku === sku)) throw new FleetError('BAD_REQUEST', `${sku} was not offered`);
    this.basket.addRecognized(sku, offer.deltaG);
    this.offered = null;
    if (offer.kind === 'suggest-produce') this.produceQuery = null;
    this.recognizer?.picked(decisionId, sku, this.clock.now());
    this.changed();
  }

  // ---- sensors -----------------------------------------------------------------------------------------------------

  /** Whatever the scanner read: a member's code logs them in; anything else is an item. */
  handleScan(code: string): void {
    void this.guard(async () => {
      if (isMemberCode(code)) return this.login(code);
      this.ensureSession();
      if (this.record.checkout) throw new FleetError('ORDER_STATE_INVALID', 'checkout has started');
      const result = this.basket.scan(code);
      if (result.kind === 'weigh') this.produceQuery = null;
    });
  }

  handleSettled(grams: number): void {
    this.lastSettledG = grams;
    // Paid: the shopper bags and lifts the goods out; the basket is settled business until the trip ends.
    if (this.record.checkout?.state === 'paid') return;
    void this.guard(async () => this.basket.settled(grams));
  }

  handleStill(still: boolean): void {
    this.basket.setStill(still);
  }

  // ---- the screen --------------------------------------------------------------------------------------------------

  async act(action: CartScreenAction): Promise<void> {
    switch (action.type) {
      case 'start':
        this.ensureSession();
        return this.changed();
      case 'member-code':
        return this.login(action.code);
      case 'search-produce':
        this.produceQuery = action.query;
        return this.changed();
      case 'close-produce':
        this.produceQuery = null;
        if (this.offered?.kind === 'suggest-produce') this.offered = null;
        return this.changed();
      case 'weigh-produce':
        // The bag is in the basket already and recognition suggested produce: the open increase is its weight.
        if (this.offered?.kind === 'suggest-produce') return this.pickRecognized(this.offered.decisionId, action.sku);
        this.basket.weighProduce(action.sku);
        this.produceQuery = null;
        return;
      case 'remove':
        return this.basket.removeFromLine(action.lineId);
      case 'answer-removal':
        return this.basket.answerRemoval(action.removed);
      case 'apply-coupon':
        return this.applyCoupon(action.couponId);
      case 'remove-coupon':
        this.record.couponIds = this.record.couponIds.filter((c) => c !== action.couponId);
        return this.changed();
      case 'redeem-points':
        return this.redeem(action.points);
      case 'checkout':
        return this.checkout();
      case 'cancel-checkout':
        return this.cancelCheckout();
      case 'staff-code':
        return this.staffCode(action.code);
      case 'help':
        return this.raiseAttendant({ reason: 'help', detail: 'the shopper asked for help', at: this.clock.now() });
      case 'end-session':
        return this.endSession();
      case 'dismiss-notice':
        this.notice = null;
        return this.changed();
      case 'pick-recognized':
        return this.pickRecognized(action.decisionId, action.sku);
      case 'reject-recognized':
        if (this.offered?.decisionId === action.decisionId) {
          if (this.offered.kind === 'suggest-produce') this.produceQuery = null;
          this.offered = null;
        }
        return this.changed();
    }
  }

  setLocale(locale: ScreenLocale): void {
    this.record.locale = locale;
    this.changed();
  }

  // ---- inside ------------------------------------------------------------------------------------------------------

  private requireContext(): PricingContext {
    if (!this.context) throw new FleetError('SNAPSHOT_NOT_FOUND', 'the cart has no prices yet: waiting for the store');
    return this.context;
  }

  private ensureSession(): void {
    this.requireContext();
    if (this.record.session) return;
    this.record.session = { sessionId: randomUUID(), startedAt: this.clock.now() };
    this.basket.clear(this.lastSettledG);
    this.emitSession('shopping');
  }

  private async login(code: string): Promise<void> {
    this.requireContext();
    const { member } = await loginMember(this.client, code);
    this.ensureSession();
    this.record.member = member;
    this.record.memberCode = member.verified ? code.trim() : null;
    this.record.couponIds = [];
    this.record.pointsToRedeem = 0;
    this.changed();
  }

  private applyCoupon(couponId: string): void {
    if (this.record.couponIds.includes(couponId)) return;
    const priced = this.price([...this.record.couponIds, couponId], this.record.pointsToRedeem);
    const refused = (
      priced as { couponsNotApplied?: { couponId: string; code: string; message?: string }[] }
    ).couponsNotApplied?.find((c) => c.couponId === couponId);
    if (refused) throw new FleetError(refused.code as never, refused.message ?? `coupon ${couponId} does not apply`);
    this.record.couponIds.push(couponId);
    this.changed();
  }

  private redeem(points: number): void {
    const context = this.requireContext();
    const priced = this.price(this.record.couponIds, 0);
    checkRedemption(context.snapshot.redemption, this.record.member, points, priced.totalFen);
    this.record.pointsToRedeem = points;
    this.changed();
  }

  private checkout(): void {
    const context = this.requireContext();
    const session = this.record.session;
    if (!session) throw new FleetError('ORDER_STATE_INVALID', 'no shopping trip to check out');
    if (this.record.checkout && this.record.checkout.state !== 'failed') {
      throw new FleetError('ORDER_STATE_INVALID', 'checkout has already started');
    }
    const basket = this.basket.state();
    if (basket.lines.length === 0) throw new FleetError('ORDER_INVALID', 'the basket is empty');
    if (basket.locks.length > 0) {
      throw new FleetError('ORDER_STATE_INVALID', 'checkout is locked', { locks: basket.locks.map((l) => l.kind) });
    }
    const priced = this.price(this.record.couponIds, this.record.pointsToRedeem);
    const method = this.client.online ? 'qr' : 'attendant';
    const member = this.record.member;
    const submission = buildSubmission({
      storeId: context.snapshot.storeId,
      sessionId: session.sessionId,
      member: member ? { memberNumber: member.memberNumber, code: this.record.memberCode } : null,
      lines: basket.lines,
      priced,
      couponIds: this.record.couponIds,
      // Offline the member is not verified: no points can pay (the engine refused them already).
      pointsToRedeem: this.record.pointsToRedeem,
      snapshotVersion: context.snapshot.version,
      method,
      at: this.clock.now(),
    });
    const record = newCheckout(submission, false);
    this.record.checkout = record;
    // Journal first: if power goes between these lines, start() sends the same order again.
    this.persist();
    if (method === 'qr') this.sendOrder(record);
    this.recognizer?.checkout(this.clock.now());
    this.emitSession('checkout');
    this.changed();
  }

  private sendOrder(record: CheckoutRecord): void {
    this.client.send('order-submit', { order: record.submission }, record.idempotencyKey);
    record.sent = true;
    this.persist();
  }

  private cancelCheckout(): void {
    const checkout = this.record.checkout;
    if (!checkout) return;
    if (checkout.state === 'paid') throw new FleetError('ORDER_STATE_INVALID', 'the order is paid');
    if (checkout.orderId && this.client.online) {
      this.client.send('order-cancel', { orderId: checkout.orderId }, `cancel-${checkout.idempotencyKey}`);
    }
    // An order still in the outbox will reach the fleet and expire unpaid: its holds are released then.
    this.record.checkout = null;
    this.emitSession('shopping');
    this.changed();
  }

  /**
   * An attendant's code typed on the screen. Online, the fleet decides (`attendant-request` with the code: approved
   * at once, or STAFF_CODE_INVALID). Offline — and always in an offline checkout, which began without network — the
   * cart decides with the snapshot's offline verifiers (offline-staff.ts): a code that does not verify is
   * STAFF_CODE_INVALID and changes nothing.
   */
  private async staffCode(code: string): Promise<void> {
    const checkout = this.record.checkout;
    if (checkout?.state === 'offline-attendant') return this.paidAtDesk(checkout, code);
    const lock = this.basket.state().locks.find((l) => l.kind === 'age-check' || l.kind === 'needs-attendant');
    if (!lock) throw new FleetError('BAD_REQUEST', 'nothing waits for an attendant');
    const kind = lock.kind as 'age-check' | 'needs-attendant';
    if (!this.client.online) return this.approveOffline(kind, code);
    const body = await this.client.request('attendant-request', {
      request: {
        reason: kind === 'age-check' ? 'age-check' : 'help',
        details: `staff code at the cart (${kind})`,
        sessionId: this.record.session?.sessionId ?? null,
        staffCode: code,
      },
    });
    const request = (body.request ?? {}) as { state?: string; resolvedBy?: string | null };
    if (request.state !== 'approved') throw new FleetError('STAFF_CODE_INVALID', 'the staff code was not accepted');
    this.basket.approve(kind, request.resolvedBy ?? 'staff', 'staff-code');
  }

  /**
   * The attendant took the money at the desk: with a code that verifies, the order goes through the outbox as paid
   * at the desk, with the code, which the fleet checks again when it arrives (a code it refuses leaves the order
   * awaiting payment for an attendant).
   */
  private async paidAtDesk(checkout: CheckoutRecord, code: string): Promise<void> {
    await this.offlineStaff.verify(code, this.context?.snapshot.staff);
    if (this.record.checkout !== checkout) {
      throw new FleetError('ORDER_STATE_INVALID', 'the checkout changed while the staff code was checked');
    }
    const submission = { ...checkout.submission, payment: { method: 'attendant' as const, staffCode: code } };
    const record: CheckoutRecord = { ...checkout, submission, state: 'paid' };
    this.record.checkout = record;
    this.sendOrder(record);
    this.changed();
  }

  /**
   * An age check or attendant-only items approved without network by a code that verifies. The approval is
   * recorded for the fleet first — the same `attendant-request` with the code, through the outbox, marked
   * `approvedOffline` — and only then does the basket unlock: a power cut in between leaves a record and a locked
   * basket, never an unlocked basket without a record. The fleet checks the code again when it arrives and audits either outcome
   * (AttendantService.recordOfflineApproval).
   */
  private async approveOffline(kind: 'age-check' | 'needs-attendant', code: string): Promise<void> {
    const staff = await this.offlineStaff.verify(code, this.context?.snapshot.staff);
    if (!this.basket.state().locks.some((l) => l.kind === kind)) return; // approved meanwhile (the console)
    const at = this.clock.now();
    this.client.send(
      'attendant-request',
      {
        request: {
          reason: kind === 'age-check' ? 'age-check' : 'help',
          details: `staff code at the cart while offline (${kind})`,
          sessionId: this.record.session?.sessionId ?? null,
          staffCode: code,
          approvedOffline: { userId: staff.userId, at },
        },
      },
      randomUUID(),
    );
    this.basket.approve(kind, staff.userId, 'staff-code-offline');
  }

  private async raiseAttendant(call: AttendantCall): Promise<void> {
    if (!this.client.online) return; // The screen shows the call; staff on the floor see the light.
    const reason = call.reason === 'needs-attendant' ? 'help' : call.reason;
    try {
      await this.client.request('attendant-request', {
        request: { reason, details: call.detail, sessionId: this.record.session?.sessionId ?? null },
      });
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'attendant request not sent');
    }
  }

  private endSession(): void {
    const checkout = this.record.checkout;
    if (checkout && checkout.state !== 'paid') {
      throw new FleetError('ORDER_STATE_INVALID', 'finish or cancel the checkout first');
    }
    if (!checkout && this.basket.state().lines.length > 0) {
      throw new FleetError('ORDER_STATE_INVALID', 'the basket is not empty');
    }
    this.record = { ...EMPTY, locale: this.record.locale };
    this.basket.clear(this.lastSettledG);
    this.produceQuery = null;
    this.offered = null;
    this.recognizer?.sessionEnded();
    this.emitSession('idle');
    this.changed();
  }

  private reply(reply: CommerceReplyMessage): void {
    const checkout = this.record.checkout;
    if (!checkout) return;
    const next = applyReply(checkout, reply, this.clock.now());
    if (!next) return;
    this.record.checkout = next;
    this.changed();
  }

  private notify(event: string, body: Record<string, unknown>): void {
    if (event === 'order-status') {
      const checkout = this.record.checkout;
      const next = checkout ? applyStatus(checkout, body as Partial<OrderStatus>) : null;
      if (!next) return;
      this.record.checkout = next;
      this.changed();
    } else if (event === 'attendant-resolved') {
      const reason = String((body.request as { reason?: string } | undefined)?.reason ?? body.reason ?? '');
      const state = String((body.request as { state?: string } | undefined)?.state ?? body.state ?? '');
      const by = String(
        (body.request as { resolvedBy?: string } | undefined)?.resolvedBy ?? body.resolvedBy ?? 'staff',
      );
      if (state !== 'approved') return;
      const locks = this.basket.state().locks;
      if (reason === 'age-check' && locks.some((l) => l.kind === 'age-check'))
        this.basket.approve('age-check', by, 'console');
      else if (reason === 'help' && locks.some((l) => l.kind === 'needs-attendant')) {
        this.basket.approve('needs-attendant', by, 'console');
      } else if (reason === 'weight-mismatch') this.basket.acceptWeight(this.lastSettledG, by);
    }
  }

  private price(couponIds: string[], pointsToRedeem: number): PricedBasket {
    const context = this.requireContext();
    return priceBasket(context, {
      lines: this.basket.state().lines.map((l) => ({
        lineId: l.lineId,
        sku: l.sku,
        quantity: l.quantity,
        weightG: l.weightG,
        barcode: l.barcode,
        labelPriceFen: l.labelPriceFen,
        scannedAt: l.scannedAt,
      })),
      member: this.record.member,
      couponIds,
      pointsToRedeem,
      at: this.clock.now(),
    });
  }

  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.showError(err);
    }
  }

  private showError(err: unknown): void {
    const code = isFleetError(err) ? err.code : 'INTERNAL';
    if (!isFleetError(err)) this.log.error({ err }, 'cart shop failed');
    this.notice = { code, message: (err as Error).message, at: this.clock.now() };
    this.changed();
  }

  private emitSession(state: 'shopping' | 'checkout' | 'idle'): void {
    this.emit('session', {
      state,
      sessionId: this.record.session?.sessionId ?? null,
      memberNumber: this.record.member?.memberNumber ?? null,
    });
  }

  private persist(): void {
    this.record.basket = this.basket.state();
    this.journal.save(this.record);
  }

  private view(): CartScreenState {
    const session = this.record.session;
    return screenState({
      thingName: this.options.thingName,
      storeName: this.options.storeName,
      online: this.client.online,
      context: this.context,
      session: {
        state: !session ? 'idle' : this.record.checkout ? 'checkout' : 'shopping',
        sessionId: session?.sessionId ?? null,
      },
      member: this.record.member,
      basket: this.basket.state(),
      priced: this.priced,
      couponIds: this.record.couponIds,
      pointsToRedeem: this.record.pointsToRedeem,
      produceQuery: this.produceQuery,
      recognition: this.offered ? screenRecognition(this.offered) : null,
      locale: this.record.locale,
      checkout: this.checkoutView,
      notice: this.notice,
    });
  }

  /** Re-prices, journals and pushes the new state to the screen (QR codes are rendered before it is pushed). */
  private changed(): void {
    if (!this.running) return;
    try {
      this.priced =
        this.context && this.record.session ? this.price(this.record.couponIds, this.record.pointsToRedeem) : null;
    } catch (err) {
      // Points or a coupon no longer fit the basket (an item was removed): drop them and say so.
      if (isFleetError(err) && this.record.pointsToRedeem > 0) {
        this.record.pointsToRedeem = 0;
        this.notice = { code: err.code, message: err.message, at: this.clock.now() };
        this.changed();
        return;
      }
      this.priced = null;
      this.notice = {
        code: isFleetError(err) ? err.code : 'INTERNAL',
        message: (err as Error).message,
        at: this.clock.now(),
      };
    }
    this.persist();
    const checkout = this.record.checkout;
    const render = checkout ? screenCheckout(checkout) : Promise.resolve(null);
    const seq = ++this.renders;
    void render.then(
      (view) => {
        if (seq !== this.renders) return;
        this.checkoutView = view;
        this.current = this.view();
        this.emit('change', this.current);
      },
      (err: Error) => this.log.error({ err: err.message }, 'checkout view not rendered'),
    );
  }
}

function screenRecognition(offer: RecognitionOffer): ScreenRecognition {
  return {
    decisionId: offer.decisionId,
    kind: offer.kind,
    options: offer.options.map((o) => ({ ...o, name: { ...o.name } })),
  };
}
