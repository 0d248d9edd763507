/**
 * The compare key of a rule: one text per meaning, so that two rules get the same key exactly
 * when the kernel would hold the same rule. It is the save form (save.ts) made independent of
 * what iptables-save leaves to the writer's order and of the family's defaults:
 *  - header fields in save order, addresses masked (`10.0.0.1` = `10.0.0.1/32`, IPv6 spelling,
 *    dotted masks), `-p 6` = `-p tcp`, `-p all` and a non-negated `/0` left out;
 *  - matches sorted (a rule's matches are a conjunction), each with its options in the
 *    vocabulary's order and values as the kernel stores them (marks, probabilities in 2³¹
 *    units, ctstate and address-type lists, ports); `-m tcp` without options left out;
 *  - the MARK operations as `--set-xmark VALUE/MASK`;
 *  - the defaults iptables-save prints left out (`recent --name DEFAULT --mask <all ones>
 *    --rsource`, REJECT's port-unreachable) whichever family the dump is of.
 * Comments are kept: they carry the service port a rule is for. Words outside the vocabulary
 * (a node's other rules) are compared as written, options sorted.
 */
import type { IPFamily } from '../model/ip.js';
import type { OptionArg } from './rule.js';
import { quoteWord } from './restore.js';
import type { RuleShape } from './shape.js';
import { canonicalProtocol, formatHostOrNetwork, hex, parseHostOrNetwork, parseUint32, ValueError } from './values.js';
import { HEADER_SAVE_ORDER, MATCHES, PROTOCOLS, TARGETS, type ModuleSpec, type OptionSpec } from './vocabulary.js';

/** The family a value is written in: IPv6 text has colons (ports come after a `]`). */
function familyOfValue(v: string): IPFamily {
  return v.includes('::') || /^\[|^[0-9a-fA-F]*:[0-9a-fA-F]*:/.test(v) ? 6 : 4;
}

/** The value as stored, read in the family its text is in (or, failing that, the other one). */
function storedValue(s: OptionSpec, v: string): string {
  const family = familyOfValue(v);
  try {
    return s.save!(v, family);
  } catch (e) {
    if (!(e instanceof ValueError)) throw e;
    return s.save!(v, family === 4 ? 6 : 4);
  }
}

function isDefault(spec: OptionSpec, value: string | undefined): boolean {
  if (!spec.default) return false;
  return [4, 6].some((f) => spec.default!(f as IPFamily) === (value ?? ''));
}

function optionText(o: OptionArg, values: readonly string[]): string {
  let s = o.negated ? `! ${o.name}` : o.name;
  for (const v of values) s += ` ${quoteWord(v)}`;
  return s;
}

/** Read-only options whose spellings vary: lists in any order or case, marks in any base. */
function readOnlyValue(name: string, v: string): string {
  switch (name) {
    case '--state':
    case '--ctstatus':
      return [...new Set(v.split(',').map((s) => s.toUpperCase()))].sort().join(',');
    case '--tcp-flags':
      return tcpFlags(v);
    case '--ctproto':
      return canonicalProtocol(v) ?? 'all';
    case '--dports':
    case '--sports':
    case '--ports':
      return v.split(',').map((p) => p.replace(/^0+(?=\d)/, '')).join(',');
    default:
      return v;
  }
}

const TCP_FLAGS = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'];

/** A `--tcp-flags` list in libxt_tcp's print order (ALL and NONE spelled out). */
function tcpFlags(v: string): string {
  const given = new Set(v.toUpperCase().split(','));
  const flags = given.has('ALL') ? TCP_FLAGS : TCP_FLAGS.filter((f) => given.has(f));
  return flags.length === 0 ? 'NONE' : flags.join(',');
}

/** `--syn` is `--tcp-flags FIN,SYN,RST,ACK SYN`, as iptables-save prints it. */
function withoutSyn(options: readonly OptionArg[]): readonly OptionArg[] {
  if (!options.some((o) => o.name === '--syn')) return options;
  return options.map((o) => (o.name === '--syn' ? { ...o, name: '--tcp-flags', values: ['FIN,SYN,RST,ACK', 'SYN'] } : o));
}

/** A module's options in the vocabulary's order, listed once per module (keys are made for 400k rules). */
const optionOrder = new Map<ModuleSpec, [string, OptionSpec][]>();

function orderedOptions(spec: ModuleSpec): [string, OptionSpec][] {
  let list = optionOrder.get(spec);
  if (!list) optionOrder.set(spec, (list = Object.entries(spec.options)));
  return list;
}

function moduleKey(spec: ModuleSpec | undefined, written: readonly OptionArg[], connmark: boolean): string[] {
  if (!spec) return written.map((o) => optionText(o, o.values)).sort();
  const options = spec.stored ? spec.stored(written) : withoutSyn(written);
  const out: string[] = [];
  const rest: string[] = [];
  for (const [name, s] of orderedOptions(spec)) {
    for (const o of options) {
      if (o.name !== name) continue;
      const values = o.values.map((v) => {
        if (connmark) {
          const [m, k] = v.split('/');
          return `${hex(parseUint32(m!))}/${hex(k === undefined ? 0xffffffff : parseUint32(k))}`;
        }
        if (s.readOnly || !s.save) return readOnlyValue(name, v);
        return storedValue(s, v);
      });
      if (!o.negated && isDefault(s, values[0])) continue;
      out.push(optionText(o, values));
    }
  }
  for (const o of options) if (!(o.name in spec.options)) rest.push(optionText(o, o.values));
  return [...out, ...rest.sort()];
}

function headerKey(shape: RuleShape): string[] {
  const out: string[] = [];
  for (const flag of HEADER_SAVE_ORDER) {
    for (const h of shape.header) {
      if (h.flag !== flag) continue;
      const neg = h.negated ? '! ' : '';
      if (flag === '-s' || flag === '-d') {
        const a = parseHostOrNetwork(h.value);
        if (a.prefix === 0 && !h.negated) continue;
        out.push(`${neg}${flag} ${formatHostOrNetwork(a)}`);
      } else if (flag === '-p') {
        const p = canonicalProtocol(h.value);
        if (p === undefined && !h.negated) continue;
        out.push(`${neg}-p ${p ?? 'all'}`);
      } else {
        out.push(flag === '-f' ? `${neg}-f` : `${neg}${flag} ${quoteWord(h.value)}`);
      }
    }
  }
  return out;
}

/** The compare key of a rule's shape. Throws ValueError on a value iptables would refuse. */
export function canonicalKey(shape: RuleShape): string {
  const matches: string[] = [];
  for (const m of shape.matches) {
    const options = moduleKey(MATCHES[m.module], m.options, m.module === 'connmark');
    if (options.length === 0 && PROTOCOLS.has(m.module)) continue;
    matches.push([`-m ${m.module}`, ...options].join(' '));
  }
  const parts = [...headerKey(shape), ...matches.sort()];
  const t = shape.target;
  if (t) parts.push([`${t.goto ? '-g' : '-j'} ${t.name}`, ...moduleKey(TARGETS[t.name], t.options, false)].join(' '));
  return parts.join(' ');
}
