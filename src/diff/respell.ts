/**
 * A dump's rules written in the save form: what `iptables-save` prints for each (iptables/save.ts).
 * Two dumps of the same rules in two spellings, kp-gen's restore text and a node's
 * iptables-save output, share no written rule, and reading and keying every rule of both
 * (canonical.ts) cost diff more than twice generation on a 10k-Service cluster. Written in
 * the other side's form, the rules are the same text again where they are the same rule (the
 * save printer writes what the kernel holds, checked against iptables-save by
 * test/save-roundtrip.test.ts), so diff matches them by their words, reads them on one side
 * only, and keys only the rules that still differ.
 */
import { DumpParseError, readDumpRule } from '../iptables/dump.js';
import type { Dump, DumpRule } from '../iptables/dump-types.js';
import { saveTextOfShape } from '../iptables/save.js';
import { ValueError } from '../iptables/values.js';
import { VocabularyError } from '../iptables/vocabulary.js';

/** The chains a rule of each table of a dump may jump to (iptables refuses a jump to another). */
const chainSets = new WeakMap<Dump, Map<string, Set<string>>>();

function chainsOf(dump: Dump, table: string): Set<string> {
  let byTable = chainSets.get(dump);
  if (!byTable) chainSets.set(dump, (byTable = new Map()));
  let set = byTable.get(table);
  if (!set) byTable.set(table, (set = new Set(dump.tables.get(table)?.chains.keys())));
  return set;
}

/**
 * The words iptables-save prints for `r`, or undefined where the save printer has none (a word
 * outside its vocabulary, a value iptables refuses, a rule that cannot be read: that one is
 * reported, with its file and line, when it is keyed). The family is the one the rule's
 * addresses are in: IPv4 unless that fails.
 */
function savedWords(dump: Dump, r: DumpRule): string | undefined {
  let shape;
  try {
    shape = readDumpRule(r).shape;
  } catch (e) {
    if (e instanceof DumpParseError) return undefined;
    throw e;
  }
  const chains = chainsOf(dump, r.table);
  for (const family of [4, 6] as const) {
    try {
      return saveTextOfShape(shape, family, chains);
    } catch (e) {
      if (e instanceof VocabularyError) return undefined;
      if (!(e instanceof ValueError)) throw e;
    }
  }
  return undefined;
}

/** How many of a run's first rules that have a save form are tried before the run is given up as not the other side's spelling. */
const PROBE = 4;

/**
 * `rules` in the save form, if that is the form `other` (the other side's words) is written
 * in: one of the first rules that have a save form must be among them. Rules without a save
 * form keep their words (they are then keyed).
 */
function respelled(dump: Dump, rules: readonly DumpRule[], words: readonly string[], other: ReadonlySet<string>): string[] | undefined {
  const out: string[] = [];
  let probed = 0;
  let found = false;
  for (let i = 0; i < rules.length; i++) {
    const s = savedWords(dump, rules[i]!);
    if (s === undefined) {
      out.push(words[i]!);
      continue;
    }
    if (!found) {
      if (other.has(s)) found = true;
      else if (++probed >= PROBE) return undefined;
    }
    out.push(s);
  }
  return found ? out : undefined;
}

/** After this many runs none of which one side's save form matched, diff stops trying (the dumps are in one spelling). */
const GIVE_UP = 64;

/**
 * Which side of a diff is in the restore form, as found so far: tried first on the next run
 * of rules written differently. Two dumps in one spelling (two kp-gen outputs) never match
 * this way, and after a few tries their differing rules go straight to their keys.
 */
export class Spelling {
  private first: 'a' | 'b' = 'a';
  private misses = 0;
  private matched = false;

  /** The two runs' words, one side's in the save form, if that makes any rule of it the other side's; else undefined. */
  respell(
    a: Dump,
    ra: readonly DumpRule[],
    wa: readonly string[],
    b: Dump,
    rb: readonly DumpRule[],
    wb: readonly string[],
  ): [string[], string[]] | undefined {
    if (!this.matched && this.misses >= GIVE_UP) return undefined;
    for (const side of this.first === 'a' ? (['a', 'b'] as const) : (['b', 'a'] as const)) {
      const r = side === 'a' ? respelled(a, ra, wa, new Set(wb)) : respelled(b, rb, wb, new Set(wa));
      if (!r) continue;
      this.first = side;
      this.matched = true;
      return side === 'a' ? [r, [...wb]] : [[...wa], r];
    }
    this.misses++;
    return undefined;
  }
}
