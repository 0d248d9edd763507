/**
 * `npm run test:update` rewrites every golden file: each test file that writes one through
 * expectGolden (helpers/golden.ts honours UPDATE=1) must be on that script's command line.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const full = join(dir, n);
    if (statSync(full).isDirectory()) return testFiles(full);
    return n.endsWith('.test.ts') ? [full] : [];
  });
}

it('npm run test:update runs every test file that writes golden files', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const script = pkg.scripts['test:update'] ?? '';
  const importsIt = /^import \{[^}]*\bexpectGolden\b[^}]*\} from '[./]*helpers\/golden\.js';$/m;
  const writers = [...testFiles('test'), ...testFiles('src')].filter((f) => importsIt.test(readFileSync(f, 'utf8')));
  expect(writers.length).toBeGreaterThanOrEqual(3);
  expect(script).toMatch(/^UPDATE=1 vitest run /);
  expect(writers.filter((f) => !script.split(' ').includes(f)), 'missing from "test:update" in package.json').toEqual([]);
});
