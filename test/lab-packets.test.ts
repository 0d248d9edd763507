/**
 * Packet tests: kp-gen's rules, loaded into a lab node (src/lab/, the same code as
 * `kp-gen lab up`), move real packets the way kube-proxy's do. The cluster is
 * test/lab/packets.yaml; every pod answers with its name, the address it was reached at and
 * the source it saw, so each test can tell which endpoint was picked and whether the packet was
 * masqueraded. All traffic stays inside this run's namespaces (kpg-t<random>-…), every probe
 * is bounded in count and time, and afterAll removes everything even when a test failed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabPlan } from '../src/lab/plan.js';
import { probe, type ProbeRequest, type ProbeResult } from '../src/lab/probe.js';
import { defaultRunOptions } from '../src/options.js';
import { cleanupLab, labNamespaces, newTestLab, requireLab, upTestLab } from './helpers/lab.js';

const run = requireLab('lab packet tests');
const NODE_IP = '192.0.2.1';
const CLIENT = '192.0.2.2';
const OTHER_CLIENT = '192.0.2.3';
/** Long enough for an answer inside one machine, short enough for the "dropped" cases. */
const DROP_TIMEOUT_MS = 400;

// The newest release, 1.28, 1.25 and one release of each older era (1.24: KUBE-EXT/SVL with
// KUBE-MARK-DROP; 1.22: KUBE-XLB, masquerade in KUBE-SVC, /32; 1.21: masquerade in
// KUBE-SERVICES, a KUBE-FW chain per LB IP; 1.17: %0.10f, and 1.18.6 the three-rule
// KUBE-POSTROUTING backport; 1.15: the INVALID drop and KUBE-XLB's LOCAL-traffic rules; 1.12:
// no endpoint-rule comments; 1.10: three nat rules per external IP): their rules differ (nfacct,
// the INVALID drop; before 1.27 no KUBE-FIREWALL localnet rule and no KUBE-FW comment rule;
// before 1.25 drops through kubelet's KUBE-MARK-DROP and KUBE-FIREWALL, which --include-jumps
// brings) but must carry packets the same way. KP_LAB_RELEASE=<name> runs one of them.
const RELEASES = [
  ['newest', undefined],
  ['1.28', '1.28'],
  ['1.25', '1.25'],
  ['1.24', '1.24'],
  ['1.22', '1.22'],
  ['1.21', '1.21'],
  ['1.18.6', '1.18.6'],
  ['1.17', '1.17'],
  ['1.15', '1.15'],
  ['1.12', '1.12'],
  ['1.10', '1.10'],
] as const;
const focus = process.env.KP_LAB_RELEASE;
describe.runIf(run).each(RELEASES.filter(([name]) => focus === undefined || name === focus))('packets through the lab node (kube-proxy %s)', (_name, release) => {
  const lab = newTestLab();
  let plan: LabPlan;

  beforeAll(async () => {
    const opts = defaultRunOptions();
    if (release !== undefined) opts.kubeProxyVersion = release;
    opts.paths = ['test/lab/packets.yaml'];
    opts.clusterCIDRs = ['10.244.0.0/16'];
    opts.hostnameOverride = 'node-1';
    opts.nodeIPs = [NODE_IP];
    plan = (await upTestLab(lab, opts, [CLIENT, OTHER_CLIENT])).state.plan;
  }, 30_000);

  afterAll(() => {
    cleanupLab(lab);
    expect(labNamespaces(lab)).toEqual([]);
  });

  const from = (who: 'client' | 'node' | string, req: Partial<ProbeRequest> & { ip: string; port: number }): ProbeResult[] => {
    const ns = who === 'client' ? plan.clientNs : who === 'node' ? plan.nodeNs : plan.pods.find((p) => p.ip === who)!.ns;
    return probe(ns, { protocol: 'TCP', count: 1, timeoutMs: 1000, ...req });
  };
  /** The pod IPs that answered, and the source addresses they saw. */
  const answered = (rs: ProbeResult[]): { pods: Set<string>; sources: Set<string>; errors: string[] } => ({
    pods: new Set(rs.flatMap((r) => (r.reply ? [r.reply.local.ip] : []))),
    sources: new Set(rs.flatMap((r) => (r.reply ? [r.reply.peer.ip] : []))),
    errors: rs.flatMap((r) => (r.outcome.ok ? [] : [r.outcome.error])),
  });

  it('builds one namespace per endpoint IP, plus the node and the client', () => {
    expect(plan.pods.map((p) => p.ip)).toEqual(['10.244.1.11', '10.244.1.12', '10.244.1.13', '10.244.1.21', '10.244.1.22', '10.244.1.31', '10.244.2.41']);
    expect(labNamespaces(lab).sort()).toEqual([plan.nodeNs, plan.clientNs, ...plan.pods.map((p) => p.ns)].sort());
  });

  it('spreads ClusterIP connections over all endpoints, masquerading off-cluster clients', () => {
    // 45 tries with three endpoints: all three answer unless the odds were broken ((2/3)^45 ≈ 1e-8).
    const a = answered(from('client', { ip: '10.96.1.1', port: 80, count: 45 }));
    expect(a.errors).toEqual([]);
    expect(a.pods).toEqual(new Set(['10.244.1.11', '10.244.1.12', '10.244.1.13']));
    // The client is not in --cluster-cidr, so KUBE-SVC marks it for SNAT to the node.
    expect(a.sources).toEqual(new Set([NODE_IP]));
  });

  it('spreads UDP ClusterIP datagrams too', () => {
    const a = answered(from('client', { protocol: 'UDP', ip: '10.96.1.2', port: 53, count: 30 }));
    expect(a.errors).toEqual([]);
    expect(a.pods).toEqual(new Set(['10.244.1.21', '10.244.1.22']));
  });

  it('keeps the source of pod-to-service traffic, and masquerades hairpin traffic', () => {
    const rs = from('10.244.1.11', { ip: '10.96.1.1', port: 80, count: 40 }); // misses itself with odds (2/3)^40
    expect(answered(rs).errors).toEqual([]);
    const self = rs.filter((r) => r.reply!.local.ip === '10.244.1.11');
    const others = rs.filter((r) => r.reply!.local.ip !== '10.244.1.11');
    expect(self.length).toBeGreaterThan(0);
    expect(others.length).toBeGreaterThan(0);
    // Reaching itself, the pod would see its own address and answer itself directly, bypassing
    // conntrack; KUBE-SEP's hairpin rule SNATs it to the node instead.
    expect(new Set(self.map((r) => r.reply!.peer.ip))).toEqual(new Set([NODE_IP]));
    expect(new Set(others.map((r) => r.reply!.peer.ip))).toEqual(new Set(['10.244.1.11']));
  });

  it('sticks to one endpoint with sessionAffinity ClientIP', () => {
    // Without affinity, 20 tries over three endpoints all land on one with odds 3^-19.
    const a = answered(from('client', { ip: '10.96.1.3', port: 80, count: 20 }));
    expect(a.errors).toEqual([]);
    expect(a.pods.size).toBe(1);
  });

  it('rejects a Service with no endpoints at once', () => {
    const a = answered(from('client', { ip: '10.96.1.4', port: 80, count: 3 }));
    expect(a.errors).toEqual(['ECONNREFUSED', 'ECONNREFUSED', 'ECONNREFUSED']);
  });

  it('answers a NodePort from outside, masqueraded (externalTrafficPolicy Cluster)', () => {
    const a = answered(from('client', { ip: NODE_IP, port: 30080, count: 30 }));
    expect(a.errors).toEqual([]);
    expect(a.pods).toEqual(new Set(['10.244.1.11', '10.244.1.12']));
    expect(a.sources).toEqual(new Set([NODE_IP]));
  });

  it("answers a NodePort on the node's localhost", () => {
    const a = answered(from('node', { ip: '127.0.0.1', port: 30080, count: 4 }));
    expect(a.errors).toEqual([]);
    expect([...a.pods].every((p) => p === '10.244.1.11' || p === '10.244.1.12')).toBe(true);
    expect(a.sources).toEqual(new Set([NODE_IP]));
  });

  it('answers on an external IP', () => {
    const a = answered(from('client', { ip: '203.0.113.10', port: 80, count: 4 }));
    expect(a.errors).toEqual([]);
    expect([...a.pods].every((p) => p === '10.244.1.11' || p === '10.244.1.12')).toBe(true);
  });

  it('admits a load-balancer IP from loadBalancerSourceRanges and drops other sources', () => {
    const allowed = answered(from('client', { ip: '203.0.113.20', port: 80, count: 3, source: CLIENT }));
    expect(allowed.errors).toEqual([]);
    expect(allowed.pods).toEqual(new Set(['10.244.1.13']));
    const denied = answered(from('client', { ip: '203.0.113.20', port: 80, count: 1, source: OTHER_CLIENT, timeoutMs: DROP_TIMEOUT_MS }));
    expect(denied.errors).toEqual(['timeout']);
    // The same client reaches the same pods through the cluster IP: only the LB IP is fenced.
    expect(answered(from('client', { ip: '10.96.1.6', port: 80, source: OTHER_CLIENT })).pods).toEqual(new Set(['10.244.1.13']));
  });

  it('keeps the client IP with externalTrafficPolicy Local', () => {
    const a = answered(from('client', { ip: NODE_IP, port: 30082, count: 3 }));
    expect(a.errors).toEqual([]);
    expect(a.pods).toEqual(new Set(['10.244.1.31']));
    expect(a.sources).toEqual(new Set([CLIENT]));
  });

  it('drops externalTrafficPolicy Local traffic on a node without a local endpoint', () => {
    const a = answered(from('client', { ip: NODE_IP, port: 30083, count: 1, timeoutMs: DROP_TIMEOUT_MS }));
    expect(a.errors).toEqual(['timeout']);
    // The pod on node-2 is up and reachable through the cluster IP (internal policy Cluster).
    expect(answered(from('client', { ip: '10.96.1.8', port: 80 })).pods).toEqual(new Set(['10.244.2.41']));
  });
});
