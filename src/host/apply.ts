/**
 * `kp-gen apply`: what kube-proxy's full sync does on a node (syncProxyRules in
 * pkg/proxy/iptables/proxier.go), with kp-gen's rules:
 *  1. the nfacct counters its rules count with are created where missing; one that cannot be
 *     made is left out of the rules (kube-proxy's nfacct Ensure at start-up);
 *  2. each jump from a built-in chain is ensured: its chain made if missing (EnsureChain, `-N`),
 *     the rule checked with `-C` and, if absent, inserted at the top with `-I` (EnsureRule with
 *     Prepend), in kube-proxy's order, so a second apply adds nothing;
 *  3. the Service chains on the host that the new rules no longer have are flushed and deleted
 *     in the same restore (`:CHAIN - [0:0]` + `-X CHAIN`, kube-proxy's stale-chain cleanup);
 *  4. the rules go in with `iptables-restore --noflush`: only the chains they declare are
 *     flushed and rewritten, every other chain, rule and policy stays as it was.
 * The sysctls kube-proxy sets itself (route_localnet, and what the node needs to forward) are
 * set only when a flag asks. What apply adds besides kube-proxy's chains is recorded
 * (record.ts) for `kp-gen cleanup`.
 */
import { buildProxierConfig } from '../config.js';
import { UserError, type Note, type Warning } from '../errors.js';
import { emitRestore } from '../emit/iptables-save.js';
import { ruleArgv } from '../iptables/restore.js';
import type { RunOptions } from '../options.js';
import { isServiceChainName, KUBE_FIREWALL } from '../plan/chain-names.js';
import { jumpRules } from '../plan/jumps.js';
import { deleteChain, type TableName } from '../plan/ruleset.js';
import { generate, type RunIO, type RunResult } from '../run.js';
import { detectBackend, safeToRead, toolsFor, type Backend, type Detected, type Family, type Tools } from './backend.js';
import { check, type Host } from './host.js';
import { emptyRecord, readRecord, writeRecord } from './record.js';

/** How long iptables waits for the xtables lock, as kube-proxy runs it (`-w 5 -W 100000`). */
export const WAIT = ['-w', '5', '-W', '100000'];

export const ROUTE_LOCALNET = 'net/ipv4/conf/all/route_localnet';
export const IP_FORWARD: Record<Family, string> = { 4: 'net/ipv4/ip_forward', 6: 'net/ipv6/conf/all/forwarding' };

export interface ApplyOptions {
  /** The manifests and generation flags, as for the main command. */
  run: RunOptions;
  dryRun: boolean;
  /** --iptables-backend; detected when absent. */
  backend?: Backend;
  stateDir: string;
  /** --route-localnet: set net.ipv4.conf.all.route_localnet=1 (NodePorts on 127.0.0.1). */
  routeLocalnet: boolean;
  /** --ip-forward: turn on forwarding for the family. */
  ipForward: boolean;
}

export interface ApplyReport {
  family: Family;
  backend: Detected;
  tools: Tools;
  countersCreated: string[];
  /** Counters the rules would use but that neither existed nor could be made. */
  countersMissing: string[];
  jumpsAdded: number;
  jumpsTotal: number;
  chainsLoaded: number;
  staleDeleted: string[];
  sysctlsSet: string[];
  notes: Note[];
  warnings: Warning[];
}

/** The chain names of an iptables-save text (`:NAME POLICY [p:b]` lines). */
export function chainsOf(saveText: string): Set<string> {
  const out = new Set<string>();
  for (const m of saveText.matchAll(/^:(\S+) /gm)) out.add(m[1]!);
  return out;
}

/** Names of the nfacct counters that exist (`nfacct list`); undefined when nfacct cannot run. */
export function listCounters(host: Host): Set<string> | undefined {
  const r = host.look('nfacct', ['list']);
  if (r.status !== 0) return undefined;
  return new Set([...r.stdout.matchAll(/= (\S+);\s*$/gm)].map((m) => m[1]!));
}

function save(host: Host, backend: Backend, family: Family, table: TableName): string {
  // An absent legacy table is empty; reading it would create it.
  if (!safeToRead(host, backend, family, table)) return '';
  const tools = toolsFor(backend, family);
  const args = ['-t', table];
  return check(host.look(tools.save, args), tools.save, args);
}

export function apply(host: Host, o: ApplyOptions, io: RunIO): ApplyReport {
  const cfg = buildProxierConfig(o.run);
  const family = cfg.ipFamily;
  const backend: Detected = o.backend ? { backend: o.backend, why: 'chosen with --iptables-backend' } : detectBackend(host);
  const tools = toolsFor(backend.backend, family);
  const version = host.look(tools.iptables, ['--version']);
  if (version.status !== 0) {
    throw new UserError(`${tools.iptables} cannot run: ${(version.stderr || version.stdout).trim() || 'not found'}`, 'install iptables (Debian/Ubuntu: apt-get install iptables)');
  }

  // What is there now: the chains of both tables, the counters.
  const filterText = save(host, backend.backend, family, 'filter');
  const before = { filter: chainsOf(filterText), nat: chainsOf(save(host, backend.backend, family, 'nat')) };
  const wanted = [...cfg.nfacctCounters].sort();
  const existing = wanted.length > 0 ? listCounters(host) : new Set<string>();
  const countersMissing: string[] = [];
  const countersCreated: string[] = [];
  const toCreate = existing === undefined ? [] : wanted.filter((c) => !existing.has(c));
  if (existing === undefined) countersMissing.push(...wanted);

  // The rules, with the counters there are (the input is checked before anything changes).
  const rulesWith = (counters: string[]): RunResult => generate({ ...o.run, nfacctCounters: counters, includeJumps: false, format: 'restore' }, io);
  let result = rulesWith(wanted.filter((c) => !countersMissing.includes(c)));

  // Record what this apply adds before adding it, so that cleanup finds it even if apply stops half-way.
  const record = readRecord(o.stateDir) ?? emptyRecord();
  const key = `${backend.backend}/${family}`;
  if (!(key in record.firewallCreated)) {
    record.firewallCreated[key] = cfg.features.localnetFirewallRule && !before.filter.has(KUBE_FIREWALL);
    // kubelet's chain, about to be flushed and rewritten by the restore: keep its rules for cleanup.
    if (before.filter.has(KUBE_FIREWALL) && result.ruleset.filter.chains.has(KUBE_FIREWALL)) {
      record.firewallBefore[key] = filterText.split('\n').filter((l) => l.startsWith(`-A ${KUBE_FIREWALL} `));
    }
  }
  for (const c of toCreate) if (!record.counters.includes(c)) record.counters.push(c);
  const sysctls: [string, string][] = [];
  if (o.routeLocalnet) sysctls.push([ROUTE_LOCALNET, '1']);
  if (o.ipForward) sysctls.push([IP_FORWARD[family], '1']);
  const sysctlsSet: string[] = [];
  for (const [k, v] of sysctls) {
    const now = host.readSysctl(k);
    if (now === undefined) throw new UserError(`sysctl ${k.replace(/\//g, '.')} does not exist on this host`);
    if (now === v) continue;
    record.sysctls[k] ??= now;
    sysctlsSet.push(k);
  }
  if (!o.dryRun) writeRecord(o.stateDir, record);

  // 1. nfacct counters.
  for (const c of toCreate) {
    const r = host.change('nfacct', ['add', c]);
    if (r.status === 0) countersCreated.push(c);
    else countersMissing.push(c);
  }
  if (countersCreated.length < toCreate.length) result = rulesWith(wanted.filter((c) => !countersMissing.includes(c)));
  for (const [k, v] of sysctls) if (sysctlsSet.includes(k)) host.writeSysctl(k, v);
  const ruleset = result.ruleset;

  // 2. The jumps (kube-proxy ensures them before it restores).
  const made = { filter: new Set(before.filter), nat: new Set(before.nat) };
  const jumps = jumpRules(cfg.features.localnetFirewallRule);
  let jumpsAdded = 0;
  for (const j of jumps) {
    const t = ['-t', j.table];
    if (!made[j.table].has(j.dstChain)) {
      const args = [...WAIT, ...t, '-N', j.dstChain];
      const r = host.change(tools.iptables, args);
      // EnsureChain: a chain made meanwhile by someone else is as good as one made here.
      if (!(r.status === 1 && /already exists/i.test(r.stderr))) check(r, tools.iptables, args);
      made[j.table].add(j.dstChain);
    }
    const rule = ruleArgv(j.rule);
    // A chain made just now (or only in a dry run's script) has no jumps to it yet.
    let present = false;
    if (before[j.table].has(j.dstChain)) {
      const args = [...WAIT, ...t, '-C', j.srcChain, ...rule];
      const r = host.look(tools.iptables, args);
      if (r.status !== 0 && r.status !== 1) check(r, tools.iptables, args);
      present = r.status === 0;
    }
    if (!present) {
      const args = [...WAIT, ...t, '-I', j.srcChain, ...rule];
      check(host.change(tools.iptables, args), tools.iptables, args);
      jumpsAdded++;
    }
  }

  // 3. Service chains of earlier applies that the new rules no longer have.
  const staleDeleted = [...before.nat].filter((c) => isServiceChainName(c) && !ruleset.nat.chains.has(c)).sort();
  for (const c of staleDeleted) deleteChain(ruleset.nat, c);

  // 4. Load.
  const args = [...WAIT, '--noflush', '--counters'];
  check(host.change(tools.restore, args, emitRestore(ruleset)), tools.restore, args);

  return {
    family,
    backend,
    tools,
    countersCreated,
    countersMissing,
    jumpsAdded,
    jumpsTotal: jumps.length,
    chainsLoaded: ruleset.filter.chains.size + ruleset.nat.chains.size - staleDeleted.length,
    staleDeleted,
    sysctlsSet,
    notes: result.notes,
    warnings: result.warnings,
  };
}
