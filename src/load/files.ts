/**
 * Reading manifest files: paths → parsed documents, each remembering where it came from.
 * Directories are walked recursively (sorted, `*.yaml|*.yml|*.json`, dot-entries and
 * non-regular files skipped); `-` reads stdin. Every input is read up to MAX_INPUT_BYTES (read.ts). Each file may be JSON, a single YAML document or multi-document YAML;
 * `kind: List` (and typed lists such as `ServiceList`) are flattened into their items.
 */
import { isAscii } from 'node:buffer';
import { lstatSync, readdirSync, statSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import { InputError, systemErrorText, UserError } from '../errors.js';
import { readInputBytes } from './read.js';
import { byteCompare, isRecord } from '../util.js';
import { loadYAMLDocuments } from './yaml.js';

/** One Kubernetes object as parsed, before any interpretation. */
export interface RawObject {
  /** The parsed JSON value (an object, checked by the decoder). */
  value: unknown;
  /** The file as the user named it (`-` for stdin). */
  file: string;
  /** 1-based document number in a multi-document file. */
  doc: number;
  /** 0-based position in a `List`, if it came from one. */
  item?: number;
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;


/** Expand PATH arguments into files, in the order kp-gen reads them. */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') {
      out.push(p);
      continue;
    }
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      throw new UserError(`cannot read ${p}: ${systemErrorText(e)}`);
    }
    // A file named on the command line is read whatever it is (a fifo like stdin), with the size limit.
    if (st.isDirectory()) walk(p, out, new Set([dirKey(st)]));
    else out.push(p);
  }
  return out;
}

function dirKey(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

/**
 * A directory's manifests, recursively. Symbolic links are followed; a link back to a directory
 * being walked is an error (it would never end), as are a dangling link and an unreadable
 * entry. Entries that are neither directories nor regular files — fifos, sockets, devices —
 * are skipped: reading one could block for ever or never end.
 */
function walk(dir: string, out: string[], open: Set<string>): void {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => !n.startsWith('.'));
  } catch (e) {
    throw new UserError(`cannot read directory ${dir}: ${systemErrorText(e)}`);
  }
  names.sort(byteCompare);
  for (const name of names) {
    const full = join(dir, name);
    let st: Stats;
    try {
      st = statSync(full);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const dangling = code === 'ENOENT' && isSymlink(full);
      throw new UserError(`cannot read ${full}: ${dangling ? 'dangling symbolic link' : systemErrorText(e)}`);
    }
    if (st.isDirectory()) {
      const key = dirKey(st);
      if (open.has(key)) throw new UserError(`cannot read ${full}: a symbolic link loop (it leads back to a directory that contains it)`);
      open.add(key);
      walk(full, out, open);
      open.delete(key);
    } else if (st.isFile() && MANIFEST_EXT.test(name)) out.push(full);
  }
}

function isSymlink(p: string): boolean {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}

/** Read and parse every file; throws InputError (with line:column) on a syntax error. */
export function loadFiles(paths: readonly string[], readStdin: () => string): RawObject[] {
  const objects: RawObject[] = [];
  for (const file of expandPaths(paths)) {
    let text: string;
    try {
      text = file === '-' ? readStdin() : readText(file);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`cannot read ${file}: ${systemErrorText(e)}`);
    }
    parseText(text, file, objects);
  }
  return objects;
}

/**
 * A file's text, decoded as UTF-8, at most MAX_INPUT_BYTES. Manifests are almost always ASCII,
 * and an ASCII file can be copied into a string as is: for a 25 MB input that is ~50 ms faster
 * than decoding UTF-8.
 */
export function readText(file: string): string {
  const bytes = readInputBytes(file, file);
  return bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
}

/** Parse one file's text into `out`. Exported for tests and stdin. */
export function parseText(text: string, file: string, out: RawObject[]): void {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const first = text.trimStart()[0];
  if (/\.json$/i.test(file) || first === '{' || first === '[') {
    pushDoc(parseJSON(text, file), file, 1, out);
    return;
  }
  const docs = loadYAMLDocuments(text, file);
  docs.forEach((d, i) => pushDoc(d, file, i + 1, out));
}

function parseJSON(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const m = /position (\d+)/.exec(msg);
    const pos = m ? Number(m[1]) : text.length;
    const before = text.slice(0, pos);
    const line = before.split('\n').length;
    const column = pos - before.lastIndexOf('\n');
    const reason = msg.replace(/ in JSON at position \d+.*$/, '').replace(/^JSON\.parse: /, '');
    throw new InputError({ file, line, column }, `invalid JSON: ${reason}`);
  }
}

function pushDoc(value: unknown, file: string, doc: number, out: RawObject[]): void {
  // Empty documents (`---` with nothing after it) are allowed, as kubectl allows them.
  if (value === null || value === undefined) return;
  flattenList(value, file, doc, undefined, out);
}

/** How deep Lists may nest in Lists (kubectl writes none nested; a deeper one is refused, not a stack overflow). */
const MAX_LIST_DEPTH = 100;

function flattenList(
  value: unknown,
  file: string,
  doc: number,
  item: number | undefined,
  out: RawObject[],
  depth = 0,
): void {
  if (isRecord(value) && typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    if (depth >= MAX_LIST_DEPTH) {
      throw new InputError({ file, field: item !== undefined ? `document ${doc}, items[${item}]` : `document ${doc}` }, `Lists nested more than ${MAX_LIST_DEPTH} deep`);
    }
    // Typed lists (ServiceList, EndpointSliceList) omit kind/apiVersion on their items.
    const itemKind = value.kind === 'List' ? undefined : value.kind.slice(0, -'List'.length);
    value.items.forEach((it: unknown, i: number) => {
      if (itemKind && isRecord(it)) {
        if (it.kind === undefined) it.kind = itemKind;
        if (it.apiVersion === undefined && value.apiVersion !== undefined) it.apiVersion = value.apiVersion;
      }
      flattenList(it, file, doc, item ?? i, out, depth + 1);
    });
    return;
  }
  const o: RawObject = { value, file, doc };
  if (item !== undefined) o.item = item;
  out.push(o);
}
