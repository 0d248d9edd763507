/**
 * `kp-gen diff` transcripts (test/diff/<case>/args.txt → expected.txt; see
 * helpers/transcript.ts); the exit codes (0 same, 1 different, 2 trouble) are part of them.
 * test/diff/data/ holds the inputs, among them real iptables-save output (data/capture.sh).
 *
 *   UPDATE=1 npx vitest run test/diff.test.ts   rewrite expected.txt files; review the diff
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectGolden } from './helpers/golden.js';
import { discoverCases, invoke, transcriptOf } from './helpers/transcript.js';

process.env.FORCE_COLOR = '0';
const cases = discoverCases('test/diff');

describe('diff cases', () => {
  it('exist', () => {
    expect(cases.map((c) => c.name)).toEqual(expect.arrayContaining(['equal', 'different', 'errors']));
  });
});

describe.each(cases.map((c) => [c.name, c] as const))('diff %s', (_name, c) => {
  it('matches expected.txt', async () => {
    const runs = [];
    for (const line of c.lines) runs.push(await invoke('diff', c, line));
    expectGolden(transcriptOf('diff', runs), join(c.dir, 'expected.txt'));
    const codes = new Set(runs.map((r) => r.result.code));
    if (c.name === 'equal') expect(codes).toEqual(new Set([0]));
    if (c.name === 'different') expect(codes).toEqual(new Set([1]));
    if (c.name === 'errors') expect(codes).toEqual(new Set([2]));
  });
});
