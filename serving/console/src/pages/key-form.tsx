import { useState } from 'preact/hooks';
import type { ApiError } from '../api.ts';
import { ErrorNotice } from '../components/notice.tsx';

/** The one place a key is typed: kept in this tab's session only, sent as a bearer token. */
export function KeyForm({ onKey, error }: { onKey: (key: string) => Promise<void>; error: ApiError | undefined }) {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <main id="main" class="page narrow">
      <h1>Almanac console</h1>
      <p>Enter an API key (<code>almanac keys create</code>; <code>almanac demo</code> prints one). It is kept in this browser tab's session storage only and sent as <code>Authorization: Bearer …</code>.</p>
      <form class="stack" onSubmit={async (e) => {
        e.preventDefault();
        if (key.trim() === '') return;
        setBusy(true);
        await onKey(key.trim());
        setBusy(false);
      }}>
        <label for="api-key">API key</label>
        <input id="api-key" name="api-key" type="password" autoComplete="off" spellcheck={false} required placeholder="alm_…" value={key} onInput={(e) => setKey(e.currentTarget.value)} />
        <button type="submit" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button>
      </form>
      <ErrorNotice error={error} what="Sign-in" />
    </main>
  );
}
