/**
 * Meaning-preserving permutations of a golden case's input, for the order checks of
 * test/golden.test.ts. kube-proxy reads Services and EndpointSlices from informers, which give
 * no order; kp-gen must therefore write the same rules (and the same errors) whatever the order
 * of files, documents, `List` items, mapping keys, the endpoints and ports of a slice and the
 * ports of a Service. Lists that kube-proxy reads in order are left alone: a Service's
 * clusterIPs, ipFamilies, externalIPs, load-balancer ingress and source ranges, and an
 * endpoint's addresses (only the first counts).
 *
 * Each permutation says whether it changed anything (`changed`), compared on the parsed
 * documents and the command line rather than on text, so a comment dropped by re-dumping does
 * not count as a change. A check whose permutation changed nothing checks nothing.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import yaml from 'js-yaml';
import { MANIFEST_SCHEMA } from '../../src/load/yaml.js';

/** One manifest file as kp-gen reads it. */
interface ManifestFile {
  /** Path relative to the case directory, e.g. `input.yaml` or `input/apps/web/service.yaml`. */
  rel: string;
  /** The documents, or undefined when the text does not parse (a syntax-error case). */
  docs: unknown[] | undefined;
  text: string;
}

/** A case's inputs: the input arguments (relative to the case) and the files they expand to. */
export interface CaseInput {
  caseDir: string;
  /** Input arguments relative to the case directory (`input.yaml`, `input`). */
  args: string[];
  /** Manifest files in kp-gen's reading order. */
  files: ManifestFile[];
  /** Other files under an input directory (kp-gen skips them), copied as they are. */
  others: string[];
}

/** A permuted input written to disk, ready to run. */
export interface Permuted {
  /** Input arguments to pass to kp-gen (absolute paths into `root`). */
  inputs: string[];
  /** True when the permuted input differs from the original as kp-gen would read it. */
  changed: boolean;
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/** kp-gen's own schema (src/load/yaml.ts): scalars as kubectl reads them, no implicit timestamps. */
const SCHEMA = MANIFEST_SCHEMA;

/** Walk like kp-gen: byte-wise sorted names, dot-entries skipped, `*.yaml|*.yml|*.json` only. */
function walk(dir: string, out: string[], others: string[]): void {
  const names = readdirSync(dir).filter((n) => !n.startsWith('.'));
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const n of names) {
    const full = join(dir, n);
    if (statSync(full).isDirectory()) walk(full, out, others);
    else if (MANIFEST_EXT.test(n)) out.push(full);
    else others.push(full);
  }
}

function isJSONText(file: string, text: string): boolean {
  const first = text.trimStart()[0];
  return /\.json$/i.test(file) || first === '{' || first === '[';
}

function parse(file: string, text: string): unknown[] | undefined {
  try {
    const docs = isJSONText(file, text) ? [JSON.parse(text) as unknown] : yaml.loadAll(text, undefined, { schema: SCHEMA });
    for (const d of docs) if (!isPlainJSON(d)) throw new Error(`${file}: a value JSON cannot hold; the permutation would change it`);
    // kp-gen skips empty documents (`---` with nothing after it).
    return docs.filter((d) => d !== null && d !== undefined);
  } catch (e) {
    if (e instanceof yaml.YAMLException || e instanceof SyntaxError) return undefined;
    throw e;
  }
}

function isPlainJSON(v: unknown): boolean {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(isPlainJSON);
  return typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && Object.values(v).every(isPlainJSON);
}

export function readCaseInput(caseDir: string, inputs: readonly string[]): CaseInput {
  const files: ManifestFile[] = [];
  const others: string[] = [];
  const args: string[] = [];
  for (const input of inputs) {
    args.push(relative(caseDir, input));
    const paths: string[] = [];
    if (statSync(input).isDirectory()) walk(input, paths, others);
    else paths.push(input);
    for (const p of paths) {
      const text = readFileSync(p, 'utf8');
      files.push({ rel: relative(caseDir, p), text, docs: parse(p, text) });
    }
  }
  return { caseDir, args, files, others: others.map((o) => relative(caseDir, o)) };
}

/** The objects kp-gen would see, in its reading order (`kind: List` items one by one). */
export function objectsOf(input: CaseInput): unknown[] {
  return input.files.flatMap((f) => (f.docs ?? []).flatMap(flattenList));
}

/** True when reversing the objects changes their sequence (at least two differ). */
export function reversingObjectsChanges(input: CaseInput): boolean {
  const objects = objectsOf(input);
  return JSON.stringify(objects) !== JSON.stringify([...objects].reverse());
}

export function hasUnparseable(input: CaseInput): boolean {
  return input.files.some((f) => f.docs === undefined);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `kind: List` → its items (recursively); anything else is one object. Typed lists stay whole. */
function flattenList(doc: unknown): unknown[] {
  if (isObj(doc) && doc.kind === 'List' && Array.isArray(doc.items)) return doc.items.flatMap(flattenList);
  return [doc];
}

/** True when no two elements share a key (so reversing them cannot change which one wins). */
function distinctBy(items: unknown[], keys: (item: unknown) => string[]): boolean {
  const seen = new Set<string>();
  for (const it of items) {
    for (const k of keys(it)) {
      if (seen.has(k)) return false;
      seen.add(k);
    }
  }
  return true;
}

const portKey = (p: unknown): string[] => (isObj(p) ? [`${String(p.name ?? '')}/${String(p.protocol ?? 'TCP')}`] : []);
const endpointKeys = (e: unknown): string[] => (isObj(e) && Array.isArray(e.addresses) ? e.addresses.map(String) : []);

/**
 * Lists whose order kube-proxy ignores, by the kind of the object holding them and their path
 * in it. Each is reversed only when no two elements share an address or a name/protocol: of two
 * copies of an endpoint, kube-proxy (and kp-gen) keeps one by their order. Two slice ports of one
 * name are invalid input; there kp-gen's warnings do depend on the order (core/skipped-objects:
 * with the copy that has no port number first, the slice's bad endpoints are not reported).
 */
function reversible(kind: string, path: string, items: unknown[]): boolean {
  if (path === 'items') return kind.endsWith('List');
  if (kind === 'EndpointSlice' && path === 'endpoints') return distinctBy(items, endpointKeys);
  if (kind === 'EndpointSlice' && path === 'ports') return distinctBy(items, portKey);
  if (kind === 'Service' && path === 'spec.ports') return distinctBy(items, portKey);
  return false;
}

/** Deep reversal of one document: every mapping's keys and the lists `reversible` allows. */
function reverseDeep(v: unknown, kind = '', path = ''): unknown {
  if (Array.isArray(v)) {
    const items = v.map((x) => reverseDeep(x, kind, `${path}[]`));
    return reversible(kind, path, v) ? items.reverse() : items;
  }
  if (!isObj(v)) return v;
  // An object with a kind (a document, a List item) starts a new context.
  const [k, base] = typeof v.kind === 'string' ? [v.kind, ''] : [kind, path];
  const out: Obj = {};
  for (const key of Object.keys(v).reverse()) out[key] = reverseDeep(v[key], k, base === '' ? key : `${base}.${key}`);
  return out;
}

function dumpYAML(docs: unknown[]): string {
  return docs.map((d) => yaml.dump(d, { schema: SCHEMA, lineWidth: -1, noRefs: true })).join('---\n');
}

function dumpFor(rel: string, docs: unknown[]): string {
  if (!/\.json$/i.test(rel)) return dumpYAML(docs);
  // A .json file holds one document; several (or none) go into a List, which kp-gen flattens.
  const doc = docs.length === 1 ? docs[0] : { apiVersion: 'v1', kind: 'List', items: docs };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/**
 * A file that does not parse: reverse its leading one-line keys (`apiVersion: v1` /
 * `kind: Service`, or the JSON equivalent), all before the syntax error, so the error's
 * line:column stays where it was while the key order changes.
 */
function reverseLeadingKeys(text: string): string {
  const lines = text.split('\n');
  const json = lines[0]?.trim() === '{';
  const start = json ? 1 : 0;
  const simple = json ? /^\s*"[^"]+": ("[^"]*"|-?\d+|true|false|null),$/ : /^[A-Za-z][\w.-]*: [^\s{[&*!|>#][^#]*$/;
  let end = start;
  while (end < lines.length && simple.test(lines[end]!)) end++;
  if (end - start < 2) return text;
  return [...lines.slice(0, start), ...lines.slice(start, end).reverse(), ...lines.slice(end)].join('\n');
}

const fingerprint = (files: { rel: string; docs: unknown[] | undefined; text: string }[]): string =>
  JSON.stringify(files.map((f) => [f.rel, f.docs ?? f.text]));

/**
 * In place: the same file names, but the contents reversed across files (the first file read
 * now holds what the last one held), the documents of each file reversed, and every document
 * reversed deeply (see reverseDeep). Paths in messages therefore still name the same places.
 */
export function writeReversedInPlace(input: CaseInput, root: string): Permuted {
  const n = input.files.length;
  const out = input.files.map((f, i) => {
    const src = input.files[n - 1 - i]!;
    if (src.docs === undefined) return { rel: f.rel, docs: undefined, text: reverseLeadingKeys(src.text) };
    const docs = [...src.docs].reverse().map((d) => reverseDeep(d));
    return { rel: f.rel, docs, text: dumpFor(f.rel, docs) };
  });
  for (const f of out) writeUnder(root, f.rel, f.text);
  for (const o of input.others) writeUnder(root, o, readFileSync(join(input.caseDir, o), 'utf8'));
  const before = fingerprint(input.files);
  // Re-read what was written, so `changed` is about what kp-gen will read.
  const after = fingerprint(out.map((f) => ({ ...f, docs: parse(f.rel, f.text) })));
  return { inputs: input.args.map((a) => join(root, a)), changed: before !== after };
}

/**
 * Spread: every object (`List` items one by one) in its own file, in reverse order, named so
 * that kp-gen reads them in that order, YAML and JSON alternately, keys as written. The
 * directory is the only input.
 */
export function writeSpread(input: CaseInput, root: string): Permuted {
  const objects = objectsOf(input).reverse();
  const width = String(objects.length).length;
  objects.forEach((o, i) => {
    const name = `${String(i).padStart(width, '0')}.${i % 2 === 0 ? 'yaml' : 'json'}`;
    writeUnder(root, join('spread', name), i % 2 === 0 ? dumpYAML([o]) : `${JSON.stringify(o)}\n`);
  });
  const changed = !hasUnparseable(input) && JSON.stringify(objects) !== JSON.stringify(objectsOf(input));
  return { inputs: [join(root, 'spread')], changed };
}

function writeUnder(root: string, rel: string, text: string): void {
  const full = join(root, rel);
  mkdirSync(dirname(full), { recursive: true });
  writeFileSync(full, text);
}

/**
 * The command line reordered: flag groups (a flag and its value) in reverse order, the inputs
 * before the flags. When that changes nothing (one flag, no input), `--flag value` is written
 * `--flag=value` instead. Returns the argv and whether it differs from `[...flags, ...inputs]`.
 */
export function reorderCommandLine(flags: readonly string[], inputs: readonly string[]): { argv: string[]; changed: boolean } {
  const groups: string[][] = [];
  for (const t of flags) {
    if (t.startsWith('-') || groups.length === 0) groups.push([t]);
    else groups[groups.length - 1]!.push(t);
  }
  const original = [...flags, ...inputs];
  let argv = [...inputs, ...[...groups].reverse().flat()];
  if (argv.join('\0') === original.join('\0')) {
    argv = [...inputs, ...groups.map((g) => (g.length === 2 && g[0]!.startsWith('--') ? [`${g[0]}=${g[1]}`] : g)).flat()];
  }
  return { argv, changed: argv.join('\0') !== original.join('\0') };
}

/**
 * stderr compared across permutations. Paths starting with one of `inputs` (the input
 * arguments) become `<input>`: a spread input has other file names. With `loose` (the warnings
 * of a case that succeeds), indices (`[3]`) become `[*]`, since a reversed list renumbers them,
 * and the lines are sorted, since kp-gen warns in reading order.
 */
export function normalizeStderr(stderr: string, inputs: readonly string[], loose: boolean): string[] {
  let s = stderr;
  for (const p of inputs) s = s.split(p).join('<input>');
  s = s.replace(/<input>[^\s:,]*/g, '<input>');
  if (!loose) return s.split('\n');
  return s
    .replace(/\[\d+\]/g, '[*]')
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}
