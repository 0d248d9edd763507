/**
 * The jumps from the built-in chains into kube-proxy's chains. kube-proxy does not put these in
 * its iptables-restore data: at every full sync it makes sure they exist with
 * `iptables -I <builtin> ...` (EnsureRule with Prepend; iptablesJumpChains and
 * iptablesKubeletJumpChains in proxier.go). `--include-jumps` adds them, with the built-in chains
 * declared, so the file alone gives a working data plane under plain `iptables-restore`.
 */
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_FIREWALL,
  KUBE_FORWARD,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
} from './chain-names.js';
import { jump, match, option, type Arg, type Rule } from '../iptables/rule.js';

/** kubelet's mark-for-drop chain (nat), which kube-proxy 1.24 and before jump to. */
export const KUBE_MARK_DROP = 'KUBE-MARK-DROP';
import type { TableBuilder, TableName } from './ruleset.js';

interface JumpChain {
  table: TableName;
  /** The kube-proxy chain jumped to. */
  dstChain: string;
  /** The built-in chain the jump sits in. */
  srcChain: string;
  /** Empty for kubelet's KUBE-FIREWALL jumps, which carry no comment. */
  comment: string;
  extraArgs: readonly Arg[];
}

const NEW: readonly Arg[] = [match('conntrack'), option('--ctstate', 'NEW')];

/** In kube-proxy's order of ensuring them; each one is prepended to its built-in chain. */
const JUMP_CHAINS: JumpChain[] = [
  { table: 'filter', dstChain: KUBE_EXTERNAL_SERVICES, srcChain: 'INPUT', comment: 'kubernetes externally-visible service portals', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_EXTERNAL_SERVICES, srcChain: 'FORWARD', comment: 'kubernetes externally-visible service portals', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_NODEPORTS, srcChain: 'INPUT', comment: 'kubernetes health check service ports', extraArgs: [] },
  { table: 'filter', dstChain: KUBE_SERVICES, srcChain: 'FORWARD', comment: 'kubernetes service portals', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_SERVICES, srcChain: 'OUTPUT', comment: 'kubernetes service portals', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_FORWARD, srcChain: 'FORWARD', comment: 'kubernetes forwarding rules', extraArgs: [] },
  { table: 'filter', dstChain: KUBE_PROXY_FIREWALL, srcChain: 'INPUT', comment: 'kubernetes load balancer firewall', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_PROXY_FIREWALL, srcChain: 'OUTPUT', comment: 'kubernetes load balancer firewall', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_PROXY_FIREWALL, srcChain: 'FORWARD', comment: 'kubernetes load balancer firewall', extraArgs: NEW },
  { table: 'nat', dstChain: KUBE_SERVICES, srcChain: 'OUTPUT', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', dstChain: KUBE_SERVICES, srcChain: 'PREROUTING', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', dstChain: KUBE_POSTROUTING, srcChain: 'POSTROUTING', comment: 'kubernetes postrouting rules', extraArgs: [] },
  // kubelet's anti-martian chain, duplicated by kube-proxy.
  { table: 'filter', dstChain: KUBE_FIREWALL, srcChain: 'INPUT', comment: '', extraArgs: [] },
  { table: 'filter', dstChain: KUBE_FIREWALL, srcChain: 'OUTPUT', comment: '', extraArgs: [] },
];

export const BUILTIN_CHAINS: Record<TableName, string[]> = {
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
};

/** Which of the jumps a release ensures (all of them by default: the newest release's). */
export interface JumpOptions {
  /** kube-proxy creates KUBE-FIREWALL and jumps to it (1.27 and later: PR #114470). */
  kubeletFirewall?: boolean;
  /** KUBE-PROXY-FIREWALL exists (1.25 and later). */
  proxyFirewall?: boolean;
  /** Filter KUBE-NODEPORTS exists (health-check node ports, features.ts healthCheckNodePortFilterRules). */
  healthCheckPorts?: boolean;
  /** kube-proxy ensures the nat chain KUBE-MARK-DROP (kubelet's; 1.24 and before jump to it). */
  ensureMarkDrop?: boolean;
}

/**
 * Declare the built-in chains and write the jumps in the order they end up in after kube-proxy
 * has prepended them one by one (the last ensured is first). KUBE-FIREWALL is declared even
 * where the restore data has no rule for it: kube-proxy's EnsureChain creates it. Before 1.27
 * (`kubeletFirewall` false) kube-proxy neither created that chain nor jumped to it: kubelet
 * did, and kp-gen writes only kube-proxy's jumps. Releases that jump to KUBE-MARK-DROP ensure
 * that chain exists (iptablesEnsureChains), without rules of their own.
 */
export function writeJumpRules(filter: TableBuilder, nat: TableBuilder, opts: JumpOptions | boolean = {}): void {
  const o: JumpOptions = typeof opts === 'boolean' ? { kubeletFirewall: opts } : opts;
  const kubeletFirewall = o.kubeletFirewall ?? true;
  const tables = { filter, nat };
  if (kubeletFirewall && !filter.has(KUBE_FIREWALL)) filter.declare(KUBE_FIREWALL);
  if (o.ensureMarkDrop && !nat.has(KUBE_MARK_DROP)) nat.declare(KUBE_MARK_DROP);
  for (const name of ['filter', 'nat'] as const) {
    for (const chain of BUILTIN_CHAINS[name]) tables[name].declareBuiltin(chain);
  }
  for (const j of [...JUMP_CHAINS].reverse()) {
    if (j.dstChain === KUBE_FIREWALL && !kubeletFirewall) continue;
    if (j.dstChain === KUBE_PROXY_FIREWALL && o.proxyFirewall === false) continue;
    if (j.table === 'filter' && j.dstChain === KUBE_NODEPORTS && o.healthCheckPorts === false) continue;
    tables[j.table].append(j.srcChain, jumpRule(j));
  }
}

/** One jump from a built-in chain, as `kp-gen apply` ensures it and `kp-gen cleanup` removes it. */
export interface JumpRule {
  table: TableName;
  srcChain: string;
  dstChain: string;
  /** The rule: its matches, comment and `-j`. */
  rule: Rule;
}

/**
 * kube-proxy's jumps in the order it ensures them (each prepended with `-I`). Without
 * `kubeletFirewall` (before 1.27) the KUBE-FIREWALL jumps are left out: kubelet's, not
 * kube-proxy's.
 */
export function jumpRules(kubeletFirewall = true): JumpRule[] {
  return JUMP_CHAINS.filter((j) => kubeletFirewall || j.dstChain !== KUBE_FIREWALL).map((j) => ({
    table: j.table,
    srcChain: j.srcChain,
    dstChain: j.dstChain,
    rule: jumpRule(j),
  }));
}

/** A jump as kube-proxy ensures it: its extra matches, then its comment, then `-j`. */
function jumpRule(j: JumpChain): Rule {
  const target = jump(j.dstChain);
  if (!j.comment) return { args: j.extraArgs, target };
  return j.extraArgs.length === 0 ? { comment: j.comment, args: [], target } : { comment: j.comment, commentAt: j.extraArgs.length, args: j.extraArgs, target };
}

/**
 * kube-proxy 1.10 … 1.18 ensured other jumps (iptablesJumpChains at MikeSpreitzer/kubernetes@58956344,
 * 1.16-dev, and in search-index copy 59534007, 1.18-dev): filter INPUT also jumps to
 * KUBE-SERVICES, FORWARD does not jump to KUBE-EXTERNAL-SERVICES, and there is no filter
 * KUBE-NODEPORTS, KUBE-PROXY-FIREWALL or KUBE-FIREWALL of kube-proxy's own.
 */
const JUMP_CHAINS_BEFORE_1_19: JumpChain[] = [
  { table: 'filter', dstChain: KUBE_EXTERNAL_SERVICES, srcChain: 'INPUT', comment: 'kubernetes externally-visible service portals', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_SERVICES, srcChain: 'FORWARD', comment: 'kubernetes service portals', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_SERVICES, srcChain: 'OUTPUT', comment: 'kubernetes service portals', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_SERVICES, srcChain: 'INPUT', comment: 'kubernetes service portals', extraArgs: NEW },
  { table: 'filter', dstChain: KUBE_FORWARD, srcChain: 'FORWARD', comment: 'kubernetes forwarding rules', extraArgs: [] },
  { table: 'nat', dstChain: KUBE_SERVICES, srcChain: 'OUTPUT', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', dstChain: KUBE_SERVICES, srcChain: 'PREROUTING', comment: 'kubernetes service portals', extraArgs: [] },
  { table: 'nat', dstChain: KUBE_POSTROUTING, srcChain: 'POSTROUTING', comment: 'kubernetes postrouting rules', extraArgs: [] },
];

/** The jumps of kube-proxy 1.10 … 1.18, in the order they end up in (the last ensured first). */
export function writeJumpRulesBefore119(filter: TableBuilder, nat: TableBuilder): void {
  const tables = { filter, nat };
  for (const name of ['filter', 'nat'] as const) {
    for (const chain of BUILTIN_CHAINS[name]) tables[name].declareBuiltin(chain);
  }
  for (const j of [...JUMP_CHAINS_BEFORE_1_19].reverse()) tables[j.table].append(j.srcChain, jumpRule(j));
}
