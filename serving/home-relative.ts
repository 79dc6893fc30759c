/** `text` with the home's absolute path taken out (`/srv/home/graph/graph.db` → `graph/graph.db`): what refusals show. */
export function homeRelative(home: string, text: string): string {
  const root = home.endsWith('/') ? home : `${home}/`;
  return text.split(root).join('');
}
