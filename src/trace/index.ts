/**
 * The tracer's public face, for the `trace` command and for tests that compare its
 * predictions with packets sent through the real kernel (the lab tests): parse a dump, add
 * kube-proxy's jumps if they are missing, walk the packet.
 *
 *   const r = traceRules(rulesText, packet, { localAddresses: [nodeIP] });
 *   r.outcomes  // [{ verdict: 'DNAT', destination: '10.244.1.5:8080', probability: 0.5, masquerade: true, … }, …]
 *
 * outcomeKey() gives the part of an outcome a packet test can observe.
 *
 * Checking it against the kernel (the lab's packet tests): load a fixture's rules into the lab
 * node, and for each packet (src, dst, dport, protocol, from) compare two sets of outcomeKey
 * strings: the tracer's outcomes (all have probability > 0) and what N connections show — the
 * pod that receives them (DNAT target; ACCEPT when the original destination receives it), the
 * source address that pod sees (masquerade: the node's address instead of the client's), or the
 * client's error (REJECT: refused at once; DROP: timeout). Choose N so that the least likely
 * outcome p is missed with probability (1-p)^N < 1e-6. Under session affinity all connections
 * from one client stick after the first, so there check that the one observed outcome is among
 * the predicted ones. test/trace-kernel.test.ts does this for packets sent by the node itself,
 * test/trace-lab.test.ts in the lab for packets from another host, from pods and from the node.
 */
import { parseDump } from '../iptables/dump.js';
import type { Dump } from '../iptables/dump-types.js';
import { withKubeletChains, withKubeProxyJumps } from './jumps.js';
import { simulate, type SimulateOptions } from './simulate.js';
import type { NodeContext, Outcome, Packet, TraceResult } from './types.js';

export type * from './types.js';
export { TraceError, type SimulateOptions } from './simulate.js';

export function traceDump(dump: Dump, packet: Packet, node: NodeContext, opts: SimulateOptions = {}): TraceResult {
  const { dump: withJumps, notes } = withKubeProxyJumps(dump);
  const { dump: complete, notes: kubeletNotes } = withKubeletChains(withJumps);
  const r = simulate(complete, packet, node, opts);
  return { ...r, notes: [...notes, ...kubeletNotes, ...r.notes] };
}

export function traceRules(text: string, packet: Packet, node: NodeContext, source = 'rules', opts: SimulateOptions = {}): TraceResult {
  return traceDump(parseDump(text, source), packet, node, opts);
}

/**
 * What a packet test can see of an outcome: dropped or rejected, or delivered to which
 * ip:port, with the source masqueraded or not. E.g. `DNAT 10.244.1.5:8080 masquerade`.
 */
export function outcomeKey(o: Outcome): string {
  if (o.verdict === 'DROP' || o.verdict === 'REJECT') return o.verdict;
  return `${o.verdict} ${o.destination}${o.masquerade ? ' masquerade' : ''}`;
}
