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
import { header, jump, match, option, rule, transient as t, type Arg } from '../iptables/rule.js';
import { ifLocal, ifNotLocal } from './local-detector.js';
import { probability } from './probability.js';
import type { TableBuilder } from './ruleset.js';
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
  const proto = protocolWords(protocol);
  const port = String(svcInfo.port);
  const dport = option('--dport', port);

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

  // concat, not spread: an array of exactly this size (README "Performance").
  const toClusterIP = proto.concat(header('-d', svcInfo.clusterIP), dport);

  // Cluster IP.
  if (hasInternalEndpoints) {
    nat.append(KUBE_SERVICES, rule(`${svcPortNameString} cluster IP`, toClusterIP, jump(internalTrafficChain)));
  } else {
    filter.append(KUBE_SERVICES, rule(internalTrafficFilterComment, toClusterIP, jump(internalTrafficFilterTarget)));
  }

  // External IPs.
  for (const externalIP of svcInfo.externalIPs) {
    const toExternalIP = proto.concat(header('-d', externalIP), dport);
    if (hasEndpoints) {
      nat.append(KUBE_SERVICES, rule(`${svcPortNameString} external IP`, toExternalIP, jump(externalTrafficChain)));
    }
    if (!hasExternalEndpoints) {
      filter.append(KUBE_EXTERNAL_SERVICES, rule(externalTrafficFilterComment, toExternalIP, jump(externalTrafficFilterTarget)));
    }
  }

  // Load-balancer ingress IPs.
  const toLoadBalancerIP = (lbip: string): Arg[] => proto.concat(header('-d', lbip), dport);
  for (const lbip of svcInfo.loadBalancerVIPs) {
    if (hasEndpoints) {
      nat.append(KUBE_SERVICES, rule(`${svcPortNameString} loadbalancer IP`, toLoadBalancerIP(lbip), jump(loadBalancerTrafficChain)));
    }
    if (usesFWChain) {
      filter.append(KUBE_PROXY_FIREWALL,
        rule(`${svcPortNameString} traffic not accepted by ${fwChain}`, toLoadBalancerIP(lbip), jump('DROP')));
    }
  }
  if (!hasExternalEndpoints) {
    for (const lbip of svcInfo.loadBalancerVIPs) {
      filter.append(KUBE_EXTERNAL_SERVICES, rule(externalTrafficFilterComment, toLoadBalancerIP(lbip), jump(externalTrafficFilterTarget)));
    }
  }

  // NodePort. (NodePorts are never subject to loadBalancerSourceRanges.)
  if (svcInfo.nodePort !== 0) {
    const nodePort = option('--dport', String(svcInfo.nodePort));
    if (hasEndpoints) {
      if (cfg.localhostNodePorts && cfg.ipFamily === 4 && cfg.nfacctCounters.has(NFACCT_LOCALHOST_NODEPORTS)) {
        nat.append(KUBE_NODEPORTS, rule(svcPortNameString,
          proto.concat(TO_LOCALHOST, nodePort, LOCALHOST_NODEPORTS_COUNTER), jump(externalTrafficChain)));
      }
      nat.append(KUBE_NODEPORTS, rule(svcPortNameString, proto.concat(nodePort), jump(externalTrafficChain)));
    }
    if (!hasExternalEndpoints) {
      filter.append(KUBE_EXTERNAL_SERVICES, rule(externalTrafficFilterComment,
        TO_LOCAL_ADDRESS.concat(proto, nodePort), jump(externalTrafficFilterTarget)));
    }
  }

  // Health check node port: accepted whether or not there are local endpoints.
  if (svcInfo.healthCheckNodePort !== 0) {
    filter.append(KUBE_NODEPORTS, rule(`${svcPortNameString} health check node port`,
      protocolWords('tcp').concat(option('--dport', String(svcInfo.healthCheckNodePort))), ACCEPT));
  }

  // Internal traffic: masquerade what does not come from a local pod (or everything).
  if (hasInternalEndpoints) {
    const masq = `${svcPortNameString} cluster IP`;
    const notLocal = ifNotLocal(cfg.localDetector);
    if (cfg.masqueradeAll) {
      nat.append(internalTrafficChain, rule(masq, toClusterIP, MARK_MASQ));
    } else if (notLocal.length > 0) {
      nat.append(internalTrafficChain, rule(masq, toClusterIP.concat(notLocal), MARK_MASQ));
    }
  }

  // External traffic: everything external goes through the EXT chain.
  if (usesExternalTrafficChain) {
    nat.declare(externalTrafficChain);
    if (!svcInfo.externalPolicyLocal) {
      nat.append(externalTrafficChain,
        rule(`masquerade traffic for ${svcPortNameString} external destinations`, NO_ARGS, MARK_MASQ));
    } else {
      // Pod → external destination traffic is subject to neither traffic policy.
      const local = ifLocal(cfg.localDetector);
      if (local.length > 0) {
        nat.append(externalTrafficChain,
          rule(`pod traffic for ${svcPortNameString} external destinations`, local, jump(clusterPolicyChain)));
      }
      // Host-originated traffic: masquerade (the source would be the VIP) and use Cluster policy.
      nat.append(externalTrafficChain,
        rule(`masquerade LOCAL traffic for ${svcPortNameString} external destinations`, FROM_LOCAL_ADDRESS, MARK_MASQ));
      nat.append(externalTrafficChain,
        rule(`route LOCAL traffic for ${svcPortNameString} external destinations`, FROM_LOCAL_ADDRESS, jump(clusterPolicyChain)));
    }
    if (hasExternalEndpoints) {
      nat.append(externalTrafficChain, rule(undefined, NO_ARGS, jump(externalPolicyChain)));
    }
  }

  // loadBalancerSourceRanges firewall.
  if (usesFWChain) {
    nat.declare(fwChain);
    const fwComment = `${svcPortNameString} loadbalancer IP`;
    let allowFromNode = false;
    svcInfo.loadBalancerSourceRanges.forEach((cidr, i) => {
      const src = svcInfo.loadBalancerSourceRangeTexts?.[i] ?? formatCIDR(cidr);
      nat.append(fwChain, rule(fwComment, [header('-s', src)], jump(externalTrafficChain)));
      if (cfg.nodeIP && cidrContains(cidr, cfg.nodeIP)) allowFromNode = true;
    });
    // A VIP that is a local address loops back with the VIP as source: let the node through.
    if (allowFromNode) {
      for (const lbip of svcInfo.loadBalancerVIPs) {
        nat.append(fwChain, rule(fwComment, [header('-s', lbip)], jump(externalTrafficChain)));
      }
    }
    // Whatever falls off the end is dropped by KUBE-PROXY-FIREWALL in the filter table; from
    // 1.27 a comment rule says so.
    if (cfg.features.firewallChainDropComment) {
      nat.append(fwChain, rule(`other traffic to ${svcPortNameString} will be dropped by KUBE-PROXY-FIREWALL`, NO_ARGS));
    }
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
  writeEndpointChains(ctx, svcPortNameString, proto, svcInfo.stickyMaxAgeSeconds, sepChain, allReachableEndpoints);
}

/**
 * Declares each endpoint's KUBE-SEP chain, with a writer for its two rules (plan/ruleset.ts).
 * A function of its own, so that each writer holds only what it prints (README "Performance").
 */
function writeEndpointChains(
  ctx: PlanContext,
  svcPortNameString: string,
  proto: readonly Arg[],
  stickyMaxAgeSeconds: number,
  sepChain: SepChainOf,
  endpoints: readonly Endpoint[],
): void {
  const sepComment = ctx.largeClusterMode ? undefined : svcPortNameString;
  for (const ep of endpoints) {
    const endpointChain = sepChain(ep);
    ctx.nat.declare(endpointChain, (out) => {
      out.rule(t.rule(sepComment, [t.header('-s', ep.ip)], MARK_MASQ));
      const dnat = t.jump('DNAT', [t.option('--to-destination', ep.endpoint)]);
      out.rule(t.rule(sepComment,
        stickyMaxAgeSeconds > 0 ? [match('recent'), t.option('--name', endpointChain), t.option('--set'), ...proto] : proto, dnat));
    });
  }
}

/**
 * Words and targets every service port writes the same, made once: a large cluster holds its
 * planned rules to the end, and these are most of their words.
 */
const MARK_MASQ = jump(KUBE_MARK_MASQ);
const ACCEPT = jump('ACCEPT');
const NO_ARGS: readonly Arg[] = [];
const TO_LOCALHOST = header('-d', '127.0.0.0/8');
const TO_LOCAL_ADDRESS: readonly Arg[] = [match('addrtype'), option('--dst-type', 'LOCAL')];
const FROM_LOCAL_ADDRESS: readonly Arg[] = [match('addrtype'), option('--src-type', 'LOCAL')];
const LOCALHOST_NODEPORTS_COUNTER: readonly Arg[] = [match('nfacct'), option('--nfacct-name', NFACCT_LOCALHOST_NODEPORTS)];
const PROTOCOL_WORDS = new Map<string, readonly Arg[]>();

/** `-m PROTO -p PROTO`, as kube-proxy writes it before a port. */
function protocolWords(protocol: string): readonly Arg[] {
  let words = PROTOCOL_WORDS.get(protocol);
  if (words === undefined) PROTOCOL_WORDS.set(protocol, (words = [match(protocol), header('-p', protocol)]));
  return words;
}

/** `-m statistic --mode random --probability 1/n`, made once per n, as the text is (probability.ts). */
const randomChoices: (readonly Arg[])[] = [];
function randomChoice(n: number): readonly Arg[] {
  return (randomChoices[n] ??= [match('statistic'), option('--mode', 'random'), option('--probability', probability(n))]);
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
  // The names now (hashing them is planning); the rules when the output is written.
  const chains = endpoints.map(sepChain);
  const largeClusterMode = ctx.largeClusterMode;
  ctx.nat.appendLater(svcChain, (out) => {
    const epComment = (i: number): string | undefined =>
      largeClusterMode ? undefined : `${svcPortNameString} -> ${endpoints[i]!.endpoint}`;
    // Session affinity: a client seen recently goes back to its endpoint.
    if (stickyMaxAgeSeconds > 0) {
      const seconds = String(stickyMaxAgeSeconds);
      chains.forEach((chain, i) => {
        out.rule(t.rule(epComment(i),
          [match('recent'), t.option('--name', chain), t.option('--rcheck'), t.option('--seconds', seconds), t.option('--reap')], t.jump(chain)));
      });
    }
    // Load balancing: endpoint i of n is chosen with probability 1/(n-i); the last always matches.
    const n = chains.length;
    chains.forEach((chain, i) => {
      out.rule(t.rule(epComment(i), i < n - 1 ? randomChoice(n - i) : NO_ARGS, t.jump(chain)));
    });
  });
}
