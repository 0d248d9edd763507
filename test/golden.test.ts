/**
 * Golden fixtures: every directory under fixtures/ with a flags.txt is a case (see
 * test/helpers/fixtures.ts for the layout). kp-gen runs in-process with the case's flags and
 * inputs; stdout must equal expected.rules and stderr expected.stderr, byte for byte. Every
 * case, error cases included, also runs with its input permuted (see "Order checks" below).
 *
 *   UPDATE=1 npx vitest run test/golden.test.ts   rewrite expected files (never upstream ones);
 *                                                 review `git diff fixtures/` before committing
 *   KP_ONLY=bad-ips npx vitest run test/golden.test.ts   run the matching cases only
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKpGen, type CliResult } from './helpers/cli.js';
import { discoverFixtures } from './helpers/fixtures.js';
import { expectGolden } from './helpers/golden.js';
import { checkRestore } from './helpers/iptables-check.js';
import {
  hasUnparseable,
  normalizeStderr,
  readCaseInput,
  reorderCommandLine,
  reversingObjectsChanges,
  writeReversedInPlace,
  writeSpread,
  type Permuted,
} from './helpers/permute.js';

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

/**
 * Order checks, on every case (error cases too): the result must not depend on the order kp-gen
 * reads its input in (test/helpers/permute.ts says what is permuted and what is not). A
 * permutation is registered only for a case it applies to (the in-place one: any document or an
 * unparseable file; the spread one: objects whose reversal changes their sequence; the command
 * line: any flag), asserts that it changed what kp-gen reads, and every case must get at least
 * one. Compared with the unpermuted run: stdout and exit code exactly; stderr exactly for error
 * cases, and for cases that succeed as the same warnings (paths, indices and line order aside).
 */
describe.each(fixtures.map((f) => [f.name, f] as const))('order %s', (_name, f) => {
  const input = readCaseInput(f.dir, f.inputs);
  const unparseable = hasUnparseable(input);
  const inPlace = input.files.some((file) => file.docs === undefined || file.docs.length > 0);
  const spread = reversingObjectsChanges(input) && !unparseable;
  const commandLine = f.flags.length >= 1;
  let original: CliResult | undefined;
  const originalRun = async (): Promise<CliResult> => (original ??= await runKpGen([...f.flags, ...f.inputs]));

  /**
   * Run kp-gen on a permuted input and compare with the unpermuted run. `mapStderr` maps the
   * permuted run's paths back to the case's; with `spreadInputs`, which have other file names,
   * paths under them and under the case's inputs become `<input>` instead.
   */
  const expectSame = async (argv: string[], how: { mapStderr?: (s: string) => string; spreadInputs?: string[] } = {}) => {
    const want = await originalRun();
    const got = await runKpGen(argv);
    expect(got.code, `exit code; stderr:\n${got.stderr}`).toBe(want.code);
    expect(got.stdout).toBe(want.stdout);
    const loose = !f.isError;
    const gotStderr = how.mapStderr ? how.mapStderr(got.stderr) : got.stderr;
    const [gotPaths, wantPaths] = how.spreadInputs ? [how.spreadInputs, f.inputs] : [[], []];
    expect(normalizeStderr(gotStderr, gotPaths, loose)).toEqual(normalizeStderr(want.stderr, wantPaths, loose));
  };

  const inTemp = async (write: (root: string) => Permuted, after: (p: Permuted, root: string) => Promise<void>) => {
    const root = mkdtempSync(join(tmpdir(), 'kpg-order-'));
    try {
      const p = write(root);
      expect(p.changed, 'the permutation changed nothing kp-gen reads').toBe(true);
      await after(p, root);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  };

  it('has at least one order check that changes its input', () => {
    expect([inPlace, spread, commandLine].some(Boolean), `${f.dir}: nothing to permute`).toBe(true);
  });

  if (inPlace) it('is the same with files, documents, List items, keys, endpoints and ports reversed in place', async () => {
    await inTemp(
      (root) => writeReversedInPlace(input, root),
      // Same file names: messages must name the same places, once the directory is mapped back.
      (p, root) => expectSame([...f.flags, ...p.inputs], { mapStderr: (s) => s.split(root).join(f.dir) }),
    );
  });

  if (spread) it('is the same with its objects one per file (YAML and JSON), read in reverse order', async () => {
    await inTemp(
      (root) => writeSpread(input, root),
      (p) => expectSame([...f.flags, ...p.inputs], { spreadInputs: p.inputs }),
    );
  });

  if (commandLine) it('is the same with its command line reordered (inputs first, flags reversed)', async () => {
    const { argv, changed } = reorderCommandLine(f.flags, f.inputs);
    expect(changed, 'the command line is unchanged').toBe(true);
    await expectSame(argv);
  });
});
