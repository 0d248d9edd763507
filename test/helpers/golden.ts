/**
 * Golden files. `UPDATE=1 npx vitest run test/golden.test.ts` rewrites them — then review the
 * diff (`git diff fixtures/`) by eye against kube-proxy's behaviour before committing.
 * A missing expected file fails and prints the actual output. Transcribed upstream dumps
 * (`protect`) are never rewritten: they are the specification, not a snapshot.
 */
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

export const UPDATE = process.env.UPDATE === '1' || process.env.UPDATE === 'true';

export function expectGolden(actual: string, file: string, opts: { protect?: boolean; optional?: boolean } = {}): void {
  if (UPDATE && !opts.protect) {
    if (opts.optional && actual === '') {
      if (existsSync(file)) unlinkSync(file);
    } else {
      writeFileSync(file, actual);
    }
    return;
  }
  if (!existsSync(file)) {
    if (opts.optional && actual === '') return;
    throw new Error(`missing golden file ${file}; actual output:\n${actual}`);
  }
  const expected = readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
  expect(actual, `golden file ${file}`).toBe(expected);
}
