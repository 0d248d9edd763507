import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import type { LabPlan } from './plan.js';
import { createLabDirs, readState, removeState, STATE_VERSION, stateFilesDir, writeState, type LabState } from './state.js';

const roots: string[] = [];
afterEach(() => {
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});
function root(): string {
  const r = mkdtempSync(join(tmpdir(), 'kp-gen-state-'));
  roots.push(r);
  return r;
}

function stateFor(dir: string, name: string): LabState {
  const plan = { name, nodeNs: `kpg-${name}-node`, clientNs: `kpg-${name}-client`, nodeIP: '192.0.2.1', clientIPs: [], pods: [{ ns: `kpg-${name}-p1` }], access: [] } as unknown as LabPlan;
  return { version: STATE_VERSION, plan, namespaces: [], namespaceIds: {}, servers: [], paths: [], ...createLabDirs(dir, name) };
}

describe('lab state: only what the lab made is removed', () => {
  it('leaves a state directory that was there before, with the user\'s files', () => {
    const dir = root();
    writeFileSync(join(dir, 'mine.txt'), 'x');
    const state = stateFor(dir, 'a');
    expect(state.createdDirs).toEqual([]);
    writeState(dir, state);
    writeFileSync(join(stateFilesDir(dir, 'a'), 'rules'), 'r');
    writeFileSync(join(stateFilesDir(dir, 'a'), 'kpg-a-p1.log'), 'l');
    removeState(dir, readState(dir, 'a')!);
    expect(readdirSync(dir)).toEqual(['mine.txt']);
  });

  it('removes the directories it created, when empty', () => {
    const r = root();
    const dir = join(r, 'x', 'y');
    const state = stateFor(dir, 'b');
    expect(state.createdDirs).toEqual([join(r, 'x', 'y'), join(r, 'x')]);
    writeState(dir, state);
    removeState(dir, state);
    expect(readdirSync(r)).toEqual([]);
  });

  it('keeps files it did not write, and so its directory', () => {
    const dir = root();
    const state = stateFor(dir, 'c');
    writeState(dir, state);
    writeFileSync(join(stateFilesDir(dir, 'c'), 'notes'), 'n');
    removeState(dir, state);
    expect(readdirSync(stateFilesDir(dir, 'c'))).toEqual(['notes']);
    expect(existsSync(join(dir, 'c.json'))).toBe(false);
  });

  it('refuses to reuse a directory that exists; a record whose token does not match removes no file', () => {
    const dir = root();
    mkdirSync(join(dir, 'd'));
    expect(() => createLabDirs(dir, 'd')).toThrow(`${join(dir, 'd')} exists already and was not made by this lab`);
    const state = stateFor(dir, 'e');
    writeFileSync(join(stateFilesDir(dir, 'e'), 'rules'), 'r');
    removeState(dir, { ...state, token: 'forged', createdDirs: [dir] });
    expect(readdirSync(stateFilesDir(dir, 'e')).sort()).toEqual(['.kp-gen-lab', 'rules']);
    expect(existsSync(dir)).toBe(true);
  });

  it('reads no record for a name that is not a lab name, nor one that names another lab', () => {
    const dir = root();
    expect(() => readState(dir, '../etc')).toThrow('lab name');
    const state = stateFor(dir, 'f');
    writeState(dir, state);
    writeFileSync(join(dir, 'g.json'), JSON.stringify({ ...state, plan: { ...state.plan, name: 'f' } }));
    expect(() => readState(dir, 'g')).toThrow('records lab "f", not "g"');
  });
});

function problem(text: string): string {
  const dir = root();
  writeFileSync(join(dir, 'lab.json'), text);
  try {
    readState(dir, 'lab');
  } catch (e) {
    if (e instanceof UserError) return e.message.slice(dir.length + '/lab.json: '.length);
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('readState on a corrupt state file: one clear line, never a crash', () => {
  const base = '"version": 2, "plan": {"name": "lab"}';
  it.each([
    ['', 'not a kp-gen lab state file (not JSON)'],
    ['{"version": 2, "plan": {"na', 'not a kp-gen lab state file (not JSON)'],
    ['[1, 2]', 'not a kp-gen lab state file (not a JSON object)'],
    ['{"version": 7}', 'unknown state version 7 (this kp-gen writes version 2)'],
    ['{"version": 1, "plan": {"name": "lab"}}', 'unknown state version 1 (this kp-gen writes version 2)'],
    ['{"version": 2}', 'not a kp-gen lab state file (no plan.name)'],
    [`{${base}, "namespaces": "kp-x"}`, 'not a kp-gen lab state file (namespaces is not a list of names)'],
    [`{${base}, "namespaces": [], "namespaceIds": {"a": "1"}}`, 'not a kp-gen lab state file (namespaceIds is not a map of numbers)'],
    [`{${base}, "namespaces": [], "namespaceIds": {}, "servers": [1]}`, 'not a kp-gen lab state file (servers is not a list of objects)'],
    [`{${base}, "namespaces": [], "namespaceIds": {}, "servers": [], "paths": [3]}`, 'not a kp-gen lab state file (paths is not a list of paths)'],
    [`{${base}, "namespaces": [], "namespaceIds": {}, "servers": [], "paths": []}`, 'not a kp-gen lab state file (createdDirs is not a list of paths)'],
    [`{${base}, "namespaces": [], "namespaceIds": {}, "servers": [], "paths": [], "createdDirs": []}`, 'not a kp-gen lab state file (no token)'],
  ])('%j', (text, message) => {
    expect(problem(text)).toBe(message);
  });

  it('no file is no lab', () => {
    expect(readState(root(), 'lab')).toBeNull();
  });
});
