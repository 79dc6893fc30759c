/** Hash routes (#/plan, #/patterns/<id>, …): the server serves one page, the console picks the view. */
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  page: string;
  param: string | undefined;
}

export function parseRoute(hash: string): Route {
  const [page = 'plan', ...rest] = hash.replace(/^#\/?/, '').split('/');
  return { page: page === '' ? 'plan' : page, param: rest.length > 0 ? decodeURIComponent(rest.join('/')) : undefined };
}

export const href = (page: string, param?: string): string => `#/${page}${param === undefined ? '' : `/${encodeURIComponent(param)}`}`;

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash));
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}
