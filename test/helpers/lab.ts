/**
 * For tests that build a lab (src/lab/): the kernel check of kernel.ts plus the lab's own tools,
 * a lab name unique to this run, and a cleanup that leaves nothing behind even when `lab up`
 * or a test failed half-way.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labDown, labUp, type LabUpResult } from '../../src/lab/lab.js';
import type { RunOptions } from '../../src/options.js';
import { removeNamespaces } from '../../src/lab/netns.js';
import { namespaceNames } from '../../src/lab/plan.js';
import { stopServers } from '../../src/lab/servers.js';
import { readState } from '../../src/lab/state.js';
import { listNamespaces } from '../../src/lab/shell.js';
import { kernelSupport } from './kernel.js';

/** true when lab tests must run: fails in CI, prints one line and skips elsewhere. */
export function requireLab(what: string, tools: string[] = []): boolean {
  const k = kernelSupport();
  const missing = ['ip', 'iptables-restore', 'iptables-save', ...tools].filter(
    (t) => spawnSync('sh', ['-c', 'command -v "$1"', 'sh', t]).status !== 0,
  );
  const reason = !k.ok ? k.reason : missing.length > 0 ? `missing ${missing.join(', ')}` : '';
  if (reason === '') return true;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`${what}: lab tests cannot run in CI: ${reason}`);
  console.warn(`skipping ${what}: ${reason}`);
  return false;
}

export interface TestLab {
  name: string;
  stateDir: string;
}

/** A fresh lab name and state directory for this run (namespaces kpg-<name>-…). */
export function newTestLab(): TestLab {
  return { name: `t${randomBytes(4).toString('hex')}`, stateDir: mkdtempSync(join(tmpdir(), 'kp-gen-lab-test-')) };
}

/** Take the lab down, then make sure no namespace of its name is left, whatever happened. */
export function cleanupLab(lab: TestLab): void {
  try {
    const state = readState(lab.stateDir, lab.name);
    if (state) {
      try {
        labDown(lab.name, lab.stateDir);
      } catch {
        stopServers(state.servers);
      }
    }
  } finally {
    const prefix = namespaceNames(lab.name).node.replace(/node$/, '');
    removeNamespaces(listNamespaces().filter((n) => n.startsWith(prefix)));
    rmSync(lab.stateDir, { recursive: true, force: true });
  }
}

/** Namespaces of this lab that exist now. */
export function labNamespaces(lab: TestLab): string[] {
  const prefix = namespaceNames(lab.name).node.replace(/node$/, '');
  return listNamespaces().filter((n) => n.startsWith(prefix));
}

/** `lab up` for a test lab; if it fails half-way, whatever it made is removed before rethrowing. */
export async function upTestLab(lab: TestLab, run: RunOptions, clientIPs: string[]): Promise<LabUpResult> {
  try {
    return await labUp({ run, name: lab.name, stateDir: lab.stateDir, clientIPs, readStdin: () => '' });
  } catch (e) {
    cleanupLab(lab);
    throw e;
  }
}
