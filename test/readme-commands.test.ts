/** The README's examples of `kp-gen diff`, `kp-gen trace` and the main command show real output. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runKpGen } from './helpers/cli.js';

process.env.FORCE_COLOR = '0';
const readme = readFileSync('README.md', 'utf8');

/** Code blocks that start with `$ kp-gen …` (not `lab`, which needs root), the command joined over `\` lines. */
function examples(): { argv: string[]; lines: string[] }[] {
  const out = [];
  for (const m of readme.matchAll(/```\n(\$ kp-gen (?!lab)[\s\S]*?)```/g)) {
    const lines = m[1]!.split('\n');
    let command = lines.shift()!;
    while (command.endsWith('\\')) command = `${command.slice(0, -1)} ${lines.shift()!.trim()}`;
    out.push({ argv: command.slice('$ kp-gen '.length).split(/\s+/).filter((s) => s !== ''), lines: lines.filter((l) => l !== '' && l !== '…') });
  }
  return out;
}

describe('README sub-command examples', () => {
  it('exist for diff, trace and allocation', () => {
    expect(examples().map((e) => e.argv[0])).toEqual(expect.arrayContaining(['diff', 'trace', '--service-cluster-ip-range']));
  });
  it.each(examples().map((e) => [e.argv.join(' '), e] as const))('%s', async (_name, e) => {
    const r = await runKpGen(e.argv);
    const real = new Set(`${r.stdout}${r.stderr}`.split('\n'));
    expect(e.lines.filter((l) => !real.has(l))).toEqual([]);
  });
});
