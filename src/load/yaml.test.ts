import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/helpers/errors.js';
import { cutPoint, loadYAMLDocuments, MANIFEST_SCHEMA } from './yaml.js';

const serial = (text: string): unknown[] => yaml.loadAll(text, undefined, { schema: MANIFEST_SCHEMA });


// Every kind of value whose reading depends on the schema, in both halves.
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
const many = Array.from({ length: 9 }, (_, i) => doc(i)).join('---\n') + '---\n---\n' + doc(99);

describe('loadYAMLDocuments', () => {
  it('cuts at a document marker at or after the middle, never inside a document', () => {
    const cut = cutPoint(many);
    expect(cut).toBeGreaterThanOrEqual(many.length >> 1);
    expect(many.slice(cut, cut + 4)).toBe('---\n');
  });

  it('parses small files in one piece', () => {
    const how: string[] = [];
    expect(loadYAMLDocuments(many, 'x.yaml', { report: (h) => how.push(h) })).toEqual(serial(many));
    expect(how).toEqual(['one piece']);
  });

  it('keeps files with directives or document-end markers in one piece', () => {
    expect(cutPoint('%YAML 1.2\n---\na: 1\n---\nb: 2\n')).toBe(-1);
    expect(cutPoint('a: 1\n...\n---\nb: 2\n---\nc: 3\n')).toBe(-1);
    expect(cutPoint('a: 1\nb: 2\n')).toBe(-1);
  });

  it('reads the same documents on two threads as on one (worker schema included)', () => {
    const how: string[] = [];
    const parallel = loadYAMLDocuments(many, 'x.yaml', { parallelMinChars: 0, report: (h) => how.push(h) });
    expect(how).toEqual(['two threads']);
    expect(parallel).toEqual(serial(many));
    expect(parallel).toHaveLength(11); // one empty document included
    expect(parallel[0]).toMatchObject({ svc: { port: 0, created: '2026-01-15T10:00:00Z', on: 'yes', inf: Infinity } });
    expect((parallel[0] as { svc: { when: unknown } }).svc.when).toBeInstanceOf(Date);
  });

  it('reads plain JSON-like documents the same on two threads (they cross threads as JSON text)', () => {
    const plain = Array.from({ length: 12 }, (_, i) => `kind: Service\nmetadata: {name: s${i}, labels: {a: "1"}}\nspec: {ports: [{port: ${i + 1}, name: p}], ok: true, none: null}\n`).join('---\n');
    const how: string[] = [];
    // The block-style reader would take these; this test is about the threads.
    const parallel = loadYAMLDocuments(plain, 'p.yaml', { parallelMinChars: 0, fastPath: false, report: (h) => how.push(h) });
    expect(how).toEqual(['two threads']);
    expect(parallel).toEqual(serial(plain));
    expect(parallel).toHaveLength(12);
  });

  it('reads block-style YAML with the fast path, and the same documents as js-yaml', () => {
    const plain = Array.from({ length: 5 }, (_, i) => `kind: Service\nmetadata:\n  name: s${i}\n  labels: {a: "1"}\nspec:\n  ports:\n  - port: ${i + 1}\n    name: p\n`).join('---\n');
    const how: string[] = [];
    const docs = loadYAMLDocuments(plain, 'p.yaml', { parallelMinChars: 0, report: (h) => how.push(h) });
    expect(how).toEqual(['fast path']);
    expect(docs).toEqual(serial(plain));
    expect(docs).toHaveLength(5);
  });

  it('leaves invalid YAML to js-yaml, so errors and their positions are unchanged', () => {
    const bad = 'a: 1\nb:\n  - x\n  y: 2\n';
    const how: string[] = [];
    const e = errorOf(() => loadYAMLDocuments(bad, 'x.yaml', { report: (h) => how.push(h) }));
    const expected = errorOf(() => loadYAMLDocuments(bad, 'x.yaml', { fastPath: false }));
    expect(how).toEqual(['one piece']);
    expect(e.message).toBe(expected.message);
    expect(e.location).toEqual(expected.location);
    expect(e.location).toEqual({ file: 'x.yaml', line: 4, column: 3 });
  });

  it('reports a syntax error in the second half at its line in the whole file', () => {
    const bad = `${many}---\na: [1, 2\n`;
    const e = errorOf(() => loadYAMLDocuments(bad, 'x.yaml', { parallelMinChars: 0 }));
    const expected = errorOf(() => loadYAMLDocuments(bad, 'x.yaml', { parallelMinChars: Infinity }));
    expect(cutPoint(bad)).toBeGreaterThan(0);
    expect(e.location).toEqual(expected.location);
    expect(e.message).toBe(expected.message);
    expect(e.location.line).toBeGreaterThan(bad.slice(0, cutPoint(bad)).split('\n').length);
  });

  it('reports the first error when both halves have one', () => {
    const bad = `a: [1\n---\n${many}---\nb: [2\n`;
    const e = errorOf(() => loadYAMLDocuments(bad, 'x.yaml', { parallelMinChars: 0 }));
    expect(e.location.line).toBe(2);
  });
});
