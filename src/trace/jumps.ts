/**
 * kube-proxy installs the jumps from the built-in chains (PREROUTING → KUBE-SERVICES, …)
 * outside its iptables-restore data, so its dumps — and kp-gen's without --include-jumps —
 * lack them. Without them no packet would ever reach a KUBE-* chain. When a table has KUBE-*
 * chains but no built-in chain jumps into one, the tracer puts kube-proxy's jumps at the top
 * of the built-in chains, as kube-proxy does, and says so. The jumps are the planned rules of
 * `--include-jumps` (plan/jumps.ts), taken as data.
 */
import { writeJumpRules } from '../plan/jumps.js';
import { chainRules, TableBuilder, type Table } from '../plan/ruleset.js';
import { restoreText } from '../iptables/restore.js';
import { shapeOf } from '../iptables/shape.js';
import { BUILTIN_CHAIN_NAMES, type Dump, type DumpRule } from '../iptables/dump-types.js';

function jumpsIntoKube(dump: Dump, table: string): boolean {
  const t = dump.tables.get(table);
  if (!t) return false;
  for (const c of t.chains.values()) {
    if (!BUILTIN_CHAIN_NAMES.has(c.name)) continue;
    if (c.rules.some((r) => r.shape.target?.name.startsWith('KUBE-'))) return true;
  }
  return false;
}

function hasKubeChains(dump: Dump, table: string): boolean {
  const t = dump.tables.get(table);
  return t !== undefined && [...t.chains.keys()].some((c) => c.startsWith('KUBE-'));
}

/**
 * A copy of `dump` with kube-proxy's jumps added where a table has none (line 0 marks them),
 * and a note per table changed.
 */
export function withKubeProxyJumps(dump: Dump): { dump: Dump; notes: string[] } {
  const filter = new TableBuilder('filter');
  const nat = new TableBuilder('nat');
  writeJumpRules(filter, nat);
  const jumps: Record<string, Table> = { filter: filter.table, nat: nat.table };
  const notes: string[] = [];
  const tables = new Map(dump.tables);
  for (const name of ['filter', 'nat']) {
    if (!hasKubeChains(dump, name) || jumpsIntoKube(dump, name)) continue;
    const original = dump.tables.get(name)!;
    const chains = new Map(original.chains);
    const added: string[] = [];
    for (const jc of jumps[name]!.chains.values()) {
      if (!BUILTIN_CHAIN_NAMES.has(jc.name)) continue;
      const rules = chainRules(jc)
        .filter((r) => r.target !== undefined && chains.has(r.target.name))
        .map((r): DumpRule => ({ table: name, chain: jc.name, line: 0, text: `-A ${jc.name} ${restoreText(r)}`, rule: r, shape: shapeOf(r) }));
      if (rules.length === 0) continue;
      const existing = chains.get(jc.name);
      chains.set(jc.name, { name: jc.name, policy: existing?.policy ?? 'ACCEPT', rules: [...rules, ...(existing?.rules ?? [])] });
      added.push(jc.name);
    }
    tables.set(name, { name, chains });
    if (added.length > 0) {
      notes.push(`${dump.source} has no jumps from the built-in chains of table ${name}: added kube-proxy's (${[...added].sort().join(', ')} → KUBE-*), as kube-proxy installs them`);
    }
  }
  return { dump: { source: dump.source, tables }, notes };
}
