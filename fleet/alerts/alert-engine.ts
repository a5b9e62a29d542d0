import type { Clock, TimerHandle } from '../../platform/clock.ts';
import type { EventBus } from '../../platform/event-bus.ts';
import type { Logger } from '../../platform/log.ts';
import {
  type AlertCause,
  type AlertRule,
  DEFAULT_ALERT_RULES,
  selectRules,
  severityRank,
} from '../../protocol/api/alert-rules.ts';
import { FleetError } from '../../protocol/errors.ts';
import type { FleetEvents } from '../fleet-events.ts';
import type { PresenceRecord } from '../presence/presence-repository.ts';
import type { DeviceKind, Thing } from '../registry/registry-types.ts';
import {
  alertValueOf,
  breached,
  causeKeyOf,
  clearDelayMs,
  cleared,
  FAULT_CODE_PATTERN,
  messageOf,
  type Observation,
  openDelayMs,
} from './alert-conditions.ts';
import type { Alert, AlertActor, AlertCounts, AlertQuery, AlertRepository } from './alert-repository.ts';
import { parseAlertRules } from './alert-rules.ts';

/** One rule's view of one cause of one device: active or not; a timer while it waits to flip (open or clear). */
interface Tier {
  rule: AlertRule;
  active: boolean;
  timer: TimerHandle | undefined;
}

/** One cause of one device (one fault code, for faults): what was last observed and its non-resolved alert. */
interface AlertCase {
  thingName: string;
  cause: AlertCause;
  causeKey: string;
  observation: Observation | undefined;
  /**
   * When the observation was made, as the fleet trusts it (the device's ts, never later than its receipt): an outbox
   * replay older than it is ignored.
   */
  observedAt: number;
  alert: Alert | undefined;
  tiers: Map<string, Tier>;
  /** What the tiers were last reconciled with: while rule set and device scope stay, they stay. */
  tiersFor: { ruleSet: AlertRule[]; kind: DeviceKind | undefined; storeId: string | null | undefined } | undefined;
  /** When an operator last resolved the alert by hand: an offline period is counted again from here. */
  armedAt: number;
}

interface DeviceRef {
  kind: DeviceKind;
  storeId: string | null;
  fetchedAt: number;
}

/** Store moves are noticed within this long even when nobody announces them on the bus. */
const DEVICE_CACHE_MS = 30_000;

/**
 * Alerts on telemetry and presence. Each (device, cause key) is a case; each applicable rule of the case is a tier
 * with its own hysteresis and minimum durations (ISA-18.2's on-delay and off-delay: a contrary observation cancels a
 * pending transition). The case's one alert is open while any tier is active, at the severity of the most severe
 * one, and is resolved by the fleet when none is.
 */
export class AlertEngine {
  private readonly cases = new Map<string, AlertCase>();
  private readonly charging = new Map<string, boolean>();
  private readonly devices = new Map<string, DeviceRef>();
  private ruleSet: AlertRule[] = [];
  private offs: (() => void)[] = [];

  constructor(
    private readonly repository: AlertRepository,
    private readonly registry: { getThing(thingName: string): Pick<Thing, 'kind' | 'storeId'> | undefined },
    private readonly presence: { list(): PresenceRecord[] },
    private readonly bus: EventBus<FleetEvents>,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  /** Loads (or seeds) the rules and rebuilds every case from the open alerts and the presence table. */
  start(): void {
    let rules = this.repository.rules();
    if (!rules) {
      rules = [...DEFAULT_ALERT_RULES];
      this.repository.replaceRules(rules, this.clock.now());
      this.log.info({ rules: rules.length }, 'seeded default alert rules');
    }
    this.ruleSet = rules;
    for (const { causeKey, alert } of this.repository.listActive()) {
      const c = this.caseOf(alert.thingName, alert.cause, causeKey);
      c.alert = alert;
      c.observation = observationFrom(alert);
    }
    for (const p of this.presence.list()) {
      if (!this.device(p.clientId)) continue;
      const offline = p.state === 'offline';
      this.caseOf(p.clientId, 'offline', 'offline').observation = {
        cause: 'offline',
        offline,
        since: (offline ? p.disconnectedAt : p.connectedAt) ?? p.updatedAt,
        reason: offline ? p.disconnectReason : null,
      };
    }
    for (const c of this.cases.values()) this.evaluate(c);
    const forget = (e: { thingName: string }) => this.devices.delete(e.thingName);
    this.offs = [
      this.bus.on('telemetry.received', (e) => this.onTelemetry(e)),
      this.bus.on('presence.changed', (e) => this.onPresence(e)),
      this.bus.on('thing.registered', forget),
      this.bus.on('thing.changed', forget),
    ];
  }

  stop(): void {
    for (const off of this.offs) off();
    this.offs = [];
    for (const c of this.cases.values()) for (const tier of c.tiers.values()) this.cancel(tier);
    this.cases.clear();
    this.devices.clear();
    this.charging.clear();
  }

  list(query: AlertQuery): { items: Alert[]; total: number } {
    return this.repository.list(query);
  }

  get(id: number): Alert {
    const alert = this.repository.get(id);
    if (!alert) throw new FleetError('ALERT_NOT_FOUND', `no alert ${id}`);
    return alert;
  }

  acknowledge(id: number, actor: AlertActor, note?: string): Alert {
    const alert = this.get(id);
    if (alert.state !== 'open')
      throw new FleetError(
        'ALERT_STATE_INVALID',
        `alert ${id} is ${alert.state}; only an open alert can be acknowledged`,
      );
    const updated = this.repository.acknowledge(id, actor, note ?? null, this.clock.now());
    const c = this.caseHolding(updated);
    if (c) c.alert = updated;
    this.announce(updated);
    return updated;
  }

  /** Resolves by hand. If the cause persists, a new alert opens after the rule's minimum duration. */
  resolve(id: number, actor: AlertActor, note?: string): Alert {
    const alert = this.get(id);
    if (alert.state === 'resolved') throw new FleetError('ALERT_STATE_INVALID', `alert ${id} is already resolved`);
    const updated = this.repository.resolve(id, actor, note ?? null, this.clock.now());
    const c = this.caseHolding(updated);
    this.announce(updated);
    if (c) {
      c.alert = undefined;
      this.rearm(c);
    }
    return updated;
  }

  rules(): AlertRule[] {
    return this.ruleSet.map((rule) => ({ ...rule }));
  }

  /** Replaces the whole rule set (validated: `ALERT_RULES_INVALID`) and re-evaluates every device against it. */
  replaceRules(input: unknown): AlertRule[] {
    const rules = parseAlertRules(input);
    this.repository.replaceRules(rules, this.clock.now());
    this.ruleSet = rules;
    for (const c of this.cases.values()) this.evaluate(c);
    this.log.info({ rules: rules.length }, 'alert rules replaced');
    return this.rules();
  }

  /** Open and acknowledged alerts per device (the device list's `openAlerts`). */
  openCountsByThing(): Map<string, number> {
    return this.repository.activeCountsByThing();
  }

  counts(): AlertCounts {
    return this.repository.counts();
  }

  private onTelemetry(e: FleetEvents['telemetry.received']): void {
    const m = e.metrics;
    if (e.stream === 'events') {
      if (m.event !== 'fault' && m.event !== 'fault.cleared') return;
      const code = m.code;
      if (typeof code !== 'string' || !FAULT_CODE_PATTERN.test(code)) {
        this.log.debug({ thingName: e.thingName, msgId: e.msgId }, 'fault event without a valid code ignored');
        return;
      }
      const active = m.event === 'fault';
      const message = active && typeof m.message === 'string' ? m.message : null;
      this.observe(e.thingName, causeKeyOf('fault', code), e.observedAt, { cause: 'fault', active, code, message });
      return;
    }
    if (e.stream !== 'telemetry' && e.stream !== 'health') return;
    if (typeof m['battery.charging'] === 'boolean') this.charging.set(e.thingName, m['battery.charging']);
    const percent = m['battery.percent'];
    if (typeof percent === 'number') {
      const charging = this.charging.get(e.thingName) ?? false;
      this.observe(e.thingName, 'battery-low', e.observedAt, { cause: 'battery-low', percent, charging });
    }
    const celsius = m['temperature.c'];
    if (typeof celsius === 'number')
      this.observe(e.thingName, 'temperature-high', e.observedAt, { cause: 'temperature-high', celsius });
  }

  private onPresence(e: FleetEvents['presence.changed']): void {
    const device = this.device(e.clientId);
    if (!device) return;
    const c = this.caseOf(e.clientId, 'offline', 'offline');
    c.observation = { cause: 'offline', offline: e.state === 'offline', since: e.at, reason: e.reason };
    this.evaluate(c, device);
  }

  private observe(thingName: string, causeKey: string, at: number, observation: Observation): void {
    const device = this.device(thingName);
    if (!device) return;
    const c = this.caseOf(thingName, observation.cause, causeKey);
    if (at < c.observedAt) return;
    c.observedAt = at;
    c.observation = observation;
    this.evaluate(c, device);
  }

  /**
   * Starts each tier's wait to flip (open when inactive and breached, clear when active and cleared) or cancels it
   * when the latest observation says otherwise, then brings the alert in line.
   */
  private evaluate(c: AlertCase, device = this.device(c.thingName)): void {
    this.reconcileTiers(c, device);
    const o = c.observation;
    if (!o) return;
    const now = this.clock.now();
    for (const tier of c.tiers.values()) {
      if (!(tier.active ? cleared(tier.rule, o) : breached(tier.rule, o))) this.cancel(tier);
      else if (tier.timer === undefined)
        this.flip(c, tier, tier.active ? clearDelayMs(tier.rule) : openDelayMs(tier.rule, o, now, c.armedAt));
    }
    this.sync(c);
  }

  /** Tiers follow the rules that apply now (rules replaced, device moved to another store). */
  private reconcileTiers(c: AlertCase, device: DeviceRef | undefined): void {
    const kind = device?.kind;
    const storeId = device?.storeId;
    const last = c.tiersFor;
    if (last && last.ruleSet === this.ruleSet && last.kind === kind && last.storeId === storeId) return;
    c.tiersFor = { ruleSet: this.ruleSet, kind, storeId };
    const rules = device ? selectRules(this.ruleSet, c.cause, device.kind, device.storeId) : [];
    const ids = new Set(rules.map((r) => r.id));
    for (const [id, tier] of c.tiers) {
      if (ids.has(id)) continue;
      this.cancel(tier);
      c.tiers.delete(id);
    }
    for (const rule of rules) {
      const tier = c.tiers.get(rule.id);
      if (!tier) {
        // A tier created while the alert is open (restart, new rules) is active up to the alert's severity, so the
        // alert is neither resolved nor escalated without its minimum duration.
        const active = c.alert !== undefined && severityRank(rule.severity) <= severityRank(c.alert.severity);
        c.tiers.set(rule.id, { rule, active, timer: undefined });
      } else if (tier.rule !== rule) {
        // A changed rule restarts the pending transition under the new numbers; an identical one changes nothing.
        if (!sameRule(tier.rule, rule)) this.cancel(tier);
        tier.rule = rule;
      }
    }
  }

  /** Makes an inactive tier active (or an active one inactive) after `delayMs`, or at once. */
  private flip(c: AlertCase, tier: Tier, delayMs: number): void {
    const active = !tier.active;
    if (delayMs <= 0) {
      tier.active = active;
      return;
    }
    tier.timer = this.clock.setTimeout(() => {
      tier.timer = undefined;
      tier.active = active;
      try {
        this.sync(c);
      } catch (err) {
        // Runs from a timer: a database error must not take the fleet down. The next observation retries.
        this.log.error({ err, thingName: c.thingName, cause: c.causeKey }, 'alert not updated');
      }
    }, delayMs);
  }

  private cancel(tier: Tier): void {
    if (tier.timer === undefined) return;
    this.clock.clearTimeout(tier.timer);
    tier.timer = undefined;
  }

  /** Opens, updates or resolves the case's alert to match its active tiers. */
  private sync(c: AlertCase): void {
    const o = c.observation;
    if (!o) return;
    const now = this.clock.now();
    let top: AlertRule | undefined;
    for (const tier of c.tiers.values()) {
      if (tier.active && (!top || severityRank(tier.rule.severity) > severityRank(top.severity))) top = tier.rule;
    }
    if (!top) {
      if (!c.alert) return;
      const resolved = this.repository.resolve(c.alert.id, null, null, now);
      c.alert = undefined;
      this.announce(resolved);
      return;
    }
    const value = alertValueOf(o, now);
    if (!c.alert) {
      c.alert = this.open(c, top, messageOf(o, top, now), value, now);
      return;
    }
    // An offline alert's value is how long the device had been away when it opened; it does not tick.
    const valueChanged = o.cause !== 'offline' && c.alert.value !== value;
    if (c.alert.severity === top.severity && !valueChanged) return;
    const message = messageOf(o, top, now);
    c.alert = this.repository.update(c.alert.id, { severity: top.severity, message, value }, now);
    this.announce(c.alert);
  }

  private open(c: AlertCase, rule: AlertRule, message: string, value: Alert['value'], now: number): Alert {
    const device = this.device(c.thingName);
    try {
      const alert = this.repository.insert({
        thingName: c.thingName,
        storeId: device?.storeId ?? null,
        deviceKind: device?.kind ?? null,
        cause: c.cause,
        causeKey: c.causeKey,
        severity: rule.severity,
        message,
        value,
        openedAt: now,
      });
      this.log.info(
        { thingName: c.thingName, cause: c.causeKey, severity: rule.severity, id: alert.id },
        'alert opened',
      );
      this.announce(alert);
      return alert;
    } catch (err) {
      // The unique index holds one non-resolved alert per cause: adopt the one that is there (written elsewhere).
      const existing = this.repository.findActive(c.thingName, c.causeKey);
      if (!existing) throw err;
      return existing;
    }
  }

  /** After a manual resolve the case starts over: a cause that persists opens a new alert after its minimum duration. */
  private rearm(c: AlertCase): void {
    c.armedAt = this.clock.now();
    for (const tier of c.tiers.values()) {
      this.cancel(tier);
      tier.active = false;
    }
    // A fault has no measurement to re-check: the operator's resolve stands until the device reports the fault again.
    if (c.observation?.cause === 'fault') c.observation = { ...c.observation, active: false };
    this.evaluate(c);
  }

  private caseOf(thingName: string, cause: AlertCause, causeKey: string): AlertCase {
    const key = `${thingName}\u0000${causeKey}`;
    let c = this.cases.get(key);
    if (!c) {
      c = {
        thingName,
        cause,
        causeKey,
        observation: undefined,
        observedAt: 0,
        alert: undefined,
        tiers: new Map(),
        tiersFor: undefined,
        armedAt: 0,
      };
      this.cases.set(key, c);
    }
    return c;
  }

  private caseHolding(alert: Alert): AlertCase | undefined {
    const causeKey = causeKeyOf(alert.cause, String(alert.value));
    const c = this.cases.get(`${alert.thingName}\u0000${causeKey}`);
    return c?.alert?.id === alert.id ? c : undefined;
  }

  private device(thingName: string): DeviceRef | undefined {
    const now = this.clock.now();
    const cached = this.devices.get(thingName);
    if (cached && now - cached.fetchedAt < DEVICE_CACHE_MS) return cached;
    const thing = this.registry.getThing(thingName);
    if (!thing) {
      this.devices.delete(thingName);
      return undefined;
    }
    const ref = { kind: thing.kind, storeId: thing.storeId, fetchedAt: now };
    this.devices.set(thingName, ref);
    return ref;
  }

  private announce(alert: Alert): void {
    this.bus.emit('alert.changed', { alert });
  }
}

function sameRule(a: AlertRule, b: AlertRule): boolean {
  return (Object.keys(a) as (keyof AlertRule)[]).every((key) => a[key] === b[key]);
}

/** What an open alert tells about its cause when the fleet restarts (offline comes from the presence table). */
function observationFrom(alert: Alert): Observation | undefined {
  switch (alert.cause) {
    case 'battery-low':
      return typeof alert.value === 'number'
        ? { cause: 'battery-low', percent: alert.value, charging: false }
        : undefined;
    case 'temperature-high':
      return typeof alert.value === 'number' ? { cause: 'temperature-high', celsius: alert.value } : undefined;
    case 'fault':
      return { cause: 'fault', active: true, code: String(alert.value), message: null };
    case 'offline':
      return undefined;
  }
}
