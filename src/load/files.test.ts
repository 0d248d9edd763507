import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorOf } from '../../test/helpers/errors.js';
import { UserError } from '../errors.js';
import { expandPaths, loadFiles, parseText, readText, type RawObject } from './files.js';
import { readInputBytes } from './read.js';

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

/** The message of the UserError `fn` throws. */
function userMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('directory walks a careful user can trust', () => {
  const fresh = (): string => mkdtempSync(join(tmpdir(), 'kp-gen-walk-'));

  it('skips fifos, sockets and devices, even with a manifest name (reading one could block for ever)', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'a.yaml'), 'kind: Service\n');
    execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
    symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
    expect(expandPaths([dir])).toEqual([join(dir, 'a.yaml')]);
  });

  it('follows links, but a link back to a directory being walked is an error, not an endless walk', () => {
    const dir = fresh();
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'a.yaml'), 'kind: Service\n');
    symlinkSync('..', join(dir, 'sub', 'up'));
    expect(userMessage(() => expandPaths([dir]))).toBe(`cannot read ${join(dir, 'sub', 'up')}: a symbolic link loop (it leads back to a directory that contains it)`);
    const loop = fresh();
    symlinkSync('self.yaml', join(loop, 'self.yaml'));
    expect(userMessage(() => expandPaths([loop]))).toBe(`cannot read ${join(loop, 'self.yaml')}: too many levels of symbolic links`);
  });

  it('names a dangling link', () => {
    const dir = fresh();
    symlinkSync(join(dir, 'gone'), join(dir, 'a.yaml'));
    expect(userMessage(() => expandPaths([dir]))).toBe(`cannot read ${join(dir, 'a.yaml')}: dangling symbolic link`);
  });

  it('names an unreadable subdirectory', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'notadir'), '');
    // readdir of a file fails as an unreadable directory does (root may read any directory).
    expect(userMessage(() => expandPaths([join(dir, 'notadir/')]))).toMatch(/^cannot read .*notadir\/: not a directory$/);
    if (process.getuid?.() !== 0) {
      mkdirSync(join(dir, 'locked'), { mode: 0o000 });
      expect(userMessage(() => expandPaths([dir]))).toBe(`cannot read directory ${join(dir, 'locked')}: permission denied`);
    }
  });
});

describe('input size limit', () => {
  it('refuses a regular file over the limit before reading it, and an endless device at the limit', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-gen-limit-'));
    writeFileSync(join(dir, 'big.yaml'), 'x'.repeat(2000));
    expect(userMessage(() => readInputBytes(join(dir, 'big.yaml'), 'big.yaml', 1024 * 1024 / 1024))).toMatch(/^cannot read big\.yaml: larger than .* MiB, the most kp-gen reads from one input$/);
    expect(userMessage(() => readInputBytes('/dev/zero', '/dev/zero', 4096))).toMatch(/^cannot read \/dev\/zero: larger than/);
    expect(readInputBytes(join(dir, 'big.yaml'), 'big.yaml', 2000).length).toBe(2000);
  });

  it('reads a fifo named explicitly, like stdin', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-gen-fifo-'));
    const fifo = join(dir, 'in.yaml');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', `printf 'kind: Service\\n' > ${fifo}`]);
    try {
      expect(readInputBytes(fifo, fifo).toString()).toBe('kind: Service\n');
    } finally {
      writer.kill();
    }
  });
});

describe('nesting', () => {
  it('refuses Lists nested too deep instead of overflowing the stack', () => {
    const n = 20000;
    const text = `{"kind":"List","items":[${'{"kind":"List","items":['.repeat(n)}${']}'.repeat(n)}]}`;
    expect(() => parse(text, 'deep.json')).toThrow('deep.json: document 1, items[0]: Lists nested more than 100 deep');
  });
});
