/**
 * The tracer against the real kernel, for packets from other hosts, from pods and from the node:
 * a lab node (src/lab/, the same code as `kp-gen lab up` and the packet tests) is loaded with
 * kp-gen's rules for test/lab/packets.yaml and test/lab/trace.yaml (three times: telling pods
 * by --cluster-cidr, by interface name, and by --pod-cidr with --masquerade-all), and for each
 * packet of the tables below two sets of outcomes must be equal:
 *
 * - predicted: `traceRules` over the very text loaded into the node, with the node's addresses;
 * - observed: N connections through the lab's probe. The pod that answers tells the DNAT target
 *   (its address and port), the source it saw tells whether the packet was masqueraded (the
 *   sources used here differ from the node address masquerading picks, except in one case the
 *   rules drop), "refused" is REJECT and a timeout is DROP.
 *
 * N is chosen so that an outcome of the least predicted probability p is missed with odds
 * (1-p)^N < 1e-6. Under session affinity every connection after the first sticks, so there the
 * one observed outcome only has to be among the predicted ones.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POD_GATEWAY, type LabPlan } from '../src/lab/plan.js';
import { probe, probeAll, type ProbeRequest, type ProbeResult } from '../src/lab/probe.js';
import { parseIP, type IP } from '../src/model/ip.js';
import { defaultRunOptions, type RunOptions } from '../src/options.js';
import { outcomeKey, traceRules, type Origin, type Packet, type Protocol } from '../src/trace/index.js';
import { cleanupLab, labNamespaces, newTestLab, requireLab, upTestLab } from './helpers/lab.js';

const run = requireLab('trace lab tests');
const NODE_IP = '192.0.2.1';
const CLIENT = '192.0.2.2';
const OTHER_CLIENT = '192.0.2.3';
/**
 * The node's source address for its own probes. Not NODE_IP: masquerading rewrites sources to
 * NODE_IP, so a probe from NODE_IP would show masquerading only by its port (and
 * `--random-fully` may pick the same port). The node holds POD_GATEWAY on every pod link.
 */
const NODE_SOURCE = POD_GATEWAY;
const NODE_ADDRESSES = [NODE_IP, POD_GATEWAY];

/** Odds of missing a predicted outcome that we accept. */
const MISS_ODDS = 1e-6;
/** Connections per packet at least (a deterministic outcome is still sampled a few times). */
const MIN_PROBES = 5;
/** At most; a case needing more (an outcome rarer than 1/5) belongs in a smaller fixture. */
const MAX_PROBES = 60;
/** A reply inside one machine takes milliseconds; this only bounds a lost one. */
const ANSWER_TIMEOUT_MS = 1500;
/** How long to wait before calling a connection dropped, where the tracer predicts drops. */
const DROP_TIMEOUT_MS = 300;

interface PacketCase {
  name: string;
  /** `client`, `node`, or the IP of the pod sending it. */
  from: 'client' | 'node' | string;
  protocol?: Protocol;
  dst: string;
  dport: number;
  /** The source address; default the sender's own (CLIENT, NODE_SOURCE, the pod's IP). */
  src?: string;
}

const CASES: PacketCase[] = [
  // from another host (the client namespace, through the node's eth0)
  { name: 'ClusterIP, three endpoints', from: 'client', dst: '10.96.1.1', dport: 80 },
  { name: 'ClusterIP over UDP', from: 'client', protocol: 'udp', dst: '10.96.1.2', dport: 53 },
  { name: 'ClusterIP without endpoints', from: 'client', dst: '10.96.1.4', dport: 80 },
  { name: 'ClusterIP, internalTrafficPolicy Local, from outside', from: 'client', dst: '10.96.2.2', dport: 80 },
  { name: 'NodePort, externalTrafficPolicy Cluster', from: 'client', dst: NODE_IP, dport: 30080 },
  { name: 'external IP', from: 'client', dst: '203.0.113.10', dport: 80 },
  { name: 'LoadBalancer, source inside loadBalancerSourceRanges', from: 'client', dst: '203.0.113.20', dport: 80 },
  { name: 'LoadBalancer, source outside loadBalancerSourceRanges', from: 'client', src: OTHER_CLIENT, dst: '203.0.113.20', dport: 80 },
  { name: "NodePort of a LoadBalancer: the source ranges fence only the LB IP", from: 'client', src: OTHER_CLIENT, dst: NODE_IP, dport: 30081 },
  { name: 'ClusterIP, internalTrafficPolicy Local, no local endpoint, from outside', from: 'client', dst: '10.96.2.3', dport: 80 },
  { name: 'NodePort, externalTrafficPolicy Local, local endpoint', from: 'client', dst: NODE_IP, dport: 30082 },
  { name: 'NodePort, externalTrafficPolicy Local, no local endpoint', from: 'client', dst: NODE_IP, dport: 30083 },
  { name: 'NodePort, externalTrafficPolicy Local, local endpoint terminating', from: 'client', dst: NODE_IP, dport: 30092 },
  { name: 'LoadBalancer, externalTrafficPolicy Local, two of three endpoints local', from: 'client', dst: '203.0.113.30', dport: 80 },
  { name: 'its NodePort, externalTrafficPolicy Local', from: 'client', dst: NODE_IP, dport: 30091 },
  { name: 'its external IP, externalTrafficPolicy Local', from: 'client', dst: '203.0.113.31', dport: 80 },
  { name: 'its ClusterIP: internal traffic policy Cluster', from: 'client', dst: '10.96.2.1', dport: 80 },
  { name: 'ClusterIP whose local endpoint is terminating: ready endpoints only', from: 'client', dst: '10.96.2.4', dport: 80 },
  { name: 'UDP ClusterIP without endpoints', from: 'client', protocol: 'udp', dst: '10.96.2.5', dport: 53 },
  { name: 'UDP NodePort, externalTrafficPolicy Local, no local endpoint', from: 'client', protocol: 'udp', dst: NODE_IP, dport: 30093 },
  // from pods on this node
  { name: 'ClusterIP, hairpin', from: '10.244.1.11', dst: '10.96.1.1', dport: 80 },
  { name: 'ClusterIP without endpoints', from: '10.244.1.11', dst: '10.96.1.4', dport: 80 },
  { name: 'ClusterIP, internalTrafficPolicy Local', from: '10.244.1.11', dst: '10.96.2.2', dport: 80 },
  { name: 'ClusterIP, internalTrafficPolicy Local, no local endpoint', from: '10.244.1.11', dst: '10.96.2.3', dport: 80 },
  { name: 'external IP, hairpin', from: '10.244.1.12', dst: '203.0.113.10', dport: 80 },
  { name: 'LoadBalancer, externalTrafficPolicy Local, hairpin', from: '10.244.1.51', dst: '203.0.113.30', dport: 80 },
  { name: 'LoadBalancer, pod outside loadBalancerSourceRanges', from: '10.244.1.11', dst: '203.0.113.20', dport: 80 },
  { name: 'external IP, externalTrafficPolicy Local', from: '10.244.1.11', dst: '203.0.113.31', dport: 80 },
  { name: 'UDP NodePort, externalTrafficPolicy Local, no local endpoint', from: '10.244.1.11', protocol: 'udp', dst: NODE_IP, dport: 30093 },
  { name: 'NodePort, hairpin', from: '10.244.1.12', dst: NODE_IP, dport: 30080 },
  { name: 'NodePort, externalTrafficPolicy Local, no local endpoint', from: '10.244.1.11', dst: NODE_IP, dport: 30083 },
  // from the node itself
  { name: 'ClusterIP', from: 'node', dst: '10.96.1.1', dport: 80 },
  { name: "NodePort on the node's localhost", from: 'node', src: '127.0.0.1', dst: '127.0.0.1', dport: 30080 },
  { name: "NodePort, externalTrafficPolicy Local, on the node's localhost", from: 'node', src: '127.0.0.1', dst: '127.0.0.1', dport: 30082 },
  { name: "NodePort, externalTrafficPolicy Local, no local endpoint, on the node's localhost", from: 'node', src: '127.0.0.1', dst: '127.0.0.1', dport: 30083 },
  { name: 'ClusterIP, internalTrafficPolicy Local', from: 'node', dst: '10.96.2.2', dport: 80 },
  { name: 'NodePort, externalTrafficPolicy Local, no local endpoint', from: 'node', dst: NODE_IP, dport: 30083 },
  { name: 'LoadBalancer, outside loadBalancerSourceRanges', from: 'node', dst: '203.0.113.20', dport: 80 },
  { name: 'LoadBalancer, from the node address, outside loadBalancerSourceRanges', from: 'node', src: NODE_IP, dst: '203.0.113.20', dport: 80 },
  { name: 'UDP ClusterIP', from: 'node', protocol: 'udp', dst: '10.96.1.2', dport: 53 },
  { name: 'LoadBalancer, externalTrafficPolicy Local', from: 'node', dst: '203.0.113.30', dport: 80 },
];

/** For the lab whose rules tell pods by their interface. */
const INTERFACE_CASES: PacketCase[] = [
  { name: 'ClusterIP', from: 'client', dst: '10.96.1.1', dport: 80 },
  { name: 'ClusterIP, internalTrafficPolicy Local', from: 'client', dst: '10.96.2.2', dport: 80 },
  { name: 'NodePort, externalTrafficPolicy Local, two of three endpoints local', from: 'client', dst: NODE_IP, dport: 30091 },
  { name: 'ClusterIP, hairpin', from: '10.244.1.11', dst: '10.96.1.1', dport: 80 },
  { name: 'UDP ClusterIP', from: '10.244.1.11', protocol: 'udp', dst: '10.96.1.2', dport: 53 },
  { name: 'ClusterIP, internalTrafficPolicy Local', from: '10.244.1.11', dst: '10.96.2.2', dport: 80 },
  { name: 'LoadBalancer, externalTrafficPolicy Local', from: '10.244.1.11', dst: '203.0.113.30', dport: 80 },
  { name: 'NodePort, externalTrafficPolicy Local, no local endpoint', from: '10.244.1.11', dst: NODE_IP, dport: 30083 },
  { name: 'ClusterIP', from: 'node', dst: '10.96.1.1', dport: 80 },
  { name: 'NodePort, externalTrafficPolicy Local, two of three endpoints local', from: 'node', dst: NODE_IP, dport: 30091 },
];

/** For the lab with --masquerade-all, pods told by --pod-cidr and NodePorts on NODE_IP only. */
const NODE_CIDR_CASES: PacketCase[] = [
  { name: 'ClusterIP', from: 'client', dst: '10.96.1.1', dport: 80 },
  { name: 'NodePort, externalTrafficPolicy Local, two of three endpoints local', from: 'client', dst: NODE_IP, dport: 30091 },
  { name: 'NodePort, externalTrafficPolicy Local, no local endpoint', from: 'client', dst: NODE_IP, dport: 30083 },
  { name: 'ClusterIP, hairpin', from: '10.244.1.11', dst: '10.96.1.1', dport: 80 },
  { name: 'UDP ClusterIP', from: '10.244.1.11', protocol: 'udp', dst: '10.96.1.2', dport: 53 },
  { name: 'LoadBalancer, externalTrafficPolicy Local', from: '10.244.1.11', dst: '203.0.113.30', dport: 80 },
  { name: 'NodePort, externalTrafficPolicy Local, no local endpoint', from: '10.244.1.11', dst: NODE_IP, dport: 30083 },
  { name: 'external IP', from: '10.244.1.11', dst: '203.0.113.10', dport: 80 },
  { name: 'ClusterIP', from: 'node', dst: '10.96.1.1', dport: 80 },
  { name: 'NodePort', from: 'node', dst: NODE_IP, dport: 30080 },
];

/** Connections needed so that an outcome of probability `p` shows with odds 1 - MISS_ODDS. */
function probesFor(p: number): number {
  if (p >= 1) return MIN_PROBES;
  return Math.max(MIN_PROBES, Math.ceil(Math.log(MISS_ODDS) / Math.log(1 - p)));
}

/** One connection's outcome in outcomeKey's words. */
function observedKey(r: ProbeResult, c: { src: string; dst: string; dport: number }): string {
  if (!r.outcome.ok) {
    if (r.outcome.error === 'ECONNREFUSED') return 'REJECT';
    if (r.outcome.error === 'timeout') return 'DROP';
    return `error ${r.outcome.error}`;
  }
  if (!r.reply) return `unreadable reply ${JSON.stringify(r.outcome.reply)}`;
  const at = `${r.reply.local.ip}:${r.reply.local.port}`;
  const verdict = at === `${c.dst}:${c.dport}` ? 'ACCEPT' : 'DNAT';
  return `${verdict} ${at}${r.reply.peer.ip !== c.src ? ' masquerade' : ''}`;
}

function ip(text: string): IP {
  const v = parseIP(text);
  if (!v) throw new Error(`bad IP ${text}`);
  return v;
}

/**
 * One lab node with the rules for both manifests and `flags` on top of the common ones; each
 * packet of `cases` is checked, and sessionAffinity too when `affinity` is set.
 */
function labSuite(title: string, flags: (o: RunOptions) => void, cases: readonly PacketCase[], affinity: boolean): void {
  describe(title, () => {
    const lab = newTestLab();
    let plan: LabPlan;
    let rules: string;
    const opts = defaultRunOptions();
    opts.paths = ['test/lab/packets.yaml', 'test/lab/trace.yaml'];
    opts.hostnameOverride = 'node-1';
    opts.nodeIPs = [NODE_IP];
    flags(opts);

    beforeAll(async () => {
      const r = await upTestLab(lab, opts, [CLIENT, OTHER_CLIENT]);
      expect(r.warnings).toEqual([]);
      plan = r.state.plan;
      rules = r.rules;
    }, 30_000);

    afterAll(() => {
      cleanupLab(lab);
      expect(labNamespaces(lab)).toEqual([]);
    });

    /** Who sends: its namespace, origin for the tracer, interface it arrives on, own address. */
    const sender = (from: PacketCase['from']): { ns: string; origin: Origin; inInterface?: string; src: string } => {
      if (from === 'client') return { ns: plan.clientNs, origin: 'external', inInterface: 'eth0', src: CLIENT };
      if (from === 'node') return { ns: plan.nodeNs, origin: 'node', src: NODE_SOURCE };
      const pod = plan.pods.find((p) => p.ip === from);
      if (!pod) throw new Error(`no lab pod has IP ${from}`);
      return { ns: pod.ns, origin: 'pod', inInterface: pod.hostIf, src: pod.ip };
    };

    const predict = (c: PacketCase): { keys: Map<string, number>; warnings: string[] } => {
      const s = sender(c.from);
      const packet: Packet = {
        protocol: c.protocol ?? 'tcp',
        src: ip(c.src ?? s.src),
        dst: ip(c.dst),
        sport: 40000,
        dport: c.dport,
        from: s.origin,
        ...(s.inInterface ? { inInterface: s.inInterface } : {}),
      };
      const r = traceRules(rules, packet, { localAddresses: NODE_ADDRESSES.map(ip) });
      const keys = new Map<string, number>();
      for (const o of r.outcomes) keys.set(outcomeKey(o), (keys.get(outcomeKey(o)) ?? 0) + o.probability);
      return { keys, warnings: r.warnings };
    };

    /** The sender's source address and the probe request for `count` connections. */
    const request = (c: PacketCase, count: number, timeoutMs: number, concurrent: boolean): { ns: string; src: string; req: ProbeRequest } => {
      const s = sender(c.from);
      const src = c.src ?? s.src;
      return { ns: s.ns, src, req: { protocol: c.protocol === 'udp' ? 'UDP' : 'TCP', ip: c.dst, port: c.dport, count, timeoutMs, source: src, concurrent } };
    };

    const tally = (c: PacketCase, src: string, results: ProbeResult[]): Map<string, number> => {
      const seen = new Map<string, number>();
      for (const r of results) {
        const k = observedKey(r, { src, dst: c.dst, dport: c.dport });
        seen.set(k, (seen.get(k) ?? 0) + 1);
      }
      return seen;
    };

    interface CaseRun {
      predicted: { keys: Map<string, number>; warnings: string[] };
      count: number;
      seen?: Map<string, number>;
    }
    const runs = new Map<PacketCase, CaseRun | Error>();

    // Predict every packet first, then send all of one sender's connections from one probe
    // process at once: starting Node in a namespace costs more than the connections, and a
    // dropped batch then waits one timeout.
    beforeAll(() => {
      const batches = new Map<string, { c: PacketCase; src: string; req: ProbeRequest }[]>();
      for (const c of cases) {
        try {
          const predicted = predict(c);
          const count = probesFor(Math.min(...predicted.keys.values()));
          runs.set(c, { predicted, count });
          if (count > MAX_PROBES) continue;
          const { ns, src, req } = request(c, count, predicted.keys.has('DROP') ? DROP_TIMEOUT_MS : ANSWER_TIMEOUT_MS, true);
          batches.set(ns, [...(batches.get(ns) ?? []), { c, src, req }]);
        } catch (e) {
          runs.set(c, e instanceof Error ? e : new Error(String(e)));
        }
      }
      for (const [ns, batch] of batches) {
        const results = probeAll(ns, batch.map((b) => b.req));
        batch.forEach((b, i) => ((runs.get(b.c) as CaseRun).seen = tally(b.c, b.src, results[i]!)));
      }
    }, 60_000);

    it.each(cases.map((c) => [`${c.from === 'client' || c.from === 'node' ? c.from : `pod ${c.from}`}: ${c.name} (${c.dst}:${c.dport})`, c] as const))(
      '%s',
      (_name, c) => {
        const r = runs.get(c);
        if (r instanceof Error) throw r;
        expect(r, 'not traced').toBeDefined();
        const { predicted, count, seen } = r!;
        expect(predicted.warnings).toEqual([]);
        expect(count, `an outcome of probability ${Math.min(...predicted.keys.values())} needs ${count} probes`).toBeLessThanOrEqual(MAX_PROBES);
        const detail = `predicted ${JSON.stringify([...predicted.keys])}, observed ${JSON.stringify([...seen!])} in ${count} connections`;
        expect([...seen!.keys()].sort(), detail).toEqual([...predicted.keys.keys()].sort());
      },
    );

    if (opts.podInterfaceNamePrefix !== undefined) it('names every pod link, and only those, with the pod interface prefix', () => {
      const prefix = opts.podInterfaceNamePrefix!;
      expect(plan.pods.filter((p) => !p.hostIf.startsWith(prefix))).toEqual([]);
      expect(sender('client').inInterface!.startsWith(prefix)).toBe(false);
    });

    if (affinity) it('sessionAffinity ClientIP: every connection sticks to one of the predicted endpoints', () => {
      const c: PacketCase = { name: 'sticky', from: 'client', dst: '10.96.1.3', dport: 80 };
      const predicted = predict(c);
      expect(predicted.keys.size).toBe(3);
      const { ns, src, req } = request(c, 5, ANSWER_TIMEOUT_MS, false);
      const seen = tally(c, src, probe(ns, req));
      expect(seen.size, JSON.stringify([...seen])).toBe(1);
      expect([...predicted.keys.keys()]).toContain([...seen.keys()][0]);
    });
  });
}

describe.runIf(run)('trace predicts what the lab node does', () => {
  labSuite('pods told by --cluster-cidr', (o) => {
    o.clusterCIDRs = ['10.244.0.0/16'];
  }, CASES, true);
  // The pod links are kpg-p1, kpg-p2, …: the rules tell pods by `-i kpg-p+`, so the tracer has
  // to match interface patterns, and packets the node sends have no input interface at all.
  labSuite('pods told by interface (--detect-local-mode InterfaceNamePrefix)', (o) => {
    o.detectLocalMode = 'InterfaceNamePrefix';
    o.podInterfaceNamePrefix = 'kpg-p';
  }, INTERFACE_CASES, false);
  labSuite('--masquerade-all, pods told by --pod-cidr, NodePorts on the node IP only', (o) => {
    o.masqueradeAll = true;
    o.detectLocalMode = 'NodeCIDR';
    o.podCIDRs = ['10.244.1.0/24'];
    o.nodePortAddresses = [`${NODE_IP}/32`];
  }, NODE_CIDR_CASES, false);
});
