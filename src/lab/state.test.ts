import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { readState } from './state.js';

function problem(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kp-gen-state-'));
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
  it.each([
    ['', 'not a kp-gen lab state file (not JSON)'],
    ['{"version": 1, "plan": {"na', 'not a kp-gen lab state file (not JSON)'],
    ['[1, 2]', 'not a kp-gen lab state file (not a JSON object)'],
    ['{"version": 7}', 'unknown state version 7'],
    ['{"version": 1}', 'not a kp-gen lab state file (no plan.name)'],
    ['{"version": 1, "plan": {"name": "lab"}, "namespaces": "kp-x"}', 'not a kp-gen lab state file (namespaces is not a list of names)'],
    ['{"version": 1, "plan": {"name": "lab"}, "namespaces": [], "servers": [1]}', 'not a kp-gen lab state file (servers is not a list of objects)'],
    ['{"version": 1, "plan": {"name": "lab"}, "namespaces": [], "servers": [], "paths": []}', 'not a kp-gen lab state file (no iptablesSave)'],
  ])('%j', (text, message) => {
    expect(problem(text)).toBe(message);
  });

  it('no file is no lab', () => {
    expect(readState(mkdtempSync(join(tmpdir(), 'kp-gen-state-')), 'lab')).toBeNull();
  });
});
