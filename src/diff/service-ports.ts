/**
 * Which Service port a rule is for, recovered from the dump alone: kube-proxy puts the service
 * port name (`namespace/name:port`) in most rule comments, and the per-service-port chains
 * share one hash (`KUBE-SVC-H`, `KUBE-SVL-H`, `KUBE-EXT-H`, `KUBE-FW-H`, and before 1.24
 * `KUBE-XLB-H`), so a chain whose rules
 * carry no comment (large-cluster mode, `-j KUBE-SVC-H` at the end of KUBE-EXT-H) is still
 * known by its siblings, and a KUBE-SEP chain by the chains that jump to it.
 */
import type { DumpRule } from '../iptables/dump-types.js';
import { ruleWords } from '../iptables/dump.js';
import { SEP_PREFIX } from '../plan/chain-names.js';
import { servicePortOf, targetOf, type OwnedView } from './owned.js';

/**
 * namespace (RFC 1123 label) / name (RFC 1035 label) [: port name]; before 1.19 an unnamed
 * port keeps the colon (`ns/name:`).
 */
const SERVICE_PORT = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z]([-a-z0-9]*[a-z0-9])?(:[-a-z0-9]*)?$/;
const FAMILY_HASH = /^KUBE-(?:SVC|SVL|EXT|FW|XLB)-([A-Z2-7]{16})$/;
const SERVICE_CHAIN = /^KUBE-(?:SVC|SVL|EXT|FW|XLB|SEP)-[A-Z2-7]{16}$/;
/** Words that may jump to a per-service-port chain. */
const JUMP_WORDS = /-[jg] +"?KUBE-(?:SVC|SVL|EXT|FW|XLB|SEP)-/;

/** The first word of a rule's comment that is a service port name. */
export function servicePortOfComment(comment: string): string | undefined {
  return comment.split(/\s+/).find((w) => SERVICE_PORT.test(w));
}

/**
 * Which service port a chain or rule belongs to, worked out on demand for the chains a diff
 * reports (a 10k-Service dump has 200k chains; a diff names few): a chain's own comments
 * first, by majority; then a sibling of the same hash; an endpoint chain by the service
 * chains that jump to it.
 */
export class ServicePortIndex {
  private readonly known = new Map<string, string | undefined>();
  private jumpsTo: Map<string, DumpRule[]> | undefined;

  constructor(private readonly views: readonly OwnedView[]) {}

  /**
   * The rules that jump to each per-service-port chain (found by their words first: only a
   * rule whose words show such a jump has its target looked up).
   */
  private callers(): Map<string, DumpRule[]> {
    if (!this.jumpsTo) {
      this.jumpsTo = new Map();
      for (const view of this.views) {
        for (const c of view.values()) {
          for (const r of c.rules) {
            if (!JUMP_WORDS.test(ruleWords(r))) continue;
            const t = targetOf(r);
            if (t === undefined || !SERVICE_CHAIN.test(t)) continue;
            const list = this.jumpsTo.get(t);
            if (list) list.push(r);
            else this.jumpsTo.set(t, [r]);
          }
        }
      }
    }
    return this.jumpsTo;
  }

  /**
   * The majority service port (ties: the first by name) of the comments of a per-service-port
   * chain's rules or, when they name none, of the rules that jump to it.
   */
  private byComments(chain: string): string | undefined {
    if (!SERVICE_CHAIN.test(chain)) return undefined;
    const votes = new Map<string, number>();
    const vote = (r: DumpRule): void => {
      const name = servicePortOf(r);
      if (name !== undefined) votes.set(name, (votes.get(name) ?? 0) + 1);
    };
    for (const view of this.views) for (const c of view.named(chain)) for (const r of c.rules) vote(r);
    if (votes.size === 0) for (const r of this.callers().get(chain) ?? []) vote(r);
    let best: [string, number] | undefined;
    for (const v of votes) if (!best || v[1] > best[1] || (v[1] === best[1] && v[0] < best[0])) best = v;
    return best?.[0];
  }

  private bySibling(chain: string): string | undefined {
    const h = FAMILY_HASH.exec(chain)?.[1];
    if (h === undefined) return undefined;
    for (const p of ['SVC', 'SVL', 'EXT', 'FW', 'XLB']) {
      const sibling = `KUBE-${p}-${h}`;
      if (sibling === chain) continue;
      const name = this.byComments(sibling);
      if (name !== undefined) return name;
    }
    return undefined;
  }

  /** An endpoint chain: the service ports of the service chains that jump to it, the first by name. */
  private byCallers(sep: string): string | undefined {
    const names = (this.callers().get(sep) ?? [])
      .map((r) => (r.chain === sep ? undefined : this.byComments(r.chain) ?? this.bySibling(r.chain)))
      .filter((n): n is string => n !== undefined);
    return names.sort()[0];
  }

  /** The service port of a per-service-port chain, if known. */
  ofChain(chain: string): string | undefined {
    if (this.known.has(chain)) return this.known.get(chain);
    const name = this.byComments(chain) ?? this.bySibling(chain) ?? (chain.startsWith(SEP_PREFIX) ? this.byCallers(chain) : undefined);
    this.known.set(chain, name);
    return name;
  }

  /** A rule's service port: its comment, else its chain's, else its target chain's. */
  ofRule(r: DumpRule): string | undefined {
    const t = targetOf(r);
    return servicePortOf(r) ?? this.ofChain(r.chain) ?? (t !== undefined ? this.ofChain(t) : undefined);
  }
}
