/**
 * One rule, from the tokens kube-proxy writes to what iptables-save prints after the kernel
 * has loaded it. iptables parses a rule into three parts and prints them in a fixed order,
 * whatever order they were written in:
 *
 *   1. the IP header fields: `-s`, `-d`, `-i`, `-o`, `-p` (in that order), addresses masked and
 *      with their prefix length (`-d 10.96.0.1` → `-d 10.96.0.1/32`, `-s 0.0.0.0/0` dropped);
 *   2. the matches, in the order their `-m` appeared, each with its own options in the order
 *      its extension prints them (an option belongs to the match that defines it, wherever it
 *      sits: in `-m tcp -p tcp -d X --dport 80`, `--dport` belongs to `-m tcp`);
 *   3. the target and its options, in the form the kernel stores (`--or-mark` → `--set-xmark`).
 *
 * Only the vocabulary kube-proxy writes is known here. Anything else is a kp-gen bug (the
 * planner wrote a token this emitter cannot render), reported as an InternalError rather than
 * guessed at.
 */
import { InternalError } from '../errors.js';
import type { IPFamily } from '../model/ip.js';
import { inetNtop } from '../iptables/inet-ntop.js';
import { parseFamilyIP, parseHostOrNetwork as parseAddress } from '../iptables/values.js';

function parseHostOrNetwork(text: string, family: IPFamily): { address: string; prefix: number } | null {
  try {
    const a = parseAddress(text, family);
    return { address: inetNtop(a.ip), prefix: a.prefix };
  } catch {
    return null;
  }
}
import {
  parseMark,
  parseMarkMask,
  saveString,
  savedCtstate,
  savedMarkMatch,
  savedMarkTarget,
  savedProbability,
  unquote,
} from './save-values.js';

interface Option {
  values: string[];
  invert: boolean;
}

type Options = Map<string, Option>;

interface Extension {
  /** Each option this extension takes, with the number of values after it. */
  options: Record<string, number>;
  /** The options that may follow a `!`. */
  invertible?: string[];
  /** The extension's options as iptables-save prints them, each part starting with a space. */
  save(opts: Options, family: IPFamily): string;
}

function bad(what: string): never {
  throw new InternalError(`--format save cannot render ${what}`);
}

function value(opts: Options, name: string): string | undefined {
  return opts.get(name)?.values[0];
}

function not(opts: Options, name: string): string {
  return opts.get(name)?.invert ? ' !' : '';
}

function port(text: string): string {
  if (!/^[0-9]{1,5}$/.test(text) || Number(text) > 65535) bad(`port ${JSON.stringify(text)}`);
  return String(Number(text));
}

/** libxt_tcp/udp/sctp: `--sport` then `--dport`, numeric. */
const portMatch: Extension = {
  options: { '--sport': 1, '--dport': 1 },
  invertible: ['--sport', '--dport'],
  save(opts) {
    let s = '';
    for (const name of ['--sport', '--dport']) {
      const v = value(opts, name);
      if (v !== undefined) s += `${not(opts, name)} ${name} ${port(v)}`;
    }
    return s;
  },
};

const ADDRTYPES = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];

const MATCHES: Record<string, Extension> = {
  comment: {
    options: { '--comment': 1 },
    save: (opts) => ` --comment ${saveString(unquote(value(opts, '--comment') ?? ''))}`,
  },
  tcp: portMatch,
  udp: portMatch,
  sctp: portMatch,
  addrtype: {
    options: { '--src-type': 1, '--dst-type': 1 },
    invertible: ['--src-type', '--dst-type'],
    save(opts) {
      let s = '';
      for (const name of ['--src-type', '--dst-type']) {
        const v = value(opts, name);
        if (v === undefined) continue;
        if (!ADDRTYPES.includes(v)) bad(`address type ${JSON.stringify(v)}`);
        s += `${not(opts, name)} ${name} ${v}`;
      }
      return s;
    },
  },
  // libxt_nfacct prints " --nfacct-name " and then the name through xtables_save_string,
  // which adds its own leading space: hence two spaces.
  nfacct: {
    options: { '--nfacct-name': 1 },
    save: (opts) => ` --nfacct-name  ${saveString(value(opts, '--nfacct-name') ?? '')}`,
  },
  conntrack: {
    options: { '--ctstate': 1 },
    invertible: ['--ctstate'],
    save(opts) {
      const v = value(opts, '--ctstate');
      if (v === undefined) return '';
      const states = savedCtstate(v) ?? bad(`--ctstate ${JSON.stringify(v)}`);
      return `${not(opts, '--ctstate')} --ctstate ${states}`;
    },
  },
  mark: {
    options: { '--mark': 1 },
    invertible: ['--mark'],
    save(opts) {
      const v = value(opts, '--mark');
      return v === undefined ? '' : `${not(opts, '--mark')} --mark ${savedMarkMatch(parseMarkMask(v))}`;
    },
  },
  statistic: {
    options: { '--mode': 1, '--probability': 1 },
    save(opts) {
      if (value(opts, '--mode') !== 'random') bad('a statistic match other than --mode random');
      return ` --mode random --probability ${savedProbability(value(opts, '--probability') ?? bad('--mode random without --probability'))}`;
    },
  },
  // libxt_recent prints the command, --seconds, --reap, then --name and the defaults the
  // kernel filled in: the full address mask and --rsource.
  recent: {
    options: { '--name': 1, '--set': 0, '--rcheck': 0, '--seconds': 1, '--reap': 0 },
    save(opts, family) {
      const command = ['--set', '--rcheck'].filter((c) => opts.has(c));
      if (command.length !== 1) bad('a recent match without exactly one of --set, --rcheck');
      let s = ` ${command[0]}`;
      const seconds = value(opts, '--seconds');
      if (seconds !== undefined) {
        if (!/^[0-9]+$/.test(seconds)) bad(`--seconds ${JSON.stringify(seconds)}`);
        s += ` --seconds ${Number(seconds)}`;
      }
      if (opts.has('--reap')) s += ' --reap';
      const mask = family === 4 ? '255.255.255.255' : 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';
      return `${s} --name ${value(opts, '--name') ?? 'DEFAULT'} --mask ${mask} --rsource`;
    },
  },
};

const TARGETS: Record<string, Extension> = {
  MARK: {
    options: { '--or-mark': 1, '--xor-mark': 1 },
    save(opts) {
      const ops = (['--or-mark', '--xor-mark'] as const).filter((o) => opts.has(o));
      if (ops.length !== 1) bad('a MARK target without exactly one of --or-mark, --xor-mark');
      const op = ops[0]!;
      return ` --set-xmark ${savedMarkTarget(op, parseMark(value(opts, op)!))}`;
    },
  },
  MASQUERADE: {
    options: { '--random-fully': 0 },
    save: (opts) => (opts.has('--random-fully') ? ' --random-fully' : ''),
  },
  DNAT: {
    options: { '--to-destination': 1 },
    save(opts, family) {
      const v = value(opts, '--to-destination') ?? bad('DNAT without --to-destination');
      const m = family === 4 ? /^([0-9.]+):([0-9]+)$/.exec(v) : /^\[([0-9a-fA-F:.]+)\]:([0-9]+)$/.exec(v);
      const ip = m ? parseFamilyIP(m[1]!, family) : null;
      if (!m || !ip) bad(`--to-destination ${JSON.stringify(v)}`);
      const host = inetNtop(ip);
      return ` --to-destination ${family === 4 ? host : `[${host}]`}:${port(m[2]!)}`;
    },
  },
  // The kernel fills in the default reject type, and iptables-save prints it.
  REJECT: {
    options: {},
    save: (_opts, family) => ` --reject-with ${family === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable'}`,
  },
};

/** Targets without options besides jumps to the table's chains. */
const VERDICTS = new Set(['ACCEPT', 'DROP', 'RETURN']);

interface Module {
  name: string;
  ext: Extension | undefined;
  opts: Options;
}

interface HeaderField {
  value: string;
  invert: boolean;
}

const HEADER_FLAGS = ['-s', '-d', '-i', '-o', '-p'] as const;
type HeaderFlag = (typeof HEADER_FLAGS)[number];

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

/**
 * A restore-form rule (the tokens after `-A CHAIN`) → the same rule as iptables-save prints it.
 * `chains` are the chains of the rule's table, the targets a rule may jump to.
 */
export function saveRule(args: readonly string[], family: IPFamily, chains: ReadonlySet<string>): string {
  const header = new Map<HeaderFlag, HeaderField>();
  const matches: Module[] = [];
  let target: Module | undefined;
  let invert = false;
  const take = (i: number, what: string): string => args[i] ?? bad(`${what} without a value`);

  for (let i = 0; i < args.length; i++) {
    const t = args[i]!;
    if (t === '!') {
      if (invert) bad('a double "!"');
      invert = true;
      continue;
    }
    if ((HEADER_FLAGS as readonly string[]).includes(t)) {
      if (header.has(t as HeaderFlag)) bad(`${t} given twice`);
      header.set(t as HeaderFlag, { value: take(++i, t), invert });
    } else if (t === '-m') {
      const name = take(++i, '-m');
      matches.push({ name, ext: MATCHES[name] ?? bad(`match -m ${name}`), opts: new Map() });
    } else if (t === '-j') {
      if (target) bad('two targets');
      const name = take(++i, '-j');
      const ext = TARGETS[name];
      if (!ext && !VERDICTS.has(name) && !chains.has(name)) bad(`target -j ${name}`);
      target = { name, ext, opts: new Map() };
    } else if (t.startsWith('--')) {
      // The target's options first, then the most recent match defining the option.
      const owners = [...(target ? [target] : []), ...[...matches].reverse()];
      const owner = owners.find((m) => m.ext && t in m.ext.options) ?? bad(`option ${t} (no match or target takes it)`);
      const arity = owner.ext!.options[t]!;
      const values: string[] = [];
      for (let k = 0; k < arity; k++) values.push(take(++i, t));
      if (owner.opts.has(t)) bad(`${t} given twice`);
      if (invert && !owner.ext!.invertible?.includes(t)) bad(`"! ${t}"`);
      owner.opts.set(t, { values, invert });
    } else {
      bad(`token ${JSON.stringify(t)}`);
    }
    invert = false;
  }
  if (invert) bad('a trailing "!"');

  let s = '';
  for (const flag of HEADER_FLAGS) {
    const f = header.get(flag);
    if (!f) continue;
    const neg = f.invert ? ' !' : '';
    if (flag === '-s' || flag === '-d') {
      const a = parseHostOrNetwork(f.value, family) ?? bad(`address ${flag} ${f.value}`);
      // A zero-length prefix matches everything; iptables-save omits it. (Negated, legacy keeps
      // it and nft refuses to load the rule; kube-proxy never writes that.)
      if (a.prefix === 0 && !f.invert) continue;
      s += `${neg} ${flag} ${a.address}/${a.prefix}`;
    } else if (flag === '-p') {
      if (!PROTOCOLS.has(f.value)) bad(`protocol -p ${f.value}`);
      s += `${neg} -p ${f.value}`;
    } else {
      if (!/^[A-Za-z0-9_.:@-]+\+?$/.test(f.value) || f.value.length > 15) bad(`interface ${flag} ${f.value}`);
      s += `${neg} ${flag} ${f.value}`;
    }
  }
  for (const m of matches) s += ` -m ${m.name}${m.ext!.save(m.opts, family)}`;
  if (target) s += ` -j ${target.name}${target.ext ? target.ext.save(target.opts, family) : ''}`;
  return s.slice(1);
}
