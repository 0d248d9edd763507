/**
 * kube-proxy installs the jumps from the built-in chains (PREROUTING → KUBE-SERVICES, …)
 * outside its iptables-restore data, so its dumps — and kp-gen's without --include-jumps —
 * lack them. Without them no packet would ever reach a KUBE-* chain. When a table has KUBE-*
 * chains but no built-in chain jumps into one, the tracer puts kube-proxy's jumps at the top
 * of the built-in chains, as kube-proxy does, and says so. The jumps are the planned rules of
 * `--include-jumps` (plan/jumps.ts), taken as data.
 */
import { KUBE_MARK_DROP, writeJumpRules } from '../plan/jumps.js';
import { KUBE_FIREWALL } from '../plan/chain-names.js';
import { jump, match, option, rule as makeRule, type Rule } from '../iptables/rule.js';
import { KUBELET_DROP_MARK } from '../plan/releases/kubelet.js';
import { chainRules, TableBuilder, type Table } from '../plan/ruleset.js';
import { restoreText } from '../iptables/restore.js';
import { shapeOf } from '../iptables/shape.js';
import { BUILTIN_CHAIN_NAMES, type Dump, type DumpRule } from '../iptables/dump-types.js';
import { ruleLabels, ruleWords } from '../iptables/dump.js';

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

/** kubelet's rule as a dump rule the tracer adds (line 0). */
function addedRule(table: string, chain: string, r: Rule): DumpRule {
  return { table, chain, line: 0, text: `-A ${chain} ${restoreText(r)}`, rule: r, shape: shapeOf(r), addedBy: 'kubelet' };
}

/**
 * Whether a rule of `table` jumps to `chain`. Only rules whose words name the chain are asked
 * their target, and from their words (ruleLabels), not read in full: reading, and keeping,
 * every rule of a 10k-Service dump took trace --rules from 230 MB to 600 MB.
 */
function jumpsTo(dump: Dump, table: string, chain: string): boolean {
  const t = dump.tables.get(table);
  if (t === undefined) return false;
  for (const c of t.chains.values()) for (const r of c.rules) if (ruleWords(r).includes(chain) && ruleLabels(r).target === chain) return true;
  return false;
}

/**
 * kube-proxy 1.24 and before jump to kubelet's nat KUBE-MARK-DROP without declaring it; a dump
 * of their restore data alone (kp-gen's without --include-jumps) lacks the chain. Where a dump
 * jumps to it and has no such chain, the tracer adds kubelet's (plan/releases/kubelet.ts): the
 * mark, the KUBE-FIREWALL rule that drops marked packets, and kubelet's INPUT/OUTPUT jumps to it,
 * below any others. Its localnet rule is left out: which kubelet ran is not known here.
 */
export function withKubeletChains(dump: Dump): { dump: Dump; notes: string[] } {
  const nat = dump.tables.get('nat');
  if (!nat || nat.chains.has(KUBE_MARK_DROP) || !jumpsTo(dump, 'nat', KUBE_MARK_DROP)) return { dump, notes: [] };
  const mark = KUBELET_DROP_MARK;
  const tables = new Map(dump.tables);
  const natChains = new Map(nat.chains);
  natChains.set(KUBE_MARK_DROP, {
    name: KUBE_MARK_DROP,
    policy: null,
    rules: [addedRule('nat', KUBE_MARK_DROP, makeRule(undefined, [], jump('MARK', [option('--or-mark', mark)])))],
  });
  tables.set('nat', { name: 'nat', chains: natChains });
  const filter = dump.tables.get('filter') ?? { name: 'filter', chains: new Map() };
  if (!filter.chains.has(KUBE_FIREWALL)) {
    const chains = new Map(filter.chains);
    chains.set(KUBE_FIREWALL, {
      name: KUBE_FIREWALL,
      policy: null,
      rules: [addedRule('filter', KUBE_FIREWALL,
        makeRule('kubernetes firewall for dropping marked packets', [match('mark'), option('--mark', `${mark}/${mark}`)], jump('DROP')))],
    });
    for (const builtin of ['INPUT', 'OUTPUT']) {
      const existing = chains.get(builtin);
      chains.set(builtin, {
        name: builtin,
        policy: existing?.policy ?? 'ACCEPT',
        rules: [...(existing?.rules ?? []), addedRule('filter', builtin, makeRule(undefined, [], jump(KUBE_FIREWALL)))],
      });
    }
    tables.set('filter', { name: 'filter', chains });
  }
  return {
    dump: { source: dump.source, tables },
    notes: [`${dump.source} jumps to ${KUBE_MARK_DROP} but has no such chain (kubelet's, up to kube-proxy 1.24): added kubelet's ${KUBE_MARK_DROP} and ${KUBE_FIREWALL} drop rule, with its INPUT/OUTPUT jumps`],
  };
}
