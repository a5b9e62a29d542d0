import { useEffect, useRef, useState } from 'preact/hooks';
import { api } from '../../api/api-client.ts';
import type { RolloutPreview, RolloutSpec } from '../../api/types.ts';

export interface PreviewState {
  /** The last answer (kept while a newer one is on its way, so the numbers do not flicker). */
  preview: RolloutPreview | null;
  /** The answer is for the spec as it is now (not for an earlier one). */
  current: boolean;
  /** A newer spec waits for its debounce or its answer. */
  updating: boolean;
  error: unknown;
}

/**
 * `POST /api/rollouts/preview` for the spec being edited, debounced (one request once typing pauses for `delayMs`),
 * answers of superseded specs dropped. `null`: the draft is not a spec yet (nothing is asked). A new `round` asks
 * again for the same spec (what it depends on changed elsewhere: a store's maintenance windows).
 */
export function usePreview(spec: RolloutSpec | null, round = 0, delayMs = 400): PreviewState {
  const key = spec ? `${round}:${JSON.stringify(spec)}` : null;
  const [answer, setAnswer] = useState<{ key: string; preview: RolloutPreview } | null>(null);
  const [error, setError] = useState<{ key: string; error: unknown } | null>(null);
  const generation = useRef(0);
  const specRef = useRef(spec);
  specRef.current = spec;

  useEffect(() => {
    const mine = ++generation.current;
    if (key === null) return;
    const timer = setTimeout(() => {
      api.post<RolloutPreview>('/api/rollouts/preview', specRef.current).then(
        (preview) => {
          if (mine !== generation.current) return;
          setAnswer({ key, preview });
          setError(null);
        },
        (err: unknown) => {
          if (mine !== generation.current) return;
          setError({ key, error: err });
        },
      );
    }, delayMs);
    return () => clearTimeout(timer);
  }, [key, delayMs]);

  const current = key !== null && answer?.key === key;
  const failed = key !== null && error?.key === key;
  return {
    preview: answer?.preview ?? null,
    current,
    updating: key !== null && !current && !failed,
    error: failed ? error?.error : undefined,
  };
}
