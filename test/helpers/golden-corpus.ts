/**
 * The golden fixtures as one corpus, for coverage tests: each successful case with its output
 * shape (format, save backend, --include-jumps, IP family), its input objects and its expected
 * output parsed into tables, chains and rule lines. A coverage list is a set of named
 * predicates over the corpus (`CoverageItem`); `uncovered` names the ones no case satisfies.
 *
 * `goldenRuleLines` yields every rule line of every expected output, restore and save forms
 * alike, each tagged with its form: a vocabulary test (every match module, option and target
 * kp-gen's rule vocabulary knows occurs somewhere) can run over it as it is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SAVE_BACKEND } from '../../src/options.js';
import { discoverFixtures, type Fixture } from './fixtures.js';
import { parseRestore, type ParsedTable } from './iptables-check.js';
import { objectsOf, readCaseInput } from './permute.js';

/** How a case's output is written: the flags that change its shape. */
export interface OutputShape {
  format: 'restore' | 'save';
  /** The effective --save-backend (kp-gen's default when --format save omits it); save only. */
  saveBackend?: string;
  includeJumps: boolean;
  ipFamily: 'ipv4' | 'ipv6';
}

export interface GoldenCase {
  fixture: Fixture;
  shape: OutputShape;
  /** The input objects as kp-gen reads them (`kind: List` items one by one). */
  objects: unknown[];
  /** expected.rules as text and parsed. */
  rules: string;
  tables: ParsedTable[];
}

export interface GoldenRuleLine {
  fixture: string;
  shape: OutputShape;
  table: string;
  chain: string;
  /** The whole line, `-A CHAIN …`. */
  line: string;
}

/** A named thing that at least one case must show. */
export interface CoverageItem<T = GoldenCase> {
  name: string;
  covered: (c: T) => boolean;
}

/** The value of `--name value` or `--name=value` in `flags`, if given (the last one wins). */
export function flagValue(flags: readonly string[], name: string): string | undefined {
  let value: string | undefined;
  flags.forEach((f, i) => {
    if (f === name) value = flags[i + 1];
    else if (f.startsWith(`${name}=`)) value = f.slice(name.length + 1);
  });
  return value;
}

export function outputShape(flags: readonly string[]): OutputShape {
  const format = flagValue(flags, '--format') === 'save' ? 'save' : 'restore';
  const shape: OutputShape = {
    format,
    includeJumps: flags.includes('--include-jumps'),
    ipFamily: flagValue(flags, '--ip-family') === 'ipv6' ? 'ipv6' : 'ipv4',
  };
  if (format === 'save') shape.saveBackend = flagValue(flags, '--save-backend') ?? DEFAULT_SAVE_BACKEND;
  return shape;
}

let cached: GoldenCase[] | undefined;

/** Every golden case that succeeds (error cases have no expected.rules); KP_ONLY is ignored. */
export function goldenCases(): GoldenCase[] {
  cached ??= discoverFixtures(undefined, { all: true })
    .fixtures.filter((f) => !f.isError)
    .map((fixture) => {
      const shape = outputShape(fixture.flags);
      const rules = readFileSync(join(fixture.dir, 'expected.rules'), 'utf8');
      return {
        fixture,
        shape,
        objects: objectsOf(readCaseInput(fixture.dir, fixture.inputs)),
        rules,
        tables: parseRestore(rules, { saveFormat: shape.format === 'save' }),
      };
    });
  return cached;
}

/** Every rule line of every golden expected output, restore and save forms. */
export function* goldenRuleLines(cases: readonly GoldenCase[] = goldenCases()): Generator<GoldenRuleLine> {
  for (const c of cases) {
    for (const t of c.tables) {
      for (const r of t.rules) yield { fixture: c.fixture.name, shape: c.shape, table: t.name, chain: r.chain, line: r.line };
    }
  }
}

/** The names of the items no case covers. */
export function uncovered<T>(items: readonly CoverageItem<T>[], corpus: readonly T[]): string[] {
  return items.filter((item) => !corpus.some((c) => item.covered(c))).map((item) => item.name);
}
