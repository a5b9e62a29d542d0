/**
 * What the HTTP layer needs from the commands, alerts and provisioning subsystems. Declared here (structurally) so
 * the API does not depend on how those subsystems are built, only on what they offer.
 */
export interface Actor {
  userId: string;
  username: string;
}

export interface CommandsPort {
  send(input: {
    thingName: string;
    name: string;
    params: Record<string, unknown>;
    queueForSeconds: number;
    requestedBy: string;
  }): unknown;
  list(thingName: string, limit: number): unknown[];
  get(id: string): { thingName: string } | undefined;
}

export interface AlertsPort {
  list(query: {
    state?: 'open' | 'acknowledged' | 'resolved' | 'active';
    storeIds: string[] | null;
    storeId?: string;
    thingName?: string;
    severity?: 'warning' | 'critical';
    limit: number;
    offset: number;
  }): { items: unknown[]; total: number };
  /** Throws ALERT_NOT_FOUND. */
  get(id: number): { thingName: string; storeId: string | null };
  acknowledge(id: number, actor: Actor, note?: string): unknown;
  resolve(id: number, actor: Actor, note?: string): unknown;
  rules(): unknown[];
  replaceRules(rules: unknown): unknown;
  openCountsByThing(): ReadonlyMap<string, number> | Record<string, number>;
  counts?(): unknown;
}

export interface ProvisioningPort {
  approve(thingName: string, actor: Actor): unknown;
}
