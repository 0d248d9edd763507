/**
 * THE rule language kp-gen speaks: every match module and target, each option with its arity,
 * whether it may follow `!`, the other spellings iptables accepts, how the kernel stores its
 * value and how iptables-save prints it, and the order iptables-save prints a module's options
 * in (the order they are listed here). The restore and save printers, the reader, the compare
 * key and the tracer all look words up here; nothing else in kp-gen knows iptables syntax.
 *
 * Two kinds of entries:
 *  - kube-proxy's words (every release's): printed in both forms, read, compared, traced, and
 *    checked against the real iptables-save one by one (test/vocabulary.test.ts);
 *  - `readOnly` words: what a node's dump holds besides kube-proxy's rules (Docker, a CNI, the
 *    distribution). kp-gen only reads them: enough to attach each option to its match and take
 *    the right number of values; `--format save` refuses them, as kp-gen never writes them.
 * An option of a module not listed here is read with all the words up to the next option.
 */
import type { IPFamily } from '../model/ip.js';
import type { OptionArg } from './rule.js';
import {
  defaultRecentMask,
  defaultRejectType,
  formatHostOrNetwork,
  formatMarkMatch,
  formatNatRange,
  formatPortRange,
  formatProbabilityUnits,
  formatRecentMask,
  hex,
  markAction,
  parseAddressTypes,
  parseCount,
  parseCtStates,
  parseHostOrNetwork,
  parseMarkMask,
  parseNatRange,
  parsePortRange,
  parseRejectType,
  probabilityUnits,
  saveString,
  type MarkOperation,
} from './values.js';

export interface OptionSpec {
  /** How many words follow the option. */
  arity: number;
  /** May be preceded by `!`. */
  invertible?: boolean;
  /** Other spellings iptables reads as this option; the reader writes the main name. */
  aliases?: readonly string[];
  /** Only read from dumps; kp-gen never writes it. */
  readOnly?: boolean;
  /**
   * The value as iptables-save prints it back once the kernel holds it (the family decides how
   * addresses are read and printed). Throws ValueError for a value iptables would refuse.
   * Without it the value is printed as written.
   */
  save?: (value: string, family: IPFamily) => string;
  /** The value the kernel assumes when the option is absent, which iptables-save prints. */
  default?: (family: IPFamily) => string | undefined;
}

export interface ModuleSpec {
  /** Options in the order iptables-save prints them. */
  options: Readonly<Record<string, OptionSpec>>;
  /** Only read from dumps; kp-gen never writes it. */
  readOnly?: boolean;
  /**
   * The options as the kernel stores them, when that is not option by option (MARK keeps one
   * xor-and-mask pair whatever operation was written).
   */
  stored?: (options: readonly OptionArg[]) => OptionArg[];
}

const port: OptionSpec = { arity: 1, invertible: true, save: (v) => formatPortRange(parsePortRange(v)) };

/** libxt_tcp, libxt_udp, libxt_sctp: source port, then destination port. */
function portModule(extra: Record<string, OptionSpec>): ModuleSpec {
  return {
    options: {
      '--sport': { ...port, aliases: ['--source-port'], readOnly: true },
      '--dport': { ...port, aliases: ['--destination-port'] },
      ...extra,
    },
  };
}

const addressType: OptionSpec = { arity: 1, invertible: true, save: (v) => parseAddressTypes(v).join(',') };
const readOnly = (arity: number, invertible = false): OptionSpec => ({ arity, invertible, readOnly: true });

/** The match modules, by `-m` name. */
export const MATCHES: Readonly<Record<string, ModuleSpec>> = {
  comment: { options: { '--comment': { arity: 1, save: (v) => saveString(v) } } },
  tcp: portModule({ '--tcp-flags': readOnly(2, true), '--syn': readOnly(0, true), '--tcp-option': readOnly(1, true) }),
  udp: portModule({}),
  sctp: portModule({ '--chunk-types': readOnly(2, true) }),
  addrtype: {
    options: {
      '--src-type': addressType,
      '--dst-type': addressType,
      '--limit-iface-in': readOnly(0),
      '--limit-iface-out': readOnly(0),
    },
  },
  // libxt_nfacct prints " --nfacct-name " and then xtables_save_string's own leading space.
  nfacct: { options: { '--nfacct-name': { arity: 1, save: (v) => ` ${saveString(v)}` } } },
  conntrack: {
    options: {
      '--ctstate': { arity: 1, invertible: true, save: (v) => parseCtStates(v).join(',') },
      '--ctproto': readOnly(1, true),
      '--ctorigsrc': readOnly(1, true),
      '--ctorigdst': readOnly(1, true),
      '--ctreplsrc': readOnly(1, true),
      '--ctrepldst': readOnly(1, true),
      '--ctorigsrcport': readOnly(1, true),
      '--ctorigdstport': readOnly(1, true),
      '--ctreplsrcport': readOnly(1, true),
      '--ctrepldstport': readOnly(1, true),
      '--ctstatus': readOnly(1, true),
      '--ctexpire': readOnly(1, true),
      '--ctdir': readOnly(1),
    },
  },
  mark: { options: { '--mark': { arity: 1, invertible: true, save: (v) => formatMarkMatch(parseMarkMask(v)) } } },
  statistic: {
    options: {
      '--mode': { arity: 1 },
      '--probability': { arity: 1, invertible: true, save: (v) => formatProbabilityUnits(probabilityUnits(v)) },
      '--every': readOnly(1, true),
      '--packet': readOnly(1),
    },
  },
  // libxt_recent prints its command (with the match's `!` before it), --seconds, --reap,
  // --hitcount, --rttl, then the name, mask and side, filling in the kernel's defaults.
  recent: {
    options: {
      '--set': { arity: 0, invertible: true },
      '--rcheck': { arity: 0, invertible: true },
      '--update': readOnly(0, true),
      '--remove': readOnly(0, true),
      '--seconds': { arity: 1, save: (v) => String(parseCount(v)) },
      '--reap': { arity: 0 },
      '--hitcount': readOnly(1),
      '--rttl': readOnly(0),
      '--name': { arity: 1, default: () => 'DEFAULT' },
      '--mask': { arity: 1, save: formatRecentMask, default: defaultRecentMask },
      // The side: --rsource unless --rdest (default() below is asked only when neither is given).
      '--rsource': { arity: 0, default: () => '' },
      '--rdest': readOnly(0),
    },
  },
  // Read from nodes' dumps only.
  state: { readOnly: true, options: { '--state': readOnly(1, true) } },
  multiport: {
    readOnly: true,
    options: {
      '--sports': { ...readOnly(1, true), aliases: ['--source-ports'] },
      '--dports': { ...readOnly(1, true), aliases: ['--destination-ports'] },
      '--ports': readOnly(1, true),
    },
  },
  set: {
    readOnly: true,
    options: {
      '--match-set': readOnly(2, true),
      '--return-nomatch': readOnly(0),
      '--update-counters': readOnly(0, true),
      '--update-subcounters': readOnly(0, true),
      '--packets-eq': readOnly(1, true),
      '--packets-lt': readOnly(1),
      '--packets-gt': readOnly(1),
      '--bytes-eq': readOnly(1, true),
      '--bytes-lt': readOnly(1),
      '--bytes-gt': readOnly(1),
    },
  },
  // kube-proxy before 1.19 (or so): an external IP's "not bridged in" rule, `! --physdev-is-in`.
  physdev: {
    options: {
      '--physdev-in': readOnly(1, true),
      '--physdev-out': readOnly(1, true),
      '--physdev-is-in': { arity: 0, invertible: true },
      '--physdev-is-out': readOnly(0, true),
      '--physdev-is-bridged': readOnly(0, true),
    },
  },
  icmp: { readOnly: true, options: { '--icmp-type': readOnly(1, true) } },
  icmp6: { readOnly: true, options: { '--icmpv6-type': readOnly(1, true) } },
  connmark: { readOnly: true, options: { '--mark': readOnly(1, true) } },
  limit: { readOnly: true, options: { '--limit': readOnly(1), '--limit-burst': readOnly(1) } },
};

const markOperation: OptionSpec = { arity: 1 };

/** The targets with options or fixed meanings, by `-j` name; any other name is a chain. */
export const TARGETS: Readonly<Record<string, ModuleSpec>> = {
  ACCEPT: { options: {} },
  DROP: { options: {} },
  RETURN: { options: {} },
  REJECT: {
    options: { '--reject-with': { arity: 1, save: parseRejectType, default: defaultRejectType } },
  },
  MARK: {
    options: {
      '--set-xmark': markOperation,
      '--set-mark': { ...markOperation, readOnly: true },
      '--and-mark': { ...markOperation, readOnly: true },
      '--or-mark': markOperation,
      '--xor-mark': markOperation,
    },
    stored(options) {
      if (options.length !== 1) bad('a MARK target without exactly one operation');
      const o = options[0]!;
      const m = markAction(o.name as MarkOperation, o.values[0]!);
      return [{ kind: 'option', name: '--set-xmark', values: [`${hex(m.value)}/${hex(m.mask)}`], negated: false }];
    },
  },
  MASQUERADE: {
    options: { '--to-ports': readOnly(1), '--random': readOnly(0), '--random-fully': { arity: 0 } },
  },
  DNAT: {
    options: {
      '--to-destination': { arity: 1, save: (v, family) => formatNatRange(parseNatRange(v, family)) },
      '--random': readOnly(0),
      '--persistent': readOnly(0),
    },
  },
  SNAT: {
    readOnly: true,
    options: { '--to-source': readOnly(1), '--random': readOnly(0), '--random-fully': readOnly(0), '--persistent': readOnly(0) },
  },
  LOG: {
    readOnly: true,
    options: { '--log-prefix': readOnly(1), '--log-level': { ...readOnly(1), default: () => '4' }, '--log-tcp-sequence': readOnly(0), '--log-tcp-options': readOnly(0), '--log-ip-options': readOnly(0), '--log-uid': readOnly(0) },
  },
};

/** Header fields: the short name of each spelling, and the order iptables-save prints them in. */
export const HEADER_ALIASES: Readonly<Record<string, string>> = {
  '-s': '-s', '--source': '-s', '--src': '-s',
  '-d': '-d', '--destination': '-d', '--dst': '-d',
  '-i': '-i', '--in-interface': '-i',
  '-o': '-o', '--out-interface': '-o',
  '-p': '-p', '--protocol': '-p',
  '-f': '-f', '--fragment': '-f',
};
export const HEADER_SAVE_ORDER = ['-s', '-d', '-i', '-o', '-p', '-f'] as const;

/** The protocols kp-gen writes `-p` for; the protocol's own match module is loaded implicitly. */
export const PROTOCOLS: ReadonlySet<string> = new Set(['tcp', 'udp', 'sctp']);

/** An address as iptables-save prints a `-s`/`-d` value. */
export function saveAddress(value: string, family: IPFamily): string {
  return formatHostOrNetwork(parseHostOrNetwork(value, family));
}

/** The option of `module` called `name` (or one of its aliases), with its main name. */
export function lookupOption(module: ModuleSpec, name: string): { name: string; spec: OptionSpec } | undefined {
  const spec = module.options[name];
  if (spec) return { name, spec };
  for (const [main, s] of Object.entries(module.options)) {
    if (s.aliases?.includes(name)) return { name: main, spec: s };
  }
  return undefined;
}

/** A word kp-gen cannot print in the save form: the planner wrote something outside the vocabulary. */
export class VocabularyError extends Error {
  override readonly name = 'VocabularyError';
}

function bad(what: string): never {
  throw new VocabularyError(`${what} is not in kp-gen's rule vocabulary`);
}
