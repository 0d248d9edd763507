/**
 * The canonical order of a ruleset: the order kube-proxy's test suite normalises dumps to
 * before comparing them (sortIPTablesRules and orderByCommentServiceName in
 * pkg/proxy/iptables/proxier_test.go). kube-proxy's own output order follows Go map
 * iteration; printing this order makes kp-gen's output byte-identical to the expected dumps
 * of kube-proxy's tests.
 *
 *  - tables by name (filter, nat);
 *  - chains: KUBE-NODEPORTS, KUBE-SERVICES, then other KUBE-* chains, then the rest, byte-wise;
 *  - rules keep their order within a chain, except that KUBE-NODEPORTS (both tables) and
 *    KUBE-SERVICES (both tables) are stable-sorted by the service name in the comment (the text
 *    before the first space or colon), with nat KUBE-SERVICES' "must be the last rule" rule last.
 */
import { KUBE_NODEPORTS, KUBE_SERVICES } from '../plan/chain-names.js';
import type { Rule } from '../iptables/rule.js';
import { chainRules, type Chain, type Ruleset, type Table } from '../plan/ruleset.js';

export interface OrderedTable {
  name: string;
  chains: Chain[];
}

function rank(name: string): number {
  if (name === KUBE_NODEPORTS) return 0;
  if (name === KUBE_SERVICES) return 1;
  return name.startsWith('KUBE-') ? 2 : 3;
}

export function compareChainNames(a: string, b: string): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The service name of a rule's comment, or undefined when the rule has no comment. */
function serviceNameOf(comment: string | undefined): string | undefined {
  if (comment === undefined) return undefined;
  const i = comment.search(/[ :]/);
  return i === -1 ? comment : comment.slice(0, i);
}

const LAST_RULE_MARKER = 'must be the last rule';

/**
 * Stable sort by service name. Upstream's comparator treats a rule without a comment as
 * "not less" than anything; kp-gen only ever sorts chains whose rules all have comments.
 */
function sortByServiceName(rules: Rule[], lastRuleLast: boolean): Rule[] {
  const keyed = rules.map((rule, index) => {
    const c = rule.comment;
    return {
      rule,
      index,
      last: lastRuleLast && c !== undefined && c.includes(LAST_RULE_MARKER),
      name: serviceNameOf(c) ?? '',
    };
  });
  keyed.sort((a, b) => {
    if (a.last !== b.last) return a.last ? 1 : -1;
    if (!a.last && a.name !== b.name) return a.name < b.name ? -1 : 1;
    return a.index - b.index;
  });
  return keyed.map((k) => k.rule);
}

/** The table's chains in the canonical order, KUBE-NODEPORTS and KUBE-SERVICES sorted. */
export function orderTable(table: Table): OrderedTable {
  const chains = sortChainNames([...table.chains.keys()]).map((name) => {
    const chain = table.chains.get(name)!;
    if (name !== KUBE_NODEPORTS && name !== KUBE_SERVICES) return chain;
    const rules = sortByServiceName(chainRules(chain), name === KUBE_SERVICES && table.name === 'nat');
    return { ...chain, rules };
  });
  return { name: table.name, chains };
}

/** The names sorted by compareChainNames: by rank, then with the default sort (byte-wise for ASCII). */
function sortChainNames(names: string[]): string[] {
  const buckets: string[][] = [[], [], [], []];
  for (const name of names) buckets[rank(name)]!.push(name);
  return buckets.flatMap((b) => b.sort());
}

export function orderRuleset(rs: Ruleset): OrderedTable[] {
  return [orderTable(rs.filter), orderTable(rs.nat)];
}
