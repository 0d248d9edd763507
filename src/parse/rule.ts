/**
 * Rule arguments → RuleSpec. iptables attaches an option to the match that understands it,
 * which is not always the last `-m`: kube-proxy writes `-m tcp -p tcp -d X --dport 80`, where
 * `--dport` follows `-d` but belongs to `tcp`, and `-p tcp --dport 80` loads `tcp` implicitly.
 * So options are attached using a table of the options each common match takes; options of
 * matches not in the table go to the most recent `-m` that is not in it either.
 */
import type { MatchSpec, RuleOption, RuleSpec, TargetSpec, Token } from './types.js';

export class RuleParseError extends Error {
  override readonly name = 'RuleParseError';
}

/** Built-in selectors under their short names. */
const SELECTORS: Record<string, string> = {
  '-s': '-s', '--source': '-s', '--src': '-s',
  '-d': '-d', '--destination': '-d', '--dst': '-d',
  '-p': '-p', '--protocol': '-p',
  '-i': '-i', '--in-interface': '-i',
  '-o': '-o', '--out-interface': '-o',
};

const PROTOCOL_OPTIONS = ['--dport', '--destination-port', '--sport', '--source-port'];

/** The options of the matches kube-proxy (and the usual neighbours on a node) use. */
export const MATCH_OPTIONS: Record<string, readonly string[]> = {
  tcp: [...PROTOCOL_OPTIONS, '--tcp-flags', '--syn', '--tcp-option'],
  udp: PROTOCOL_OPTIONS,
  sctp: [...PROTOCOL_OPTIONS, '--chunk-types'],
  comment: ['--comment'],
  mark: ['--mark'],
  connmark: ['--mark'],
  addrtype: ['--src-type', '--dst-type', '--limit-iface-in', '--limit-iface-out'],
  conntrack: ['--ctstate', '--ctproto', '--ctorigsrc', '--ctorigdst', '--ctreplsrc', '--ctrepldst', '--ctorigsrcport',
    '--ctorigdstport', '--ctreplsrcport', '--ctrepldstport', '--ctstatus', '--ctexpire', '--ctdir'],
  state: ['--state'],
  statistic: ['--mode', '--probability', '--every', '--packet'],
  recent: ['--name', '--set', '--rcheck', '--update', '--remove', '--seconds', '--reap', '--hitcount', '--rttl',
    '--mask', '--rsource', '--rdest'],
  nfacct: ['--nfacct-name'],
  multiport: ['--dports', '--destination-ports', '--sports', '--source-ports', '--ports'],
  set: ['--match-set', '--return-nomatch', '--update-counters', '--update-subcounters', '--packets-eq',
    '--packets-lt', '--packets-gt', '--bytes-eq', '--bytes-lt', '--bytes-gt'],
  physdev: ['--physdev-in', '--physdev-out', '--physdev-is-in', '--physdev-is-out', '--physdev-is-bridged'],
  icmp: ['--icmp-type'],
  icmp6: ['--icmpv6-type'],
};

function isOption(t: Token): boolean {
  return !t.quoted && t.text.startsWith('-') && t.text.length > 1;
}

function isBang(t: Token | undefined): boolean {
  return t !== undefined && !t.quoted && t.text === '!';
}

/** Parse the words after `-A CHAIN`. */
export function parseRuleArgs(tokens: readonly Token[]): RuleSpec {
  const spec: RuleSpec = { selectors: [], matches: [], target: null };
  let target: TargetSpec | null = null;
  let protocol: string | undefined;
  let negate = false;
  let i = 0;

  const takeValues = (): { values: string[]; negated: boolean } => {
    const values: string[] = [];
    let negated = false;
    while (i < tokens.length) {
      const t = tokens[i]!;
      if (isBang(t)) {
        // Old-style `--mark ! 0x1`: the `!` between option and value.
        if (values.length === 0) {
          negated = true;
          i++;
          continue;
        }
        break;
      }
      if (isOption(t)) break;
      values.push(t.text);
      i++;
    }
    return { values, negated };
  };

  while (i < tokens.length) {
    const t = tokens[i]!;
    if (isBang(t)) {
      negate = true;
      i++;
      continue;
    }
    if (!isOption(t)) throw new RuleParseError(`unexpected word ${JSON.stringify(t.text)}`);
    const name = t.text;
    i++;
    const selector = SELECTORS[name];
    if (selector !== undefined) {
      const { values, negated } = takeValues();
      if (values.length !== 1) throw new RuleParseError(`${name} needs one value`);
      spec.selectors.push({ name: selector, negated: negate || negated, values });
      if (selector === '-p') protocol = values[0]!.toLowerCase();
      negate = false;
      continue;
    }
    if (name === '-f' || name === '--fragment') {
      spec.selectors.push({ name: '-f', negated: negate, values: [] });
      negate = false;
      continue;
    }
    if (name === '-m' || name === '--match') {
      const v = tokens[i];
      if (v === undefined || isOption(v)) throw new RuleParseError(`${name} needs a module name`);
      i++;
      spec.matches.push({ name: v.text.toLowerCase(), implicit: false, options: [] });
      negate = false;
      continue;
    }
    if (name === '-j' || name === '--jump' || name === '-g' || name === '--goto') {
      const v = tokens[i];
      if (v === undefined || isOption(v)) throw new RuleParseError(`${name} needs a target`);
      i++;
      if (target) throw new RuleParseError('more than one target');
      target = { name: v.text, goto: name === '-g' || name === '--goto', options: [] };
      negate = false;
      continue;
    }
    const { values, negated } = takeValues();
    const option: RuleOption = { name, negated: negate || negated, values };
    negate = false;
    const owner = target ?? ownerMatch(spec.matches, name, protocol);
    if (!owner) throw new RuleParseError(`option ${name} belongs to no match`);
    owner.options.push(option);
  }
  if (negate) throw new RuleParseError('"!" at the end of the rule');
  spec.target = target;
  return spec;
}

/** The match an option belongs to, loading the protocol's match implicitly if needed. */
function ownerMatch(matches: MatchSpec[], option: string, protocol: string | undefined): MatchSpec | undefined {
  for (let j = matches.length - 1; j >= 0; j--) {
    if (MATCH_OPTIONS[matches[j]!.name]?.includes(option)) return matches[j];
  }
  if (protocol !== undefined && MATCH_OPTIONS[protocol]?.includes(option)) {
    const m: MatchSpec = { name: protocol, implicit: true, options: [] };
    matches.push(m);
    return m;
  }
  for (let j = matches.length - 1; j >= 0; j--) {
    if (MATCH_OPTIONS[matches[j]!.name] === undefined) return matches[j];
  }
  return undefined;
}
