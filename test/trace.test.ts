/**
 * `kp-gen trace` transcripts (test/trace/<case>/args.txt → expected.txt; see
 * helpers/transcript.ts). Every successful trace is also run with --json, whose outcomes must
 * carry the documented fields and whose probabilities must sum to 1.
 *
 *   UPDATE=1 npx vitest run test/trace.test.ts   rewrite expected.txt files; review the diff
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectGolden } from './helpers/golden.js';
import { discoverCases, invoke, transcriptOf } from './helpers/transcript.js';

process.env.FORCE_COLOR = '0';
const cases = discoverCases('test/trace');

describe('trace cases', () => {
  it('exist', () => {
    expect(cases.length).toBeGreaterThan(0);
  });
});

describe.each(cases.map((c) => [c.name, c] as const))('trace %s', (_name, c) => {
  it('matches expected.txt', async () => {
    const runs = [];
    for (const line of c.lines) runs.push(await invoke('trace', c, line));
    expectGolden(transcriptOf('trace', runs), join(c.dir, 'expected.txt'));
  });

  it('gives outcomes whose probabilities sum to 1 (--json)', async () => {
    for (const line of c.lines) {
      const text = await invoke('trace', c, line);
      if (text.result.code !== 0 || text.argv.includes('--json')) continue;
      const { result } = await invoke('trace', c, `${line.replace(/\s+<\s+\S+$/, '')} --json${/<\s+\S+$/.test(line) ? ` ${line.match(/<\s+\S+$/)![0]}` : ''}`);
      expect(result.code, result.stderr).toBe(0);
      const doc = JSON.parse(result.stdout) as { outcomes: Record<string, unknown>[]; path: unknown[]; then: unknown[]; choice: unknown };
      expect(Array.isArray(doc.path) && Array.isArray(doc.then)).toBe(true);
      const outcomes = doc.outcomes;
      // One choice exactly when there is more than one outcome.
      expect(doc.choice === null, line).toBe(outcomes.length === 1);
      expect(outcomes.length).toBeGreaterThan(0);
      let sum = 0;
      for (const o of outcomes) {
        expect(['DNAT', 'REJECT', 'DROP', 'ACCEPT']).toContain(o.verdict);
        expect(typeof o.probability).toBe('number');
        expect(typeof o.masquerade).toBe('boolean');
        expect(Array.isArray(o.path)).toBe(true);
        expect(Array.isArray(o.steps)).toBe(true);
        if (o.verdict === 'DNAT') expect(o.destination).toMatch(/^(\d+\.){3}\d+:\d+$|^\[[0-9a-f:]+\]:\d+$/);
        sum += o.probability as number;
      }
      expect(sum, line).toBeCloseTo(1, 9);
    }
  });
});
