/** The README stays true: its annotated output is real output, and every flag is documented. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli.js';
import { runKpGen } from './helpers/cli.js';

const readme = readFileSync('README.md', 'utf8');

describe('README', () => {
  it('shows lines of the real output for its example command', async () => {
    const section = readme.slice(readme.indexOf('## Reading the output'));
    const command = /`kp-gen ([^`]+)`/.exec(section)![1]!.split(' ');
    const block = /```\n(\*filter[\s\S]*?)```/.exec(section)![1]!;
    const r = await runKpGen(command);
    expect(r.code).toBe(0);
    const actual = new Set(r.stdout.split('\n'));
    const missing = block.split('\n').filter((l) => l !== '' && !actual.has(l));
    expect(missing).toEqual([]);
  });

  it('documents every command-line flag', () => {
    const flags = buildProgram(() => {}).options.map((o) => o.long!);
    const undocumented = flags.filter((f) => !readme.includes(`\`${f}`) && !readme.includes(`, ${f}`));
    expect(undocumented).toEqual([]);
  });
});
