/**
 * What kube-proxy owns in a dump: the KUBE-* chains and, in every other chain, the rules that
 * jump into them. Docker's, a CNI's or the distribution's own chains and rules are left out.
 * A KUBE-* chain that is empty and that nothing jumps to changes no packet (kubelet's and
 * kube-proxy's KUBE-*-CANARY chains, say), so it compares as absent (`inert`).
 */
import { canonicalKey } from '../iptables/canonical.js';
import { DumpParseError, readDumpRule, ruleLabels, ruleWords } from '../iptables/dump.js';
import { servicePortOfComment } from './service-ports.js';
import type { Dump, DumpRule } from '../iptables/dump-types.js';
import { ValueError } from '../iptables/values.js';

/** The service port a rule's comment names, if any (its words only; the rule is not read in full). */
export function servicePortOf(r: DumpRule): string | undefined {
  const c = ruleLabels(r).comment;
  return c === undefined ? undefined : servicePortOfComment(c);
}

/** A rule's `-j`/`-g` target, if any (its words only). */
export function targetOf(r: DumpRule): string | undefined {
  return ruleLabels(r).target;
}

export interface OwnedChain {
  table: string;
  chain: string;
  /** A built-in (or other non-KUBE) chain of which only the jumps into KUBE-* chains are kept. */
  jumpsOnly: boolean;
  /** Declared, but empty and not jumped to: changes no packet, so compares as absent. */
  inert: boolean;
  rules: DumpRule[];
}

function isKubeChain(name: string): boolean {
  return name.startsWith('KUBE-');
}

/**
 * The owned chains of a dump, made on demand from the dump itself: a 10k-Service dump has
 * 200k chains, and a view that held an object and a key for each would hold them twice over
 * (diff keeps two dumps).
 */
export class OwnedView {
  /** Per table: the empty KUBE-* chains some rule jumps to (so not inert). */
  private readonly referenced = new Map<string, Set<string>>();
  /** Per table: the other chains that jump into KUBE-* chains, with those jumps. */
  private readonly jumps = new Map<string, Map<string, DumpRule[]>>();

  constructor(
    readonly dump: Dump,
    /** Leave out the jumps from other chains (when only one dump has them). */
    readonly withoutJumps = false,
    from?: OwnedView,
  ) {
    if (from) {
      this.referenced = from.referenced;
      this.jumps = from.jumps;
      return;
    }
    for (const table of dump.tables.values()) {
      // An empty KUBE-* chain is inert unless some rule jumps to it; only rules that name it
      // need a look at their target.
      const empty = [...table.chains.values()].filter((c) => isKubeChain(c.name) && c.rules.length === 0).map((c) => c.name);
      const referenced = new Set<string>();
      const jumps = new Map<string, DumpRule[]>();
      for (const chain of table.chains.values()) {
        if (empty.length > 0) {
          for (const r of chain.rules) for (const e of empty) if (ruleWords(r).includes(e) && targetOf(r) === e) referenced.add(e);
        }
        if (!isKubeChain(chain.name)) {
          const list = chain.rules.filter((r) => isKubeChain(targetOf(r) ?? ''));
          if (list.length > 0) jumps.set(chain.name, list);
        }
      }
      this.referenced.set(table.name, referenced);
      this.jumps.set(table.name, jumps);
    }
  }

  /** The same view without the jumps from other chains. */
  withoutJumpsView(): OwnedView {
    return new OwnedView(this.dump, true, this);
  }

  /** The owned chain `chain` of table `table`, if any. */
  get(table: string, chain: string): OwnedChain | undefined {
    const c = this.dump.tables.get(table)?.chains.get(chain);
    if (!c) return undefined;
    if (isKubeChain(c.name)) {
      const inert = c.rules.length === 0 && !this.referenced.get(table)!.has(c.name);
      return { table, chain: c.name, jumpsOnly: false, inert, rules: c.rules };
    }
    const jumps = this.withoutJumps ? undefined : this.jumps.get(table)!.get(c.name);
    return jumps ? { table, chain: c.name, jumpsOnly: true, inert: false, rules: jumps } : undefined;
  }

  /** Whether `chain` of table `table` is an owned chain (without making its view). */
  has(table: string, chain: string): boolean {
    const c = this.dump.tables.get(table)?.chains.get(chain);
    if (!c) return false;
    return isKubeChain(c.name) || (!this.withoutJumps && this.jumps.get(table)!.has(c.name));
  }

  /** Every owned chain, table by table. */
  *values(): IterableIterator<OwnedChain> {
    for (const table of this.dump.tables.values()) {
      for (const name of table.chains.keys()) {
        const c = this.get(table.name, name);
        if (c) yield c;
      }
    }
  }

  /** The owned chains called `chain`, in any table. */
  named(chain: string): OwnedChain[] {
    const out: OwnedChain[] = [];
    for (const table of this.dump.tables.keys()) {
      const c = this.get(table, chain);
      if (c) out.push(c);
    }
    return out;
  }

  /** Whether other chains jump into KUBE-* chains. */
  hasJumps(): boolean {
    if (this.withoutJumps) return false;
    for (const j of this.jumps.values()) if (j.size > 0) return true;
    return false;
  }
}

export function ownedView(dump: Dump): OwnedView {
  return new OwnedView(dump);
}

/** The rule's compare key (canonical.ts): equal keys mean the same rule. Read, not kept. */
export function keyOf(dump: Dump, r: DumpRule): string {
  try {
    return canonicalKey(readDumpRule(r).shape);
  } catch (e) {
    if (e instanceof ValueError) throw new DumpParseError(dump.source, r.line, `${e.message}: ${r.text}`);
    throw e;
  }
}
