/**
 * Property tests over random, valid clusters (fast-check): kp-gen never fails on them, its output
 * does not depend on how objects are ordered or spread over files, every jump has a declared
 * target, and the real iptables-restore (ip6tables-restore for IPv6) accepts the result. For
 * manifests without cluster IPs and node ports (src/complete/), whose Services select Pods,
 * workloads or nothing: adding a Service leaves every other Service's lines as they were, and
 * the order of the documents does not matter.
 * A failure prints the seed and the shrunk counterexample; replay with FC_SEED=<seed>.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { completeManifests, firstChoices, type CompletionRanges } from '../src/complete/complete.js';
import { decodeManifests } from '../src/load/decode.js';
import { parseCIDR } from '../src/model/ip.js';
import { readPortRange } from '../src/options.js';
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
    release: fc.constantFrom(undefined, '1.25', '1.26', '1.27', '1.28', '1.29', '1.30', '1.31', '1.32', '1.33', '1.34'),
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
    // --no-localhost-nodeports is refused before 1.26 (the option did not exist).
    const noLocalhostRefused = f.release === '1.25';
    if (f.noLocalhost && !noLocalhostRefused) flags.push('--no-localhost-nodeports');
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

/** Services as kept in an application's repository: no cluster IPs, node ports only where pinned. */
function sourceServiceArb(ns: string, name: string, opts: { pinned: boolean }): fc.Arbitrary<Obj> {
  const PORTS = [53, 80, 443, 8080, 9090];
  return fc
    .record({
      type: fc.constantFrom('ClusterIP', 'NodePort', 'LoadBalancer'),
      ports: fc.uniqueArray(fc.record({ port: fc.constantFrom(...PORTS), protocol: fc.constantFrom('TCP', 'UDP') }), {
        minLength: 1,
        maxLength: 3,
        selector: (p) => `${p.port}/${p.protocol}`,
      }),
      nodePorts: fc.array(fc.option(fc.integer({ min: 30000, max: 30199 }), { nil: undefined, freq: 3 }), { minLength: 3, maxLength: 3 }),
      etpLocal: fc.boolean(),
      allocateLB: fc.option(fc.boolean(), { nil: undefined }),
      families: fc.constantFrom<[string | undefined, string[] | undefined]>(
        [undefined, undefined],
        ['SingleStack', ['IPv6']],
        ['PreferDualStack', undefined],
        ['PreferDualStack', ['IPv4']],
        ['RequireDualStack', ['IPv6', 'IPv4']],
      ),
      stored: fc.option(fc.integer({ min: 2, max: 30 }), { nil: undefined, freq: 3 }),
      targetPorts: fc.array(fc.constantFrom('named', 'number', 'absent'), { minLength: 3, maxLength: 3 }),
    })
    .map((s) => {
      const spec: Obj = {
        type: s.type,
        selector: { app: name },
        ports: s.ports.map((p, i) => {
          const port: Obj = { name: `p${i}`, port: p.port, protocol: p.protocol };
          if (s.targetPorts[i] === 'named') port.targetPort = `t${i}`;
          if (s.targetPorts[i] === 'number') port.targetPort = 8000 + i;
          const given = opts.pinned ? s.nodePorts[i] : undefined;
          if (s.type !== 'ClusterIP' && given !== undefined) port.nodePort = given;
          return port;
        }),
      };
      if (s.type !== 'ClusterIP') spec.externalTrafficPolicy = s.etpLocal ? 'Local' : 'Cluster';
      if (s.type === 'LoadBalancer' && s.allocateLB !== undefined) spec.allocateLoadBalancerNodePorts = s.allocateLB;
      if (s.families[0] !== undefined) spec.ipFamilyPolicy = s.families[0];
      if (s.families[1] !== undefined) spec.ipFamilies = s.families[1];
      // Now and then a Service the API server has stored: its values are held, never handed out.
      if (opts.pinned && s.stored !== undefined) {
        spec.clusterIP = `10.96.0.${s.stored}`;
        delete spec.ipFamilyPolicy;
        delete spec.ipFamilies;
      }
      return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec };
    });
}

/**
 * What a Service's selector finds: nothing, a workload of any kind, or Pods as kubectl shows
 * them (ready or not, terminating or not, one or two addresses; `k` keeps their addresses apart
 * from every other Service's). Their containers name some of the ports `t0`…`t2`.
 */
function backendArb(ns: string, name: string, k: number): fc.Arbitrary<Obj[]> {
  const containerPorts = fc
    .subarray([0, 1, 2])
    .chain((named) => fc.constant(named.map((i) => ({ name: `t${i}`, containerPort: 9000 + i, protocol: 'TCP' }))));
  const labels = { app: name };
  const workload = fc
    .record({
      kind: fc.constantFrom('Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ReplicationController'),
      replicas: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
      ports: containerPorts,
    })
    .map((w): Obj[] => {
      const spec: Obj = { selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', ports: w.ports }] } } };
      if (w.replicas !== undefined) spec.replicas = w.replicas;
      return [{ apiVersion: w.kind === 'ReplicationController' ? 'v1' : 'apps/v1', kind: w.kind, metadata: { namespace: ns, name }, spec }];
    });
  const pods = fc
    .array(
      fc.record({
        ready: fc.boolean(),
        terminating: fc.boolean(),
        dual: fc.boolean(),
        node: fc.constantFrom('node-1', 'node-2', 'node-3'),
        ports: containerPorts,
      }),
      { minLength: 1, maxLength: 3 },
    )
    .map((list): Obj[] =>
      list.map((p, i) => {
        const meta: Obj = { namespace: ns, name: `${name}-pod-${i}`, labels };
        if (p.terminating) meta.deletionTimestamp = '2026-01-01T00:00:00Z';
        const ips = [`10.244.${200 + k}.${i + 2}`, ...(p.dual ? [`fd00:10:244:${200 + k}::${i + 2}`] : [])];
        return {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: meta,
          spec: { nodeName: p.node, containers: [{ name: 'c', ports: p.ports }] },
          status: { phase: 'Running', podIPs: ips.map((ip) => ({ ip })), conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }] },
        };
      }),
    );
  return fc.oneof(fc.constant<Obj[]>([]), workload, pods);
}

const SOURCE_NAMES = fc.uniqueArray(fc.tuple(fc.constantFrom('shop', 'ops'), fc.constantFrom('web', 'api', 'db', 'cache', 'dns', 'queue', 'mail', 'auth')), {
  minLength: 2,
  maxLength: 9,
  selector: ([ns, n]) => `${ns}/${n}`,
});

/** Dual-stack ranges of either primary family: the defaults' sizes, or small enough for collisions to be common. */
const RANGE_SIZES = {
  large: ['10.96.0.0/12', 'fd00:10:96::/108', '30000-32767'],
  small: ['10.96.0.0/24', 'fd00:10:96::/120', '30000-30199'],
  tiny: ['10.96.0.0/27', 'fd00:10:96::/123', '30000-30063'],
} as const;
const rangesArb = fc.record({ size: fc.constantFrom('large', 'small', 'tiny'), v6First: fc.boolean(), ipv6: fc.boolean() }).map((r) => {
  const [v4, v6, nodePorts] = RANGE_SIZES[r.size];
  const cidrs = r.v6First ? `${v6},${v4}` : `${v4},${v6}`;
  const ranges: CompletionRanges = {
    serviceClusterIPRange: cidrs.split(',').map((c) => parseCIDR(c)!),
    serviceNodePortRange: readPortRange(nodePorts),
  };
  const flags = ['--service-cluster-ip-range', cidrs, '--service-node-port-range', nodePorts, '--cluster-cidr', '10.244.0.0/16,fd00:10:244::/56'];
  flags.push('--nodes', 'node-1,node-2,node-3', '--hostname-override', 'node-2');
  if (r.ipv6) flags.push('--ip-family', 'ipv6');
  return { ranges, flags };
});

/** Every cluster IP and node port the completed objects hold. */
function heldValues(objs: Obj[], ranges: CompletionRanges): Set<string> {
  const raw = objs.map((value, i) => ({ value, file: 'x.yaml', doc: i + 1 }));
  const held = new Set<string>();
  for (const s of completeManifests(decodeManifests(raw), ranges).manifests.services) {
    for (const ip of s.clusterIPs) held.add(ip);
    for (const p of [...s.ports.map((p) => p.nodePort), s.healthCheckNodePort]) if (p !== 0) held.add(`port ${p}`);
  }
  return held;
}

/** Whatever a Service could ask for first: its cluster IP in each range, a node port per port number, a health-check node port. */
function candidateValues(svc: Obj, ranges: CompletionRanges): string[] {
  const { namespace, name } = svc.metadata as { namespace: string; name: string };
  const first = firstChoices(namespace, name, ranges);
  const ports = [...new Set(((svc.spec as Obj).ports as { port: number }[]).map((p) => p.port))];
  return [first.clusterIP(0), first.clusterIP(1), ...ports.map((p) => `port ${first.nodePort(p)}`), `port ${first.healthCheckNodePort()}`];
}

/** The lines of a kp-gen run that are not about `ns/name` (its rule comments and its note). */
function linesNotAbout(text: string, ns: string, name: string): string[] {
  const about = new RegExp(`(^|[ "])${ns}/${name}([:" ]|$)`);
  return text.split('\n').filter((l) => !about.test(l));
}

describe('random source manifests (no cluster IPs, few node ports)', () => {
  // Names none of the others has.
  const newcomerArb = fc.tuple(fc.constantFrom('shop', 'ops', 'apps'), fc.constantFrom('new', 'web2', 'extra', 'late'));
  const caseArb = fc
    .tuple(SOURCE_NAMES, newcomerArb, rangesArb)
    .chain(([names, [ns, n], ranges]) =>
      fc.tuple(
        fc.tuple(...names.map(([a, b], k) => fc.tuple(sourceServiceArb(a, b, { pinned: true }), backendArb(a, b, k)).map(([svc, more]) => [svc, ...more]))).map(
          (lists) => lists.flat(),
        ),
        sourceServiceArb(ns, n, { pinned: false }),
        fc.constant(ranges),
      ),
    );

  it('adding an unrelated Service changes no other Service\'s lines', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ([base, newcomer, { ranges, flags }]) => {
        // Unrelated: nothing it would ask for first is held or chosen by the others, nor twice by itself.
        const candidates = candidateValues(newcomer, ranges);
        const held = heldValues(base, ranges);
        fc.pre(new Set(candidates).size === candidates.length && !candidates.some((v) => held.has(v)));
        const before = await runKpGen([...flags, '-'], toYaml(base));
        const after = await runKpGen([...flags, '-'], toYaml([...base, newcomer]));
        expect(before.code, before.stderr).toBe(0);
        expect(after.code, after.stderr).toBe(0);
        const { namespace, name } = newcomer.metadata as { namespace: string; name: string };
        // Its chains' declarations name no Service: drop those the first run did not have.
        const declared = new Set(before.stdout.split('\n').filter((l) => l.startsWith(':')));
        const others = linesNotAbout(after.stdout, namespace, name).filter((l) => !l.startsWith(':') || declared.has(l));
        expect(others).toEqual(before.stdout.split('\n'));
        // Warnings about the input as a whole (model/input-warnings.ts) may name any Service.
        const wholeInput = /^warning: [^:]*: (no endpoint is on node|no --hostname-override given|no Service in the input)/;
        const perService = (lines: string[]) => lines.filter((l) => !wholeInput.test(l));
        expect(perService(linesNotAbout(after.stderr, namespace, name))).toEqual(perService(before.stderr.split('\n')));
      }),
      params(200),
    );
  });

  const kernel = requireKernel('source-manifest property tests against iptables-restore');
  it.runIf(kernel)('give rules the real iptables-restore / ip6tables-restore accepts', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ([base, newcomer, { flags }]) => {
        const r = await runKpGen([...flags, '-'], toYaml([...base, newcomer]));
        expect(r.code, r.stderr).toBe(0);
        const loaded = restoreInNamespace(flags.includes('ipv6') ? 'ip6tables-nft-restore' : 'iptables-nft-restore', r.stdout);
        expect(loaded.ok, `${loaded.output}\n${r.stdout}`).toBe(true);
      }),
      params(25),
    );
  });

  it('--save-manifests writes objects that give the same rules again, with nothing left to complete', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-save-'));
    try {
      await fc.assert(
        fc.asyncProperty(caseArb, async ([base, newcomer, { flags }]) => {
          const out = join(dir, 'saved');
          rmSync(out, { recursive: true, force: true });
          const first = await runKpGen([...flags, '--save-manifests', out, '-'], toYaml([...base, newcomer]));
          expect(first.code, first.stderr).toBe(0);
          const again = await runKpGen([...flags, join(out, 'input.yaml')]);
          expect(again.code, again.stderr).toBe(0);
          expect(again.stdout).toBe(first.stdout);
          // Only Services that got no endpoints at all are completed again (with nothing to allocate).
          expect(again.stderr).not.toMatch(/note: .*allocated/);
          expect(again.stderr).not.toMatch(/note: .*made [1-9]/);
        }),
        params(60),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the same rules and notes whatever the order of the documents', async () => {
    // How many runs made endpoints from Pods and from workloads: the cases must exercise both.
    const made = { pods: 0, workloads: 0 };
    await fc.assert(
      fc.asyncProperty(caseArb, async ([base, newcomer, { flags }]) => {
        const objs = [...base, newcomer];
        const forward = await runKpGen([...flags, '-'], toYaml(objs));
        const backward = await runKpGen([...flags, '-'], toYaml([...objs].reverse()));
        expect(forward.code, forward.stderr).toBe(0);
        expect(backward.stdout).toBe(forward.stdout);
        expect(backward.stderr.split('\n').sort()).toEqual(forward.stderr.split('\n').sort());
        if (/made [1-9]\d* endpoints? \([^)]*\) from (Pod |\d+ Pods)/.test(forward.stderr)) made.pods++;
        if (/made [1-9]\d* endpoints? \([^)]*\) from [A-Z][a-zA-Z]+ /.test(forward.stderr.replace(/from Pod /g, ''))) made.workloads++;
      }),
      params(200),
    );
    if (seed === undefined) expect(Math.min(made.pods, made.workloads)).toBeGreaterThan(10);
  });
});
