/**
 * `kp-gen cleanup`: what `kube-proxy --cleanup` does for iptables mode (CleanupLeftovers in
 * pkg/proxy/iptables/proxier.go), for IPv4 and IPv6: delete kube-proxy's jumps from the
 * built-in chains, then flush and delete its chains — nat KUBE-SERVICES, KUBE-NODEPORTS,
 * KUBE-POSTROUTING, KUBE-MARK-MASQ, KUBE-PROXY-CANARY and every Service chain; filter
 * KUBE-SERVICES, KUBE-EXTERNAL-SERVICES, KUBE-FORWARD, KUBE-NODEPORTS, KUBE-PROXY-FIREWALL,
 * KUBE-PROXY-CANARY; mangle KUBE-PROXY-CANARY — with `iptables-restore --noflush`, so nothing
 * else is touched. Where kube-proxy stops, so that the host ends as it was before the first
 * `kp-gen apply`, cleanup also undoes what apply's record (record.ts) says it added: the
 * KUBE-FIREWALL chain and its jumps when apply created them (kube-proxy leaves them, as kubelet
 * may own them), the nfacct counters apply created, the sysctls it changed. Every copy of a
 * jump is removed, not only the first (earlier `iptables-restore --noflush` runs may have
 * added several).
 */
import { ruleArgv } from '../iptables/restore.js';
import {
  isServiceChainName,
  KUBE_EXTERNAL_SERVICES,
  KUBE_FIREWALL,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_CANARY,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
} from '../plan/chain-names.js';
import { jumpRules } from '../plan/jumps.js';
import { chainsOf, WAIT } from './apply.js';
import { BACKENDS, detectBackend, safeToRead, toolsFor, type Backend, type Family, type Tools } from './backend.js';
import { check, type Host } from './host.js';
import { emptyRecord, readRecord, removeRecord, writeRecord } from './record.js';

export interface CleanupOptions {
  dryRun: boolean;
  /** --iptables-backend; else the backends apply recorded, and the detected one. */
  backend?: Backend;
  stateDir: string;
}

export interface FamilyCleanup {
  backend: Backend;
  family: Family;
  jumpsDeleted: number;
  chainsDeleted: string[];
  /** kubelet's KUBE-FIREWALL got back the rules it had before apply. */
  firewallRestored?: true;
  /** Why this family was skipped (no ip6tables, no IPv6 in the kernel), if it was. */
  skipped?: string;
}

export interface CleanupReport {
  families: FamilyCleanup[];
  countersDeleted: string[];
  /** Counters apply created that could not be deleted (still in use by someone's rule). */
  countersKept: string[];
  sysctlsRestored: string[];
}

const NAT_CHAINS = [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ, KUBE_PROXY_CANARY];
const FILTER_CHAINS = [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL, KUBE_PROXY_CANARY];

/** Most copies of one jump cleanup removes; more means something keeps adding it. */
const MAX_COPIES = 100;

/** A restore text that flushes and deletes `chains` of `table`. */
export function deletionText(table: string, chains: readonly string[]): string {
  return `*${table}\n${chains.map((c) => `:${c} - [0:0]\n`).join('')}${chains.map((c) => `-X ${c}\n`).join('')}COMMIT\n`;
}

/** What apply's record says about KUBE-FIREWALL for one backend and family. */
interface FirewallRecord {
  /** apply created it: delete it and its jumps. */
  created: boolean;
  /** The rules it had before apply rewrote it: put them back. */
  before?: string[];
}

function cleanFamily(host: Host, backend: Backend, family: Family, firewall: FirewallRecord, dryRun: boolean): FamilyCleanup {
  const removeFirewall = firewall.created;
  const tools: Tools = toolsFor(backend, family);
  const out: FamilyCleanup = { backend, family, jumpsDeleted: 0, chainsDeleted: [] };
  if (host.look(tools.iptables, ['--version']).status !== 0) return { ...out, skipped: `${tools.iptables} is not installed` };
  const saved = (table: string): string | undefined => {
    if (!safeToRead(host, backend, family, table)) return '';
    const r = host.look(tools.save, ['-t', table]);
    return r.status === 0 ? r.stdout : undefined;
  };
  const natText = saved('nat');
  const filterText = saved('filter');
  if (natText === undefined || filterText === undefined) {
    if (family === 6) return { ...out, skipped: `${tools.save} cannot read the tables (no IPv6 on this host?)` };
    check(host.look(tools.save, ['-t', natText === undefined ? 'nat' : 'filter']), tools.save, ['-t', natText === undefined ? 'nat' : 'filter']);
  }
  const existing = { nat: chainsOf(natText ?? ''), filter: chainsOf(filterText ?? '') };

  // Unlink: every copy of every jump into a chain that exists.
  for (const j of jumpRules(true)) {
    if (j.dstChain === KUBE_FIREWALL && !removeFirewall) continue;
    if (!existing[j.table].has(j.dstChain)) continue;
    const rule = ruleArgv(j.rule);
    const t = ['-t', j.table];
    for (let i = 0; i < MAX_COPIES; i++) {
      const probe = [...WAIT, ...t, '-C', j.srcChain, ...rule];
      const r = host.look(tools.iptables, probe);
      if (r.status === 1) break;
      check(r, tools.iptables, probe);
      const del = [...WAIT, ...t, '-D', j.srcChain, ...rule];
      check(host.change(tools.iptables, del), tools.iptables, del);
      out.jumpsDeleted++;
      // A dry run changes nothing, so the same copy would be found again.
      if (dryRun) break;
    }
  }

  // Flush and delete the chains, nat first (its chains are not jumped to from filter).
  const natChains = [
    ...NAT_CHAINS.filter((c) => existing.nat.has(c)),
    ...[...existing.nat].filter(isServiceChainName).sort(),
  ];
  const filterChains = [...FILTER_CHAINS, ...(removeFirewall ? [KUBE_FIREWALL] : [])].filter((c) => existing.filter.has(c));
  const restoreArgs = [...WAIT, '--noflush', '--counters'];
  for (const [table, chains] of [['nat', natChains], ['filter', filterChains]] as const) {
    if (chains.length === 0) continue;
    check(host.change(tools.restore, restoreArgs, deletionText(table, chains)), tools.restore, restoreArgs);
    out.chainsDeleted.push(...chains.map((c) => `${table} ${c}`));
  }
  if (firewall.before && existing.filter.has(KUBE_FIREWALL)) {
    const text = `*filter\n:${KUBE_FIREWALL} - [0:0]\n${firewall.before.map((l) => `${l}\n`).join('')}COMMIT\n`;
    check(host.change(tools.restore, restoreArgs, text), tools.restore, restoreArgs);
    out.firewallRestored = true;
  }
  const mangle = saved('mangle');
  if (mangle !== undefined && chainsOf(mangle).has(KUBE_PROXY_CANARY)) {
    const args = [...WAIT, '-t', 'mangle', '-X', KUBE_PROXY_CANARY];
    check(host.change(tools.iptables, args), tools.iptables, args);
    out.chainsDeleted.push(`mangle ${KUBE_PROXY_CANARY}`);
  }
  return out;
}

export function cleanup(host: Host, o: CleanupOptions): CleanupReport {
  const record = readRecord(o.stateDir);
  const recorded = new Set(Object.keys(record?.firewallCreated ?? {}).map((k) => k.split('/')[0]));
  let backends: Backend[];
  if (o.backend) backends = [o.backend];
  else {
    const detected = detectBackend(host).backend;
    backends = BACKENDS.filter((b) => b === detected || recorded.has(b));
  }
  const families: FamilyCleanup[] = [];
  for (const backend of backends) {
    for (const family of [4, 6] as const) {
      const key = `${backend}/${family}`;
      const firewall: FirewallRecord = { created: record?.firewallCreated[key] === true };
      const before = record?.firewallBefore[key];
      if (before) firewall.before = before;
      families.push(cleanFamily(host, backend, family, firewall, o.dryRun));
    }
  }

  const countersDeleted: string[] = [];
  const countersKept: string[] = [];
  for (const c of record?.counters ?? []) {
    const r = host.change('nfacct', ['del', c]);
    if (r.status === 0) countersDeleted.push(c);
    else if (!/No such file|not found|does not exist/i.test(r.stderr)) countersKept.push(c);
  }
  const sysctlsRestored: string[] = [];
  for (const [key, value] of Object.entries(record?.sysctls ?? {})) {
    if (host.readSysctl(key) !== value) {
      host.writeSysctl(key, value);
      sysctlsRestored.push(key);
    }
  }
  if (record && !o.dryRun) {
    // What could not be undone stays recorded for the next cleanup; the rest is done.
    if (countersKept.length === 0) removeRecord(o.stateDir);
    else writeRecord(o.stateDir, { ...emptyRecord(), counters: countersKept });
  }
  return { families, countersDeleted, countersKept, sysctlsRestored };
}
