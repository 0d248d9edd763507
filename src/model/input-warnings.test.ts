import { describe, expect, it } from 'vitest';
import { completeManifests } from '../complete/complete.js';
import { decodeManifests } from '../load/decode.js';
import { parseCIDR } from './ip.js';
import { localTrafficWarning, noServiceWarning } from './input-warnings.js';
import { normalize } from './normalize.js';

type Obj = Record<string, unknown>;

const decode = (objs: Obj[]) => decodeManifests(objs.map((value, i) => ({ value, file: 'app.yaml', doc: i + 1 })));

function lb(name: string, etp: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { namespace: 'shop', name },
    spec: { type: 'LoadBalancer', externalTrafficPolicy: etp, selector: { app: name }, ports: [{ port: 80 }] },
  };
}

function deployment(name: string, replicas: number): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { namespace: 'shop', name },
    spec: { replicas, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c' }] } } },
  };
}

/** The warning for `objs` completed onto `nodes`, seen from node `me` ('' for none). */
function localWarning(objs: Obj[], nodes: string[], me: string): string | undefined {
  const m = completeManifests(decode(objs), {
    serviceClusterIPRange: [parseCIDR('10.96.0.0/12')!],
    serviceNodePortRange: { first: 30000, last: 32767 },
    clusterCIDRs: ['10.244.0.0/16'],
    nodes,
    ...(me ? { hostnameOverride: me } : {}),
  }).manifests;
  const { ports } = normalize(m, { ipFamily: 4, nodeName: me, readNodeHints: false });
  return localTrafficWarning(ports, m, me)?.message;
}

describe('an input without Services', () => {
  it('is warned about, naming the kinds read', () => {
    const m = decode([]);
    const kinds = new Map([['ConfigMap', 2], ['Deployment', 1]]);
    expect(noServiceWarning(m, kinds, 'chart.yaml')).toEqual({
      location: { file: 'chart.yaml' },
      message: "no Service in the input (read 3 objects: 2 ConfigMap, 1 Deployment); the rules are kube-proxy's fixed chains only",
    });
    expect(noServiceWarning(m, new Map(), '-')!.message).toContain('(read no objects)');
  });
  it('is not, with one Service', () => {
    expect(noServiceWarning(decode([lb('web', 'Cluster')]), new Map([['Service', 1]]), 'a.yaml')).toBeUndefined();
  });
});

describe('externalTrafficPolicy: Local with no endpoint on this node', () => {
  it('is warned about, naming the nodes seen', () => {
    expect(localWarning([lb('web', 'Local'), deployment('web', 2)], ['node-1', 'node-2'], 'node-9')).toBe(
      'no endpoint is on node "node-9" (--hostname-override) (endpoints are on node-1, node-2): external traffic to externalTrafficPolicy: Local Service shop/web is dropped on this node',
    );
    expect(localWarning([lb('web', 'Local'), lb('api', 'Local'), deployment('web', 1), deployment('api', 1)], ['node-1'], '')).toBe(
      'no --hostname-override given, so no endpoint is local (endpoints are on node-1): external traffic to externalTrafficPolicy: Local 2 Services (shop/api, …) is dropped on this node',
    );
  });
  it('names at most five nodes', () => {
    const nodes = Array.from({ length: 8 }, (_, i) => `node-${i + 1}`);
    expect(localWarning([lb('web', 'Local'), deployment('web', 8)], nodes, 'node-9')).toBe(
      'no endpoint is on node "node-9" (--hostname-override) (endpoints are on 8 nodes: node-1, node-2, node-3, …): external traffic to externalTrafficPolicy: Local Service shop/web is dropped on this node',
    );
  });

  it('is not when an endpoint of any Service is here, when no Service is Local, or when no endpoint names a node', () => {
    expect(localWarning([lb('web', 'Local'), lb('api', 'Cluster'), deployment('web', 1), deployment('api', 3)], ['node-1', 'node-2', 'node-3'], 'node-3')).toBeUndefined();
    expect(localWarning([lb('web', 'Cluster'), deployment('web', 2)], ['node-1'], 'node-9')).toBeUndefined();
    expect(localWarning([lb('web', 'Local')], ['node-1'], 'node-9')).toBeUndefined();
  });
});
