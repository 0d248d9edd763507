/**
 * Transcript cases for sub-commands (test/diff/, test/trace/): a case is a directory with
 * `args.txt`, one command line per line (after `kp-gen <command>`; `#` lines are comments;
 * `$CASE` is the case directory; `< FILE` at the end feeds FILE on stdin). The golden file
 * `expected.txt` holds, for each line, the command, its stdout, its stderr and its exit code,
 * so one file shows what a user would see. Rewrite with UPDATE=1 and review the diff.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKpGen, type CliResult } from './cli.js';

export interface TranscriptCase {
  name: string;
  dir: string;
  lines: string[];
}

export function discoverCases(root: string): TranscriptCase[] {
  if (!existsSync(root)) return [];
  const only = process.env.KP_ONLY;
  return readdirSync(root)
    .sort()
    .map((name) => ({ name, dir: join(root, name) }))
    .filter((c) => existsSync(join(c.dir, 'args.txt')))
    .filter((c) => !only || c.dir.includes(only))
    .map((c) => ({
      ...c,
      lines: readFileSync(join(c.dir, 'args.txt'), 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#')),
    }));
}

export interface Invocation {
  line: string;
  argv: string[];
  result: CliResult;
}

export async function invoke(command: string, c: TranscriptCase, line: string): Promise<Invocation> {
  const expanded = line.replaceAll('$CASE', c.dir);
  const m = /^(.*?)\s+<\s+(\S+)$/.exec(expanded);
  const args = (m ? m[1]! : expanded).split(/\s+/).filter((s) => s !== '');
  const stdin = m ? readFileSync(m[2]!, 'utf8') : '';
  const argv = [command, ...args];
  return { line: expanded, argv, result: await runKpGen(argv, stdin) };
}

export function transcriptOf(command: string, runs: Invocation[]): string {
  return runs
    .map(({ line, result }) => {
      let s = `$ kp-gen ${command} ${line}\n${result.stdout}`;
      if (result.stderr !== '') s += `[stderr]\n${result.stderr}`;
      return `${s}[exit ${result.code}]\n`;
    })
    .join('\n');
}
