import { describe, expect, it } from 'vitest';
import { countsQuery, deleteNodesQuery, mergeEdgesQueries, mergeNodesQueries, patternEvidenceQuery, schemaStatements, similarPatternsQuery } from '../../embeddings/graph-store/neo4j/cypher.ts';
import type { GraphEdge, NodeLabel } from '../../embeddings/graph-store/graph-store.ts';

const hostile = `x'}) DETACH DELETE n //"\\ ünï`;

describe('Cypher builders', () => {
  it('merges nodes with one UNWIND statement per label; values only in params', () => {
    const qs = mergeNodesQueries([
      { label: 'Client', id: 'c1', props: { name: hostile } },
      { label: 'Pattern', id: '1', props: { success_rate: 0.2, tags: ['a'] } },
      { label: 'Client', id: hostile, props: {} },
    ]);
    expect(qs.map((q) => q.text)).toEqual([
      'UNWIND $rows AS row MERGE (n:Client {id: row.id}) SET n += row.props',
      'UNWIND $rows AS row MERGE (n:Pattern {id: row.id}) SET n += row.props',
    ]);
    expect(qs[0]!.params).toEqual({ rows: [{ id: 'c1', props: { name: hostile } }, { id: hostile, props: {} }] });
    expect(qs[1]!.params.rows).toEqual([{ id: '1', props: { success_rate: 0.2, tags: ['a'] } }]);
    expect(qs.some((q) => q.text.includes(hostile))).toBe(false);
  });

  it('merges edges grouped by (type, from label, to label), merging both ends', () => {
    const e = (type: GraphEdge['type'], from: NodeLabel, to: NodeLabel, a: string, b: string, props = {}): GraphEdge => ({ type, from: { label: from, id: a }, to: { label: to, id: b }, props });
    const qs = mergeEdgesQueries([e('RAN', 'Client', 'Campaign', 'c1', 'k1'), e('MATCHES', 'Campaign', 'Pattern', 'k1', 'p1', { conversions: 2 }), e('RAN', 'Client', 'Campaign', 'c2', hostile)]);
    expect(qs[0]).toEqual({
      text: 'UNWIND $rows AS row MERGE (a:Client {id: row.from}) MERGE (b:Campaign {id: row.to}) MERGE (a)-[r:RAN]->(b) SET r += row.props',
      params: { rows: [{ from: 'c1', to: 'k1', props: {} }, { from: 'c2', to: hostile, props: {} }] },
    });
    expect(qs[1]!.text).toContain('MERGE (a)-[r:MATCHES]->(b)');
  });

  it('rejects labels and types outside the enums, empty ids and unsupported props', () => {
    const invalid = expect.objectContaining({ code: 'ALMANAC_ERR_INPUT_INVALID' });
    expect(() => mergeNodesQueries([{ label: 'Client) DETACH DELETE (m' as NodeLabel, id: 'x', props: {} }])).toThrow(invalid);
    expect(() => mergeEdgesQueries([{ type: 'LIKES' as GraphEdge['type'], from: { label: 'Client', id: 'a' }, to: { label: 'Campaign', id: 'b' }, props: {} }])).toThrow(invalid);
    expect(() => mergeEdgesQueries([{ type: 'RAN', from: { label: 'Planet' as NodeLabel, id: 'a' }, to: { label: 'Campaign', id: 'b' }, props: {} }])).toThrow(invalid);
    expect(() => mergeNodesQueries([{ label: 'Client', id: '', props: {} }])).toThrow(invalid);
    expect(() => mergeNodesQueries([{ label: 'Client', id: 'x', props: { bad: { nested: 1 } as never } }])).toThrow(invalid);
    expect(() => mergeNodesQueries([{ label: 'Client', id: 'x', props: { bad: Number.POSITIVE_INFINITY } }])).toThrow(invalid);
    expect(() => deleteNodesQuery('Nope' as NodeLabel, ['x'])).toThrow(invalid);
    expect(() => similarPatternsQuery('p', -1)).toThrow(invalid);
  });

  it('parameterises the read queries', () => {
    const ev = patternEvidenceQuery(['p1', 'p1', hostile], `retail'`);
    expect(ev.params).toEqual({ ids: ['p1', hostile], industry: `retail'` });
    expect(ev.text).not.toContain('retail');
    expect(ev.text).toContain('count(DISTINCT c3) AS clientsInIndustry');
    expect(patternEvidenceQuery(['p1']).params.industry).toBeNull();
    const sim = similarPatternsQuery(hostile, 5);
    expect(sim.params.id).toBe(hostile);
    expect(String(sim.params.limit)).toBe('5');
    expect(sim.text).toContain('ORDER BY weight DESC, id ASC LIMIT $limit');
    expect(deleteNodesQuery('Pattern', ['a'])).toEqual({ text: 'UNWIND $ids AS id MATCH (n:Pattern {id: id}) DETACH DELETE n', params: { ids: ['a'] } });
  });

  it('counts every label and type, and creates one unique constraint per label', () => {
    const text = countsQuery().text;
    for (const name of ['Client', 'Campaign', 'Pattern', 'Industry', 'RAN', 'MATCHES', 'SEEN_IN', 'SIMILAR_TO']) expect(text).toContain(`'${name}' AS name`);
    expect(text.split('UNION ALL')).toHaveLength(8);
    expect(schemaStatements().filter((s) => s.includes('REQUIRE n.id IS UNIQUE'))).toHaveLength(4);
    expect(schemaStatements().every((s) => s.includes('IF NOT EXISTS'))).toBe(true);
  });
});
