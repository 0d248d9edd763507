/**
 * The entries of kp-gen's rule vocabulary (src/iptables/vocabulary.ts) by name — `-s`,
 * `match tcp --dport`, `target MARK --or-mark`, `target chain`, `no target` — and the entries
 * one rule uses. test/vocabulary.test.ts gives each entry a case; test/fixture-coverage.test.ts
 * looks for each printable one in the golden outputs.
 */
import type { RuleShape } from '../../src/iptables/shape.js';
import { MATCHES, TARGETS, type ModuleSpec } from '../../src/iptables/vocabulary.js';

export interface VocabularyEntry {
  entry: string;
  /** Only read from dumps: kp-gen never writes it. */
  readOnly: boolean;
}

export function vocabularyEntries(): VocabularyEntry[] {
  const out: VocabularyEntry[] = [];
  for (const flag of ['-s', '-d', '-i', '-o', '-p']) out.push({ entry: flag, readOnly: false });
  out.push({ entry: '-f', readOnly: true });
  const add = (kind: string, modules: Readonly<Record<string, ModuleSpec>>): void => {
    for (const [name, m] of Object.entries(modules)) {
      if (Object.keys(m.options).length === 0 || kind === 'target') out.push({ entry: `${kind} ${name}`, readOnly: m.readOnly === true });
      for (const [option, spec] of Object.entries(m.options)) {
        out.push({ entry: `${kind} ${name} ${option}`, readOnly: m.readOnly === true || spec.readOnly === true });
      }
    }
  };
  add('match', MATCHES);
  add('target', TARGETS);
  out.push({ entry: 'target chain', readOnly: false }, { entry: 'no target', readOnly: false });
  return out;
}

/** The entries a rule of this shape uses. */
export function entriesOf(shape: RuleShape): string[] {
  const out = new Set<string>();
  for (const h of shape.header) out.add(h.flag);
  for (const m of shape.matches) {
    if (m.options.length === 0) out.add(`match ${m.module}`);
    for (const o of m.options) out.add(`match ${m.module} ${o.name}`);
  }
  const t = shape.target;
  if (!t) out.add('no target');
  else if (TARGETS[t.name] === undefined) out.add('target chain');
  else {
    out.add(`target ${t.name}`);
    for (const o of t.options) out.add(`target ${t.name} ${o.name}`);
  }
  return [...out];
}
