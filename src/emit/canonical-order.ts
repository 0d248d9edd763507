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
import type { Rule, Ruleset, Table } from '../plan/ruleset.js';

export interface OrderedChain {
  name: string;
  /** A built-in chain, declared with its policy. */
  builtin: boolean;
  rules: Rule[];
}

export interface OrderedTable {
  name: string;
  chains: OrderedChain[];
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
function serviceNameOf(rule: Rule): string | undefined {
  const c = rule.comment;
  if (c === undefined) return undefined;
  const i = c.search(/[ :]/);
  return i === -1 ? c : c.slice(0, i);
}

const LAST_RULE_MARKER = 'must be the last rule';

/**
 * Stable sort by service name. Upstream's comparator treats a rule without a comment as
 * "not less" than anything; kp-gen only ever sorts chains whose rules all have comments.
 */
function sortByServiceName(rules: Rule[], lastRuleLast: boolean): Rule[] {
  const keyed = rules.map((rule, index) => ({
    rule,
    index,
    last: lastRuleLast && rule.comment !== undefined && rule.comment.includes(LAST_RULE_MARKER),
    name: serviceNameOf(rule) ?? '',
  }));
  keyed.sort((a, b) => {
    if (a.last !== b.last) return a.last ? 1 : -1;
    if (!a.last && a.name !== b.name) return a.name < b.name ? -1 : 1;
    return a.index - b.index;
  });
  return keyed.map((k) => k.rule);
}

export function orderTable(table: Table): OrderedTable {
  // Group the rules by chain into arrays of their exact size (two passes: count, then fill).
  // A large cluster has 100k two-rule KUBE-SEP chains, and growing an array by push
  // reserves room for 16 or more.
  const index = new Map<string, number>();
  const names: string[] = [];
  const indexOf = (chain: string): number => {
    let i = index.get(chain);
    if (i === undefined) {
      // A rule in an undeclared chain is a planner bug; keep it visible rather than lose it.
      i = names.length;
      index.set(chain, i);
      names.push(chain);
    }
    return i;
  };
  for (const chain of table.chains) indexOf(chain);
  const ruleChain = new Int32Array(table.rules.length);
  // Rules of one chain mostly come in a row: remember the last chain instead of a Map lookup.
  let lastChain: string | undefined;
  let lastIndex = -1;
  table.rules.forEach((rule, r) => {
    if (rule.chain !== lastChain) {
      lastChain = rule.chain;
      lastIndex = indexOf(lastChain);
    }
    ruleChain[r] = lastIndex;
  });
  const counts = new Int32Array(names.length);
  for (const i of ruleChain) counts[i]!++;
  const grouped: Rule[][] = Array.from(counts, (n) => new Array<Rule>(n));
  const filled = new Int32Array(names.length);
  table.rules.forEach((rule, r) => {
    const i = ruleChain[r]!;
    grouped[i]![filled[i]!++] = rule;
  });

  const builtins = new Set(table.builtins);
  const chains = sortChainNames(names).map((name) => {
    let rules = grouped[index.get(name)!]!;
    if (name === KUBE_NODEPORTS) rules = sortByServiceName(rules, false);
    else if (name === KUBE_SERVICES) rules = sortByServiceName(rules, table.name === 'nat');
    return { name, builtin: builtins.has(name), rules };
  });
  return { name: table.name, chains };
}

/**
 * The names sorted by compareChainNames, without calling it per comparison: a large cluster
 * has a chain per endpoint, and the default sort compares strings as `<` does (by UTF-16 code
 * unit) in native code.
 */
function sortChainNames(names: string[]): string[] {
  const buckets: string[][] = [[], [], [], []];
  for (const name of names) buckets[rank(name)]!.push(name);
  return buckets.flatMap((b) => b.sort());
}

export function orderRuleset(rs: Ruleset): OrderedTable[] {
  return [orderTable(rs.filter), orderTable(rs.nat)];
}
