import type { MemberAppProfile } from '../../../protocol/api/member-app.ts';
import { formatYuan } from '../../../protocol/commerce/money.ts';
import { useMemberContext } from './member-context.ts';
import { useMemberCode } from './use-member-code.ts';

/**
 * A signed-in member's card: the live member code as a QR (and as text, to type on a cart whose scanner cannot
 * read the phone), the pool's points and the member's coupons. `refresh` reloads the card (with every new code).
 */
export function MemberHome({
  profile,
  refresh,
  onSignedOut,
}: {
  profile: MemberAppProfile;
  refresh: () => void;
  onSignedOut: () => void;
}) {
  const { t, locale } = useMemberContext();
  const { shown, secondsLeft, failing, stale } = useMemberCode(onSignedOut, refresh);
  const date = new Intl.DateTimeFormat(locale === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium' });
  const pool = profile.family
    ? t(profile.family.owner ? 'familyOwner' : 'familyPool', { count: profile.family.members })
    : t('ownPool');
  return (
    <div class="ma-home" data-testid="member-home">
      <section class="ma-panel ma-card">
        <div class="ma-name" data-testid="member-name">
          {profile.displayName}
        </div>
        <div class="ma-muted">
          <span class="ma-mono" data-testid="member-number">
            {profile.memberNumber}
          </span>{' '}
          · {t('tier')} {profile.tier.name ? profile.tier.name[locale] : profile.tier.id}
        </div>
        {shown ? (
          <>
            <img
              class="ma-qr"
              alt={shown.code}
              src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(shown.qrSvg)}`}
              data-testid="member-qr"
              data-code={shown.code}
            />
            <div class="ma-mono ma-code-text" data-testid="member-code-text">
              {shown.code}
            </div>
            <div class="ma-muted" data-testid="member-code-countdown">
              {failing ? t('codeRetrying') : `${t('showAtCart')} · ${t('codeRefresh', { seconds: secondsLeft })}`}
            </div>
          </>
        ) : stale ? (
          <p class="ma-error" role="alert" data-testid="member-code-stale">
            {t('codeStale')}
          </p>
        ) : (
          <div class="ma-qr ma-qr-wait">{t('loading')}</div>
        )}
      </section>
      <section class="ma-panel">
        <h2>{t('points')}</h2>
        <div class="ma-points" data-testid="member-points">
          {profile.balancePoints}
        </div>
        <div class="ma-muted" data-testid="member-pool">
          {pool}
        </div>
      </section>
      <section class="ma-panel">
        <h2>{t('coupons')}</h2>
        {profile.coupons.length === 0 ? (
          <p class="ma-muted">{t('couponsNone')}</p>
        ) : (
          <ul class="ma-coupons">
            {profile.coupons.map((c) => (
              <li key={c.id} data-testid="member-coupon" data-coupon={c.id}>
                <strong>{c.promotionName ? c.promotionName[locale] : t('couponFallback', { id: c.id })}</strong>
                <span>
                  {c.minSpendFen > 0
                    ? t('couponMinSpend', { amount: formatYuan(c.minSpendFen) })
                    : t('couponNoMinimum')}
                </span>
                <span class="ma-muted">
                  {t('couponValid', { from: date.format(c.validFrom), to: date.format(c.validTo) })}
                </span>
                <span class="ma-mono ma-muted">{c.id}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
