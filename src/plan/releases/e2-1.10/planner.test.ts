import { describe, expect, it } from 'vitest';
import { buildProxierConfig } from '../../../config.js';
import { defaultRunOptions } from '../../../options.js';
import type { Endpoint, ServicePortWithEndpoints } from '../../../model/types.js';
import { emitRestore } from '../../../emit/iptables-save.js';
import { planRules } from '../../planner.js';

function config(version: string, clusterCIDRs: string[] = ['10.244.0.0/16']) {
  const o = defaultRunOptions();
  o.kubeProxyVersion = version;
  o.clusterCIDRs = clusterCIDRs;
  o.hostnameOverride = 'node-1';
  o.nodeIPs = ['192.168.1.10'];
  return buildProxierConfig(o);
}

function endpoint(ip: string, port = 8080, ready = true): Endpoint {
  return { ip, port, endpoint: `${ip}:${port}`, isLocal: false, ready, serving: ready, terminating: false };
}

/** One ClusterIP service port `ns/svc:p` with `n` ready endpoints. */
function service(n: number, name = 'svc'): ServicePortWithEndpoints {
  const endpoints: Endpoint[] = [];
  for (let i = 0; i < n; i++) endpoints.push(endpoint(`10.${100 + Math.floor(i / 65536)}.${Math.floor(i / 256) % 256}.${i % 256}`));
  return {
    svcPort: {
      namespace: 'ns', service: name, portName: 'p', protocol: 'TCP', nameString: `ns/${name}:p`, clusterIP: '10.96.0.1', port: 80, nodePort: 0,
      externalIPs: [], loadBalancerVIPs: [], loadBalancerSourceRanges: [], stickyMaxAgeSeconds: 0, externalPolicyLocal: false, internalPolicyLocal: false, healthCheckNodePort: 0,
    },
    endpoints,
  };
}

const sepRules = (text: string) => text.split('\n').filter((l) => l.startsWith('-A KUBE-SEP-'));

describe('the comment helper of 1.10 … 1.18 (appendServiceCommentLocked)', () => {
  it('1.10 and 1.11 comment every endpoint rule, however many endpoint chains', () => {
    for (const v of ['1.10', '1.11']) {
      const rules = sepRules(emitRestore(planRules([service(1001)], config(v))));
      expect(rules).toHaveLength(2002);
      expect(rules.every((l) => l.includes('-m comment --comment ns/svc:p '))).toBe(true);
    }
  });

  it('1.12 … 1.16 comment none (the helper\'s result was discarded)', () => {
    for (const v of ['1.12', '1.14', '1.16']) {
      const rules = sepRules(emitRestore(planRules([service(3)], config(v))));
      expect(rules).toHaveLength(6);
      expect(rules.some((l) => l.includes('-m comment'))).toBe(false);
    }
  });

  it('1.17 and 1.18 comment them up to 1000 endpoint chains, ready endpoints counted across services', () => {
    for (const v of ['1.17', '1.18']) {
      const at = (ports: ServicePortWithEndpoints[]) => sepRules(emitRestore(planRules(ports, config(v))));
      expect(at([service(1000)]).every((l) => l.includes('-m comment'))).toBe(true);
      expect(at([service(1001)]).some((l) => l.includes('-m comment'))).toBe(false);
      expect(at([service(600, 'a'), service(401, 'b')]).some((l) => l.includes('-m comment'))).toBe(false);
      // Not-ready endpoints were not in the Endpoints object's addresses: they do not count.
      const withNotReady = service(1000);
      withNotReady.endpoints.push(endpoint('10.200.0.1', 8080, false));
      expect(at([withNotReady]).every((l) => l.includes('-m comment'))).toBe(true);
    }
  });
});

describe('the probability text', () => {
  const svcRules = (v: string) => emitRestore(planRules([service(3)], config(v))).split('\n').filter((l) => l.startsWith('-A KUBE-SVC-'));
  it('is %0.5f before 1.17 and %0.10f from 1.17', () => {
    expect(svcRules('1.16')[0]).toContain('--probability 0.33333 ');
    expect(svcRules('1.17')[0]).toContain('--probability 0.3333333333 ');
  });
});

describe('KUBE-FORWARD', () => {
  const forward = (v: string, cidrs?: string[]) =>
    emitRestore(planRules([service(1)], config(v, cidrs))).split('\n').filter((l) => l.startsWith('-A KUBE-FORWARD'));
  it('has the conntrack rules only with a cluster CIDR before 1.18, and without the CIDR from 1.18', () => {
    expect(forward('1.17', [])).toHaveLength(2);
    expect(forward('1.17')).toHaveLength(4);
    expect(forward('1.17')[2]).toContain('-s 10.244.0.0/16 -m comment');
    expect(forward('1.18', [])).toHaveLength(4);
    expect(forward('1.18').join('\n')).not.toContain('10.244.0.0/16');
  });
  it('starts with the INVALID drop from 1.15', () => {
    expect(forward('1.14')[0]).toContain('"kubernetes forwarding rules"');
    expect(forward('1.15')[0]).toBe('-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP');
  });
});

describe('--nodeport-addresses that match no node address', () => {
  it('make 1.10 … 1.18 skip the rest of a NodePort service (GetNodeAddresses failed), not of a ClusterIP one', () => {
    const o = defaultRunOptions();
    o.kubeProxyVersion = '1.16';
    o.nodeIPs = ['192.168.1.10'];
    o.nodePortAddresses = ['10.9.9.0/24'];
    const nodePort = service(2, 'np');
    nodePort.svcPort.nodePort = 30080;
    const text = emitRestore(planRules([nodePort, service(2, 'cip')], buildProxierConfig(o)));
    expect(text).toContain('"ns/np:p cluster IP"');
    expect(text).not.toContain('--dport 30080');
    expect(text.split('\n').filter((l) => l.startsWith('-A KUBE-SEP-'))).toHaveLength(4); // cip's two endpoints only
    expect(text).not.toContain('-j KUBE-NODEPORTS');
  });
});
