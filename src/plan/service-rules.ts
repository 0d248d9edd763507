/**
 * The rules of one service port: the body of the per-service loop of kube-proxy's
 * syncProxyRules and writeServiceToEndpointRules (pkg/proxy/iptables/proxier.go).
 * Variable names follow upstream so a review can be a side-by-side read.
 */
import type { Endpoint, ProxierConfig, ServicePortWithEndpoints } from '../model/types.js';
import { NFACCT_LOCALHOST_NODEPORTS } from '../model/types.js';
import { cidrContains, formatCIDR } from '../model/ip.js';
import {
  KUBE_EXTERNAL_SERVICES,
  KUBE_MARK_MASQ,
  KUBE_NODEPORTS,
  KUBE_PROXY_FIREWALL,
  KUBE_SERVICES,
  endpointChainName,
  servicePortChains,
} from './chain-names.js';
import { probability } from './probability.js';
import { comment, type TableBuilder } from './ruleset.js';
import { categorizeEndpoints, externallyAccessible, usesClusterEndpoints, usesLocalEndpoints } from './topology.js';

export interface PlanContext {
  cfg: ProxierConfig;
  filter: TableBuilder;
  nat: TableBuilder;
  /** More than 1000 endpoints in all: endpoint rules lose their comments. */
  largeClusterMode: boolean;
}

export function writeServicePortRules(ctx: PlanContext, { svcPort: svcInfo, endpoints }: ServicePortWithEndpoints): void {
  const { cfg, filter, nat } = ctx;
  const protocol = svcInfo.protocol.toLowerCase();
  const svcPortNameString = svcInfo.nameString;
  const chains = servicePortChains(svcPortNameString, protocol);
  const proto = ['-m', protocol, '-p', protocol];
  const port = String(svcInfo.port);

  const { clusterEndpoints, localEndpoints, allReachableEndpoints, hasAnyEndpoints: hasEndpoints } =
    categorizeEndpoints(endpoints, svcInfo, cfg);
  // Each endpoint's KUBE-SEP name is needed up to three times (SVC, SVL, SEP): hash it once.
  const sepChains = new Map<string, string>();
  const sepChain: SepChainOf = (ep) => {
    let name = sepChains.get(ep.endpoint);
    if (name === undefined) {
      name = endpointChainName(svcPortNameString, protocol, ep.endpoint);
      sepChains.set(ep.endpoint, name);
    }
    return name;
  };

  const clusterPolicyChain = chains.clusterPolicyChain;
  const usesClusterPolicyChain = clusterEndpoints.length > 0 && usesClusterEndpoints(svcInfo);
  const localPolicyChain = chains.localPolicyChain;
  const usesLocalPolicyChain = localEndpoints.length > 0 && usesLocalEndpoints(svcInfo);

  let internalPolicyChain = clusterPolicyChain;
  let hasInternalEndpoints = hasEndpoints;
  if (svcInfo.internalPolicyLocal) {
    internalPolicyChain = localPolicyChain;
    if (localEndpoints.length === 0) hasInternalEndpoints = false;
  }
  const internalTrafficChain = internalPolicyChain;

  let externalPolicyChain = clusterPolicyChain;
  let hasExternalEndpoints = hasEndpoints;
  if (svcInfo.externalPolicyLocal) {
    externalPolicyChain = localPolicyChain;
    if (localEndpoints.length === 0) hasExternalEndpoints = false;
  }
  const externalTrafficChain = chains.externalChain;

  // Even without externally usable endpoints, the EXT chain carries the short-circuit rules.
  const usesExternalTrafficChain = hasEndpoints && externallyAccessible(svcInfo);

  const fwChain = chains.firewallChain;
  const usesFWChain =
    hasEndpoints && svcInfo.loadBalancerVIPs.length > 0 && svcInfo.loadBalancerSourceRanges.length > 0;
  const loadBalancerTrafficChain = usesFWChain ? fwChain : externalTrafficChain;

  let internalTrafficFilterTarget = '';
  let internalTrafficFilterComment = '';
  let externalTrafficFilterTarget = '';
  let externalTrafficFilterComment = '';
  if (!hasEndpoints) {
    internalTrafficFilterTarget = 'REJECT';
    internalTrafficFilterComment = `${svcPortNameString} has no endpoints`;
    externalTrafficFilterTarget = 'REJECT';
    externalTrafficFilterComment = internalTrafficFilterComment;
  } else {
    if (!hasInternalEndpoints) {
      internalTrafficFilterTarget = 'DROP';
      internalTrafficFilterComment = `${svcPortNameString} has no local endpoints`;
    }
    if (!hasExternalEndpoints) {
      externalTrafficFilterTarget = 'DROP';
      externalTrafficFilterComment = `${svcPortNameString} has no local endpoints`;
    }
  }

  // Cluster IP.
  if (hasInternalEndpoints) {
    nat.append(KUBE_SERVICES, comment(`${svcPortNameString} cluster IP`), proto,
      '-d', svcInfo.clusterIP, '--dport', port, '-j', internalTrafficChain);
  } else {
    filter.append(KUBE_SERVICES, comment(internalTrafficFilterComment), proto,
      '-d', svcInfo.clusterIP, '--dport', port, '-j', internalTrafficFilterTarget);
  }

  // External IPs.
  for (const externalIP of svcInfo.externalIPs) {
    if (hasEndpoints) {
      nat.append(KUBE_SERVICES, comment(`${svcPortNameString} external IP`), proto,
        '-d', externalIP, '--dport', port, '-j', externalTrafficChain);
    }
    if (!hasExternalEndpoints) {
      filter.append(KUBE_EXTERNAL_SERVICES, comment(externalTrafficFilterComment), proto,
        '-d', externalIP, '--dport', port, '-j', externalTrafficFilterTarget);
    }
  }

  // Load-balancer ingress IPs.
  for (const lbip of svcInfo.loadBalancerVIPs) {
    if (hasEndpoints) {
      nat.append(KUBE_SERVICES, comment(`${svcPortNameString} loadbalancer IP`), proto,
        '-d', lbip, '--dport', port, '-j', loadBalancerTrafficChain);
    }
    if (usesFWChain) {
      filter.append(KUBE_PROXY_FIREWALL, comment(`${svcPortNameString} traffic not accepted by ${fwChain}`), proto,
        '-d', lbip, '--dport', port, '-j', 'DROP');
    }
  }
  if (!hasExternalEndpoints) {
    for (const lbip of svcInfo.loadBalancerVIPs) {
      filter.append(KUBE_EXTERNAL_SERVICES, comment(externalTrafficFilterComment), proto,
        '-d', lbip, '--dport', port, '-j', externalTrafficFilterTarget);
    }
  }

  // NodePort. (NodePorts are never subject to loadBalancerSourceRanges.)
  if (svcInfo.nodePort !== 0) {
    const nodePort = String(svcInfo.nodePort);
    if (hasEndpoints) {
      if (cfg.localhostNodePorts && cfg.ipFamily === 4 && cfg.nfacctCounters.has(NFACCT_LOCALHOST_NODEPORTS)) {
        nat.append(KUBE_NODEPORTS, comment(svcPortNameString), proto, '-d', '127.0.0.0/8', '--dport', nodePort,
          '-m', 'nfacct', '--nfacct-name', NFACCT_LOCALHOST_NODEPORTS, '-j', externalTrafficChain);
      }
      nat.append(KUBE_NODEPORTS, comment(svcPortNameString), proto, '--dport', nodePort, '-j', externalTrafficChain);
    }
    if (!hasExternalEndpoints) {
      filter.append(KUBE_EXTERNAL_SERVICES, comment(externalTrafficFilterComment),
        '-m', 'addrtype', '--dst-type', 'LOCAL', proto, '--dport', nodePort, '-j', externalTrafficFilterTarget);
    }
  }

  // Health check node port: accepted whether or not there are local endpoints.
  if (svcInfo.healthCheckNodePort !== 0) {
    filter.append(KUBE_NODEPORTS, comment(`${svcPortNameString} health check node port`), '-m', 'tcp', '-p', 'tcp',
      '--dport', String(svcInfo.healthCheckNodePort), '-j', 'ACCEPT');
  }

  // Internal traffic: masquerade what does not come from a local pod (or everything).
  if (hasInternalEndpoints) {
    const args = [comment(`${svcPortNameString} cluster IP`), ...proto, '-d', svcInfo.clusterIP, '--dport', port];
    if (cfg.masqueradeAll) {
      nat.append(internalTrafficChain, args, '-j', KUBE_MARK_MASQ);
    } else if (cfg.localDetector.ifNotLocal.length > 0) {
      nat.append(internalTrafficChain, args, cfg.localDetector.ifNotLocal, '-j', KUBE_MARK_MASQ);
    }
  }

  // External traffic: everything external goes through the EXT chain.
  if (usesExternalTrafficChain) {
    nat.declare(externalTrafficChain);
    if (!svcInfo.externalPolicyLocal) {
      nat.append(externalTrafficChain, comment(`masquerade traffic for ${svcPortNameString} external destinations`),
        '-j', KUBE_MARK_MASQ);
    } else {
      // Pod → external destination traffic is subject to neither traffic policy.
      if (cfg.localDetector.ifLocal.length > 0) {
        nat.append(externalTrafficChain, comment(`pod traffic for ${svcPortNameString} external destinations`),
          cfg.localDetector.ifLocal, '-j', clusterPolicyChain);
      }
      // Host-originated traffic: masquerade (the source would be the VIP) and use Cluster policy.
      nat.append(externalTrafficChain, comment(`masquerade LOCAL traffic for ${svcPortNameString} external destinations`),
        '-m', 'addrtype', '--src-type', 'LOCAL', '-j', KUBE_MARK_MASQ);
      nat.append(externalTrafficChain, comment(`route LOCAL traffic for ${svcPortNameString} external destinations`),
        '-m', 'addrtype', '--src-type', 'LOCAL', '-j', clusterPolicyChain);
    }
    if (hasExternalEndpoints) {
      nat.append(externalTrafficChain, '-j', externalPolicyChain);
    }
  }

  // loadBalancerSourceRanges firewall.
  if (usesFWChain) {
    nat.declare(fwChain);
    const args = comment(`${svcPortNameString} loadbalancer IP`);
    let allowFromNode = false;
    for (const cidr of svcInfo.loadBalancerSourceRanges) {
      nat.append(fwChain, args, '-s', formatCIDR(cidr), '-j', externalTrafficChain);
      if (cfg.nodeIP && cidrContains(cidr, cfg.nodeIP)) allowFromNode = true;
    }
    // A VIP that is a local address loops back with the VIP as source: let the node through.
    if (allowFromNode) {
      for (const lbip of svcInfo.loadBalancerVIPs) {
        nat.append(fwChain, args, '-s', lbip, '-j', externalTrafficChain);
      }
    }
    // Whatever falls off the end is dropped by KUBE-PROXY-FIREWALL in the filter table.
    nat.append(fwChain, comment(`other traffic to ${svcPortNameString} will be dropped by KUBE-PROXY-FIREWALL`));
  }

  if (usesClusterPolicyChain) {
    nat.declare(clusterPolicyChain);
    writeServiceToEndpointRules(ctx, svcPortNameString, sepChain, svcInfo.stickyMaxAgeSeconds, clusterPolicyChain, clusterEndpoints);
  }
  if (usesLocalPolicyChain) {
    nat.declare(localPolicyChain);
    writeServiceToEndpointRules(ctx, svcPortNameString, sepChain, svcInfo.stickyMaxAgeSeconds, localPolicyChain, localEndpoints);
  }

  // One KUBE-SEP chain per reachable endpoint.
  writeEndpointChains(ctx, svcPortNameString, proto.join(' '), svcInfo.stickyMaxAgeSeconds, sepChain, allReachableEndpoints);
}

/**
 * Declares each endpoint's KUBE-SEP chain, with a writer for its two rules (plan/ruleset.ts).
 * A function of its own so that the writers keep alive only what they print.
 */
function writeEndpointChains(
  ctx: PlanContext,
  svcPortNameString: string,
  protoArgs: string,
  stickyMaxAgeSeconds: number,
  sepChain: SepChainOf,
  endpoints: readonly Endpoint[],
): void {
  const sepComment = ctx.largeClusterMode ? '' : `${comment(svcPortNameString)} `;
  for (const ep of endpoints) {
    const endpointChain = sepChain(ep);
    ctx.nat.declare(endpointChain, (out) => {
      out.rule(`${sepComment}-s ${ep.ip} -j ${KUBE_MARK_MASQ}`);
      const affinity = stickyMaxAgeSeconds > 0 ? `-m recent --name ${endpointChain} --set ` : '';
      out.rule(`${sepComment}${affinity}${protoArgs} -j DNAT --to-destination ${ep.endpoint}`);
    });
  }
}

/** An endpoint's KUBE-SEP chain name for the service port being written. */
type SepChainOf = (ep: Endpoint) => string;

/** The rules of a KUBE-SVC or KUBE-SVL chain that send a connection to one of `endpoints`. */
function writeServiceToEndpointRules(
  ctx: PlanContext,
  svcPortNameString: string,
  sepChain: SepChainOf,
  stickyMaxAgeSeconds: number,
  svcChain: string,
  endpoints: readonly Endpoint[],
): void {
  // The names now (hashing them is planning); the text when the output is written.
  const chains = endpoints.map(sepChain);
  const largeClusterMode = ctx.largeClusterMode;
  ctx.nat.appendLater(svcChain, (out) => {
    const epComment = (i: number): string =>
      largeClusterMode ? '' : `${comment(`${svcPortNameString} -> ${endpoints[i]!.endpoint}`, true)} `;
    // Session affinity: a client seen recently goes back to its endpoint.
    if (stickyMaxAgeSeconds > 0) {
      chains.forEach((chain, i) => {
        out.rule(`${epComment(i)}-m recent --name ${chain} --rcheck --seconds ${stickyMaxAgeSeconds} --reap -j ${chain}`);
      });
    }
    // Load balancing: endpoint i of n is chosen with probability 1/(n-i); the last always matches.
    const n = chains.length;
    chains.forEach((chain, i) => {
      const stat = i < n - 1 ? `-m statistic --mode random --probability ${probability(n - i)} ` : '';
      out.rule(`${epComment(i)}${stat}-j ${chain}`);
    });
  });
}
