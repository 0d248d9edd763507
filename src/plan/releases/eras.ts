/**
 * The eras of kube-proxy's iptables syncProxyRules: runs of releases whose proxier.go writes
 * the same shape of rules. Each era has one planner, readable side by side with that era's
 * proxier.go; what changed inside an era is a switch of features.ts, and what no era changed
 * (chain-name hashing, the probability text, the endpoint-rule comment helper, the endpoint
 * model) is shared (plan/chain-names.ts, plan/releases/shared.ts, plan/topology.ts).
 *
 * "What did 1.22 write for a NodePort": find the era of 1.22 below, open its planner.
 *
 * This table is data only (no planner is imported here): plan/planner.ts maps an era's name to
 * its planner, so that adding an era is one row here and one line there.
 */
import { atLeast, NEWEST, type Release } from './release.js';

export type EraName = 'E2' | 'E3' | 'E4' | 'E5' | 'E6' | 'E7' | 'E8' | 'E9';

export interface Era {
  readonly name: EraName;
  /** The first minor release of the era (1.x). */
  readonly first: number;
  /** The last minor release of the era (1.x). */
  readonly last: number;
  /** Where its planner is, from the repository root. */
  readonly planner: string;
  /** What sets the era apart from the one before. */
  readonly summary: string;
  /** The proxier.go the planner was written against (a copy at a commit, or a fork). */
  readonly source: string;
}

/** Oldest first. */
export const ERAS: readonly Era[] = [
  {
    name: 'E2',
    first: 10,
    last: 11,
    planner: 'src/plan/releases/e2-1.10/planner.ts',
    summary:
      'one planner for E2–E5 (their differences are switches of features.ts); KUBE-EXTERNAL-SERVICES for the "has no endpoints" REJECTs of external IPs and node ports; no nat rules at all for a service without endpoints; KUBE-XLB for externalTrafficPolicy Local (NodePort and LoadBalancer only); masquerade rules in KUBE-SERVICES and KUBE-NODEPORTS; three nat rules per external IP (physdev/addrtype); a KUBE-FW chain per load-balancer IP ending in kubelet\'s KUBE-MARK-DROP; -d/-s with /32; %0.5f; comments on every rule; one-rule KUBE-POSTROUTING, --set-xmark M/M; KUBE-FORWARD conntrack rules with the cluster CIDR; ns/name: for unnamed ports; endpoints in IP-text order',
    source:
      'pkg/proxy/iptables/proxier.go at MikeSpreitzer/kubernetes@58956344 (1.16-dev) and search-index copy 59534007 (1.18-dev), with the differences of features.ts; kube-proxy-versions.md §2.3',
  },
  {
    name: 'E3',
    first: 12,
    last: 14,
    planner: 'src/plan/releases/e2-1.10/planner.ts',
    summary: 'the comment helper appendServiceCommentLocked arrives with its result discarded: KUBE-SVC dispatch, --rcheck and KUBE-SEP rules have no comment',
    source: 'PR #65755; the discarded helper result in search-index copy 66701277317 (a 1.13–1.15-dev syncProxyRules) and at MikeSpreitzer/kubernetes@58956344',
  },
  {
    name: 'E4',
    first: 15,
    last: 16,
    planner: 'src/plan/releases/e2-1.10/planner.ts',
    summary:
      'INVALID drop first in KUBE-FORWARD; KUBE-XLB LOCAL-traffic rules (before "Redirect pods…" in 1.15, after it from 1.16); 1.16: --random-fully; 1.16.13: the three-rule KUBE-POSTROUTING backport',
    source: 'PRs #74840, #77523, #78662, #78547, #92261; MikeSpreitzer/kubernetes@58956344',
  },
  {
    name: 'E5',
    first: 17,
    last: 18,
    planner: 'src/plan/releases/e2-1.10/planner.ts',
    summary:
      '%0.10f; the comments back (dropped above 1000 endpoint chains); 1.18: KUBE-FORWARD conntrack rules without the cluster CIDR (LocalTrafficDetector); 1.17.9 and 1.18.6: the three-rule KUBE-POSTROUTING backport',
    source: 'PRs #83599, #81886, #87748, #92193, #92256; search-index copy 59534007 (1.18-dev)',
  },
  {
    name: 'E6',
    first: 19,
    last: 21,
    planner: 'src/plan/releases/e6-1.19/planner.ts',
    summary:
      'KUBE-XLB chains for externalTrafficPolicy Local; masquerade rules in KUBE-SERVICES and KUBE-NODEPORTS; -d/-s with /32; a KUBE-FW chain for every load-balancer IP, ending in KUBE-MARK-DROP; "Balancing rule N for P" comments in KUBE-XLB; three-rule KUBE-POSTROUTING, --or-mark; two CIDR-less KUBE-FORWARD conntrack rules; ns/name for unnamed ports; endpoints from EndpointSlices in ip:port text order, one per IP and service port (1.19, 1.20: ready ones only)',
    source:
      'pkg/proxy/iptables/proxier.go at tnqn/kubernetes@8d903e3116a96408ddeade3bd536d8d632a6c3ed (1.21-dev master: klog structured logging, utilproxy.WriteLine, KUBE-XLB, FilterTopologyEndpoint; plus its author\'s PR #97279, the single KUBE-FORWARD conntrack rule, which upstream merged only for 1.23)',
  },
  {
    name: 'E7',
    first: 22,
    last: 23,
    planner: 'src/plan/releases/e7-1.22/planner.ts',
    summary:
      'masquerade rules move into the KUBE-SVC chain (PR #96959); endpoints filtered for internalTrafficPolicy Local (FilterEndpoints) and serving-terminating endpoints in KUBE-XLB (ProxyTerminatingEndpoints); from 1.23 bare addresses, plain P comments on KUBE-XLB dispatch rules and one KUBE-FORWARD conntrack rule',
    source:
      'pkg/proxy/iptables/proxier.go, copy id 1288553135 of the search index (1.23-era: LineBuffer natRules.Write, writeServiceToEndpointRules, FilterEndpoints with nodeLabels, KUBE-XLB); pkg/proxy/topology.go FilterEndpoints, copy id 1685480331; 1.22 checked against the TestOnlyLocalNodePorts dump at thockin/kubernetes@4ad0d7f7 (fixtures/upstream/v1.22)',
  },
  {
    name: 'E8',
    first: 24,
    last: 24,
    planner: 'src/plan/releases/e8-1.24/planner.ts',
    summary:
      'KUBE-EXT/KUBE-SVL replace KUBE-XLB (PR #109060); "P -> ip:port" comments; KUBE-FW only with loadBalancerSourceRanges, ending in KUBE-MARK-DROP; "has no local endpoints" is a nat KUBE-MARK-DROP rule; internalTrafficPolicy Local gets its own chain',
    source:
      'pkg/proxy/iptables/proxier.go, copy #383318076 of kube-proxy-versions.md (search index id 383318076: servicePortInfo with clusterPolicyChainName, CategorizeEndpoints, LineBuffer, no KUBE-PROXY-FIREWALL)',
  },
  {
    name: 'E9',
    first: 25,
    last: NEWEST.minor,
    planner: 'src/plan/planner.ts and src/plan/service-rules.ts',
    summary:
      'KUBE-PROXY-FIREWALL in the filter table (KEP-3178, PR #110289): load-balancer source-range drops and "has no local endpoints" drops are filter rules; kube-proxy no longer uses KUBE-MARK-DROP',
    source: 'kube-proxy-reference.md (upstream master after the 1.34 release)',
  },
];

/** The era a modelled release belongs to. */
export function eraOf(release: Release): Era {
  for (let i = ERAS.length - 1; i >= 0; i--) {
    const era = ERAS[i]!;
    if (atLeast(release, era.first)) return era;
  }
  throw new Error(`no era for kube-proxy ${release.major}.${release.minor}`);
}
