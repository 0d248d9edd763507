/**
 * What `kp-gen lab up` made, recorded so that `lab status` and `lab down` act on exactly that:
 * `<state dir>/<name>.json`, plus `<state dir>/<name>/` for the rules loaded and the servers'
 * logs. Written before anything is created and again as namespaces and servers appear, so even
 * an `up` interrupted half-way can be taken down.
 *
 * A record is not trusted to name things to delete: `lab down` removes only what the record
 * proves the lab made (ownedNamespaces in lab.ts), and of the state directory only the files
 * the lab wrote into a directory it created itself (marked by a token the record repeats).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmdirSync, unlinkSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { systemErrorText, UserError } from '../errors.js';
import { writeFileAtomicSync } from '../io.js';
import { isRecord } from '../util.js';
import { LAB_NAME_PATTERN, type LabPlan } from './plan.js';
import type { ServerRecord } from './servers.js';

export const STATE_VERSION = 2;

export interface LabState {
  version: typeof STATE_VERSION;
  plan: LabPlan;
  /** Every namespace this lab creates, node first. */
  namespaces: string[];
  /** The inode of each namespace the lab created (`/run/netns/NAME`), recorded once it exists. */
  namespaceIds: Record<string, number>;
  servers: ServerRecord[];
  /** The manifests the rules came from (the rules themselves are in `<name>/rules`). */
  paths: string[];
  /** The directories `lab up` created for the record (the state dir and parents), deepest first. */
  createdDirs: string[];
  /** The token in `<name>/.kp-gen-lab`: proof that the files directory is the lab's. */
  token: string;
}

/** The marker file inside the lab's files directory. */
const MARKER = '.kp-gen-lab';

export function stateFile(dir: string, name: string): string {
  return join(dir, `${name}.json`);
}

export function stateFilesDir(dir: string, name: string): string {
  return join(dir, name);
}

/** The files a lab writes into its files directory: the rules, one log per pod namespace. */
export function labFileNames(state: LabState): string[] {
  return ['rules', ...state.plan.pods.map((p) => `${p.ns}.log`)];
}

/**
 * Create the state directory (if needed) and the lab's own files directory, which must not
 * exist: a directory already there is the user's (or another lab's) and is never reused.
 */
export function createLabDirs(dir: string, name: string): { createdDirs: string[]; token: string } {
  let first: string | undefined;
  const files = stateFilesDir(dir, name);
  try {
    first = mkdirSync(dir, { recursive: true, mode: 0o755 });
    mkdirSync(files, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new UserError(`${files} exists already and was not made by this lab`, `use another --name or --state-dir, or move ${files} away`);
    }
    throw new UserError(`cannot create ${files}: ${systemErrorText(e)}`);
  }
  const createdDirs: string[] = [];
  if (first !== undefined) {
    for (let d = resolve(dir); ; d = dirname(d)) {
      createdDirs.push(d);
      if (relative(first, d) === '' || dirname(d) === d) break;
    }
  }
  const token = randomBytes(16).toString('hex');
  writeFileAtomicSync(join(files, MARKER), `${token}\n`, 'lab state');
  return { createdDirs, token };
}

export function writeState(dir: string, state: LabState): void {
  writeFileAtomicSync(stateFile(dir, state.plan.name), `${JSON.stringify(state, null, 2)}\n`, 'lab state');
}

/** null when no lab of that name is recorded. */
export function readState(dir: string, name: string): LabState | null {
  if (!LAB_NAME_PATTERN.test(name)) throw new UserError(`lab name ${JSON.stringify(name)}: use 1 to 12 lower-case letters or digits`);
  const file = stateFile(dir, name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UserError(`cannot read ${file}: ${systemErrorText(e)}`);
  }
  // A record names namespaces and files to remove: every field is checked before it is used,
  // and a file that is not a record is one clear line, never a JSON SyntaxError or a TypeError.
  const hint = `remove it and any kpg-${name}-* namespaces left (ip netns del NAME) if no lab ${JSON.stringify(name)} is running, or use another --state-dir`;
  const corrupt = (why: string): UserError => new UserError(`${file}: not a kp-gen lab state file (${why})`, hint);
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw corrupt('not JSON');
  }
  if (!isRecord(state)) throw corrupt('not a JSON object');
  if (state.version !== STATE_VERSION) {
    throw new UserError(`${file}: unknown state version ${JSON.stringify(state.version)} (this kp-gen writes version ${STATE_VERSION})`, hint);
  }
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!isRecord(state.plan) || typeof state.plan.name !== 'string') throw corrupt('no plan.name');
  if (state.plan.name !== name) throw new UserError(`${file}: records lab ${JSON.stringify(state.plan.name)}, not ${JSON.stringify(name)}`, hint);
  if (!strings(state.namespaces)) throw corrupt('namespaces is not a list of names');
  if (!isRecord(state.namespaceIds) || !Object.values(state.namespaceIds).every((v) => typeof v === 'number')) throw corrupt('namespaceIds is not a map of numbers');
  if (!Array.isArray(state.servers) || !state.servers.every(isRecord)) throw corrupt('servers is not a list of objects');
  if (!strings(state.paths)) throw corrupt('paths is not a list of paths');
  if (!strings(state.createdDirs)) throw corrupt('createdDirs is not a list of paths');
  if (typeof state.token !== 'string') throw corrupt('no token');
  return state as unknown as LabState;
}

/** The labs recorded in `dir`, by name. */
export function listStates(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new UserError(`cannot read ${dir}: ${systemErrorText(e)}`);
  }
  return entries
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .filter((n) => LAB_NAME_PATTERN.test(n))
    .sort();
}

/** Whether the files directory carries this record's marker. */
function ownsFilesDir(dir: string, state: LabState): boolean {
  try {
    return readFileSync(join(stateFilesDir(dir, state.plan.name), MARKER), 'utf8') === `${state.token}\n`;
  } catch {
    return false;
  }
}

/**
 * Remove the record and what the lab wrote: its own files in its own directory, that
 * directory if nothing else is in it, and the directories `up` created if they are empty.
 */
export function removeState(dir: string, state: LabState): void {
  const files = stateFilesDir(dir, state.plan.name);
  const owned = ownsFilesDir(dir, state);
  if (owned) {
    for (const f of [...labFileNames(state), MARKER]) {
      try {
        unlinkSync(join(files, f));
      } catch {
        // never written
      }
    }
    tryRmdir(files);
  }
  try {
    unlinkSync(stateFile(dir, state.plan.name));
  } catch {
    // already gone
  }
  // The directories up created, only when the marker proves this record is the one up wrote.
  for (const d of owned && Array.isArray(state.createdDirs) ? state.createdDirs : []) {
    if (typeof d !== 'string' || relative(d, resolve(dir)).startsWith('..')) break; // only dir and its own ancestors
    if (!tryRmdir(d)) break;
  }
}

/** rmdir, which removes only an empty directory; whether it did. */
function tryRmdir(d: string): boolean {
  try {
    rmdirSync(d);
    return true;
  } catch {
    return false;
  }
}
