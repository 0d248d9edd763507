/**
 * What `kp-gen apply` changed on the host beyond kube-proxy's own chains and jumps, so that
 * `kp-gen cleanup` can undo exactly that and no more: the nfacct counters it created (not those
 * that were there before), the sysctls it set (with their values before), and whether kubelet's
 * KUBE-FIREWALL chain was there before (kube-proxy writes it too, but must not take kubelet's
 * away). Kept under /run (gone at reboot, like the rules themselves), one file per network
 * namespace: counters, sysctls and rules all belong to one.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemErrorText, UserError } from '../errors.js';
import { isRecord } from '../util.js';

export const DEFAULT_STATE_DIR = '/run/kp-gen';

export interface ApplyRecord {
  version: 1;
  /** nfacct counters apply created. */
  counters: string[];
  /** sysctl key (`net/ipv4/ip_forward`) → its value before apply first set it. */
  sysctls: Record<string, string>;
  /** `nft/4` etc. → true when apply created the KUBE-FIREWALL chain (it was not there before). */
  firewallCreated: Record<string, boolean>;
  /**
   * `nft/4` etc. → the rules (iptables-save lines) of a KUBE-FIREWALL chain that was there before
   * apply first rewrote it (an older kubelet's), so cleanup can put them back.
   */
  firewallBefore: Record<string, string[]>;
}

export function emptyRecord(): ApplyRecord {
  return { version: 1, counters: [], sysctls: {}, firewallCreated: {}, firewallBefore: {} };
}

/** This process's network namespace, as the kernel numbers it. */
function netnsId(): string {
  const st = statSync('/proc/self/ns/net');
  return `${st.dev}-${st.ino}`;
}

export function recordFile(dir: string): string {
  return join(dir, `apply-netns-${netnsId()}.json`);
}

export function readRecord(dir: string): ApplyRecord | undefined {
  const file = recordFile(dir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`cannot read ${file}: ${systemErrorText(e)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    data = undefined;
  }
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const values = (v: unknown, t: 'string' | 'boolean'): boolean => isRecord(v) && Object.values(v).every((x) => typeof x === t);
  if (
    !isRecord(data) ||
    data.version !== 1 ||
    !strings(data.counters) ||
    !values(data.sysctls, 'string') || !values(data.firewallCreated, 'boolean') ||
    !(isRecord(data.firewallBefore) && Object.values(data.firewallBefore).every(strings))
  ) {
    throw new UserError(`${file} is not a record kp-gen apply wrote`, 'remove it if you are sure nothing of kp-gen is on this host');
  }
  return data as unknown as ApplyRecord;
}

export function writeRecord(dir: string, record: ApplyRecord): void {
  const file = recordFile(dir);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    renameSync(tmp, file);
  } catch (e) {
    throw new UserError(`cannot write ${file}: ${systemErrorText(e)}`);
  }
}

export function removeRecord(dir: string): void {
  rmSync(recordFile(dir), { force: true });
}
