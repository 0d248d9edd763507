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
  KUBE_MARK_DROP,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
} from './chain-names.js';
import { jump, match, option, rule, type Arg, type Rule } from '../iptables/rule.js';
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

/**
 * Declare the built-in chains and write the jumps in the order they end up in after kube-proxy
 * has prepended them one by one (the last ensured is first). KUBE-FIREWALL is declared even
 * where the restore data has no rule for it: kube-proxy's EnsureChain creates it. Before 1.27
 * (`kubeletFirewall` false) kube-proxy neither created that chain nor jumped to it: kubelet
 * did, and kp-gen writes only kube-proxy's jumps.
 */
export function writeJumpRules(filter: TableBuilder, nat: TableBuilder, kubeletFirewall = true): void {
  const tables = { filter, nat };
  if (kubeletFirewall && !filter.has(KUBE_FIREWALL)) filter.declare(KUBE_FIREWALL);
  for (const name of ['filter', 'nat'] as const) {
    for (const chain of BUILTIN_CHAINS[name]) tables[name].declareBuiltin(chain);
  }
  for (const j of [...JUMP_CHAINS].reverse()) {
    if (j.dstChain === KUBE_FIREWALL && !kubeletFirewall) continue;
    tables[j.table].append(j.srcChain, jumpRule(j));
  }
}

/** A jump as kube-proxy ensures it: its extra matches, then its comment, then `-j`. */
function jumpRule(j: JumpChain): Rule {
  const target = jump(j.dstChain);
  if (!j.comment) return { args: j.extraArgs, target };
  return j.extraArgs.length === 0 ? { comment: j.comment, args: [], target } : { comment: j.comment, commentAt: j.extraArgs.length, args: j.extraArgs, target };
}

/**
 * kube-proxy 1.10 … 1.18 ensured fewer jumps (iptablesJumpChains at MikeSpreitzer/kubernetes@58956344
 * and in search-index copy 59534007): no FORWARD jump to KUBE-EXTERNAL-SERVICES, no filter
 * KUBE-NODEPORTS, no KUBE-PROXY-FIREWALL.
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

/** kubelet's drop mark: 1 << --iptables-drop-bit (15), printed as kube-proxy printed its own. */
const KUBELET_DROP_MARK = '0x00008000/0x00008000';

/**
 * The jumps of kube-proxy 1.10 … 1.18, and kubelet's chains its rules rely on: nat
 * KUBE-MARK-DROP (KUBE-FW and KUBE-XLB jump to it) and filter KUBE-FIREWALL, which drops what
 * it marked, jumped to from INPUT and OUTPUT. kubelet made them at its start, before
 * kube-proxy prepended its own jumps, so kubelet's jumps come last. KUBE-FIREWALL is as the
 * .0 releases had it: the "block incoming localnet connections" rule of the June 2020 patch
 * releases (CVE-2020-8558) is kubelet's and not written.
 */
export function writeJumpRulesBefore119(filter: TableBuilder, nat: TableBuilder): void {
  const tables = { filter, nat };
  for (const name of ['filter', 'nat'] as const) {
    for (const chain of BUILTIN_CHAINS[name]) tables[name].declareBuiltin(chain);
  }
  for (const j of [...JUMP_CHAINS_BEFORE_1_19].reverse()) tables[j.table].append(j.srcChain, jumpRule(j));
  filter.append('INPUT', rule(undefined, [], jump(KUBE_FIREWALL)));
  filter.append('OUTPUT', rule(undefined, [], jump(KUBE_FIREWALL)));
  filter.declare(KUBE_FIREWALL);
  filter.append(KUBE_FIREWALL, rule('kubernetes firewall for dropping marked packets', [match('mark'), option('--mark', KUBELET_DROP_MARK)], jump('DROP')));
  nat.declare(KUBE_MARK_DROP);
  nat.append(KUBE_MARK_DROP, rule(undefined, [], jump('MARK', [option('--set-xmark', KUBELET_DROP_MARK)])));
}
