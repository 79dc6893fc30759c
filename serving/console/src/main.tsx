/** The Almanac console: asks for an API key once, then shows the pages that key may see. */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, session, SIGNED_OUT, type Whoami } from './api.ts';
import { ErrorNotice } from './components/notice.tsx';
import { KeyForm } from './pages/key-form.tsx';
import { ModelsPage } from './pages/models-page.tsx';
import { PatternPage } from './pages/pattern-page.tsx';
import { PatternsPage } from './pages/patterns-page.tsx';
import { PipelinesPage } from './pages/pipelines-page.tsx';
import { PlanPage } from './pages/plan-page.tsx';
import { ServicePage } from './pages/service-page.tsx';
import { href, useRoute } from './router.ts';
import { WhoContext } from './who.ts';

interface PageDef {
  id: string;
  title: string;
  admin: boolean;
}

const PAGES: PageDef[] = [
  { id: 'plan', title: 'Plan', admin: false },
  { id: 'patterns', title: 'Patterns', admin: false },
  { id: 'models', title: 'Models', admin: true },
  { id: 'pipelines', title: 'Pipelines', admin: true },
  { id: 'service', title: 'Service', admin: true },
];

function App() {
  const [who, setWho] = useState<Whoami | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>();
  const route = useRoute();
  const page = PAGES.find((p) => p.id === route.page);
  useTitle(page ? `${page.title} · Almanac console` : 'Almanac console');

  const identify = async (key: string | null) => {
    if (!key) return setWho(null);
    try {
      setWho(await api<Whoami>('/v1/whoami', { key }));
      setError(undefined);
    } catch (e) {
      setError(e as ApiError);
      session.clear();
      setWho(null);
    }
  };
  useEffect(() => {
    void identify(session.key());
    const out = () => setWho(null);
    window.addEventListener(SIGNED_OUT, out);
    return () => window.removeEventListener(SIGNED_OUT, out);
  }, []);

  if (who === undefined) return <main id="main" class="page"><p role="status">Checking the session key…</p></main>;
  if (who === null) {
    return (
      <KeyForm error={error} onKey={async (key) => {
        session.save(key);
        await identify(key);
      }} />
    );
  }
  const admin = who.kind === 'admin';
  const visible = PAGES.filter((p) => admin || !p.admin);
  return (
    <WhoContext.Provider value={who}>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <div class="brand"><span aria-hidden="true">◆</span> Almanac <span class="muted">console</span></div>
        <nav aria-label="Pages">
          <ul>
            {visible.map((p) => <li key={p.id}><a href={href(p.id)} aria-current={route.page === p.id ? 'page' : undefined}>{p.title}</a></li>)}
          </ul>
        </nav>
        <div class="who" aria-label="Signed in as">
          <span>{admin ? 'Admin' : <>Tenant <strong data-testid="tenant">{who.tenant}</strong></>}</span>
          <span class="muted"> · key {who.key_id}</span>
          <button type="button" class="link" onClick={() => session.clear()}>Sign out</button>
        </div>
      </header>
      <main id="main" class="page" tabIndex={-1}>
        <ErrorNotice error={error} />
        {renderPage(route.page, route.param, who)}
      </main>
    </WhoContext.Provider>
  );
}

function renderPage(page: string, param: string | undefined, who: Whoami) {
  const def = PAGES.find((p) => p.id === page);
  if (!def) return <NotFound />;
  if (def.admin && who.kind !== 'admin') {
    return <div class="notice" role="alert"><h1>{def.title}</h1><p>This page needs an admin key; this key is a tenant's ({who.tenant}).</p></div>;
  }
  switch (page) {
    case 'plan': return <PlanPage who={who} />;
    case 'patterns': return param === undefined ? <PatternsPage /> : <PatternPage id={param} />;
    case 'models': return <ModelsPage />;
    case 'pipelines': return <PipelinesPage />;
    case 'service': return <ServicePage />;
    default: return <NotFound />;
  }
}

function NotFound() {
  return <div><h1>Not found</h1><p>No such page. <a href={href('plan')}>Go to the Plan page</a>.</p></div>;
}

function useTitle(title: string): void {
  useEffect(() => {
    document.title = title;
  }, [title]);
}

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
