/**
 * Does a rule match the packet? For the first packet of a connection, every match kube-proxy
 * uses has a definite answer except `statistic`, which matches with a probability. So the
 * answer is a probability: 1 (matches), 0 (does not) or in between.
 */
import { cidrContains, formatIP, isLoopback, type IP } from '../model/ip.js';
import type { HeaderArg, OptionArg } from '../iptables/rule.js';
import type { RuleShape, ShapedMatch } from '../iptables/shape.js';
import {
  asCIDR,
  canonicalProtocol,
  parseHostOrNetwork,
  parseMarkMask,
  parsePortRange,
  PROBABILITY_SCALE,
  probabilityUnits,
} from '../iptables/values.js';
import type { NodeContext, Protocol } from './types.js';

/** The packet as the rules see it at this point of its way. */
export interface PacketState {
  protocol: Protocol;
  src: IP;
  dst: IP;
  sport: number;
  dport: number;
  mark: number;
  /** conntrack states of the connection: NEW, plus DNAT/SNAT once translated. */
  ctStates: Set<string>;
  /** `recent` list entries (`NAME ADDRESS`) set earlier on this packet's way. */
  recent: Set<string>;
  inInterface: string | undefined;
  outInterface: string | undefined;
}

export interface MatchResult {
  /** Probability that the rule matches. */
  p: number;
  /** `recent --set`: the lists the rule adds an address to when it matches, and the entry. */
  recentSet: { name: string; key: string }[];
  /** `recent --rcheck/--update --seconds` lists the rule consulted (session affinity). */
  recentChecked: { name: string; seconds: number | null }[];
  /** When p is 0: the part of the rule that did not match, and what the packet has instead. */
  why?: string;
}

export interface MatchEnv {
  node: NodeContext;
  /** Reports a rule the tracer cannot evaluate exactly, with the assumption it made. */
  warn: (message: string) => void;
  /** The rule's text, for warnings. */
  ruleText: string;
}

const MULTICAST4 = asCIDR(parseHostOrNetwork('224.0.0.0/4'));
const MULTICAST6 = asCIDR(parseHostOrNetwork('ff00::/8'));

export function isLocal(ip: IP, node: NodeContext): boolean {
  if (isLoopback(ip)) return true;
  return node.localAddresses.some((a) => a.family === ip.family && a.bytes.every((b, i) => b === ip.bytes[i]));
}

function addressType(ip: IP, type: string, env: MatchEnv): boolean {
  switch (type) {
    case 'LOCAL':
      return isLocal(ip, env.node);
    case 'MULTICAST':
      return cidrContains(ip.family === 4 ? MULTICAST4 : MULTICAST6, ip);
    case 'BROADCAST':
      return ip.family === 4 && ip.bytes.every((b) => b === 255);
    case 'UNICAST':
      return !isLocal(ip, env.node) && !addressType(ip, 'MULTICAST', env) && !addressType(ip, 'BROADCAST', env);
    default:
      env.warn(`addrtype ${type} is not simulated; assumed not to match: ${env.ruleText}`);
      return false;
  }
}

function interfaceMatches(pattern: string, name: string): boolean {
  return pattern.endsWith('+') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

function inPorts(list: string, port: number): boolean {
  return list.split(',').some((p) => {
    const r = parsePortRange(p);
    return port >= r.first && port <= r.last;
  });
}

/** A deterministic yes/no, negated if the option says so. */
function det(o: HeaderArg | OptionArg, v: boolean): number {
  return v !== o.negated ? 1 : 0;
}

function contains(text: string, ip: IP): boolean {
  return cidrContains(asCIDR(parseHostOrNetwork(text)), ip);
}

function selector(o: HeaderArg, s: PacketState, env: MatchEnv): number {
  const v = o.value;
  switch (o.flag) {
    case '-s':
      return det(o, contains(v, s.src));
    case '-d':
      return det(o, contains(v, s.dst));
    case '-p': {
      const p = canonicalProtocol(v);
      return det(o, p === undefined || p === s.protocol);
    }
    case '-i':
    case '-o': {
      const name = o.flag === '-i' ? s.inInterface : s.outInterface;
      if (name === undefined) {
        env.warn(`the packet's ${o.flag === '-i' ? 'input' : 'output'} interface is unknown (give --${o.flag === '-i' ? 'in' : 'out'}-interface); assumed not to be ${v}: ${env.ruleText}`);
        return det(o, false);
      }
      return det(o, interfaceMatches(v, name));
    }
    case '-f':
      return det(o, false);
  }
}

function matchProbability(m: ShapedMatch, s: PacketState, env: MatchEnv, out: MatchResult): number {
  let p = 1;
  const unknown = (what: string): number => {
    env.warn(`${what} is not simulated; assumed not to match: ${env.ruleText}`);
    return 0;
  };
  switch (m.module) {
    case 'comment':
    case 'nfacct':
      return 1;
    case 'tcp':
    case 'udp':
    case 'sctp':
      if (m.module !== s.protocol) return 0;
      for (const o of m.options) {
        if (o.name === '--dport') p *= det(o, inPorts(o.values[0] ?? '', s.dport));
        else if (o.name === '--sport') p *= det(o, inPorts(o.values[0] ?? '', s.sport));
        else if (o.name === '--syn') p *= det(o, true);
        else return unknown(`${m.module} ${o.name}`);
      }
      return p;
    case 'multiport':
      for (const o of m.options) {
        const list = o.values[0] ?? '';
        if (o.name === '--dports') p *= det(o, inPorts(list, s.dport));
        else if (o.name === '--sports') p *= det(o, inPorts(list, s.sport));
        else if (o.name === '--ports') p *= det(o, inPorts(list, s.dport) || inPorts(list, s.sport));
        else return unknown(`multiport ${o.name}`);
      }
      return p;
    case 'mark':
      for (const o of m.options) {
        const mm = parseMarkMask(o.values[0] ?? '');
        p *= det(o, ((s.mark & mm.mask) >>> 0) === mm.value);
      }
      return p;
    case 'addrtype':
      for (const o of m.options) {
        if (o.name !== '--src-type' && o.name !== '--dst-type') {
          env.warn(`addrtype ${o.name} is ignored: ${env.ruleText}`);
          continue;
        }
        const ip = o.name === '--src-type' ? s.src : s.dst;
        p *= det(o, (o.values[0] ?? '').toUpperCase().split(',').some((t) => addressType(ip, t, env)));
      }
      return p;
    case 'conntrack':
    case 'state':
      for (const o of m.options) {
        if (o.name !== '--ctstate' && o.name !== '--state') return unknown(`${m.module} ${o.name}`);
        p *= det(o, (o.values[0] ?? '').toUpperCase().split(',').some((st) => s.ctStates.has(st)));
      }
      return p;
    case 'statistic': {
      const mode = m.options.find((o) => o.name === '--mode')?.values[0];
      const prob = m.options.find((o) => o.name === '--probability');
      if (mode !== 'random' || !prob) return unknown(`statistic --mode ${mode ?? '?'}`);
      // The kernel compares a random 31-bit number with round(P × 2³¹).
      const q = probabilityUnits(prob.values[0] ?? '') / PROBABILITY_SCALE;
      return prob.negated ? 1 - q : q;
    }
    case 'physdev':
      // The traced node is routed, as the lab's is: pods sit on veth pairs, not on a bridge, so
      // no packet comes in through a bridge port (kube-proxy before 1.19 sends external-IP
      // traffic that does not to the service).
      for (const o of m.options) {
        if (o.name !== '--physdev-is-in') return unknown(`physdev ${o.name}`);
        p *= det(o, false);
      }
      return p;
    case 'recent': {
      const name = m.options.find((o) => o.name === '--name')?.values[0] ?? 'DEFAULT';
      const seconds = m.options.find((o) => o.name === '--seconds')?.values[0];
      // A list holds source addresses, or destination addresses with --rdest.
      const key = `${name} ${formatIP(m.options.some((o) => o.name === '--rdest') ? s.dst : s.src)}`;
      const negated = m.options.some((o) => o.negated);
      const has = s.recent.has(key);
      if (m.options.some((o) => o.name === '--set')) {
        out.recentSet.push({ name, key });
        return negated ? 0 : 1;
      }
      if (m.options.some((o) => o.name === '--rcheck' || o.name === '--update')) {
        out.recentChecked.push({ name, seconds: seconds === undefined ? null : Number(seconds) });
        return has !== negated ? 1 : 0;
      }
      if (m.options.some((o) => o.name === '--remove')) return has !== negated ? 1 : 0;
      return unknown('recent without --set/--rcheck/--update/--remove');
    }
    default:
      return unknown(`match ${m.module}`);
  }
}

function headerText(o: HeaderArg): string {
  return `${o.negated ? '! ' : ''}${o.flag}${o.value === '' ? '' : ` ${o.value}`}`;
}

function matchText(m: ShapedMatch): string {
  const opts = m.options.map((o) => `${o.negated ? '! ' : ''}${o.name}${o.values.length > 0 ? ` ${o.values.join(' ')}` : ''}`);
  return [`-m ${m.module}`, ...opts].join(' ');
}

/** What the packet has where a header field did not match. */
function headerFact(o: HeaderArg, s: PacketState): string {
  switch (o.flag) {
    case '-s':
      return `source is ${formatIP(s.src)}`;
    case '-d':
      return `destination is ${formatIP(s.dst)}`;
    case '-p':
      return `protocol is ${s.protocol}`;
    case '-i':
      return `input interface is ${s.inInterface === undefined ? 'unknown' : s.inInterface === '' ? 'none' : s.inInterface}`;
    case '-o':
      return `output interface is ${s.outInterface ?? 'unknown'}`;
    case '-f':
      return 'not a fragment';
  }
}

/** What the packet has where a match did not match. */
function matchFact(m: ShapedMatch, s: PacketState): string {
  switch (m.module) {
    case 'tcp':
    case 'udp':
    case 'sctp':
    case 'multiport':
      return m.module !== 'multiport' && m.module !== s.protocol ? `protocol is ${s.protocol}` : `ports are ${s.sport} -> ${s.dport}`;
    case 'mark':
      return `mark is 0x${s.mark.toString(16)}`;
    case 'addrtype':
      return `${formatIP(s.src)} -> ${formatIP(s.dst)} (node addresses: --node-ip, --node-addresses, loopback)`;
    case 'conntrack':
    case 'state':
      return `state is ${[...s.ctStates].join(',')}`;
    case 'recent':
      return 'no entry for this client (first packet)';
    case 'physdev':
      return 'not in through a bridge port (the traced node is routed)';
    default:
      return 'not simulated';
  }
}

/** The probability that a rule of this shape matches the packet in state `s`, and what matching does. */
export function evaluateRule(spec: RuleShape, s: PacketState, env: MatchEnv): MatchResult {
  const out: MatchResult = { p: 1, recentSet: [], recentChecked: [] };
  for (const o of spec.header) {
    out.p *= selector(o, s, env);
    if (out.p === 0) {
      out.why = `${headerText(o)}: ${headerFact(o, s)}`;
      return out;
    }
  }
  for (const m of spec.matches) {
    out.p *= matchProbability(m, s, env, out);
    if (out.p === 0) {
      out.why = `${matchText(m)}: ${matchFact(m, s)}`;
      return out;
    }
  }
  return out;
}
