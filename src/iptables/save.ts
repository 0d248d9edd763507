/**
 * The save form: a rule as iptables-save prints it after the kernel has loaded it. iptables
 * keeps a rule in three parts and prints them in a fixed order, whatever order they were
 * written in:
 *   1. the header fields `-s -d -i -o -p`, addresses masked and with their prefix length
 *      (`-d 10.96.0.1` → `-d 10.96.0.1/32`; a non-negated `/0` is not printed);
 *   2. the matches in `-m` order (a protocol's implicit match as `-m tcp`), each with its
 *      options in its own order, values as the kernel stores them, defaults filled in;
 *   3. the target and its options, in the form the kernel stores (`--or-mark` → `--set-xmark`).
 * Only kp-gen's vocabulary (vocabulary.ts) can be printed; a word outside it is a VocabularyError
 * (the planner wrote something kp-gen cannot vouch for).
 */
import type { IPFamily } from '../model/ip.js';
import type { OptionArg, Rule } from './rule.js';
import { shapeOf, type RuleShape } from './shape.js';
import { ValueError } from './values.js';
import { HEADER_SAVE_ORDER, MATCHES, PROTOCOLS, TARGETS, VocabularyError, saveAddress, type ModuleSpec, type OptionSpec } from './vocabulary.js';

function bad(what: string): never {
  throw new VocabularyError(`--format save cannot print ${what}`);
}

/** An interface name as the kernel allows it (IFNAMSIZ), `+` for a prefix. */
const INTERFACE = /^[A-Za-z0-9_.:@-]{1,15}\+?$/;

/**
 * The vocabulary's matches and targets by name, as maps: a rule read from a dump names them
 * with strings of its own, which an object's property lookup would first look up in V8's
 * table of names (most targets are chains, not in the vocabulary at all); a map hashes the
 * string once, and the chains' set then reuses that hash.
 */
const MATCH_SPECS = new Map<string, ModuleSpec>(Object.entries(MATCHES));
const TARGET_SPECS = new Map<string, ModuleSpec>(Object.entries(TARGETS));

/** A module's options in its print order, listed once per module (diff writes 400k rules in this form). */
const optionOrder = new Map<ModuleSpec, [string, OptionSpec][]>();

function orderedOptions(spec: ModuleSpec): [string, OptionSpec][] {
  let list = optionOrder.get(spec);
  if (!list) optionOrder.set(spec, (list = Object.entries(spec.options)));
  return list;
}

/** The option of `options` called `name` (a rule gives a module one to three options: a scan beats a map). */
function optionNamed(options: readonly OptionArg[], name: string): OptionArg | undefined {
  for (const o of options) if (o.name === name) return o;
  return undefined;
}

/** The options of one match or target as iptables-save prints them, each part after a space. */
function saveOptions(flag: '-m' | '-j', module: string, spec: ModuleSpec, written: readonly OptionArg[], family: IPFamily): string {
  const what = (): string => `${flag} ${module}`;
  for (const o of written) if (spec.options[o.name]?.readOnly) bad(`${what()} ${o.name}`);
  const options = spec.stored ? spec.stored(written) : written;
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    const s = spec.options[o.name];
    if (!s || s.readOnly) bad(`${what()} ${o.name}`);
    for (let j = 0; j < i; j++) if (options[j]!.name === o.name) bad(`${what()} with ${o.name} twice`);
    if (o.negated && !s.invertible) bad(`${what()} ! ${o.name}`);
  }
  let out = '';
  for (const [name, s] of orderedOptions(spec)) {
    const o = optionNamed(options, name);
    if (o) {
      out += o.negated ? ' ! ' + name : ' ' + name;
      for (const v of o.values) out += ' ' + (s.save ? s.save(v, family) : v);
      continue;
    }
    // The side of `recent` is only filled in when neither side was written.
    if (name === '--rsource' && optionNamed(options, '--rdest')) continue;
    const d = s.default?.(family);
    if (d !== undefined) out += d === '' ? ` ${name}` : ` ${name} ${d}`;
  }
  return out;
}

/**
 * The text after `-A CHAIN ` as iptables-save prints `rule` in a table of `family` whose
 * chains are `chains` (the names a rule may jump to). Throws VocabularyError for words outside
 * kp-gen's vocabulary, ValueError for a value iptables would refuse.
 */
export function saveText(rule: Rule, family: IPFamily, chains: ReadonlySet<string>): string {
  return saveTextOfShape(shapeOf(rule), family, chains);
}

/** saveText of a rule already shaped (shape.ts), as a dump's reader gives it. */
export function saveTextOfShape(shape: RuleShape, family: IPFamily, chains: ReadonlySet<string>): string {
  let s = '';
  const header = shape.header;
  for (const flag of HEADER_SAVE_ORDER) {
    let f;
    for (const h of header) {
      if (h.flag !== flag) continue;
      if (f) bad(`${flag} given twice`);
      f = h;
    }
    if (!f) continue;
    const neg = f.negated ? ' !' : '';
    if (flag === '-s' || flag === '-d') {
      const a = saveAddress(f.value, family);
      if (a.endsWith('/0') && !f.negated) continue;
      s += `${neg} ${flag} ${a}`;
    } else if (flag === '-p') {
      if (!PROTOCOLS.has(f.value)) bad(`protocol -p ${f.value}`);
      s += `${neg} -p ${f.value}`;
    } else if (flag === '-i' || flag === '-o') {
      if (!INTERFACE.test(f.value)) throw new ValueError(`${JSON.stringify(f.value)} is not an interface name`);
      s += `${neg} ${flag} ${f.value}`;
    } else {
      bad('-f');
    }
  }
  for (const m of shape.matches) {
    const spec = MATCH_SPECS.get(m.module);
    if (!spec || spec.readOnly) bad(`match -m ${m.module}`);
    s += ` -m ${m.module}${saveOptions('-m', m.module, spec, m.options, family)}`;
  }
  const t = shape.target;
  if (t) {
    if (t.goto) bad(`-g ${t.name}`);
    const spec = TARGET_SPECS.get(t.name);
    if (spec) {
      if (spec.readOnly) bad(`target -j ${t.name}`);
      s += ` -j ${t.name}${saveOptions('-j', t.name, spec, t.options, family)}`;
    } else {
      if (!chains.has(t.name) || t.options.length > 0) bad(`target -j ${t.name}`);
      s += ` -j ${t.name}`;
    }
  }
  return s.slice(1);
}
