import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/helpers/errors.js';
import { loadYAMLDocuments } from './yaml.js';

// Every kind of value whose reading depends on the schema (js-yaml reads this: anchors,
// merge keys and tags are outside the block-style reader's subset).
const doc = (i: number): string =>
  [
    `base${i}: &b {port: ${i}}`,
    'svc:',
    '  <<: *b',
    '  created: 2026-01-15T10:00:00Z',
    '  when: !!timestamp 2026-01-15',
    '  on: yes',
    '  inf: .inf',
    '  text: |',
    '    a block scalar',
    '    --- not a marker: indented',
    '',
  ].join('\n');
const many = Array.from({ length: 3 }, (_, i) => doc(i)).join('---\n') + '---\n---\n' + doc(99);

describe('loadYAMLDocuments', () => {
  it("reads with kp-gen's schema: merge keys and tags, dates left as strings", () => {
    const how: string[] = [];
    const docs = loadYAMLDocuments(many, 'x.yaml', { report: (h) => how.push(h) });
    expect(how).toEqual(['js-yaml']);
    expect(docs).toHaveLength(5); // one empty document included
    expect(docs[3]).toBeNull();
    expect(docs[0]).toMatchObject({ svc: { port: 0, created: '2026-01-15T10:00:00Z', true: true, inf: Infinity } });
    expect((docs[0] as { svc: { when: unknown; text: string } }).svc.when).toBeInstanceOf(Date);
    expect((docs[0] as { svc: { text: string } }).svc.text).toBe('a block scalar\n--- not a marker: indented\n');
  });

  it('reads block-style YAML with the fast path, and the same documents as js-yaml', () => {
    const plain = Array.from({ length: 5 }, (_, i) => `kind: Service\nmetadata:\n  name: s${i}\n  labels: {a: "1"}\nspec:\n  ports:\n  - port: ${i + 1}\n    name: p\n`).join('---\n');
    const how: string[] = [];
    const docs = loadYAMLDocuments(plain, 'p.yaml', { report: (h) => how.push(h) });
    expect(how).toEqual(['fast path']);
    expect(docs).toEqual(yaml.loadAll(plain));
    expect(docs).toHaveLength(5);
  });

  it('leaves invalid YAML to js-yaml, so errors and their positions are unchanged', () => {
    const bad = 'a: 1\nb:\n  - x\n  y: 2\n';
    const how: string[] = [];
    const e = errorOf(() => loadYAMLDocuments(bad, 'x.yaml', { report: (h) => how.push(h) }));
    const expected = errorOf(() => loadYAMLDocuments(bad, 'x.yaml', { fastPath: false }));
    expect(how).toEqual(['js-yaml']);
    expect(e.message).toBe(expected.message);
    expect(e.location).toEqual(expected.location);
    expect(e.location).toEqual({ file: 'x.yaml', line: 4, column: 3 });
  });

  it('reports a syntax error at its 1-based line and column in the whole file', () => {
    const bad = `${many}---\na: [1, 2\n`;
    const e = errorOf(() => loadYAMLDocuments(bad, 'x.yaml'));
    // At the end of the text: the line after the last line feed, column 1.
    expect(e.location).toEqual({ file: 'x.yaml', line: bad.split('\n').length, column: 1 });
    expect(e.message).toMatch(/invalid YAML: unexpected end of the stream within a flow collection$/);
  });
});
