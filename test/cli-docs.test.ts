/**
 * What users expect of a command line besides its job: --version, `kp-gen help [command]`,
 * shell completion and a man page generated from the option definitions (and kept current),
 * and a package that ships what the help points to.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram, manText } from '../src/cli.js';
import { runKpGen } from './helpers/cli.js';

const ROOT = join(__dirname, '..');

function everyCommand(c: Command): Command[] {
  return [c, ...c.commands.flatMap(everyCommand)];
}

describe('--version and help', () => {
  it('--version names kp-gen\'s version and the modelled kube-proxy releases', async () => {
    const r = await runKpGen(['--version']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^kp-gen ${pkg.version.replace(/\./g, '\\.')}\\nkube-proxy releases: 1\\.\\d+`));
  });

  it.each([
    [['help'], ['--help']],
    [['help', 'diff'], ['diff', '--help']],
    [['help', 'lab'], ['lab', '--help']],
    [['help', 'completion'], ['completion', '--help']],
    [['help', 'lab', 'up'], ['lab', 'up', '--help']],
  ])('kp-gen %j prints what %j prints', async (a, b) => {
    const viaHelp = await runKpGen(a);
    const viaFlag = await runKpGen(b);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toContain('Usage: kp-gen');
  });

  it('kp-gen help NAME of no command is a usage error', async () => {
    const r = await runKpGen(['help', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('error: help: no command named "nope"\nhint: the commands are lab, diff, trace, apply, cleanup, ls, graph, completion; run kp-gen --help for usage\n');
  });

  it('lists help and completion among the commands', async () => {
    const r = await runKpGen(['--help']);
    expect(r.stdout).toMatch(/\n {2}help \[command\] +show the help/);
    expect(r.stdout).toMatch(/\n {2}completion <shell> +print a shell completion script/);
  });
});

describe('man page', () => {
  const page = readFileSync(join(ROOT, 'man', 'kp-gen.1'), 'utf8');

  it('is current: man/kp-gen.1 is what `npm run man` writes now', () => {
    expect(page, 'run npm run man').toBe(manText());
  });

  it('documents every option of every command', () => {
    for (const c of everyCommand(buildProgram(() => {}))) {
      for (const o of c.options) expect(page, `${c.name()} ${o.flags}`).toContain(`.B ${o.flags.replace(/-/g, '\\-')}`);
    }
  });

  it.runIf(spawnSync('sh', ['-c', 'command -v groff']).status === 0)('renders without groff warnings', () => {
    const r = spawnSync('groff', ['-man', '-ww', '-z', join(ROOT, 'man', 'kp-gen.1')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('shell completion', () => {
  /** What bash completes for the words (the last one being completed). */
  function bashComplete(script: string, words: string[]): string[] {
    const dir = mkdtempSync(join(tmpdir(), 'kp-gen-completion-'));
    try {
      writeFileSync(join(dir, 'kp-gen.bash'), script);
      mkdirSync(join(dir, 'empty')); // file names would complete too: none here
      const quoted = words.map((w) => `'${w}'`).join(' ');
      const r = spawnSync('bash', ['-c', `source "${dir}/kp-gen.bash" && cd "${dir}/empty" && COMP_WORDS=(kp-gen ${quoted}) && COMP_CWORD=${words.length} && { _kp_gen; printf '%s\\n' "\${COMPREPLY[@]}"; }`], { encoding: 'utf8' });
      expect(r.stderr).toBe('');
      return r.stdout.split('\n').filter((l) => l !== '');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('bash: sub-commands, options per command, option values, nested lab commands', async () => {
    const r = await runKpGen(['completion', 'bash']);
    expect(r.code).toBe(0);
    expect(spawnSync('bash', ['-n'], { input: r.stdout }).status).toBe(0);
    const s = r.stdout;
    expect(bashComplete(s, [''])).toEqual(expect.arrayContaining(['lab', 'diff', 'trace', 'help', 'completion']));
    expect(bashComplete(s, ['lab', ''])).toEqual(expect.arrayContaining(['up', 'status', 'down', 'probe', 'list']));
    expect(bashComplete(s, ['--format', ''])).toEqual(['restore', 'save']);
    expect(bashComplete(s, ['--ip-family', 'ipv'])).toEqual(['ipv4', 'ipv6']);
    expect(bashComplete(s, ['diff', '--col'])).toEqual(['--color']);
    expect(bashComplete(s, ['diff', '--color', ''])).toEqual(['auto', 'always', 'never']);
    expect(bashComplete(s, ['lab', 'up', '--state-d'])).toEqual(['--state-dir']);
    expect(bashComplete(s, ['lab', '--name', 'up', 'pro'])).toEqual([]);
    expect(bashComplete(s, ['lab', 'probe', '--ud'])).toEqual(['--udp']);
    expect(bashComplete(s, ['completion', ''])).toEqual(['bash', 'zsh', 'fish']);
    // A flag's value is not taken for a sub-command: `--node-ip lab` stays on the main command.
    expect(bashComplete(s, ['--hostname-override', 'lab', '--masq'])).toEqual(['--masquerade-all']);
  });

  it.each(['zsh', 'fish'])('%s: every command and option is in the script', async (shell) => {
    const r = await runKpGen(['completion', shell]);
    expect(r.code).toBe(0);
    for (const c of everyCommand(buildProgram(() => {}))) {
      expect(r.stdout).toContain(c.name());
      for (const o of c.options) expect(r.stdout, o.flags).toContain(shell === 'fish' ? `-l ${o.long!.slice(2)}` : o.long!);
    }
  });

  const has = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

  it.runIf(has('zsh'))('zsh: the script parses', async () => {
    const r = await runKpGen(['completion', 'zsh']);
    expect(spawnSync('zsh', ['-n'], { input: r.stdout, encoding: 'utf8' }).status).toBe(0);
  });

  it.runIf(has('fish'))('fish: the script parses and completes sub-commands, options and values', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kp-gen-completion-'));
    try {
      const r = await runKpGen(['completion', 'fish']);
      writeFileSync(join(dir, 'kp-gen.fish'), r.stdout);
      mkdirSync(join(dir, 'empty'));
      const complete = (line: string): string[] => {
        const f = spawnSync('fish', ['-c', `source ${dir}/kp-gen.fish; cd ${dir}/empty; complete -C '${line}'`], { encoding: 'utf8' });
        expect(f.stderr).toBe('');
        return f.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t')[0]!);
      };
      expect(complete('kp-gen ')).toEqual(expect.arrayContaining(['lab', 'diff', 'trace', 'help', 'completion']));
      expect(complete('kp-gen lab ')).toEqual(expect.arrayContaining(['up', 'status', 'down', 'probe', 'list']));
      expect(complete('kp-gen --format ')).toEqual(['restore', 'save']);
      expect(complete('kp-gen diff --col')).toEqual(['--color']);
      expect(complete('kp-gen lab up --state-d')).toEqual(['--state-dir']);
      expect(complete('kp-gen completion ')).toEqual(['bash', 'fish', 'zsh']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an unknown shell with a usage error naming completion --help', async () => {
    const r = await runKpGen(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('hint: run kp-gen completion --help for usage');
  });
});

describe('the npm package', () => {
  it('ships the examples the help points to, the man page and the built code', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['bin/kp-gen.js', 'dist/main.js', 'man/kp-gen.1', 'package.json', 'README.md']));
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { man: string[] };
    expect(pkg.man).toEqual(['./man/kp-gen.1']);
    // Every example the help runs on examples/ reads only shipped files.
    const help = readFileSync(join(ROOT, 'src', 'cli.ts'), 'utf8');
    expect(help).toContain('kp-gen examples/');
    const shipped = spawnSync('git', ['ls-files', 'examples'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '');
    expect(shipped.length).toBeGreaterThan(0);
    expect(files).toEqual(expect.arrayContaining(shipped));
  }, 60_000);
});
