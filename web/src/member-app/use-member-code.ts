import { useEffect, useRef, useState } from 'preact/hooks';
import type { MemberAppCode } from '../../../protocol/api/member-app.ts';
import { MemberApiError, memberApi } from './member-api.ts';

/** After a failed fetch, the next try. */
const RETRY_MS = 5000;
/**
 * The fleet accepts a code one 30 s step after its own (RFC 6238 §5.2 window, fleet/loyalty/totp.ts): a code held
 * past its step still scans for this long, so a phone briefly offline keeps a working QR.
 */
const ACCEPTED_LATE_MS = 30_000;

export interface ShownCode {
  code: string;
  qrSvg: string;
  /** When its step ends, on this phone's clock. */
  endsAt: number;
}

export interface MemberCodeView {
  shown: ShownCode | null;
  secondsLeft: number;
  /** The last fetch failed (a retry is scheduled). */
  failing: boolean;
  /** Every code held is past what the fleet accepts: nothing worth showing. */
  stale: boolean;
}

/**
 * The member code to show, kept current: each answer holds the code of the fleet's step and of the next, so at the
 * end of a step the next code shows at once (no request at the boundary, where a slow network would leave an
 * expired code on screen) and the following pair is fetched then. Times come in the fleet's clock and are moved to
 * the phone's with the answer's `serverTime` (a phone's clock may be minutes off). A phone waking from sleep (timers
 * paused) fetches at once. `onChanged` runs after every fresh answer (the card's balance is refreshed with it);
 * `onSignedOut` when the session is gone.
 */
export function useMemberCode(onSignedOut: () => void, onChanged: () => void): MemberCodeView {
  const [held, setHeld] = useState<ShownCode[]>([]);
  const [failing, setFailing] = useState(false);
  const [now, setNow] = useState(() => Date.now());
  const callbacks = useRef({ onSignedOut, onChanged });
  callbacks.current = { onSignedOut, onChanged };

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const schedule = (ms: number) => {
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          // The step ended: the next code shows now, before the answer to the fetch below.
          setNow(Date.now());
          void load();
        },
        Math.max(0, ms),
      );
    };
    async function load() {
      try {
        const answer = await memberApi.get<MemberAppCode>('/code');
        if (stopped) return;
        const offset = answer.serverTime - Date.now();
        const steps = [answer.current, answer.next].map((s) => ({
          code: s.code,
          qrSvg: s.qrSvg,
          endsAt: s.expiresAt - offset,
        }));
        setHeld(steps);
        setNow(Date.now());
        setFailing(false);
        callbacks.current.onChanged();
        schedule((steps[0] as ShownCode).endsAt - Date.now());
      } catch (err) {
        if (stopped) return;
        if (err instanceof MemberApiError && err.status === 401) {
          callbacks.current.onSignedOut();
          return;
        }
        setFailing(true);
        schedule(RETRY_MS);
      }
    }
    void load();
    const tick = setInterval(() => setNow(Date.now()), 1000);
    const wake = () => {
      if (document.visibilityState === 'visible') void load();
    };
    document.addEventListener('visibilitychange', wake);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(tick);
      document.removeEventListener('visibilitychange', wake);
    };
  }, []);

  const current = held.find((s) => s.endsAt > now) ?? null;
  const last = held[held.length - 1];
  const stale = last !== undefined && current === null && now >= last.endsAt + ACCEPTED_LATE_MS;
  // Past the last step held but still accepted: keep showing it while the retries go on.
  const shown = current ?? (stale ? null : (last ?? null));
  return {
    shown,
    secondsLeft: current ? Math.max(0, Math.ceil((current.endsAt - now) / 1000)) : 0,
    failing,
    stale,
  };
}
