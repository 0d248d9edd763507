/**
 * Which Service port a rule is for, recovered from the dump alone: kube-proxy puts the service
 * port name (`namespace/name:port`) in most rule comments, and the per-service-port chains
 * share one hash (`KUBE-SVC-H`, `KUBE-SVL-H`, `KUBE-EXT-H`, `KUBE-FW-H`, and before 1.24
 * `KUBE-XLB-H`), so a chain whose rules
 * carry no comment (large-cluster mode, `-j KUBE-SVC-H` at the end of KUBE-EXT-H) is still
 * known by its siblings, and a KUBE-SEP chain by the chains that jump to it.
 */
import type { DumpRule } from '../iptables/dump-types.js';
import { SEP_PREFIX } from '../plan/chain-names.js';
import { commentOfShape } from '../iptables/shape.js';
import type { OwnedView } from './owned.js';

/**
 * namespace (RFC 1123 label) / name (RFC 1035 label) [: port name]; before 1.19 an unnamed
 * port keeps the colon (`ns/name:`).
 */
const SERVICE_PORT = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z]([-a-z0-9]*[a-z0-9])?(:[-a-z0-9]*)?$/;
const FAMILY_HASH = /^KUBE-(?:SVC|SVL|EXT|FW|XLB)-([A-Z2-7]{16})$/;
const SERVICE_CHAIN = /^KUBE-(?:SVC|SVL|EXT|FW|XLB|SEP)-[A-Z2-7]{16}$/;

function ruleComment(rule: DumpRule): string | undefined {
  return rule.rule.comment ?? commentOfShape(rule.shape);
}

/** The first word of the rule's comment that is a service port name. */
export function servicePortOfComment(rule: DumpRule): string | undefined {
  const c = ruleComment(rule);
  if (c === undefined) return undefined;
  return c.split(/\s+/).find((w) => SERVICE_PORT.test(w));
}

function vote(votes: Map<string, Map<string, number>>, chain: string, name: string): void {
  let m = votes.get(chain);
  if (!m) votes.set(chain, (m = new Map()));
  m.set(name, (m.get(name) ?? 0) + 1);
}

function winner(m: Map<string, number>): string {
  return [...m.entries()].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))[0]![0];
}

export class ServicePortIndex {
  private readonly byChain = new Map<string, string>();

  constructor(views: readonly OwnedView[]) {
    const votes = new Map<string, Map<string, number>>();
    const jumpsTo = new Map<string, Set<string>>();
    for (const view of views) {
      for (const c of view.values()) {
        for (const { rule } of c.rules) {
          const target = rule.shape.target?.name;
          const name = servicePortOfComment(rule);
          if (name !== undefined && SERVICE_CHAIN.test(c.chain)) vote(votes, c.chain, name);
          if (name !== undefined && target !== undefined && SERVICE_CHAIN.test(target)) vote(votes, target, name);
          if (target !== undefined && target.startsWith(SEP_PREFIX)) {
            let s = jumpsTo.get(target);
            if (!s) jumpsTo.set(target, (s = new Set()));
            s.add(c.chain);
          }
        }
      }
    }
    for (const [chain, m] of votes) this.byChain.set(chain, winner(m));
    // Siblings: one hash, one service port.
    const byHash = new Map<string, string>();
    for (const [chain, name] of this.byChain) {
      const h = FAMILY_HASH.exec(chain)?.[1];
      if (h !== undefined && !byHash.has(h)) byHash.set(h, name);
    }
    for (const view of views) {
      for (const c of view.values()) {
        for (const name of [c.chain, ...c.rules.map((r) => r.rule.shape.target?.name ?? '')]) {
          const h = FAMILY_HASH.exec(name)?.[1];
          if (h !== undefined && !this.byChain.has(name) && byHash.has(h)) this.byChain.set(name, byHash.get(h)!);
        }
      }
    }
    // Endpoint chains: from the service chains that jump to them.
    for (const [sep, from] of jumpsTo) {
      if (this.byChain.has(sep)) continue;
      const names = [...from].map((c) => this.byChain.get(c)).filter((n): n is string => n !== undefined);
      if (names.length > 0) this.byChain.set(sep, names.sort()[0]!);
    }
  }

  /** The service port of a per-service-port chain, if known. */
  ofChain(chain: string): string | undefined {
    return this.byChain.get(chain);
  }

  /** A rule's service port: its comment, else its chain's, else its target chain's. */
  ofRule(rule: DumpRule): string | undefined {
    return servicePortOfComment(rule) ?? this.byChain.get(rule.chain) ?? (rule.shape.target ? this.byChain.get(rule.shape.target.name) : undefined);
  }
}
