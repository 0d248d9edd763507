import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { decodeManifests } from '../load/decode.js';
import { nodesOf, workloadPods, type PodOptions } from './pods.js';

type Obj = Record<string, unknown>;

function workload(kind: string, name: string, replicas?: number, ns = 'ns'): Obj {
  const spec: Obj = { template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c' }] } } };
  if (replicas !== undefined) spec.replicas = replicas;
  return { apiVersion: kind === 'ReplicationController' ? 'v1' : 'apps/v1', kind, metadata: { namespace: ns, name }, spec };
}

function pods(objects: Obj[], opts: Partial<PodOptions> = {}): string[] {
  const m = decodeManifests(objects.map((value, i) => ({ value, file: 'in.yaml', doc: i + 1 })));
  const made = workloadPods(m, { clusterCIDRs: [], nodes: [], ...opts });
  return m.workloads.flatMap((w) => (made.get(w) ?? []).map((p) => `${w.source.kind} ${p.source.name} ${p.nodeName} ${p.podIPs.join(',')}`));
}

describe('nodesOf', () => {
  it('takes --nodes, else --hostname-override, else node-1, in lower case', () => {
    expect(nodesOf({ clusterCIDRs: [], nodes: ['B', 'a', 'b'] })).toEqual(['b', 'a']);
    expect(nodesOf({ clusterCIDRs: [], nodes: [], hostnameOverride: ' Worker-1 ' })).toEqual(['worker-1']);
    expect(nodesOf({ clusterCIDRs: [], nodes: [] })).toEqual(['node-1']);
  });
});

describe('workloadPods', () => {
  it('names, counts and places pods: replicas round-robin from a node the workload hashes to, a DaemonSet on every node', () => {
    expect(
      pods([workload('StatefulSet', 'db', 3), workload('Deployment', 'web'), workload('DaemonSet', 'agent'), workload('ReplicaSet', 'rs', 0)], {
        nodes: ['n1', 'n2'],
      }).map((p) => p.split(' ').slice(0, 3).join(' ')),
    ).toEqual(['StatefulSet db-0 n1', 'StatefulSet db-1 n2', 'StatefulSet db-2 n1', 'Deployment web-0 n1', 'DaemonSet agent-n1 n1', 'DaemonSet agent-n2 n2']);
  });

  it("numbers a StatefulSet's pods from spec.ordinals.start", () => {
    const sts = workload('StatefulSet', 'db', 2);
    (sts.spec as Obj).ordinals = { start: 5 };
    expect(pods([sts]).map((p) => p.split(' ')[1])).toEqual(['db-5', 'db-6']);
  });

  it('spreads many workloads over all nodes', () => {
    const many = Array.from({ length: 60 }, (_, i) => workload('Deployment', `w${i}`));
    const perNode = new Map<string, number>();
    for (const p of pods(many, { nodes: ['a', 'b', 'c'] })) perNode.set(p.split(' ')[2]!, (perNode.get(p.split(' ')[2]!) ?? 0) + 1);
    expect([...perNode.values()].every((n) => n >= 10)).toBe(true);
  });

  it("gives each pod an address of its node's block, one per --cluster-cidr", () => {
    const out = pods([workload('StatefulSet', 'db', 2)], { nodes: ['n1', 'n2'], clusterCIDRs: ['10.10.0.0/16', 'fd00:10::/56'] });
    expect(out.map((p) => p.split(' ')[3]!.split(',').length)).toEqual([2, 2]);
    expect(out[0]).toMatch(/ n1 10\.10\.0\.\d+,fd00:10::[0-9a-f:]+$/);
    expect(out[1]).toMatch(/ n2 10\.10\.1\.\d+,fd00:10:0:1:[0-9a-f:]+$/);
  });

  it('never hands out the network, gateway or broadcast address, nor one twice', () => {
    const out = pods([workload('Deployment', 'big', 253)], { clusterCIDRs: ['10.1.0.0/24'] });
    const last = new Set(out.map((p) => Number(p.split(' ')[3]!.split('.')[3])));
    expect(last.size).toBe(253);
    for (const n of [0, 1, 255]) expect(last.has(n)).toBe(false);
    expect(() => pods([workload('Deployment', 'big', 254)], { clusterCIDRs: ['10.1.0.0/24'] })).toThrow(UserError);
  });

  it('does not move a pod when an unrelated workload is added (no collision)', () => {
    const alone = pods([workload('Deployment', 'web', 2)], { nodes: ['a', 'b'] });
    const withOther = pods([workload('Deployment', 'other', 4), workload('Deployment', 'web', 2)], { nodes: ['a', 'b'] });
    expect(withOther.filter((p) => p.includes(' web-'))).toEqual(alone);
  });

  it('refuses more nodes than the cluster CIDR has blocks', () => {
    expect(() => pods([workload('Deployment', 'web', 3)], { nodes: ['a', 'b', 'c'], clusterCIDRs: ['10.0.0.0/23'] })).toThrow(/no \/24 left for node c/);
  });
});
