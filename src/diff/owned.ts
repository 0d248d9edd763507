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

/** `table chain` → owned chain. */
export type OwnedView = Map<string, OwnedChain>;

function chainId(table: string, chain: string): string {
  return `${table} ${chain}`;
}

export function ownedView(dump: Dump): OwnedView {
  const view: OwnedView = new Map();
  for (const table of dump.tables.values()) {
    // An empty KUBE-* chain is inert unless some rule jumps to it; only rules that name it
    // need a look at their target.
    const empty = [...table.chains.values()].filter((c) => isKubeChain(c.name) && c.rules.length === 0).map((c) => c.name);
    const referenced = new Set<string>();
    if (empty.length > 0) {
      for (const chain of table.chains.values()) {
        for (const r of chain.rules) {
          for (const e of empty) if (ruleWords(r).includes(e) && targetOf(r) === e) referenced.add(e);
        }
      }
    }
    for (const chain of table.chains.values()) {
      if (isKubeChain(chain.name)) {
        const inert = chain.rules.length === 0 && !referenced.has(chain.name);
        view.set(chainId(table.name, chain.name), { table: table.name, chain: chain.name, jumpsOnly: false, inert, rules: chain.rules });
      } else {
        const jumps = chain.rules.filter((r) => isKubeChain(targetOf(r) ?? ''));
        if (jumps.length > 0) {
          view.set(chainId(table.name, chain.name), { table: table.name, chain: chain.name, jumpsOnly: true, inert: false, rules: jumps });
        }
      }
    }
  }
  return view;
}

export function hasJumps(view: OwnedView): boolean {
  for (const c of view.values()) if (c.jumpsOnly) return true;
  return false;
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
