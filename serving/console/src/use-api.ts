/** A GET of the API as component state: data, error, loading; `reload()`; optional polling. */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { api, ApiError } from './api.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: ApiError | undefined;
  loading: boolean;
  /** The data is an earlier path's (the new one is on its way). */
  stale: boolean;
  reload: () => void;
}

export function useApi<T>(path: string | null, pollMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: ApiError | undefined; loading: boolean; for?: string }>({ data: undefined, error: undefined, loading: path !== null });
  const [tick, setTick] = useState(0);
  const seq = useRef(0);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  useEffect(() => {
    if (path === null) return;
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    api<T>(path).then(
      (data) => { if (mine === seq.current) setState({ data, error: undefined, loading: false, for: path }); },
      (e: unknown) => { if (mine === seq.current) setState((s) => ({ ...s, error: e instanceof ApiError ? e : new ApiError(0, 'CLIENT', String(e)), loading: false })); },
    );
  }, [path, tick]);
  useEffect(() => {
    if (pollMs === undefined || path === null) return;
    const id = setInterval(reload, pollMs);
    return () => clearInterval(id);
  }, [pollMs, path, reload]);
  return { data: state.data, error: state.error, loading: state.loading, stale: state.data !== undefined && state.for !== path, reload };
}
