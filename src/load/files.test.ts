import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/helpers/errors.js';
import { UserError } from '../errors.js';
import { expandPaths, loadFiles, parseText, readText, type RawObject } from './files.js';

function parse(text: string, file = 'x.yaml'): RawObject[] {
  const out: RawObject[] = [];
  parseText(text, file, out);
  return out;
}


describe('parseText', () => {
  it('reads multi-document YAML, skipping empty documents', () => {
    const docs = parse('a: 1\n---\n---\nb: 2\n');
    expect(docs.map((d) => [d.value, d.doc])).toEqual([
      [{ a: 1 }, 1],
      [{ b: 2 }, 3],
    ]);
  });

  it('keeps unquoted dates as strings and reads yes/on as true (as kubectl does), with merge keys and explicit tags working', () => {
    const [doc] = parse('base: &b {port: 80}\nsvc:\n  <<: *b\n  created: 2026-01-15T10:00:00Z\n  on: yes\n  when: !!timestamp 2026-01-15\n');
    expect(doc!.value).toEqual({
      base: { port: 80 },
      svc: { port: 80, created: '2026-01-15T10:00:00Z', true: true, when: new Date('2026-01-15T00:00:00Z') },
    });
  });

  it('flattens kind: List and typed lists, filling in kind and apiVersion', () => {
    const docs = parse(
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [
          { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } },
          { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSliceList', items: [{ metadata: { name: 'b' } }] },
        ],
      }),
      'list.json',
    );
    expect(docs.map((d) => d.value)).toEqual([
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' } },
      { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'b' } },
    ]);
    expect(docs.map((d) => d.item)).toEqual([0, 1]);
  });

  it('reports invalid YAML with file:line:column', () => {
    const e = errorOf(() => parse('apiVersion: v1\nkind: Service\nmetadata:\n  name: [oops\n', 'bad.yaml'));
    expect(e.location).toMatchObject({ file: 'bad.yaml', line: 5, column: 1 });
    expect(e.message).toMatch(/^bad\.yaml:5:1: invalid YAML: /);
  });

  it('reports a duplicate key as invalid YAML', () => {
    const e = errorOf(() => parse('a: 1\na: 2\n', 'dup.yaml'));
    expect(e.message).toMatch(/^dup\.yaml:2:\d+: invalid YAML: duplicated mapping key/);
  });

  it('reports invalid JSON with file:line:column', () => {
    const e = errorOf(() => parse('{\n  "kind": "Service",\n  "metadata": {"name": "a",}\n}\n', 'bad.json'));
    expect(e.location.file).toBe('bad.json');
    expect(e.location.line).toBe(3);
    expect(e.location.column).toBeGreaterThan(20);
    expect(e.message).toMatch(/^bad\.json:3:\d+: invalid JSON: /);
  });

  it('reports truncated JSON at its end', () => {
    const e = errorOf(() => parse('{"kind": "Service"', 'cut.json'));
    expect(e.location).toMatchObject({ file: 'cut.json', line: 1 });
  });

  it('accepts a byte-order mark', () => {
    expect(parse('\ufeffa: 1\n')).toHaveLength(1);
  });
});

describe('files and directories', () => {
  it('walks directories recursively in byte order, keeping only manifest extensions', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-gen-'));
    mkdirSync(join(dir, 'b'));
    mkdirSync(join(dir, '.hidden'));
    for (const f of ['b/2.yaml', 'b/1.json', 'a.yml', 'Z.yaml', 'notes.txt', '.hidden/x.yaml', '.dot.yaml']) {
      writeFileSync(join(dir, f), 'a: 1\n');
    }
    expect(expandPaths([dir]).map((p) => p.slice(dir.length + 1))).toEqual(['Z.yaml', 'a.yml', 'b/1.json', 'b/2.yaml']);
  });

  it('reads stdin for -', () => {
    const objs = loadFiles(['-'], () => 'kind: Service\n');
    expect(objs).toEqual([{ value: { kind: 'Service' }, file: '-', doc: 1 }]);
  });

  it('names a missing path', () => {
    expect(() => loadFiles(['/nonexistent/kp-gen.yaml'], () => '')).toThrow(UserError);
    expect(() => loadFiles(['/nonexistent/kp-gen.yaml'], () => '')).toThrow(/cannot read \/nonexistent\/kp-gen\.yaml: no such file or directory$/);
  });
});

describe('readText', () => {
  it('decodes UTF-8, and ASCII through its fast path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-gen-read-'));
    const ascii = join(dir, 'a.yaml');
    const utf8 = join(dir, 'u.yaml');
    writeFileSync(ascii, 'name: plain\n');
    writeFileSync(utf8, 'name: caf\u00e9 \u2013 \u{1f600}\n');
    expect(readText(ascii)).toBe('name: plain\n');
    expect(readText(utf8)).toBe('name: caf\u00e9 \u2013 \u{1f600}\n');
  });
});
