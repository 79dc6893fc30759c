import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api.ts';

/** An API error as the reader needs it: the message, each field's reason, the code. */
export function ErrorNotice({ error, what }: { error: ApiError | undefined; what?: string }) {
  if (!error) return null;
  if (error.status === 404 && error.code === 'HTTP_404') {
    return <p class="notice" role="status">{what ?? 'This view'} is not available on this server (the route answers 404).</p>;
  }
  return (
    <div class="notice error" role="alert">
      <p><strong>{what ? `${what}: ` : ''}{error.message}</strong> <span class="code">({error.code}{error.status ? `, HTTP ${error.status}` : ''})</span></p>
      {error.issues.length > 0 && <ul>{error.issues.map((i) => <li key={i.path}><code>{i.path}</code>: {i.reason}</li>)}</ul>}
    </div>
  );
}

export function Loading({ when, children }: { when: boolean; children?: ComponentChildren }) {
  return when ? <p class="muted" role="status" aria-live="polite">{children ?? 'Loading…'}</p> : null;
}

export function Section({ title, id, children, actions }: { title: string; id: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="card" aria-labelledby={id}>
      <div class="card-head"><h2 id={id}>{title}</h2>{actions}</div>
      {children}
    </section>
  );
}

export function Badge({ tone = 'neutral', children }: { tone?: 'neutral' | 'good' | 'bad' | 'warn' | 'info'; children: ComponentChildren }) {
  return <span class={`badge ${tone}`}>{children}</span>;
}
