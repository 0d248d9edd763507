/**
 * Era E6, kube-proxy 1.19 … 1.21: syncProxyRules of the 1.21-dev proxier.go (source:
 * plan/releases/eras.ts). Read it side by side with that file: the per-service loop below
 * follows its order and names.
 *
 * KUBE-XLB for externalTrafficPolicy Local; the masquerade rules of cluster IPs, external IPs
 * and NodePorts sit in KUBE-SERVICES and KUBE-NODEPORTS, before the jump they go with;
 * addresses carry /32 (/128); a KUBE-FW chain for every load-balancer IP ends in kubelet's
 * KUBE-MARK-DROP; KUBE-FORWARD has the two CIDR-less "conntrack pod source/destination" rules
 * (the single "conntrack rule" of the source copy is its author's PR #97279, upstream in 1.23).
 * Within the era (features.ts): 1.21 has the filter KUBE-NODEPORTS with the health-check node
 * port rules; 1.19 and 1.20 three filter chains.
 */
import type { Endpoint, ProxierConfig, ServicePort, ServicePortWithEndpoints } from '../../../model/types.js';
import { filterEndpointsWithHintsBefore124 } from '../../topology.js';
import { cidrContains, formatCIDR } from '../../../model/ip.js';
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_FORWARD,
  KUBE_NODEPORTS,
  KUBE_SERVICES,
  endpointChainName,
  portProtoHash,
  SVC_PREFIX,
  FW_PREFIX,
} from '../../chain-names.js';
import { header, jump, match, option, rule, type Arg } from '../../../iptables/rule.js';
import { ifLocal, ifNotLocal } from '../../local-detector.js';
import type { Ruleset } from '../../ruleset.js';
import type { PlanOptions } from '../../planner.js';
import {
  FROM_LOCAL_ADDRESS,
  MARK_DROP,
  MARK_MASQ,
  NO_ARGS,
  TO_LOCAL_ADDRESS,
  XLB_PREFIX,
  addressArg,
  protocolWords,
  randomChoice,
  serviceComment,
  planSync119,
  type SyncContext,
} from '../shared.js';

type Context = SyncContext;

export function planRules119(ports: readonly ServicePortWithEndpoints[], cfg: ProxierConfig, opts: PlanOptions = {}): Ruleset {
  const filterChains = [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD];
  if (cfg.features.healthCheckNodePortFilterRules) filterChains.push(KUBE_NODEPORTS);
  return planSync119(ports, cfg, opts, filterChains, writeServicePort);
}

/**
 * The endpoints used (1.21: FilterEndpoints, pkg/proxy/topology.go): all of an
 * externalTrafficPolicy Local service; else internalTrafficPolicy Local, when the gate lets
 * kube-proxy read it, keeps this node's; else, with the TopologyAwareHints gate on (alpha,
 * 1.21 only in this era), the zone's hinted endpoints. ServiceTopology (alpha, off by
 * default, topologyKeys) is not modelled: normalize warns about the field.
 */
function filterEndpoints(endpoints: readonly Endpoint[], svcInfo: ServicePort, cfg: ProxierConfig): readonly Endpoint[] {
  if (svcInfo.externalPolicyLocal) return endpoints;
  if (svcInfo.internalPolicyLocal) return endpoints.filter((ep) => ep.isLocal);
  return filterEndpointsWithHintsBefore124(endpoints, svcInfo, cfg);
}

function writeServicePort(ctx: Context, { svcPort: svcInfo, endpoints }: ServicePortWithEndpoints, nodePorts: boolean): void {
  const { cfg, filter, nat } = ctx;
  const protocol = svcInfo.protocol.toLowerCase();
  const svcNameString = svcInfo.nameString;
  const hash = portProtoHash(svcNameString, protocol);
  const proto = protocolWords(protocol);
  const dport = option('--dport', String(svcInfo.port));
  const onlyNodeLocalEndpoints = svcInfo.externalPolicyLocal;

  const allEndpoints = filterEndpoints(endpoints, svcInfo, cfg);
  const readyEndpoints = allEndpoints.filter((ep) => ep.ready);
  const hasEndpoints = readyEndpoints.length > 0;

  const svcChain = SVC_PREFIX + hash;
  if (hasEndpoints) nat.declare(svcChain);
  const svcXlbChain = XLB_PREFIX + hash;
  // Declared for every Local service, with endpoints or not.
  if (onlyNodeLocalEndpoints) nat.declare(svcXlbChain);

  const notLocal = ifNotLocal(cfg.localDetector);

  // Capture the clusterIP: masquerade rule, then the jump, both in KUBE-SERVICES.
  const toClusterIP = [...proto, header('-d', addressArg(cfg, svcInfo.clusterIP)), dport];
  if (hasEndpoints) {
    const comment = `${svcNameString} cluster IP`;
    if (cfg.masqueradeAll) nat.append(KUBE_SERVICES, rule(comment, toClusterIP, MARK_MASQ));
    else if (notLocal.length > 0) nat.append(KUBE_SERVICES, rule(comment, [...toClusterIP, ...notLocal], MARK_MASQ));
    nat.append(KUBE_SERVICES, rule(comment, toClusterIP, jump(svcChain)));
  } else {
    filter.append(KUBE_SERVICES, rule(`${svcNameString} has no endpoints`, toClusterIP, jump('REJECT')));
  }

  // Capture externalIPs.
  for (const externalIP of svcInfo.externalIPs) {
    const toExternalIP = [...proto, header('-d', addressArg(cfg, externalIP)), dport];
    if (hasEndpoints) {
      const comment = `${svcNameString} external IP`;
      let destChain = svcXlbChain;
      if (!onlyNodeLocalEndpoints) {
        destChain = svcChain;
        // Masquerade off-cluster traffic to an external IP (all of it without a detector).
        nat.append(KUBE_SERVICES, rule(comment, [...toExternalIP, ...notLocal], MARK_MASQ));
      }
      nat.append(KUBE_SERVICES, rule(comment, toExternalIP, jump(destChain)));
    } else {
      filter.append(KUBE_EXTERNAL_SERVICES, rule(`${svcNameString} has no endpoints`, toExternalIP, jump('REJECT')));
    }
  }

  // Capture load-balancer ingress: a KUBE-FW chain for every ingress IP.
  const fwChain = FW_PREFIX + hash;
  for (const ingress of svcInfo.loadBalancerVIPs) {
    const toIngress = [...proto, header('-d', addressArg(cfg, ingress)), dport];
    if (!hasEndpoints) {
      filter.append(KUBE_EXTERNAL_SERVICES, rule(`${svcNameString} has no endpoints`, toIngress, jump('REJECT')));
      continue;
    }
    if (!nat.has(fwChain)) nat.declare(fwChain);
    const comment = `${svcNameString} loadbalancer IP`;
    nat.append(KUBE_SERVICES, rule(comment, toIngress, jump(fwChain)));
    let chosenChain = svcXlbChain;
    if (!onlyNodeLocalEndpoints) {
      nat.append(fwChain, rule(comment, NO_ARGS, MARK_MASQ));
      chosenChain = svcChain;
    }
    if (svcInfo.loadBalancerSourceRanges.length === 0) {
      nat.append(fwChain, rule(comment, NO_ARGS, jump(chosenChain)));
    } else {
      let allowFromNode = false;
      svcInfo.loadBalancerSourceRanges.forEach((cidr, i) => {
        const src = svcInfo.loadBalancerSourceRangeTexts?.[i] ?? formatCIDR(cidr);
        nat.append(fwChain, rule(comment, [header('-s', src)], jump(chosenChain)));
        if (cfg.nodeIP && cidrContains(cidr, cfg.nodeIP)) allowFromNode = true;
      });
      if (allowFromNode) nat.append(fwChain, rule(comment, [header('-s', addressArg(cfg, ingress))], jump(chosenChain)));
    }
    // What reaches the end of the firewall chain was not DNATed: mark it for kubelet's drop.
    nat.append(fwChain, rule(comment, NO_ARGS, MARK_DROP));
  }

  // Capture nodeports. With no node address for NodePorts kube-proxy skipped the rest of the
  // service (health check and endpoint rules too): `continue` in its loop.
  if (svcInfo.nodePort !== 0) {
    if (!nodePorts) return;
    const toNodePort = [...proto, option('--dport', String(svcInfo.nodePort))];
    if (hasEndpoints) {
      if (!onlyNodeLocalEndpoints) {
        // NodePorts need SNAT, unless they are Local.
        nat.append(KUBE_NODEPORTS, rule(svcNameString, toNodePort, MARK_MASQ));
        nat.append(KUBE_NODEPORTS, rule(svcNameString, toNodePort, jump(svcChain)));
      } else {
        // Fix localhost martian source error.
        const loopback = svcInfo.clusterIP.includes(':') ? '::1/128' : '127.0.0.0/8';
        nat.append(KUBE_NODEPORTS, rule(svcNameString, [...toNodePort, header('-s', loopback)], MARK_MASQ));
        nat.append(KUBE_NODEPORTS, rule(svcNameString, toNodePort, jump(svcXlbChain)));
      }
    } else {
      filter.append(KUBE_EXTERNAL_SERVICES, rule(`${svcNameString} has no endpoints`, [...TO_LOCAL_ADDRESS, ...toNodePort], jump('REJECT')));
    }
  }

  // Capture healthCheckNodePorts (from 1.21), whether or not there are local endpoints.
  if (svcInfo.healthCheckNodePort !== 0 && cfg.features.healthCheckNodePortFilterRules) {
    filter.append(KUBE_NODEPORTS, rule(`${svcNameString} health check node port`,
      [...protocolWords('tcp'), option('--dport', String(svcInfo.healthCheckNodePort))], jump('ACCEPT')));
  }

  if (!hasEndpoints) return;

  // Generate the per-endpoint chains: affinity rules first, then per endpoint its dispatch
  // rule in KUBE-SVC and its own two rules.
  const sepChain = (ep: Endpoint): string => endpointChainName(svcNameString, protocol, ep.endpoint);
  const comment = serviceComment(cfg, ctx.large, svcNameString);
  const endpointChains = readyEndpoints.map(sepChain);
  for (const chain of endpointChains) nat.declare(chain);
  const sticky = svcInfo.stickyMaxAgeSeconds;
  const rcheck = (chain: string): Arg[] =>
    [match('recent'), option('--name', chain), option('--rcheck'), option('--seconds', String(sticky)), option('--reap')];
  if (sticky > 0) {
    for (const chain of endpointChains) nat.append(svcChain, rule(comment, rcheck(chain), jump(chain)));
  }
  const n = endpointChains.length;
  const localEndpointChains: string[] = [];
  readyEndpoints.forEach((ep, i) => {
    const endpointChain = endpointChains[i]!;
    if (onlyNodeLocalEndpoints && ep.isLocal) localEndpointChains.push(endpointChain);
    nat.append(svcChain, rule(comment, i < n - 1 ? randomChoice(cfg, n - i) : NO_ARGS, jump(endpointChain)));
    nat.append(endpointChain, rule(comment, [header('-s', addressArg(cfg, ep.ip))], MARK_MASQ));
    const affinity: Arg[] = sticky > 0 ? [match('recent'), option('--name', endpointChain), option('--set')] : [];
    nat.append(endpointChain, rule(comment, [...affinity, ...proto], jump('DNAT', [option('--to-destination', ep.endpoint)])));
  });

  if (!onlyNodeLocalEndpoints) return;

  // Pod → external VIP traffic goes to the service chain, local endpoints or not.
  const local = ifLocal(cfg.localDetector);
  if (local.length > 0) {
    nat.append(svcXlbChain, rule('Redirect pods trying to reach external loadbalancer VIP to clusterIP', local, jump(svcChain)));
  }
  nat.append(svcXlbChain, rule(`masquerade LOCAL traffic for ${svcNameString} LB IP`, FROM_LOCAL_ADDRESS, MARK_MASQ));
  nat.append(svcXlbChain, rule(`route LOCAL traffic for ${svcNameString} LB IP to service chain`, FROM_LOCAL_ADDRESS, jump(svcChain)));

  const numLocalEndpoints = localEndpointChains.length;
  if (numLocalEndpoints === 0) {
    nat.append(svcXlbChain, rule(`${svcNameString} has no local endpoints`, NO_ARGS, MARK_DROP));
    return;
  }
  if (sticky > 0) {
    for (const chain of localEndpointChains) nat.append(svcXlbChain, rule(svcNameString, rcheck(chain), jump(chain)));
  }
  localEndpointChains.forEach((chain, i) => {
    nat.append(svcXlbChain, rule(`Balancing rule ${i} for ${svcNameString}`,
      i < numLocalEndpoints - 1 ? randomChoice(cfg, numLocalEndpoints - i) : NO_ARGS, jump(chain)));
  });
}
