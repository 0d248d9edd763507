import { describe, expect, it } from 'vitest';
import type { Endpoint, ServicePort, ServicePortWithEndpoints } from '../model/types.js';
import { planLab, type LabPlanOptions } from './plan.js';

function svc(name: string, extra: Partial<ServicePort>, eps: Array<[string, number]>): ServicePortWithEndpoints {
  const svcPort: ServicePort = {
    namespace: 'ns',
    service: name,
    portName: 'p',
    protocol: 'TCP',
    nameString: `ns/${name}:p`,
    clusterIP: '10.96.0.1',
    port: 80,
    nodePort: 0,
    externalIPs: [],
    loadBalancerVIPs: [],
    loadBalancerSourceRanges: [],
    stickyMaxAgeSeconds: 0,
    externalPolicyLocal: false,
    internalPolicyLocal: false,
    healthCheckNodePort: 0,
    ...extra,
  };
  const endpoints: Endpoint[] = eps.map(([ip, port]) => ({ ip, port, endpoint: `${ip}:${port}`, isLocal: true, ready: true, serving: true, terminating: false }));
  return { svcPort, endpoints };
}

const OPTS: LabPlanOptions = { name: 'lab', nodeIP: '192.0.2.1', localhostNodePorts: true };

describe('planLab', () => {
  it('makes one pod per endpoint IP, in address order, serving every port sent to it', () => {
    const plan = planLab(
      [
        svc('a', {}, [['10.244.1.10', 8080], ['10.244.1.9', 8080]]),
        svc('b', { protocol: 'UDP', port: 53 }, [['10.244.1.10', 53]]),
        svc('c', { protocol: 'SCTP' }, [['10.244.1.10', 7777]]),
        svc('d', {}, [['10.244.1.10', 8080]]),
      ],
      OPTS,
    );
    expect(plan.nodeNs).toBe('kpg-lab-node');
    expect(plan.clientNs).toBe('kpg-lab-client');
    expect(plan.clientIPs).toEqual(['192.0.2.2']);
    expect(plan.pods).toEqual([
      { ns: 'kpg-lab-p1', ip: '10.244.1.9', hostIf: 'kpg-p1', listeners: [{ protocol: 'TCP', port: 8080 }], unservedSCTP: [], backs: ['ns/a:p'] },
      {
        ns: 'kpg-lab-p2',
        ip: '10.244.1.10',
        hostIf: 'kpg-p2',
        listeners: [
          { protocol: 'TCP', port: 8080 },
          { protocol: 'UDP', port: 53 },
        ],
        unservedSCTP: [7777],
        backs: ['ns/a:p', 'ns/b:p', 'ns/c:p', 'ns/d:p'],
      },
    ]);
  });

  it('lists every way to reach a service port', () => {
    const plan = planLab(
      [svc('a', { nodePort: 30080, externalIPs: ['203.0.113.1'], loadBalancerVIPs: ['203.0.113.2'] }, [])],
      { ...OPTS, nodeIP: '192.0.2.2' },
    );
    expect(plan.clientIPs).toEqual(['192.0.2.3']);
    expect(plan.access.map((a) => [a.kind, a.ip, a.port, a.from, a.hasEndpoints])).toEqual([
      ['cluster IP', '10.96.0.1', 80, 'client', false],
      ['node port', '192.0.2.2', 30080, 'client', false],
      ['node port (localhost)', '127.0.0.1', 30080, 'node', false],
      ['external IP', '203.0.113.1', 80, 'client', false],
      ['load-balancer IP', '203.0.113.2', 80, 'client', false],
    ]);
    expect(planLab([svc('a', { nodePort: 30080 }, [])], { ...OPTS, localhostNodePorts: false }).access.map((a) => a.kind)).toEqual([
      'cluster IP',
      'node port',
    ]);
  });

  it('refuses what the lab cannot build', () => {
    expect(() => planLab([], { ...OPTS, name: 'Lab_1' })).toThrow(/lab name "Lab_1"/);
    expect(() => planLab([], { ...OPTS, nodeIP: '2001:db8::1' })).toThrow(/IPv4/);
    expect(() => planLab([], { ...OPTS, nodeIP: '127.0.0.1' })).toThrow(/cannot be the lab node's address/);
    expect(() => planLab([], { ...OPTS, clientIPs: ['198.51.100.1'] })).toThrow(/another address in the node's 24-bit subnet/);
    expect(() => planLab([svc('a', {}, [['192.0.2.2', 80]])], OPTS)).toThrow(/endpoint 192.0.2.2 of ns\/a:p is the lab's node or client address/);
    expect(() => planLab([svc('a', {}, [['127.0.0.5', 80]])], OPTS)).toThrow(/cannot be a pod address/);
  });
});
