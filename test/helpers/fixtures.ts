/**
 * Fixture discovery. A case is a directory under fixtures/ holding `flags.txt`:
 *   flags.txt        kp-gen flags, whitespace-separated (lines starting with # are comments);
 *                    `{dir}` stands for the case's directory
 *   kube-proxy.yaml  a KubeProxyConfiguration for `--config {dir}/kube-proxy.yaml`
 *   flows.json       kube-proxy packet-flow assertions (test/upstream-flows.test.ts)
 *   input.yaml|input.json|input/   the manifests (several may exist; all are passed, sorted)
 *   expected.rules   expected stdout (not for error cases)
 *   expected.stderr  expected warnings/errors (required whenever kp-gen prints any)
 *   expected.exit    expected exit code, error cases only (default 1)
 *   SOURCE.md / README.md   where the case comes from and what it shows
 * Cases under fixtures/_error_/ must exit non-zero with nothing on stdout. Cases under
 * fixtures/upstream/ are transcribed from kube-proxy's tests and never regenerated, except the
 * packet-flow cases (with flows.json): their expected.rules is kp-gen's output, which the flows
 * check (test/upstream-flows.test.ts).
 * KP_ONLY=<substring> focuses the cases whose path contains it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const FIXTURES_DIR = 'fixtures';

export interface Fixture {
  /** Path relative to the repo root, e.g. `fixtures/upstream/bad-ips`. */
  dir: string;
  name: string;
  flags: string[];
  inputs: string[];
  isError: boolean;
  isUpstream: boolean;
}

const INPUT_NAME = /^input(\.ya?ml|\.json)?$/;
const KNOWN_FILES = new Set(['flows.json', 'kube-proxy.yaml', 'flags.txt', 'expected.rules', 'expected.stderr', 'expected.exit', 'SOURCE.md', 'README.md', 'original.rules', 'test-dump.rules']);

export function parseFlags(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join(' ')
    .split(/\s+/)
    .filter((s) => s !== '');
}

/**
 * Every fixture directory; also returns directories that look like stray cases. `all` ignores
 * KP_ONLY (a coverage test looks at the whole set, whatever is focused).
 */
export function discoverFixtures(root = FIXTURES_DIR, opts: { all?: boolean } = {}): { fixtures: Fixture[]; strays: string[] } {
  const fixtures: Fixture[] = [];
  const strays: string[] = [];
  const walk = (dir: string): void => {
    const names = readdirSync(dir).sort();
    if (names.includes('flags.txt')) {
      const rel = relative('.', dir);
      const inputs = names.filter((n) => INPUT_NAME.test(n)).map((n) => join(rel, n));
      const unknown = names.filter((n) => !KNOWN_FILES.has(n) && !INPUT_NAME.test(n));
      if (unknown.length > 0) strays.push(`${rel}: unexpected files ${unknown.join(', ')}`);
      fixtures.push({
        dir: rel,
        name: relative(root, dir),
        flags: parseFlags(readFileSync(join(dir, 'flags.txt'), 'utf8')).map((f) => f.replaceAll('{dir}', rel)),
        inputs,
        isError: rel.split('/').includes('_error_'),
        isUpstream: rel.split('/').includes('upstream') && !names.includes('flows.json'),
      });
      return;
    }
    let sub = 0;
    for (const n of names) {
      const full = join(dir, n);
      if (statSync(full).isDirectory()) {
        sub++;
        walk(full);
      } else if (n !== 'README.md') {
        strays.push(`${relative('.', full)}: file outside any case`);
      }
    }
    if (sub === 0 && dir !== root) strays.push(`${relative('.', dir)}: directory without flags.txt`);
  };
  if (existsSync(root)) walk(root);
  const only = opts.all ? undefined : process.env.KP_ONLY;
  return { fixtures: only ? fixtures.filter((f) => f.dir.includes(only)) : fixtures, strays };
}
