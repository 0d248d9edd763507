/**
 * Golden fixtures: every directory under fixtures/ with a flags.txt is a case (see
 * test/helpers/fixtures.ts for the layout). kp-gen runs in-process with the case's flags and
 * inputs; stdout must equal expected.rules and stderr expected.stderr, byte for byte.
 *
 *   UPDATE=1 npx vitest run test/golden.test.ts   rewrite expected files (never upstream ones);
 *                                                 review `git diff fixtures/` before committing
 *   KP_ONLY=bad-ips npx vitest run test/golden.test.ts   run the matching cases only
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKpGen } from './helpers/cli.js';
import { discoverFixtures } from './helpers/fixtures.js';
import { expectGolden } from './helpers/golden.js';
import { checkRestore } from './helpers/iptables-check.js';

process.env.FORCE_COLOR = '0';
const { fixtures, strays } = discoverFixtures();

describe('fixtures directory', () => {
  it('has cases', () => {
    expect(fixtures.length).toBeGreaterThan(0);
  });
  it('has no stray files or directories', () => {
    expect(strays).toEqual([]);
  });
});

describe.each(fixtures.filter((f) => !f.isError).map((f) => [f.name, f] as const))('golden %s', (_name, f) => {
  it('matches expected.rules and expected.stderr', async () => {
    expect(f.inputs.length, `${f.dir} has no input`).toBeGreaterThan(0);
    const r = await runKpGen([...f.flags, ...f.inputs]);
    expect(r.code, `exit code; stderr:\n${r.stderr}`).toBe(0);
    expectGolden(r.stdout, join(f.dir, 'expected.rules'), { protect: f.isUpstream });
    expectGolden(r.stderr, join(f.dir, 'expected.stderr'), { optional: true });
  });

  it('is structurally sound (declared chains, jump targets)', () => {
    const expected = readFileSync(join(f.dir, 'expected.rules'), 'utf8');
    expect(checkRestore(expected, { saveFormat: f.flags.join(' ').includes('--format save') })).toEqual([]);
  });

  it('is the same whatever the order of its input objects', async () => {
    // Reverse the documents of every input file and feed them on stdin as one stream.
    const docs: string[] = [];
    for (const input of f.inputs) {
      if (!input.endsWith('.yaml') && !input.endsWith('.yml')) continue;
      docs.push(...readFileSync(input, 'utf8').split(/^---\s*$/m).filter((d) => d.trim() !== ''));
    }
    if (docs.length < 2) return;
    const shuffled = [...docs].reverse().join('\n---\n');
    const r = await runKpGen([...f.flags, '-q', '-'], shuffled);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(f.dir, 'expected.rules'), 'utf8'));
  });
});

describe.each(fixtures.filter((f) => f.isError).map((f) => [f.name, f] as const))('error case %s', (_name, f) => {
  it('fails with the expected message and nothing on stdout', async () => {
    const r = await runKpGen([...f.flags, ...f.inputs]);
    const exitFile = join(f.dir, 'expected.exit');
    const expectedExit = existsSync(exitFile) ? Number(readFileSync(exitFile, 'utf8').trim()) : 1;
    expect(r.code).toBe(expectedExit);
    expect(r.stdout).toBe('');
    expectGolden(r.stderr, join(f.dir, 'expected.stderr'));
  });
});
