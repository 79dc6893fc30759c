/** Who the session's key is, for any component that words things by it (GET /v1/whoami). */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Whoami } from './api.ts';

export const WhoContext = createContext<Whoami | null>(null);

export const useWho = (): Whoami | null => useContext(WhoContext);

/** A pattern's scope as its reader says it: a tenant's private pattern is 'your own'. */
export function scopeLabel(scope: string, who: Whoami | null): string {
  if (scope === 'private') return who?.kind === 'tenant' ? 'your own' : 'private (one client)';
  return 'cross-client';
}
