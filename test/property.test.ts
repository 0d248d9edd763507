/**
 * Property tests over random, valid clusters (fast-check): kp-gen never fails on them, its output
 * does not depend on how objects are ordered or spread over files, every jump has a declared
 * target, and the real iptables-restore (ip6tables-restore for IPv6) accepts the result.
 * A failure prints the seed and the shrunk counterexample; replay with FC_SEED=<seed>.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { runKpGen } from './helpers/cli.js';
import { checkRestore } from './helpers/iptables-check.js';
import { kernelSupport, requireKernel, restoreInNamespace } from './helpers/kernel.js';

type Obj = Record<string, unknown>;

const NODES = ['node-1', 'node-2', 'node-3'];
const ZONES = ['zone-a', 'zone-b'];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;

const v4 = (net: number) => fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 20 })).map(([a, b]) => `10.${net}.${a}.${b}`);
const v6 = (prefix: string) => fc.integer({ min: 1, max: 40 }).map((n) => `${prefix}::${n.toString(16)}`);

interface Family {
  name: 'IPv4' | 'IPv6';
  clusterIP: fc.Arbitrary<string>;
  podIP: fc.Arbitrary<string>;
  externalIP: fc.Arbitrary<string>;
  sourceRange: fc.Arbitrary<string>;
}

const FAMILIES: Family[] = [
  {
    name: 'IPv4',
    clusterIP: v4(96),
    podIP: v4(244),
    externalIP: fc.integer({ min: 1, max: 30 }).map((n) => `192.0.2.${n}`),
    sourceRange: fc.constantFrom('203.0.113.0/25', '198.51.100.0/24', '192.168.0.0/16', '10.0.0.0/8'),
  },
  {
    name: 'IPv6',
    clusterIP: v6('fd00:10:96'),
    podIP: v6('fd00:10:244'),
    externalIP: v6('2001:db8:1'),
    sourceRange: fc.constantFrom('2001:db8::/32', 'fd00:1::/64'),
  },
];

const portName = fc.constantFrom('', 'http', 'https', 'dns', 'grpc');

/** One Service and its slices, valid as the API server would store them. */
function serviceArb(ns: string, name: string): fc.Arbitrary<Obj[]> {
  return fc
    .record({
      family: fc.constantFrom(...FAMILIES),
      type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'),
      ports: fc.uniqueArray(fc.record({ name: portName, protocol: fc.constantFrom(...PROTOCOLS), port: fc.integer({ min: 1, max: 65535 }) }), {
        minLength: 1,
        maxLength: 3,
        selector: (p) => p.name,
      }),
      nodePortBase: fc.integer({ min: 30000, max: 32000 }),
      etpLocal: fc.boolean(),
      itpLocal: fc.boolean(),
      affinity: fc.option(fc.integer({ min: 1, max: 86400 }), { nil: undefined }),
      clusterIPSeed: fc.nat(),
      topologyMode: fc.constantFrom(undefined, 'Auto', 'disabled'),
      ipModeProxy: fc.boolean(),
    })
    .chain((s) => {
      const fam = s.family;
      const ports = s.ports.length > 1 ? s.ports.map((p, i) => ({ ...p, name: p.name || `p${i}` })) : s.ports;
      return fc
        .record({
          clusterIP: fam.clusterIP,
          externalIPs: fc.uniqueArray(fam.externalIP, { maxLength: 2 }),
          ingress: fc.uniqueArray(fam.externalIP, { maxLength: 2 }),
          sourceRanges: fc.uniqueArray(fam.sourceRange, { maxLength: 2 }),
          slices: fc.array(
            fc.record({
              endpoints: fc.array(
                fc.record({
                  ip: fam.podIP,
                  ready: fc.option(fc.boolean(), { nil: undefined }),
                  serving: fc.option(fc.boolean(), { nil: undefined }),
                  terminating: fc.option(fc.boolean(), { nil: undefined }),
                  nodeName: fc.option(fc.constantFrom(...NODES), { nil: undefined }),
                  zone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
                  nodeHint: fc.boolean(),
                }),
                { maxLength: 5 },
              ),
              targetPortDelta: fc.integer({ min: 0, max: 3 }),
            }),
            { maxLength: 2 },
          ),
        })
        .map((r) => {
          const spec: Obj = {
            type: s.type,
            clusterIP: r.clusterIP,
            ipFamilies: [fam.name],
            ports: ports.map((p, i) => {
              const port: Obj = { name: p.name, protocol: p.protocol, port: p.port };
              if (s.type !== 'ClusterIP') port.nodePort = s.nodePortBase + i;
              return port;
            }),
          };
          if (r.externalIPs.length > 0) spec.externalIPs = r.externalIPs;
          if (s.type !== 'ClusterIP' || r.externalIPs.length > 0) spec.externalTrafficPolicy = s.etpLocal ? 'Local' : 'Cluster';
          if (s.type === 'LoadBalancer' && s.etpLocal) spec.healthCheckNodePort = s.nodePortBase + 10;
          if (s.itpLocal) spec.internalTrafficPolicy = 'Local';
          if (s.affinity !== undefined) {
            spec.sessionAffinity = 'ClientIP';
            spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: s.affinity } };
          }
          if (s.type === 'LoadBalancer' && r.sourceRanges.length > 0) spec.loadBalancerSourceRanges = r.sourceRanges;
          const metadata: Obj = { name, namespace: ns };
          if (s.topologyMode) metadata.annotations = { 'service.kubernetes.io/topology-mode': s.topologyMode };
          const svc: Obj = { apiVersion: 'v1', kind: 'Service', metadata, spec };
          if (s.type === 'LoadBalancer') {
            svc.status = { loadBalancer: { ingress: r.ingress.map((ip, i) => (s.ipModeProxy && i === 0 ? { ip, ipMode: 'Proxy' } : { ip })) } };
          }
          const slices = r.slices.map((sl, i): Obj => ({
            apiVersion: 'discovery.k8s.io/v1',
            kind: 'EndpointSlice',
            metadata: { name: `${name}-${i}`, namespace: ns, labels: { 'kubernetes.io/service-name': name } },
            addressType: fam.name,
            ports: ports.map((p) => ({ name: p.name, protocol: p.protocol, port: 8000 + sl.targetPortDelta })),
            endpoints: sl.endpoints.map((e) => {
              const ep: Obj = { addresses: [e.ip] };
              const cond: Obj = {};
              if (e.ready !== undefined) cond.ready = e.ready;
              if (e.serving !== undefined) cond.serving = e.serving;
              if (e.terminating !== undefined) cond.terminating = e.terminating;
              ep.conditions = cond;
              if (e.nodeName) ep.nodeName = e.nodeName;
              if (e.zone) {
                ep.zone = e.zone;
                ep.hints = { forZones: [{ name: e.zone }], ...(e.nodeHint && e.nodeName ? { forNodes: [{ name: e.nodeName }] } : {}) };
              }
              return ep;
            }),
          }));
          return [svc, ...slices];
        });
    });
}

const clusterArb: fc.Arbitrary<Obj[]> = fc
  .uniqueArray(fc.tuple(fc.constantFrom('default', 'shop', 'kube-system'), fc.constantFrom('a', 'b', 'web', 'api', 'dns', 'db')), {
    minLength: 1,
    maxLength: 6,
    selector: ([ns, n]) => `${ns}/${n}`,
  })
  .chain((names) => fc.tuple(...names.map(([ns, n]) => serviceArb(ns, n))))
  .map((groups) => groups.flat());

const flagsArb: fc.Arbitrary<string[]> = fc
  .record({
    ipv6: fc.boolean(),
    clusterCIDR: fc.boolean(),
    masqueradeAll: fc.boolean(),
    node: fc.option(fc.constantFrom(...NODES), { nil: undefined }),
    zone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
    nodePortAddresses: fc.constantFrom('', '192.168.1.0/24,2001:db8::/64', '127.0.0.0/8', 'primary'),
    noLocalhost: fc.boolean(),
    oldIptables: fc.boolean(),
    release: fc.constantFrom(undefined, '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34'),
  })
  .map((f) => {
    const flags = ['-q', '--node-ip', '192.168.1.10,2001:db8::10', '--node-addresses', '127.0.0.1,::1,192.168.1.10,2001:db8::10'];
    if (f.ipv6) flags.push('--ip-family', 'ipv6');
    if (f.clusterCIDR) flags.push('--cluster-cidr', '10.244.0.0/16,fd00:10:244::/56');
    if (f.masqueradeAll) flags.push('--masquerade-all');
    if (f.node) flags.push('--hostname-override', f.node);
    if (f.zone) flags.push('--node-zone', f.zone);
    // `primary` is refused before 1.31 (as kube-proxy refuses it).
    const primaryRefused = f.release !== undefined && Number(f.release.split('.')[1]) < 31;
    if (f.nodePortAddresses && !(f.nodePortAddresses === 'primary' && primaryRefused)) flags.push('--nodeport-addresses', f.nodePortAddresses);
    if (f.noLocalhost) flags.push('--no-localhost-nodeports');
    if (f.oldIptables) flags.push('--iptables-version', '1.6.1');
    if (f.release) flags.push('--kube-proxy-version', f.release);
    return flags;
  });

const toYaml = (objs: Obj[]): string => objs.map((o) => yaml.dump(o)).join('---\n');

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined;
const params = (numRuns: number): fc.Parameters<unknown> => (seed === undefined ? { numRuns } : { numRuns, seed });

describe('random valid clusters', () => {
  it('always produce well-formed rules, independent of object order and file layout', async () => {
    await fc.assert(
      fc.asyncProperty(clusterArb, flagsArb, fc.context(), async (objs, flags, ctx) => {
        const first = await runKpGen([...flags, '-'], toYaml(objs));
        expect(first.code, first.stderr).toBe(0);
        expect(checkRestore(first.stdout)).toEqual([]);

        // The same objects, reversed and spread over several files.
        const dir = mkdtempSync(join(tmpdir(), 'kp-gen-prop-'));
        try {
          const reversed = [...objs].reverse();
          const files = [0, 1, 2].map((i) => reversed.filter((_, j) => j % 3 === i));
          files.forEach((f, i) => writeFileSync(join(dir, `part-${i}.yaml`), toYaml(f)));
          const second = await runKpGen([...flags, dir]);
          ctx.log(`flags: ${flags.join(' ')}`);
          expect(second.code, second.stderr).toBe(0);
          expect(second.stdout).toBe(first.stdout);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      params(150),
    );
  });

  const run = requireKernel('property tests against iptables-restore');
  it.runIf(run)('are accepted by the real iptables-restore / ip6tables-restore', async () => {
    expect(kernelSupport().ok).toBe(true);
    await fc.assert(
      fc.asyncProperty(clusterArb, flagsArb, async (objs, flags) => {
        const r = await runKpGen([...flags, '-'], toYaml(objs));
        expect(r.code, r.stderr).toBe(0);
        const cmd = flags.includes('ipv6') ? 'ip6tables-nft-restore' : 'iptables-nft-restore';
        const loaded = restoreInNamespace(cmd, r.stdout);
        expect(loaded.ok, `${loaded.output}\n${r.stdout}`).toBe(true);
      }),
      params(40),
    );
  });
});
