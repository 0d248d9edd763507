/**
 * What `kp-gen lab up` made, recorded so that `lab status` and `lab down` act on exactly that:
 * `<state dir>/<name>.json`, plus `<state dir>/<name>/` for the rules loaded and the servers'
 * logs. Written before anything is created and again as servers start, so even an `up`
 * interrupted half-way can be taken down.
 */
import { mkdirSync, readFileSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeSystemError, UserError } from '../errors.js';
import { isRecord } from '../util.js';
import type { LabPlan } from './plan.js';
import type { ServerRecord } from './servers.js';

export interface LabState {
  version: 1;
  plan: LabPlan;
  /** Every namespace this lab creates, node first. */
  namespaces: string[];
  servers: ServerRecord[];
  /** The iptables-save command matching the iptables-restore that loaded the rules. */
  iptablesSave: string;
  /** The manifests the rules came from (the rules themselves are in `<name>/rules`). */
  paths: string[];
}

export function stateFile(dir: string, name: string): string {
  return join(dir, `${name}.json`);
}

export function stateFilesDir(dir: string, name: string): string {
  return join(dir, name);
}

export function writeState(dir: string, state: LabState): void {
  mkdirSync(stateFilesDir(dir, state.plan.name), { recursive: true });
  const file = stateFile(dir, state.plan.name);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** null when no lab of that name is recorded. */
export function readState(dir: string, name: string): LabState | null {
  const file = stateFile(dir, name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new UserError(`cannot read ${file}: ${describeSystemError(e)}`);
  }
  const corrupt = (why: string): UserError =>
    new UserError(`${file}: not a kp-gen lab state file (${why})`, `remove it if no lab ${JSON.stringify(name)} is running, or use another --state-dir`);
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch {
    throw corrupt('not JSON');
  }
  if (!isRecord(state)) throw corrupt('not a JSON object');
  if (state.version !== 1) throw new UserError(`${file}: unknown state version ${JSON.stringify(state.version)}`);
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!isRecord(state.plan) || typeof state.plan.name !== 'string') throw corrupt('no plan.name');
  if (!strings(state.namespaces)) throw corrupt('namespaces is not a list of names');
  if (!Array.isArray(state.servers) || !state.servers.every(isRecord)) throw corrupt('servers is not a list of objects');
  if (typeof state.iptablesSave !== 'string') throw corrupt('no iptablesSave');
  if (!strings(state.paths)) throw corrupt('paths is not a list of paths');
  return state as unknown as LabState;
}

export function removeState(dir: string, name: string): void {
  rmSync(stateFile(dir, name), { force: true });
  rmSync(stateFilesDir(dir, name), { recursive: true, force: true });
  try {
    rmdirSync(dir); // only when no other lab is recorded there
  } catch {
    // not empty, or already gone
  }
}
