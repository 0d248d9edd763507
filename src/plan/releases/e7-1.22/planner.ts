/**
 * Era E7, kube-proxy 1.22 and 1.23: syncProxyRules of the 1.23-era proxier.go (source:
 * plan/releases/eras.ts). Read it side by side with that file: the per-service loop below
 * follows its order and names.
 *
 * Still KUBE-XLB for externalTrafficPolicy Local, but the masquerade rules for cluster IPs,
 * external IPs and NodePorts now sit in the KUBE-SVC chain (PR #96959), and the endpoints are
 * filtered first (FilterEndpoints, pkg/proxy/topology.go): internalTrafficPolicy Local keeps
 * only this node's endpoints for all of the service's traffic. Within the era (features.ts):
 * 1.22 writes /32 addresses and "Balancing rule N for P" in KUBE-XLB; 1.23 bare addresses and
 * the comment helper's P.
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

export function planRules122(ports: readonly ServicePortWithEndpoints[], cfg: ProxierConfig, opts: PlanOptions = {}): Ruleset {
  return planSync119(ports, cfg, opts, [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS], writeServicePort);
}

/**
 * FilterEndpoints (pkg/proxy/topology.go of 1.22/1.23): endpoints of an externalTrafficPolicy
 * Local service are all kept; internalTrafficPolicy Local keeps this node's; else, with the
 * TopologyAwareHints gate on (beta but off by default until 1.24), the zone's hinted ones.
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
  const nodeLocalExternal = svcInfo.externalPolicyLocal;
  const terminatingGate = cfg.features.proxyTerminatingEndpoints;

  const allEndpoints = filterEndpoints(endpoints, svcInfo, cfg);

  // Is there a usable endpoint anywhere, and a local one (ready, or serving-terminating)?
  let hasEndpoints = false;
  let hasLocalReadyEndpoints = false;
  let hasLocalServingTerminatingEndpoints = false;
  for (const ep of allEndpoints) {
    if (ep.ready) {
      hasEndpoints = true;
      if (ep.isLocal) hasLocalReadyEndpoints = true;
    } else if (nodeLocalExternal && terminatingGate && ep.serving && ep.terminating) {
      hasEndpoints = true;
      if (ep.isLocal) hasLocalServingTerminatingEndpoints = true;
    }
  }
  const useTerminatingEndpoints = !hasLocalReadyEndpoints && hasLocalServingTerminatingEndpoints;

  // Generate the per-endpoint chains.
  const readyEndpointChains: Endpoint[] = [];
  const localEndpointChains: Endpoint[] = [];
  const sepChain = (ep: Endpoint): string => endpointChainName(svcNameString, protocol, ep.endpoint);
  const sepComment = serviceComment(cfg, ctx.large, svcNameString);
  for (const ep of allEndpoints) {
    let endpointInUse = false;
    if (ep.ready) {
      readyEndpointChains.push(ep);
      endpointInUse = true;
    }
    if (nodeLocalExternal && ep.isLocal) {
      if (useTerminatingEndpoints ? ep.serving && ep.terminating : ep.ready) {
        localEndpointChains.push(ep);
        endpointInUse = true;
      }
    }
    if (!endpointInUse) continue;
    const endpointChain = sepChain(ep);
    nat.declare(endpointChain);
    nat.append(endpointChain, rule(sepComment, [header('-s', addressArg(cfg, ep.ip))], MARK_MASQ));
    const affinity: Arg[] = svcInfo.stickyMaxAgeSeconds > 0 ? [match('recent'), option('--name', endpointChain), option('--set')] : [];
    nat.append(endpointChain, rule(sepComment, [...affinity, ...proto], jump('DNAT', [option('--to-destination', ep.endpoint)])));
  }

  const svcChain = SVC_PREFIX + hash;
  if (hasEndpoints) nat.declare(svcChain);
  const svcXlbChain = XLB_PREFIX + hash;
  // Declared for every Local service, with endpoints or not.
  if (nodeLocalExternal) nat.declare(svcXlbChain);

  const notLocal = ifNotLocal(cfg.localDetector);

  // Capture the clusterIP.
  const toClusterIP = [...proto, header('-d', addressArg(cfg, svcInfo.clusterIP)), dport];
  if (hasEndpoints) {
    const comment = `${svcNameString} cluster IP`;
    if (cfg.masqueradeAll) nat.append(svcChain, rule(comment, toClusterIP, MARK_MASQ));
    else if (notLocal.length > 0) nat.append(svcChain, rule(comment, [...toClusterIP, ...notLocal], MARK_MASQ));
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
      if (!nodeLocalExternal) {
        destChain = svcChain;
        // Masquerade off-cluster traffic to an external IP (all of it without a detector).
        nat.append(svcChain, rule(comment, [...toExternalIP, ...notLocal], MARK_MASQ));
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
    if (!nodeLocalExternal) {
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

  // Capture nodeports.
  if (svcInfo.nodePort !== 0 && nodePorts) {
    const toNodePort = [...proto, option('--dport', String(svcInfo.nodePort))];
    if (hasEndpoints) {
      if (!nodeLocalExternal) {
        // NodePorts need SNAT, unless they are Local.
        nat.append(svcChain, rule(svcNameString, toNodePort, MARK_MASQ));
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

  // Capture healthCheckNodePorts, whether or not there are local endpoints.
  if (svcInfo.healthCheckNodePort !== 0) {
    filter.append(KUBE_NODEPORTS, rule(`${svcNameString} health check node port`,
      [...protocolWords('tcp'), option('--dport', String(svcInfo.healthCheckNodePort))], jump('ACCEPT')));
  }

  if (!hasEndpoints) return;

  writeServiceToEndpointRules(ctx, svcNameString, svcInfo.stickyMaxAgeSeconds, svcChain, readyEndpointChains, sepChain);

  if (!nodeLocalExternal) return;

  // Pod → external VIP traffic goes to the cluster IP's chain, local endpoints or not.
  const local = ifLocal(cfg.localDetector);
  if (local.length > 0) {
    nat.append(svcXlbChain, rule('Redirect pods trying to reach external loadbalancer VIP to clusterIP', local, jump(svcChain)));
  }
  // Host-originated traffic to an LB IP: masquerade and use the service chain.
  nat.append(svcXlbChain, rule(`masquerade LOCAL traffic for ${svcNameString} LB IP`, FROM_LOCAL_ADDRESS, MARK_MASQ));
  nat.append(svcXlbChain, rule(`route LOCAL traffic for ${svcNameString} LB IP to service chain`, FROM_LOCAL_ADDRESS, jump(svcChain)));

  if (localEndpointChains.length === 0) {
    nat.append(svcXlbChain, rule(`${svcNameString} has no local endpoints`, NO_ARGS, MARK_DROP));
  } else if (cfg.features.plainLocalDispatchComments) {
    writeServiceToEndpointRules(ctx, svcNameString, svcInfo.stickyMaxAgeSeconds, svcXlbChain, localEndpointChains, sepChain);
  } else {
    writeBalancingRules(ctx, svcNameString, svcInfo.stickyMaxAgeSeconds, svcXlbChain, localEndpointChains, sepChain);
  }
}

/** Session-affinity rules, then one dispatch rule per endpoint; the comment helper's P. */
function writeServiceToEndpointRules(
  ctx: Context,
  svcNameString: string,
  stickyMaxAgeSeconds: number,
  svcChain: string,
  endpoints: readonly Endpoint[],
  sepChain: (ep: Endpoint) => string,
): void {
  const comment = serviceComment(ctx.cfg, ctx.large, svcNameString);
  if (stickyMaxAgeSeconds > 0) {
    for (const ep of endpoints) {
      const chain = sepChain(ep);
      ctx.nat.append(svcChain, rule(comment,
        [match('recent'), option('--name', chain), option('--rcheck'), option('--seconds', String(stickyMaxAgeSeconds)), option('--reap')], jump(chain)));
    }
  }
  const n = endpoints.length;
  endpoints.forEach((ep, i) => {
    ctx.nat.append(svcChain, rule(comment, i < n - 1 ? randomChoice(ctx.cfg, n - i) : NO_ARGS, jump(sepChain(ep))));
  });
}

/**
 * 1.22's KUBE-XLB dispatch (before PR #106269): affinity rules always commented P, then
 * "Balancing rule i for P" rules, neither through the comment helper.
 */
function writeBalancingRules(
  ctx: Context,
  svcNameString: string,
  stickyMaxAgeSeconds: number,
  svcXlbChain: string,
  endpoints: readonly Endpoint[],
  sepChain: (ep: Endpoint) => string,
): void {
  if (stickyMaxAgeSeconds > 0) {
    for (const ep of endpoints) {
      const chain = sepChain(ep);
      ctx.nat.append(svcXlbChain, rule(svcNameString,
        [match('recent'), option('--name', chain), option('--rcheck'), option('--seconds', String(stickyMaxAgeSeconds)), option('--reap')], jump(chain)));
    }
  }
  const n = endpoints.length;
  endpoints.forEach((ep, i) => {
    ctx.nat.append(svcXlbChain, rule(`Balancing rule ${i} for ${svcNameString}`, i < n - 1 ? randomChoice(ctx.cfg, n - i) : NO_ARGS, jump(sepChain(ep))));
  });
}
