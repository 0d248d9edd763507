/**
 * Era E8, kube-proxy 1.24: syncProxyRules of the 1.24 proxier.go (source: plan/releases/eras.ts).
 * Read it side by side with that file: the per-service loop below follows its order and names.
 *
 * The rule reorganisation of PR #109060 is here (KUBE-EXT, KUBE-SVL, "P -> ip:port"), but not
 * yet KUBE-PROXY-FIREWALL (1.25): a KUBE-FW chain ends in a jump to kubelet's KUBE-MARK-DROP,
 * and a Local policy chain without local endpoints marks for drop in the nat table.
 */
import type { Endpoint, ProxierConfig, ServicePortWithEndpoints } from '../../../model/types.js';
import { cidrContains, formatCIDR } from '../../../model/ip.js';
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_FORWARD,
  KUBE_NODEPORTS,
  KUBE_SERVICES,
  endpointChainName,
  servicePortChains,
} from '../../chain-names.js';
import { header, jump, match, option, rule, type Arg } from '../../../iptables/rule.js';
import { ifLocal, ifNotLocal } from '../../local-detector.js';
import type { Ruleset } from '../../ruleset.js';
import { categorizeEndpoints, externallyAccessible, usesClusterEndpoints, usesLocalEndpoints } from '../../topology.js';
import type { PlanOptions } from '../../planner.js';
import {
  FROM_LOCAL_ADDRESS,
  MARK_DROP,
  MARK_MASQ,
  NO_ARGS,
  TO_LOCAL_ADDRESS,
  protocolWords,
  randomChoice,
  serviceComment,
  planSync119,
  type SyncContext,
} from '../shared.js';

type Context = SyncContext;

export function planRules124(ports: readonly ServicePortWithEndpoints[], cfg: ProxierConfig, opts: PlanOptions = {}): Ruleset {
  return planSync119(ports, cfg, opts, [KUBE_SERVICES, KUBE_EXTERNAL_SERVICES, KUBE_FORWARD, KUBE_NODEPORTS], writeServicePort);
}

function writeServicePort(ctx: Context, { svcPort: svcInfo, endpoints: allEndpoints }: ServicePortWithEndpoints, nodePorts: boolean): void {
  const { cfg, filter, nat } = ctx;
  const protocol = svcInfo.protocol.toLowerCase();
  const svcPortNameString = svcInfo.nameString;
  const chains = servicePortChains(svcPortNameString, protocol);
  const proto = protocolWords(protocol);
  const dport = option('--dport', String(svcInfo.port));
  const sepChain = (ep: Endpoint): string => endpointChainName(svcPortNameString, protocol, ep.endpoint);

  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints: hasEndpoints } =
    categorizeEndpoints(allEndpoints, svcInfo, cfg);

  // Generate the per-endpoint chains.
  const sepComment = serviceComment(cfg, ctx.large, svcPortNameString);
  for (const ep of allReachableEndpoints) {
    const endpointChain = sepChain(ep);
    nat.declare(endpointChain);
    nat.append(endpointChain, rule(sepComment, [header('-s', ep.ip)], MARK_MASQ));
    const affinity: Arg[] = svcInfo.stickyMaxAgeSeconds > 0 ? [match('recent'), option('--name', endpointChain), option('--set')] : [];
    nat.append(endpointChain, rule(sepComment, [...affinity, ...proto], jump('DNAT', [option('--to-destination', ep.endpoint)])));
  }

  const clusterPolicyChain = chains.clusterPolicyChain;
  const localPolicyChain = chains.localPolicyChain;
  const internalPolicyChain = svcInfo.internalPolicyLocal ? localPolicyChain : clusterPolicyChain;
  const externalPolicyChain = svcInfo.externalPolicyLocal ? localPolicyChain : clusterPolicyChain;
  const internalTrafficChain = internalPolicyChain;
  const externalTrafficChain = chains.externalChain;

  if (hasEndpoints && usesClusterEndpoints(svcInfo)) nat.declare(clusterPolicyChain);
  if (hasEndpoints && usesLocalEndpoints(svcInfo)) nat.declare(localPolicyChain);

  if (hasEndpoints && externallyAccessible(svcInfo)) {
    nat.declare(externalTrafficChain);
    if (!svcInfo.externalPolicyLocal) {
      nat.append(externalTrafficChain, rule(`masquerade traffic for ${svcPortNameString} external destinations`, NO_ARGS, MARK_MASQ));
    } else {
      const local = ifLocal(cfg.localDetector);
      if (local.length > 0) {
        nat.append(externalTrafficChain, rule(`pod traffic for ${svcPortNameString} external destinations`, local, jump(clusterPolicyChain)));
      }
      nat.append(externalTrafficChain,
        rule(`masquerade LOCAL traffic for ${svcPortNameString} external destinations`, FROM_LOCAL_ADDRESS, MARK_MASQ));
      nat.append(externalTrafficChain,
        rule(`route LOCAL traffic for ${svcPortNameString} external destinations`, FROM_LOCAL_ADDRESS, jump(clusterPolicyChain)));
    }
    nat.append(externalTrafficChain, rule(undefined, NO_ARGS, jump(externalPolicyChain)));
  }

  // Capture the clusterIP.
  const toClusterIP = [...proto, header('-d', svcInfo.clusterIP), dport];
  if (hasEndpoints) {
    const comment = `${svcPortNameString} cluster IP`;
    const notLocal = ifNotLocal(cfg.localDetector);
    if (cfg.masqueradeAll) nat.append(internalTrafficChain, rule(comment, toClusterIP, MARK_MASQ));
    else if (notLocal.length > 0) nat.append(internalTrafficChain, rule(comment, [...toClusterIP, ...notLocal], MARK_MASQ));
    nat.append(KUBE_SERVICES, rule(comment, toClusterIP, jump(internalTrafficChain)));
  } else {
    filter.append(KUBE_SERVICES, rule(`${svcPortNameString} has no endpoints`, toClusterIP, jump('REJECT')));
  }

  // Capture externalIPs.
  for (const externalIP of svcInfo.externalIPs) {
    const toExternalIP = [...proto, header('-d', externalIP), dport];
    if (hasEndpoints) nat.append(KUBE_SERVICES, rule(`${svcPortNameString} external IP`, toExternalIP, jump(externalTrafficChain)));
    else filter.append(KUBE_EXTERNAL_SERVICES, rule(`${svcPortNameString} has no endpoints`, toExternalIP, jump('REJECT')));
  }

  // Capture load-balancer ingress.
  if (svcInfo.loadBalancerVIPs.length > 0 && hasEndpoints) {
    let nextChain = externalTrafficChain;
    if (svcInfo.loadBalancerSourceRanges.length > 0) {
      const fwChain = chains.firewallChain;
      nat.declare(fwChain);
      nextChain = fwChain;
      const fwComment = `${svcPortNameString} loadbalancer IP`;
      let allowFromNode = false;
      svcInfo.loadBalancerSourceRanges.forEach((cidr, i) => {
        const src = svcInfo.loadBalancerSourceRangeTexts?.[i] ?? formatCIDR(cidr);
        nat.append(fwChain, rule(fwComment, [header('-s', src)], jump(externalTrafficChain)));
        if (cfg.nodeIP && cidrContains(cidr, cfg.nodeIP)) allowFromNode = true;
      });
      if (allowFromNode) {
        for (const lbip of svcInfo.loadBalancerVIPs) nat.append(fwChain, rule(fwComment, [header('-s', lbip)], jump(externalTrafficChain)));
      }
      // What reaches the end of the firewall chain was not DNATed: mark it for kubelet's drop.
      nat.append(fwChain, rule(fwComment, NO_ARGS, MARK_DROP));
    }
    for (const lbip of svcInfo.loadBalancerVIPs) {
      nat.append(KUBE_SERVICES, rule(`${svcPortNameString} loadbalancer IP`, [...proto, header('-d', lbip), dport], jump(nextChain)));
    }
  } else {
    for (const lbip of svcInfo.loadBalancerVIPs) {
      filter.append(KUBE_EXTERNAL_SERVICES, rule(`${svcPortNameString} has no endpoints`, [...proto, header('-d', lbip), dport], jump('REJECT')));
    }
  }

  // Capture nodeports (not subject to loadBalancerSourceRanges).
  if (svcInfo.nodePort !== 0 && nodePorts) {
    const nodePort = option('--dport', String(svcInfo.nodePort));
    if (hasEndpoints) {
      nat.append(KUBE_NODEPORTS, rule(svcPortNameString, [...proto, nodePort], jump(externalTrafficChain)));
    } else {
      filter.append(KUBE_EXTERNAL_SERVICES, rule(`${svcPortNameString} has no endpoints`, [...TO_LOCAL_ADDRESS, ...proto, nodePort], jump('REJECT')));
    }
  }

  // Capture healthCheckNodePorts, whether or not there are local endpoints.
  if (svcInfo.healthCheckNodePort !== 0) {
    filter.append(KUBE_NODEPORTS, rule(`${svcPortNameString} health check node port`,
      [...protocolWords('tcp'), option('--dport', String(svcInfo.healthCheckNodePort))], jump('ACCEPT')));
  }

  if (usesClusterEndpoints(svcInfo)) writeServiceToEndpointRules(ctx, svcPortNameString, svcInfo.stickyMaxAgeSeconds, clusterPolicyChain, clusterEndpoints, sepChain);
  if (usesLocalEndpoints(svcInfo)) {
    if (localEndpoints.length > 0) {
      writeServiceToEndpointRules(ctx, svcPortNameString, svcInfo.stickyMaxAgeSeconds, localPolicyChain, localEndpoints, sepChain);
    } else if (hasEndpoints) {
      nat.append(localPolicyChain, rule(`${svcPortNameString} has no local endpoints`, NO_ARGS, MARK_DROP));
    }
  }
}

/** Session-affinity rules, then one dispatch rule per endpoint; comments "P -> ip:port". */
function writeServiceToEndpointRules(
  ctx: Context,
  svcPortNameString: string,
  stickyMaxAgeSeconds: number,
  svcChain: string,
  endpoints: readonly Endpoint[],
  sepChain: (ep: Endpoint) => string,
): void {
  const comment = (ep: Endpoint): string | undefined => serviceComment(ctx.cfg, ctx.large, `${svcPortNameString} -> ${ep.endpoint}`);
  if (stickyMaxAgeSeconds > 0) {
    for (const ep of endpoints) {
      const chain = sepChain(ep);
      ctx.nat.append(svcChain, rule(comment(ep),
        [match('recent'), option('--name', chain), option('--rcheck'), option('--seconds', String(stickyMaxAgeSeconds)), option('--reap')], jump(chain)));
    }
  }
  const n = endpoints.length;
  endpoints.forEach((ep, i) => {
    ctx.nat.append(svcChain, rule(comment(ep), i < n - 1 ? randomChoice(ctx.cfg, n - i) : NO_ARGS, jump(sepChain(ep))));
  });
}
