/**
 * Which member each cart logged in online (`member-login` verified their code), and when: an order may redeem
 * points or coupons only for a member its cart logged in online within `validMs` (plan decision 8). Kept in
 * memory: after a fleet restart a cart logs its member in again before redeeming.
 */
export class MemberSessions {
  private readonly logins = new Map<string, { memberNumber: string; at: number }>();

  constructor(private readonly validMs: number) {}

  loggedIn(thingName: string, memberNumber: string, at: number): void {
    this.logins.set(thingName, { memberNumber, at });
  }

  verified(thingName: string, memberNumber: string, at: number): boolean {
    const login = this.logins.get(thingName);
    return login !== undefined && login.memberNumber === memberNumber && at - login.at <= this.validMs;
  }
}
