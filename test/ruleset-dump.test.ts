/**
 * `diff --manifests` and `trace PATH…` read the planned rules as data (emit/dump.ts) instead of
 * printing them and parsing the text back. For every golden fixture the two must be the same
 * dump: the same tables, chains, policies, and rules with the same lines, text and structure.
 */
import { describe, expect, it } from 'vitest';
import { parseArgs } from '../src/cli.js';
import { rulesetDump } from '../src/emit/dump.js';
import { parseDump } from '../src/iptables/dump.js';
import { generate } from '../src/run.js';
import { discoverFixtures } from './helpers/fixtures.js';

const cases = discoverFixtures().fixtures.filter((f) => !f.isError);

describe('the planned rules as a dump equal their restore text read back', () => {
  it.each(cases.map((f) => [f.dir, f] as const))('%s', (_dir, f) => {
    const parsed = parseArgs([...f.flags, ...f.inputs], { out: () => {} });
    if (parsed.kind !== 'generate') throw new Error(`${f.dir}: not a generation command line`);
    const result = generate({ ...parsed.options, format: 'restore' }, { readStdin: () => '' });
    const fromText = parseDump(result.text, 'x');
    const fromData = rulesetDump(result.ruleset, 'x');
    expect(fromData).toEqual(fromText);
  });
});
