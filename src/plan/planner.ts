/**
 * planRules: kube-proxy's syncProxyRules for a full sync from an empty state
 * (pkg/proxy/iptables/proxier.go), by the planner of the release's era (plan/releases/eras.ts).
 *
 * This file and service-rules.ts are the planner of the newest era (E9, 1.25 and later):
 * fixed chains and rules here (planNewestRules), each service port's rules in
 * service-rules.ts. Older eras have theirs under plan/releases/<era>/. Pure: no I/O.
 */
import type { ProxierConfig, ServicePortWithEndpoints } from '../model/types.js';
import { NFACCT_CT_STATE_INVALID } from '../model/types.js';
import { formatIP, isLoopback } from '../model/ip.js';
import { matchAll, nodeIPsForNodePorts } from '../model/nodeport-addresses.js';
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_FIREWALL,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
} from './chain-names.js';
import { header, jump, match, notOption, option, rule, type Arg } from '../iptables/rule.js';
import { TableBuilder, type Ruleset } from './ruleset.js';
import { writeServicePortRules } from './service-rules.js';
import { writeJumpRules } from './jumps.js';
import { eraOf, type EraName } from './releases/eras.js';
import { planRulesE2 } from './releases/e2-1.10/planner.js';
import { planRules119 } from './releases/e6-1.19/planner.js';
import { planRules122 } from './releases/e7-1.22/planner.js';
import { planRules124 } from './releases/e8-1.24/planner.js';

/** kube-proxy's largeClusterEndpointsThreshold. */
const LARGE_CLUSTER_ENDPOINTS_THRESHOLD = 1000;

const NODEPORTS_TAIL_COMMENT = 'kubernetes service nodeports; NOTE: this must be the last rule in this chain';

export interface PlanOptions {
  /** Also declare the built-in chains and write kube-proxy's jumps into them (plan/jumps.ts). */
  includeJumps?: boolean;
}

type Planner = (ports: readonly ServicePortWithEndpoints[], cfg: ProxierConfig, opts?: PlanOptions) => Ruleset;

/** Each era's planner (the eras themselves: plan/releases/eras.ts). */
const PLANNERS: Record<EraName, Planner> = {
  // 1.10 … 1.18: one planner, the eras' differences are switches of features.ts.
  E2: planRulesE2,
  E3: planRulesE2,
  E4: planRulesE2,
  E5: planRulesE2,
  E6: planRules119,
  E7: planRules122,
  E8: planRules124,
  E9: planNewestRules,
};

export function planRules(ports: readonly ServicePortWithEndpoints[], cfg: ProxierConfig, opts: PlanOptions = {}): Ruleset {
  return PLANNERS[eraOf(cfg.release).name](ports, cfg, opts);
}

/** Era E9: 1.25 and later. */
function planNewestRules(ports: readonly ServicePortWithEndpoints[], cfg: ProxierConfig, opts: PlanOptions = {}): Ruleset {
  const filter = new TableBuilder('filter');
  const nat = new TableBuilder('nat');
  const mark = cfg.masqueradeMark;

  for (const chain of [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS, KUBE_PROXY_FIREWALL]) {
    filter.declare(chain);
  }
  for (const chain of [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ]) {
    nat.declare(chain);
  }

  // SNAT what KUBE-MARK-MASQ marked, and clear the mark so it is not masqueraded twice.
  nat.append(KUBE_POSTROUTING, rule(undefined, [match('mark'), notOption('--mark', `${mark}/${mark}`)], jump('RETURN')));
  nat.append(KUBE_POSTROUTING, rule(undefined, [], jump('MARK', [option('--xor-mark', mark)])));
  nat.append(KUBE_POSTROUTING, rule('kubernetes service traffic requiring SNAT', [],
    cfg.hasRandomFully ? jump('MASQUERADE', [option('--random-fully')]) : jump('MASQUERADE')));
  nat.append(KUBE_MARK_MASQ, rule(undefined, [], jump('MARK', [option('--or-mark', mark)])));

  // route_localnet (needed for localhost NodePorts) opens a hole this rule closes
  // (https://issue.k8s.io/90259). Before 1.27 only kubelet wrote it.
  if (cfg.ipFamily === 4 && cfg.localhostNodePorts && cfg.features.localnetFirewallRule) {
    filter.declare(KUBE_FIREWALL);
    filter.append(KUBE_FIREWALL, rule('block incoming localnet connections',
      [header('-d', '127.0.0.0/8'), header('-s', '127.0.0.0/8', true), match('conntrack'), notOption('--ctstate', 'RELATED,ESTABLISHED,DNAT')],
      jump('DROP')));
  }

  // Large-cluster mode counts endpoints before any readiness filtering.
  let totalEndpoints = 0;
  for (const p of ports) totalEndpoints += p.endpoints.length;
  const largeClusterMode = totalEndpoints > LARGE_CLUSTER_ENDPOINTS_THRESHOLD;

  const ctx = { cfg, filter, nat, largeClusterMode };
  for (const p of ports) writeServicePortRules(ctx, p);

  // The jump to KUBE-NODEPORTS must come after every service rule in KUBE-SERVICES. Before
  // 1.26 (no localhostNodePorts option) no loopback address is left out.
  const loopbackExcluded = cfg.features.localhostNodePortsOption;
  if (matchAll(cfg.nodePortAddresses)) {
    const destinations: Arg[] = [match('addrtype'), option('--dst-type', 'LOCAL')];
    if (cfg.ipFamily === 6) {
      if (loopbackExcluded) destinations.push(header('-d', '::1/128', true));
    } else if (!cfg.localhostNodePorts) destinations.push(header('-d', '127.0.0.0/8', true));
    nat.append(KUBE_SERVICES, rule(NODEPORTS_TAIL_COMMENT, destinations, jump(KUBE_NODEPORTS)));
  } else {
    for (const ip of nodeIPsForNodePorts(cfg.nodePortAddresses, cfg.nodeAddresses, cfg.ipFamily)) {
      if (loopbackExcluded && isLoopback(ip) && (cfg.ipFamily === 6 || !cfg.localhostNodePorts)) continue;
      nat.append(KUBE_SERVICES, rule(NODEPORTS_TAIL_COMMENT, [header('-d', formatIP(ip))], jump(KUBE_NODEPORTS)));
    }
  }

  // INVALID packets can reset connections unless nf_conntrack_tcp_be_liberal is set
  // (https://github.com/kubernetes/kubernetes/issues/74839).
  if (!cfg.conntrackTCPLiberal) {
    const invalid: Arg[] = [match('conntrack'), option('--ctstate', 'INVALID')];
    if (cfg.nfacctCounters.has(NFACCT_CT_STATE_INVALID)) invalid.push(match('nfacct'), option('--nfacct-name', NFACCT_CT_STATE_INVALID));
    filter.append(KUBE_FORWARD, rule(undefined, invalid, jump('DROP')));
  }
  filter.append(KUBE_FORWARD, rule('kubernetes forwarding rules', [match('mark'), option('--mark', `${mark}/${mark}`)], jump('ACCEPT')));
  filter.append(KUBE_FORWARD, rule('kubernetes forwarding conntrack rule',
    [match('conntrack'), option('--ctstate', 'RELATED,ESTABLISHED')], jump('ACCEPT')));

  if (opts.includeJumps) writeJumpRules(filter, nat, cfg.features.localnetFirewallRule);

  return { filter: filter.table, nat: nat.table };
}
