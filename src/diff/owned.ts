/**
 * What kube-proxy owns in a dump: the KUBE-* chains and, in every other chain, the rules that
 * jump into them. Docker's, a CNI's or the distribution's own chains and rules are left out.
 * A KUBE-* chain that is empty and that nothing jumps to changes no packet (kubelet's and
 * kube-proxy's KUBE-*-CANARY chains, say), so it compares as absent (`inert`).
 */
import { canonicalKey } from '../iptables/canonical.js';
import { DumpParseError } from '../iptables/dump.js';
import type { Dump, DumpRule } from '../iptables/dump-types.js';
import { ValueError } from '../iptables/values.js';

export interface OwnedRule {
  /** canonical.ts key: equal keys mean the same rule. */
  key: string;
  rule: DumpRule;
}

export interface OwnedChain {
  table: string;
  chain: string;
  /** A built-in (or other non-KUBE) chain of which only the jumps into KUBE-* chains are kept. */
  jumpsOnly: boolean;
  /** Declared, but empty and not jumped to: changes no packet, so compares as absent. */
  inert: boolean;
  rules: OwnedRule[];
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
    const referenced = new Set<string>();
    for (const chain of table.chains.values()) {
      for (const r of chain.rules) if (r.shape.target) referenced.add(r.shape.target.name);
    }
    for (const chain of table.chains.values()) {
      const own = (r: DumpRule): OwnedRule => ({ key: keyOf(dump, r), rule: r });
      if (isKubeChain(chain.name)) {
        const inert = chain.rules.length === 0 && !referenced.has(chain.name);
        view.set(chainId(table.name, chain.name), { table: table.name, chain: chain.name, jumpsOnly: false, inert, rules: chain.rules.map(own) });
      } else {
        const jumps = chain.rules.filter((r) => r.shape.target !== null && isKubeChain(r.shape.target.name));
        if (jumps.length > 0) {
          view.set(chainId(table.name, chain.name), { table: table.name, chain: chain.name, jumpsOnly: true, inert: false, rules: jumps.map(own) });
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

function keyOf(dump: Dump, r: DumpRule): string {
  try {
    return canonicalKey(r.shape);
  } catch (e) {
    if (e instanceof ValueError) throw new DumpParseError(dump.source, r.line, `${e.message}: ${r.text}`);
    throw e;
  }
}
