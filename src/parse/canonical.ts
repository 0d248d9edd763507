/**
 * One canonical text per rule meaning: two rules get the same key exactly when they differ
 * only in spelling. What is normalised (each checked against real iptables-save output of
 * kp-gen's own rules, nft and legacy backends, in test/diff/kernel-save.test.ts):
 *  - selector order and aliases (`-s`/`--source`), addresses (`10.0.0.1` = `10.0.0.1/32`,
 *    IPv6 spelling), `-p 6` = `-p tcp`, `-p all` = no `-p`;
 *  - match order (a rule's matches are a conjunction) and option order inside a match;
 *    `-m tcp` explicit or implicit, or omitted when it has no options;
 *  - quoting of comments;
 *  - numbers as the kernel stores them: marks (`0x00004000` = `0x4000`, `VALUE` = `VALUE/0xffffffff`),
 *    probabilities (round(p × 2³¹)), ports;
 *  - MARK's `--or-mark`/`--xor-mark`/`--and-mark`/`--set-mark` as `--set-xmark VALUE/MASK`;
 *  - defaults iptables-save prints: `recent --mask <all ones> --rsource`, REJECT's
 *    `--reject-with icmp-port-unreachable` (icmp6-… for IPv6), conntrack/addrtype letter case
 *    and list order.
 * Rule comments are kept: they carry the service names the rules are for.
 */
import type { MatchSpec, RuleOption, RuleSpec, TargetSpec } from './types.js';
import {
  canonicalProtocol,
  formatAddress,
  formatNatTarget,
  formatPortRange,
  hex,
  markAction,
  parseAddress,
  parseMarkMatch,
  parseNatTarget,
  parsePortRange,
  probabilityUnits,
  ValueError,
} from './values.js';

const OPTION_ALIASES: Record<string, string> = {
  '--destination-port': '--dport',
  '--source-port': '--sport',
  '--destination-ports': '--dports',
  '--source-ports': '--sports',
};

const ALL_ONES_MASKS = new Set(['255.255.255.255', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']);

/** REJECT's default and the aliases iptables accepts for it. */
const DEFAULT_REJECT = new Set(['icmp-port-unreachable', 'port-unreach', 'icmp6-port-unreachable']);

function opt(o: RuleOption, values: string[] = o.values): string {
  return `${o.negated ? '! ' : ''}${OPTION_ALIASES[o.name] ?? o.name}${values.length ? ` ${values.map(quoteIfNeeded).join(' ')}` : ''}`;
}

function quoteIfNeeded(v: string): string {
  return v === '' || /[\s"\\]/.test(v) ? JSON.stringify(v) : v;
}

function sortedList(v: string, upper: boolean): string {
  const items = v.split(',').map((s) => (upper ? s.toUpperCase() : s));
  return [...new Set(items)].sort().join(',');
}

/** Canonical text of one option of a match; null drops it (a default). */
function canonicalMatchOption(match: string, o: RuleOption): string | null {
  const name = OPTION_ALIASES[o.name] ?? o.name;
  const v = o.values;
  switch (`${match} ${name}`) {
    case 'tcp --dport': case 'tcp --sport': case 'udp --dport': case 'udp --sport': case 'sctp --dport': case 'sctp --sport':
      return opt(o, [formatPortRange(parsePortRange(v[0] ?? ''))]);
    case 'multiport --dports': case 'multiport --sports': case 'multiport --ports':
      return opt(o, [(v[0] ?? '').split(',').map((p) => formatPortRange(parsePortRange(p))).join(',')]);
    case 'mark --mark': case 'connmark --mark': {
      const m = parseMarkMatch(v[0] ?? '');
      return opt(o, [`${hex(m.value)}/${hex(m.mask)}`]);
    }
    case 'statistic --probability':
      return opt(o, [String(probabilityUnits(v[0] ?? ''))]);
    case 'recent --mask':
      return ALL_ONES_MASKS.has((v[0] ?? '').toLowerCase()) ? null : opt(o);
    case 'recent --rsource':
      return null;
    case 'conntrack --ctstate': case 'conntrack --ctstatus': case 'state --state':
    case 'addrtype --src-type': case 'addrtype --dst-type':
      return opt(o, [sortedList(v[0] ?? '', true)]);
    default:
      return opt(o);
  }
}

function canonicalMatch(m: MatchSpec): string | null {
  const options = m.options.map((o) => canonicalMatchOption(m.name, o)).filter((s): s is string => s !== null).sort();
  // `-p tcp -m tcp` with nothing for the match to check is just `-p tcp`.
  if (options.length === 0 && (m.name === 'tcp' || m.name === 'udp' || m.name === 'sctp')) return null;
  return [`-m ${m.name}`, ...options].join(' ');
}

function canonicalTarget(t: TargetSpec): string {
  const head = `${t.goto ? '-g' : '-j'} ${t.name}`;
  let options: string[];
  switch (t.name) {
    case 'MARK': {
      if (t.options.length !== 1) return [head, ...t.options.map((o) => opt(o)).sort()].join(' ');
      const o = t.options[0]!;
      const a = markAction(o.name, o.values[0] ?? '');
      return `${head} --set-xmark ${hex(a.value)}/${hex(a.mask)}`;
    }
    case 'DNAT': case 'SNAT':
      options = t.options.map((o) =>
        o.name === '--to-destination' || o.name === '--to-source' || o.name === '--to'
          ? opt({ ...o, name: t.name === 'DNAT' ? '--to-destination' : '--to-source' }, o.values.map((v) => formatNatTarget(parseNatTarget(v))))
          : opt(o));
      break;
    case 'REJECT':
      options = t.options.filter((o) => !(o.name === '--reject-with' && DEFAULT_REJECT.has(o.values[0] ?? ''))).map((o) => opt(o));
      break;
    default:
      options = t.options.map((o) => opt(o));
  }
  return [head, ...options.sort()].join(' ');
}

function canonicalSelector(o: RuleOption): string | null {
  const v = o.values[0] ?? '';
  switch (o.name) {
    case '-s': case '-d':
      return opt(o, [formatAddress(parseAddress(v))]);
    case '-p': {
      const p = canonicalProtocol(v);
      return p === undefined && !o.negated ? null : opt(o, [p ?? 'all']);
    }
    default:
      return opt(o);
  }
}

const SELECTOR_ORDER = ['-s', '-d', '-i', '-o', '-p', '-f'];

/**
 * The canonical text of a rule's arguments (without `-A CHAIN`). Throws ValueError on a value
 * that does not parse (the dump is then unreadable).
 */
export function canonicalRule(spec: RuleSpec): string {
  const selectors = [...spec.selectors]
    .sort((a, b) => SELECTOR_ORDER.indexOf(a.name) - SELECTOR_ORDER.indexOf(b.name))
    .map(canonicalSelector)
    .filter((s): s is string => s !== null);
  const matches = spec.matches.map(canonicalMatch).filter((s): s is string => s !== null).sort();
  const parts = [...selectors, ...matches];
  if (spec.target) parts.push(canonicalTarget(spec.target));
  return parts.join(' ');
}

export { ValueError };
