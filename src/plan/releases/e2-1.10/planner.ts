/**
 * syncProxyRules of kube-proxy 1.10 … 1.18 (eras E2–E5 of plan/releases/eras.ts), for a full
 * sync from an empty state. One planner for the four eras: their proxier.go is one function
 * that changed in a few places, and each of those places reads a switch of features.ts here
 * (the comment helper, the probability text, the INVALID drop, the KUBE-XLB LOCAL rules,
 * --random-fully, the KUBE-FORWARD conntrack rules, the July 2020 KUBE-POSTROUTING backport).
 *
 * Written against pkg/proxy/iptables/proxier.go at MikeSpreitzer/kubernetes@58956344 (1.16-dev)
 * and search-index copy 59534007 (1.18-dev); the order below is theirs, so a review can be a
 * side-by-side read. What sets this era apart from 1.19 on:
 *  - a KUBE-XLB chain (not KUBE-EXT/KUBE-SVL) for externalTrafficPolicy Local, declared even
 *    when the service has no endpoints; only NodePort and LoadBalancer services count as Local;
 *  - masquerade rules in KUBE-SERVICES and KUBE-NODEPORTS, next to the jumps they precede;
 *  - three nat rules per external IP (masquerade; not bridged and not local; to a local address);
 *  - a KUBE-FW chain for every load-balancer IP, whether or not it has source ranges, rewritten
 *    for each IP, ending in kubelet's KUBE-MARK-DROP; "has no endpoints" REJECTs for LB IPs in
 *    filter KUBE-SERVICES;
 *  - every address written as a CIDR (`/32`, `/128`), the cluster CIDR as given;
 *  - the mark as `M/M` in one string: `--mark 0x00004000/0x00004000`, `--set-xmark` the same;
 *  - no health-check rules, no filter KUBE-NODEPORTS, no KUBE-PROXY-FIREWALL.
 * Endpoints are the ready addresses of the Endpoints object (EndpointSliceProxying was off by
 * default until 1.19), in the endpoints controller's order: by IP text (RepackSubsets).
 * Pure: no I/O.
 */
import type { Endpoint, ProxierConfig, ServicePort, ServicePortWithEndpoints } from '../../../model/types.js';
import { cidrContains, formatCIDR, formatIP, parseIP } from '../../../model/ip.js';
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_FORWARD,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_POSTROUTING,
  KUBE_SERVICES,
  endpointChainName,
  portProtoHash,
  servicePortChains,
} from '../../chain-names.js';
import { header, jump, match, notOption, option, rule, type Arg } from '../../../iptables/rule.js';
import { ifLocal, ifNotLocal } from '../../local-detector.js';
import { TableBuilder, type Ruleset } from '../../ruleset.js';
import { writeJumpRulesBefore119 } from '../../jumps.js';
import { kubeletChainsIncluded, writeKubeletChains } from '../kubelet.js';
import {
  ENDPOINT_CHAINS_NUMBER_THRESHOLD,
  FROM_LOCAL_ADDRESS,
  hasNodePortAddresses,
  MARK_DROP,
  MARK_MASQ,
  protocolWords,
  randomChoice,
  TO_LOCAL_ADDRESS,
  writeMasqueradeChains,
  writeNodePortsJumps,
  XLB_PREFIX,
} from '../shared.js';
import type { PlanOptions } from '../../planner.js';


const REDIRECT_PODS_COMMENT = 'Redirect pods trying to reach external loadbalancer VIP to clusterIP';

const REJECT = jump('REJECT');
/** "All traffic from off-machine": not from a bridge port, not from a local address. */
const NOT_BRIDGED_NOT_LOCAL: readonly Arg[] = [match('physdev'), notOption('--physdev-is-in'), match('addrtype'), notOption('--src-type', 'LOCAL')];
const RELATED_ESTABLISHED: readonly Arg[] = [match('conntrack'), option('--ctstate', 'RELATED,ESTABLISHED')];

/** utilproxy.ToCIDR: an address as a one-address CIDR. */
function toCIDR(text: string): string {
  const ip = parseIP(text);
  if (!ip) return text;
  return `${formatIP(ip)}/${ip.family === 4 ? 32 : 128}`;
}

/** What the rules of one sync share. */
interface Sync {
  cfg: ProxierConfig;
  filter: TableBuilder;
  nat: TableBuilder;
  /** `M/M`, as kube-proxy's masqueradeMark printed before 1.19 (and matched since). */
  markMatch: string;
  /** The comment of the endpoint rules for a service port: appendServiceCommentLocked's effect. */
  endpointComment: (svcName: string) => string | undefined;
  /** GetNodeAddresses finds an address for node ports. */
  nodePorts: boolean;
}

export function planRulesE2(ports: readonly ServicePortWithEndpoints[], cfg: ProxierConfig, opts: PlanOptions = {}): Ruleset {
  const filter = new TableBuilder('filter');
  const nat = new TableBuilder('nat');
  const f = cfg.features;
  const mark = cfg.masqueradeMark;
  const markMatch = `${mark}/${mark}`;

  for (const chain of [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD]) filter.declare(chain);
  for (const chain of [KUBE_SERVICES, KUBE_NODEPORTS, KUBE_POSTROUTING, KUBE_MARK_MASQ]) nat.declare(chain);

  if (f.unmarkBeforeMasquerade) {
    // The July 2020 backport of 1.19's rules (1.16 and later: --random-fully as in 1.19).
    writeMasqueradeChains(nat, cfg);
  } else {
    const masquerade = f.masqueradeRandomFully && cfg.hasRandomFully ? jump('MASQUERADE', [option('--random-fully')]) : jump('MASQUERADE');
    nat.append(KUBE_POSTROUTING, rule('kubernetes service traffic requiring SNAT', [match('mark'), option('--mark', markMatch)], masquerade));
    nat.append(KUBE_MARK_MASQ, rule(undefined, [], jump('MARK', [option('--set-xmark', markMatch)])));
  }

  // The endpoints kube-proxy sees, and how many endpoint chains they make.
  const services = ports.map((p) => ({ svcPort: p.svcPort, endpoints: readyEndpoints(p.endpoints) }));
  let endpointChainsNumber = 0;
  for (const s of services) endpointChainsNumber += s.endpoints.length;
  const largeCluster = endpointChainsNumber > ENDPOINT_CHAINS_NUMBER_THRESHOLD;
  const endpointComment = (svcName: string): string | undefined => {
    switch (f.endpointComments) {
      case 'always':
        return svcName;
      case 'never':
        return undefined;
      case 'below-threshold':
        return largeCluster ? undefined : svcName;
    }
  };
  const sync: Sync = { cfg, filter, nat, markMatch, endpointComment, nodePorts: hasNodePortAddresses(cfg) };

  for (const s of services) writeServicePort(sync, s.svcPort, s.endpoints);

  // Finally, the jump to KUBE-NODEPORTS, after every other rule of KUBE-SERVICES.
  writeNodePortsJumps(nat, cfg);

  // INVALID packets can reset connections (https://github.com/kubernetes/kubernetes/issues/74839).
  if (f.forwardInvalidDrop && !cfg.conntrackTCPLiberal) {
    filter.append(KUBE_FORWARD, rule(undefined, [match('conntrack'), option('--ctstate', 'INVALID')], jump('DROP')));
  }
  filter.append(KUBE_FORWARD, rule('kubernetes forwarding rules', [match('mark'), option('--mark', markMatch)], jump('ACCEPT')));
  const SOURCE_RULE = 'kubernetes forwarding conntrack pod source rule';
  const DESTINATION_RULE = 'kubernetes forwarding conntrack pod destination rule';
  if (f.forwardConntrackAnySource) {
    filter.append(KUBE_FORWARD, rule(SOURCE_RULE, RELATED_ESTABLISHED, jump('ACCEPT')));
    filter.append(KUBE_FORWARD, rule(DESTINATION_RULE, RELATED_ESTABLISHED, jump('ACCEPT')));
  } else if (cfg.localDetector.kind === 'source') {
    // Only with a cluster CIDR: `-s` before the comment, `-d` after it, as kube-proxy wrote them.
    const cidr = cfg.localDetector.cidr;
    filter.append(KUBE_FORWARD, { comment: SOURCE_RULE, commentAt: 1, args: [header('-s', cidr), ...RELATED_ESTABLISHED], target: jump('ACCEPT') });
    filter.append(KUBE_FORWARD, rule(DESTINATION_RULE, [header('-d', cidr), ...RELATED_ESTABLISHED], jump('ACCEPT')));
  }

  if (opts.includeJumps) {
    writeJumpRulesBefore119(filter, nat);
    if (kubeletChainsIncluded(cfg.release)) writeKubeletChains(filter, nat, cfg.release, cfg.ipFamily);
  }

  return { filter: filter.table, nat: nat.table };
}

/**
 * The addresses of the Endpoints object: ready ones only (not-ready addresses were a list of
 * their own), ordered by IP text as the endpoints controller's RepackSubsets left them.
 */
function readyEndpoints(endpoints: readonly Endpoint[]): Endpoint[] {
  return endpoints
    .filter((ep) => ep.ready)
    .sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : a.port - b.port));
}

/** The body of syncProxyRules' loop over the service map, for one service port. */
function writeServicePort(sync: Sync, svcInfo: ServicePort, endpoints: readonly Endpoint[]): void {
  const { cfg, filter, nat } = sync;
  const isIPv6 = cfg.ipFamily === 6;
  const protocol = svcInfo.protocol.toLowerCase();
  const svcNameString = svcInfo.nameString;
  const proto: readonly Arg[] = protocolWords(protocol);
  const dport = option('--dport', String(svcInfo.port));
  const hasEndpoints = endpoints.length > 0;
  // RequestsOnlyLocalTraffic: type NodePort or LoadBalancer (both have node ports then) with
  // externalTrafficPolicy Local; a ClusterIP service's external IPs ignore the policy.
  const onlyNodeLocalEndpoints = svcInfo.externalPolicyLocal && svcInfo.nodePort !== 0;

  const svcChain = servicePortChains(svcNameString, protocol).clusterPolicyChain;
  if (hasEndpoints) nat.declare(svcChain);
  const svcXlbChain = XLB_PREFIX + portProtoHash(svcNameString, protocol);
  if (onlyNodeLocalEndpoints) nat.declare(svcXlbChain);

  // Capture the cluster IP.
  const toClusterIP: Arg[] = [...proto, header('-d', toCIDR(svcInfo.clusterIP)), dport];
  if (hasEndpoints) {
    const comment = `${svcNameString} cluster IP`;
    if (cfg.masqueradeAll) {
      nat.append(KUBE_SERVICES, rule(comment, toClusterIP, MARK_MASQ));
    } else {
      // Masquerade off-cluster traffic to a service VIP (only with a cluster CIDR).
      const notLocal = ifNotLocal(cfg.localDetector);
      if (notLocal.length > 0) nat.append(KUBE_SERVICES, rule(comment, [...toClusterIP, ...notLocal], MARK_MASQ));
    }
    nat.append(KUBE_SERVICES, rule(comment, toClusterIP, jump(svcChain)));
  } else {
    filter.append(KUBE_SERVICES, rule(`${svcNameString} has no endpoints`, toClusterIP, REJECT));
  }

  // Capture external IPs.
  for (const externalIP of svcInfo.externalIPs) {
    const toExternalIP: Arg[] = [...proto, header('-d', toCIDR(externalIP)), dport];
    if (hasEndpoints) {
      const comment = `${svcNameString} external IP`;
      nat.append(KUBE_SERVICES, rule(comment, toExternalIP, MARK_MASQ));
      // Traffic from off-machine (not bridged in, not from a local address) goes to the service…
      nat.append(KUBE_SERVICES, rule(comment, [...toExternalIP, ...NOT_BRIDGED_NOT_LOCAL], jump(svcChain)));
      // … and so does traffic to an external IP that is one of this node's addresses.
      nat.append(KUBE_SERVICES, rule(comment, [...toExternalIP, ...TO_LOCAL_ADDRESS], jump(svcChain)));
    } else {
      filter.append(KUBE_EXTERNAL_SERVICES, rule(`${svcNameString} has no endpoints`, toExternalIP, REJECT));
    }
  }

  // Capture load-balancer ingress: a KUBE-FW chain, rewritten for every ingress IP.
  const fwChain = servicePortChains(svcNameString, protocol).firewallChain;
  for (const ingress of svcInfo.loadBalancerVIPs) {
    const toIngress: Arg[] = [...proto, header('-d', toCIDR(ingress)), dport];
    if (!hasEndpoints) {
      filter.append(KUBE_SERVICES, rule(`${svcNameString} has no endpoints`, toIngress, REJECT));
      continue;
    }
    if (!nat.has(fwChain)) nat.declare(fwChain);
    const comment = `${svcNameString} loadbalancer IP`;
    nat.append(KUBE_SERVICES, rule(comment, toIngress, jump(fwChain)));
    // Under Cluster policy the packet may cross nodes: masquerade it. Local keeps the source.
    let chosenChain = svcXlbChain;
    if (!onlyNodeLocalEndpoints) {
      nat.append(fwChain, rule(comment, [], MARK_MASQ));
      chosenChain = svcChain;
    }
    const ranges = svcInfo.loadBalancerSourceRangeTexts ?? svcInfo.loadBalancerSourceRanges.map(formatCIDR);
    if (ranges.length === 0) {
      nat.append(fwChain, rule(comment, [], jump(chosenChain)));
    } else {
      let allowFromNode = false;
      ranges.forEach((src, i) => {
        nat.append(fwChain, rule(comment, [header('-s', src)], jump(chosenChain)));
        if (rangeContainsNode(svcInfo, i, cfg)) allowFromNode = true;
      });
      // A VIP routed back to the node arrives with the VIP as source: let it through.
      if (allowFromNode) nat.append(fwChain, rule(comment, [header('-s', toCIDR(ingress))], jump(chosenChain)));
    }
    // What reaches the end of the chain was not DNATed: mark it for kubelet's drop.
    nat.append(fwChain, rule(comment, [], MARK_DROP));
  }

  // Capture node ports. When no node address matches --nodeport-addresses, GetNodeAddresses
  // fails and kube-proxy skips the rest of this service (its endpoint chains too).
  if (svcInfo.nodePort !== 0) {
    if (!sync.nodePorts) return;
    const toNodePort: Arg[] = [...proto, option('--dport', String(svcInfo.nodePort))];
    if (hasEndpoints) {
      if (!onlyNodeLocalEndpoints) {
        nat.append(KUBE_NODEPORTS, rule(svcNameString, toNodePort, MARK_MASQ));
        nat.append(KUBE_NODEPORTS, rule(svcNameString, toNodePort, jump(svcChain)));
      } else {
        // Localhost would be a martian source after DNAT: masquerade it.
        const loopback = isIPv6 ? '::1/128' : '127.0.0.0/8';
        nat.append(KUBE_NODEPORTS, rule(svcNameString, [...toNodePort, header('-s', loopback)], MARK_MASQ));
        nat.append(KUBE_NODEPORTS, rule(svcNameString, toNodePort, jump(svcXlbChain)));
      }
    } else {
      filter.append(KUBE_EXTERNAL_SERVICES, rule(`${svcNameString} has no endpoints`, [...TO_LOCAL_ADDRESS, ...toNodePort], REJECT));
    }
  }

  if (!hasEndpoints) return;

  // The endpoint chains.
  const endpointChains = endpoints.map((ep) => endpointChainName(svcNameString, protocol, ep.endpoint));
  for (const chain of endpointChains) nat.declare(chain);
  const comment = sync.endpointComment(svcNameString);
  const seconds = String(svcInfo.stickyMaxAgeSeconds);
  const sticky = svcInfo.stickyMaxAgeSeconds > 0;

  // Session affinity first: a client seen recently goes back to its endpoint.
  if (sticky) {
    for (const chain of endpointChains) {
      nat.append(svcChain, rule(comment, rcheck(chain, seconds), jump(chain)));
    }
  }
  // Load balancing (endpoint i of n with probability 1/(n-i)), each followed by its KUBE-SEP rules.
  const n = endpointChains.length;
  endpointChains.forEach((chain, i) => {
    nat.append(svcChain, rule(comment, i < n - 1 ? randomChoice(cfg, n - i) : [], jump(chain)));
    nat.append(chain, rule(comment, [header('-s', toCIDR(endpoints[i]!.ip))], MARK_MASQ));
    const setRecent: Arg[] = sticky ? [match('recent'), option('--name', chain), option('--set')] : [];
    nat.append(chain, rule(comment, [...setRecent, ...proto], jump('DNAT', [option('--to-destination', endpoints[i]!.endpoint)])));
  });

  if (!onlyNodeLocalEndpoints) return;

  // KUBE-XLB: pods reaching the external VIP go to the cluster IP path; host traffic is
  // masqueraded and routed to the service (from 1.15); the rest only to local endpoints.
  const redirectPods = (): void => {
    const local = ifLocal(cfg.localDetector);
    if (local.length > 0) nat.append(svcXlbChain, rule(REDIRECT_PODS_COMMENT, local, jump(svcChain)));
  };
  const localTraffic = (): void => {
    nat.append(svcXlbChain, rule(`masquerade LOCAL traffic for ${svcNameString} LB IP`, FROM_LOCAL_ADDRESS, MARK_MASQ));
    nat.append(svcXlbChain, rule(`route LOCAL traffic for ${svcNameString} LB IP to service chain`, FROM_LOCAL_ADDRESS, jump(svcChain)));
  };
  switch (cfg.features.xlbLocalTraffic) {
    case 'none':
      redirectPods();
      break;
    case 'before-redirect':
      localTraffic();
      redirectPods();
      break;
    case 'after-redirect':
      redirectPods();
      localTraffic();
      break;
  }

  const localEndpointChains = endpointChains.filter((_, i) => endpoints[i]!.isLocal);
  if (localEndpointChains.length === 0) {
    nat.append(svcXlbChain, rule(`${svcNameString} has no local endpoints`, [], MARK_DROP));
    return;
  }
  if (sticky) {
    for (const chain of localEndpointChains) nat.append(svcXlbChain, rule(svcNameString, rcheck(chain, seconds), jump(chain)));
  }
  const numLocal = localEndpointChains.length;
  localEndpointChains.forEach((chain, i) => {
    nat.append(svcXlbChain, rule(`Balancing rule ${i} for ${svcNameString}`, i < numLocal - 1 ? randomChoice(cfg, numLocal - i) : [], jump(chain)));
  });
}

function rcheck(chain: string, seconds: string): Arg[] {
  return [match('recent'), option('--name', chain), option('--rcheck'), option('--seconds', seconds), option('--reap')];
}

/**
 * The i-th source range contains kube-proxy's node IP (127.0.0.1 when it had none: NewProxier
 * fell back to it).
 */
function rangeContainsNode(svcInfo: ServicePort, i: number, cfg: ProxierConfig): boolean {
  const cidr = svcInfo.loadBalancerSourceRanges[i];
  return cidr !== undefined && cidrContains(cidr, cfg.nodeIP ?? LOCALHOST);
}

const LOCALHOST = parseIP('127.0.0.1')!;
