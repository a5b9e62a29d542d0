import assert from 'node:assert/strict';
import type { FleetServer } from '../../fleet/fleet-server.ts';
import { MEMBER_PIN_MAX_FAILURES } from '../../fleet/member-app/member-app-access.ts';
import type { AuditPage } from '../../protocol/api/audit.ts';
import type { MemberAppCode, MemberAppLink, MemberAppProfile } from '../../protocol/api/member-app.ts';
import type { Member } from '../../protocol/api/members.ts';
import { type ApiUser, apiAs, apiUser, startFleet, tempDir } from '../helpers/fleet-harness.ts';
import { FakeClock } from '../mocks/fake-clock.ts';

const PIN = '480753';
const DAY_MS = 86_400_000;

interface Answer {
  statusCode: number;
  body: string;
  headers: Record<string, unknown>;
  json<T = unknown>(): T;
}

/**
 * The member app's API on a real fleet (Fastify inject, a real SQLite file, the fleet on a fake clock): enrolment
 * links, PINs, member sessions kept apart from staff credentials in both directions, and only the member's own data.
 */
describe('member app API (enrolment link, PIN sign-in, member sessions apart from staff)', function () {
  this.timeout(30_000);
  let dir: ReturnType<typeof tempDir>;
  let clock: FakeClock;
  let fleet: FleetServer;
  let hq: ApiUser;
  let manager: ApiUser;
  let address = 0;

  before(async () => {
    dir = tempDir();
    clock = new FakeClock();
    fleet = await startFleet(dir.path, { seedDemoData: true }, { clock });
    hq = await apiUser(fleet, 'hq', 'hq-admin');
    manager = await apiUser(fleet, 'manager', 'store-manager', { storeIds: ['hf-shanghai-xuhui'] });
  });
  after(async () => {
    await fleet.stop();
    dir.cleanup();
  });

  /** A phone: its own address (throttling in one test reaches no other) and the cookie the fleet set on it. */
  function phone() {
    const remoteAddress = `10.8.0.${++address}`;
    let cookie: string | undefined;
    let csrf: string | undefined;
    const call = async (
      method: 'GET' | 'POST',
      url: string,
      body?: object,
      headers: Record<string, string> = {},
    ): Promise<Answer> => {
      const res = await fleet.services.http.instance!.inject({
        method,
        url,
        remoteAddress,
        headers: {
          ...(cookie ? { cookie } : {}),
          ...(csrf && method === 'POST' ? { 'x-cf-csrf': csrf } : {}),
          ...headers,
        },
        ...(body ? { payload: body } : {}),
      });
      const set = ([] as string[]).concat((res.headers['set-cookie'] as string | string[] | undefined) ?? []);
      const session = set.find((c) => c.startsWith('cf_member='));
      if (session) cookie = session.split(';')[0];
      if (res.statusCode === 200 && (url.endsWith('/login') || url.endsWith('/enrol'))) {
        csrf = res.json<MemberAppProfile>().csrf;
      }
      return res as unknown as Answer;
    };
    return {
      call,
      enrol: (token: string, pin = PIN) => call('POST', '/api/member-app/enrol', { token, pin }),
      login: (memberNumber: string, pin: string) => call('POST', '/api/member-app/login', { memberNumber, pin }),
      get cookie() {
        return cookie;
      },
    };
  }

  const newMember = async (displayName: string) =>
    (await apiAs(fleet, hq.token).post('/api/members', { displayName })).json<Member>();
  const linkFor = async (memberId: string) => {
    const res = await apiAs(fleet, hq.token).post(`/api/members/${memberId}/app-link`);
    assert.equal(res.statusCode, 201, res.body);
    const link = res.json<MemberAppLink>();
    return { ...link, token: new URL(link.url).hash.replace('#enrol=', '') };
  };
  const codeOf = (res: Answer) => res.json<{ code: string }>().code;

  it('staff make a single-use link; the member chooses a PIN with it and is signed in (HQ only, audited)', async () => {
    const member = await newMember('Lin Tao');
    const refused = await apiAs(fleet, manager.token).post(`/api/members/${member.id}/app-link`);
    assert.equal(refused.statusCode, 403);
    assert.equal(codeOf(refused), 'NOT_AUTHORIZED', 'a link lets its holder be the member: members:write only');
    const link = await linkFor(member.id);
    assert.match(link.url, /^http:\/\/127\.0\.0\.1:\d+\/member#enrol=[A-Za-z0-9_-]{43}$/);
    assert.equal(link.expiresAt, clock.now() + DAY_MS);
    assert.match(link.qrSvg, /^<svg/);

    const p = phone();
    for (const weak of ['111111', '123456', '987654', '121212', '123123']) {
      const res = await p.enrol(link.token, weak);
      assert.equal(codeOf(res), 'MEMBER_PIN_WEAK', weak);
    }
    assert.equal(codeOf(await p.enrol(link.token, '12345')), 'BAD_REQUEST', 'six digits, by the schema');
    assert.equal(p.cookie, undefined, 'no session from a refused enrolment');

    const enrolled = await p.enrol(link.token);
    assert.equal(enrolled.statusCode, 200, enrolled.body);
    const set = ([] as string[])
      .concat(enrolled.headers['set-cookie'] as string[])
      .find((c) => c.startsWith('cf_member='));
    assert.match(set ?? '', /HttpOnly/i);
    assert.match(set ?? '', /SameSite=Strict/i);
    assert.match(set ?? '', /Path=\/api\/member-app(;|$)/, 'the cookie goes to the member app API only');
    const profile = enrolled.json<MemberAppProfile>();
    assert.equal(profile.memberNumber, member.memberNumber);
    assert.equal(profile.displayName, 'Lin Tao');
    assert.deepEqual(profile.tier, { id: 'standard', name: { zh: '普卡', en: 'Standard' } });

    const again = await phone().enrol(link.token, '480754');
    assert.equal(codeOf(again), 'MEMBER_APP_LINK_INVALID', 'a link works once');
    const audit = (await apiAs(fleet, hq.token).get(`/api/audit?targetId=${member.id}`)).json<AuditPage>();
    assert.deepEqual(
      audit.items.map((e) => [e.action, e.actor.username]),
      [
        ['member-app.enrol', `member:${member.memberNumber}`],
        ['member.app-link', 'hq'],
        ['member.create', 'hq'],
      ],
    );
  });

  it('a newer link replaces an unused one; an expired link is refused', async () => {
    const member = await newMember('Old Link');
    const first = await linkFor(member.id);
    const second = await linkFor(member.id);
    assert.equal(codeOf(await phone().enrol(first.token)), 'MEMBER_APP_LINK_INVALID');
    clock.jump(DAY_MS);
    assert.equal(codeOf(await phone().enrol(second.token)), 'MEMBER_APP_LINK_INVALID', 'expired after 24 h');
    const third = await linkFor(member.id);
    assert.equal((await phone().enrol(third.token)).statusCode, 200, 'positive control: a live link works');
  });

  it('shows the signed-in member their live code, which a cart accepts, and their pool, family size and own coupons', async () => {
    const { loyalty } = fleet.services;
    const owner = await newMember('Pool Owner');
    const kid = await newMember('Pool Kid');
    const family = await loyalty.createFamily(owner.id);
    await loyalty.addFamilyMember(family.id, kid.id);
    await loyalty.points.earn(owner.id, 'hf-shanghai-xuhui', 'ma-order-1', 700);
    const day = { validFrom: clock.now() - 1000, validTo: clock.now() + 7 * DAY_MS };
    const own = await loyalty.coupons.issue({ memberId: kid.id, promotionId: 'demo-coupon', ...day }, hq.userId);
    const owners = await loyalty.coupons.issue({ memberId: owner.id, promotionId: 'demo-coupon', ...day }, hq.userId);

    const p = phone();
    assert.equal((await p.enrol((await linkFor(kid.id)).token)).statusCode, 200);
    const me = (await p.call('GET', '/api/member-app/me')).json<MemberAppProfile>();
    assert.equal(me.balancePoints, 700, "the family pool's points");
    assert.deepEqual(me.family, { members: 2, owner: false });
    assert.deepEqual(
      me.coupons.map((c) => c.id),
      [own.id],
      'their own coupon, not the owner’s',
    );
    assert.ok(!JSON.stringify(me).includes(owners.id));
    assert.ok(!JSON.stringify(me).includes('Pool Owner'), 'no other member’s data');

    const code = await p.call('GET', '/api/member-app/code');
    assert.equal(code.headers['cache-control'], 'no-store');
    const shown = code.json<MemberAppCode>();
    assert.equal(shown.serverTime, clock.now());
    const stepEnd = (Math.floor(clock.now() / 30_000) + 1) * 30_000;
    assert.equal(shown.current.expiresAt, stepEnd);
    assert.equal(shown.next.expiresAt, stepEnd + 30_000);
    assert.match(shown.current.code, new RegExp(`^CFM1\\.${kid.memberNumber}\\.\\d{6}$`));
    assert.notEqual(shown.next.code, shown.current.code);
    assert.match(shown.current.qrSvg, /^<svg/);
    assert.equal(loyalty.login(shown.current.code, 'hf-shanghai-xuhui').memberId, kid.id, 'a cart accepts it');
    assert.equal(loyalty.login(shown.next.code, 'hf-shanghai-xuhui').memberId, kid.id, 'the next one already');

    // In the next step the next code is the current one.
    clock.jump(30_000);
    const later = (await p.call('GET', '/api/member-app/code')).json<MemberAppCode>();
    assert.equal(later.current.code, shown.next.code);
    assert.equal(loyalty.login(later.next.code, 'hf-shanghai-xuhui').memberId, kid.id);
  });

  it('never lets a member credential pass the operations API, nor a staff credential the member app', async () => {
    const member = await newMember('Apart');
    const p = phone();
    await p.enrol((await linkFor(member.id)).token);
    const secret = (p.cookie ?? '').replace('cf_member=', '');
    assert.equal((await p.call('GET', '/api/member-app/me')).statusCode, 200, 'positive control');

    const inject = (url: string, headers: Record<string, string>) =>
      fleet.services.http.instance!.inject({ method: 'GET', url, headers }) as unknown as Promise<Answer>;
    for (const headers of [
      { cookie: `cf_member=${secret}` } as Record<string, string>,
      { cookie: `cf_session=${secret}` },
      { authorization: `Bearer ${secret}` },
      { authorization: `Bearer cft_${secret}` },
    ]) {
      for (const url of ['/api/auth/me', `/api/members/${member.id}`, '/api/devices']) {
        const res = await inject(url, headers);
        assert.equal(res.statusCode, 401, `${url} with ${Object.keys(headers)[0]}`);
        assert.equal(codeOf(res), 'NOT_AUTHENTICATED');
      }
    }
    assert.equal((await apiAs(fleet, hq.token).get(`/api/members/${member.id}`)).statusCode, 200, 'positive control');

    const staff = await fleet.services.access.login('hq', hq.password, '10.9.9.9', null);
    for (const headers of [
      { authorization: `Bearer ${hq.token}` } as Record<string, string>,
      { cookie: `cf_session=${staff.sessionSecret}` },
      { cookie: `cf_member=${staff.sessionSecret}` },
    ]) {
      const res = await inject('/api/member-app/me', headers);
      assert.equal(res.statusCode, 401);
      assert.equal(codeOf(res), 'NOT_AUTHENTICATED');
    }
  });

  it('signs in with member number and PIN; every wrong answer is MEMBER_LOGIN_FAILED; logout needs the CSRF value', async () => {
    const member = await newMember('Pin Login');
    const never = await newMember('Never Enrolled');
    await phone().enrol((await linkFor(member.id)).token);

    const p = phone();
    for (const [number, pin] of [
      [member.memberNumber, '480754'],
      ['99999999', PIN],
      [never.memberNumber, PIN],
    ] as const) {
      const res = await p.login(number, pin);
      assert.equal(res.statusCode, 401);
      assert.equal(codeOf(res), 'MEMBER_LOGIN_FAILED', `${number}/${pin}`);
    }
    assert.equal(p.cookie, undefined);
    const ok = await p.login(member.memberNumber, PIN);
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal((await p.call('GET', '/api/member-app/me')).statusCode, 200);

    const noCsrf = await p.call('POST', '/api/member-app/logout', {}, { 'x-cf-csrf': 'wrong' });
    assert.equal(codeOf(noCsrf), 'CSRF_MISSING');
    assert.equal((await p.call('POST', '/api/member-app/logout', {})).statusCode, 204);
    const after = await p.call('GET', '/api/member-app/me');
    assert.equal(codeOf(after), 'NOT_AUTHENTICATED');
  });

  it('slows guessing down (LOGIN_THROTTLED) and locks the PIN after ten wrong ones until a new link sets another', async () => {
    const member = await newMember('Guessed At');
    await phone().enrol((await linkFor(member.id)).token);
    const attacker = phone();
    for (let i = 0; i < 5; i++) {
      assert.equal(codeOf(await attacker.login(member.memberNumber, `10293${i}`)), 'MEMBER_LOGIN_FAILED');
    }
    const throttled = await attacker.login(member.memberNumber, '102935');
    assert.equal(throttled.statusCode, 429);
    assert.equal(codeOf(throttled), 'LOGIN_THROTTLED');
    assert.equal(throttled.headers['retry-after'], '1');
    let last: Answer | undefined;
    for (let i = 5; i < MEMBER_PIN_MAX_FAILURES; i++) {
      clock.jump(16 * 60_000);
      last = await attacker.login(member.memberNumber, `10293${i}`);
    }
    assert.equal(codeOf(last!), 'MEMBER_PIN_LOCKED', 'the tenth wrong PIN locks');
    clock.jump(16 * 60_000);
    const right = await phone().login(member.memberNumber, PIN);
    assert.equal(codeOf(right), 'MEMBER_PIN_LOCKED', 'even the right PIN, from anywhere');

    const fresh = phone();
    assert.equal((await fresh.enrol((await linkFor(member.id)).token, '731946')).statusCode, 200);
    assert.equal((await phone().login(member.memberNumber, '731946')).statusCode, 200, 'a new link sets a new PIN');
  });

  it('ends sessions: after their life, on a new enrolment (a lost phone) and while the member is disabled', async () => {
    const member = await newMember('Lost Phone');
    const old = phone();
    await old.enrol((await linkFor(member.id)).token);
    const other = phone();
    await other.login(member.memberNumber, PIN);
    assert.equal((await other.call('GET', '/api/member-app/me')).statusCode, 200);

    const replacement = phone();
    await replacement.enrol((await linkFor(member.id)).token, '635291');
    for (const p of [old, other]) assert.equal(codeOf(await p.call('GET', '/api/member-app/me')), 'NOT_AUTHENTICATED');
    assert.equal((await replacement.call('GET', '/api/member-app/me')).statusCode, 200);

    await apiAs(fleet, hq.token).patch(`/api/members/${member.id}`, { disabled: true });
    assert.equal(codeOf(await replacement.call('GET', '/api/member-app/code')), 'NOT_AUTHENTICATED');
    await apiAs(fleet, hq.token).patch(`/api/members/${member.id}`, { disabled: false });
    assert.equal((await replacement.call('GET', '/api/member-app/me')).statusCode, 200);

    clock.jump(30 * DAY_MS);
    assert.equal(codeOf(await replacement.call('GET', '/api/member-app/me')), 'NOT_AUTHENTICATED', 'after 30 days');
  });
});
