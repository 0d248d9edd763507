/**
 * Colour on every command (README "Colour"): `--color always|never` decide, `auto` colours a
 * terminal unless NO_COLOR is set (https://no-color.org) or TERM is dumb; the same rule for
 * stdout (diff's output) and stderr (every command's messages).
 */
import { describe, expect, it } from 'vitest';
import { colorFlag, useColor } from '../src/color.js';
import { runKpGen } from './helpers/cli.js';

const ESC = '\u001b[';
const A = 'fixtures/core/clusterip-basic/expected.rules';
const B = 'fixtures/core/multi-port/expected.rules';

describe('useColor and colorFlag', () => {
  it.each([
    ['auto', true, {}, true],
    ['auto', false, {}, false],
    ['auto', true, { NO_COLOR: '1' }, false],
    ['auto', true, { NO_COLOR: '' }, true],
    ['auto', true, { TERM: 'dumb' }, false],
    ['auto', false, { FORCE_COLOR: '1' }, true],
    ['auto', true, { FORCE_COLOR: '0' }, false],
    ['auto', true, { NO_COLOR: '1', FORCE_COLOR: '1' }, false],
    ['always', false, { NO_COLOR: '1' }, true],
    ['never', true, { FORCE_COLOR: '1' }, false],
  ] as const)('%s, tty %s, env %j → %s', (when, tty, env, on) => {
    expect(useColor(when, tty, env)).toBe(on);
  });

  it('reads the last --color before --, ignoring bad values', () => {
    expect(colorFlag(['--color', 'never', 'x'])).toBe('never');
    expect(colorFlag(['--color=always', 'diff', '--color', 'never'])).toBe('never');
    expect(colorFlag(['--color', 'sometimes'])).toBe('auto');
    expect(colorFlag(['--', '--color', 'never'])).toBe('auto');
  });
});

// Every command's messages: an error from each, on a "terminal".
const ERRORS: [string, string[]][] = [
  ['main', ['/nonexistent/x.yaml']],
  ['diff', ['diff', '/nonexistent/a', '/nonexistent/b']],
  ['trace', ['trace', '--rules', '/nonexistent/r', '--src', '1.2.3.4', '--dst', '10.0.0.1', '--dport', '80']],
  ['lab list', ['lab', 'list', '--state-dir', '/proc/version']],
  ['usage', ['--nope']],
];

describe('stderr', () => {
  it.each(ERRORS)('%s: coloured on a terminal, plain with NO_COLOR or --color never, coloured with --color always', async (_what, argv) => {
    const tty = { stderrIsTTY: true, env: {} };
    expect((await runKpGen(argv, '', tty)).stderr).toContain(`${ESC}31merror:`);
    expect((await runKpGen(argv, '', { ...tty, env: { NO_COLOR: '1' } })).stderr).not.toContain(ESC);
    expect((await runKpGen([...argv, '--color', 'never'], '', tty)).stderr).not.toContain(ESC);
    expect((await runKpGen(argv, '', { env: {} })).stderr).not.toContain(ESC);
    expect((await runKpGen([...argv, '--color', 'always'], '', { env: { NO_COLOR: '1' } })).stderr).toContain(`${ESC}31merror:`);
  });
});

describe('diff output', () => {
  it('honours NO_COLOR on a terminal, and --color over it', async () => {
    expect((await runKpGen(['diff', A, B], '', { stdoutIsTTY: true, env: {} })).stdout).toContain(ESC);
    expect((await runKpGen(['diff', A, B], '', { stdoutIsTTY: true, env: { NO_COLOR: '1' } })).stdout).not.toContain(ESC);
    expect((await runKpGen(['diff', '--color', 'always', A, B], '', { env: { NO_COLOR: '1' } })).stdout).toContain(ESC);
    // Before the sub-command's name, too.
    expect((await runKpGen(['--color', 'never', 'diff', A, B], '', { stdoutIsTTY: true, env: {} })).stdout).not.toContain(ESC);
    expect((await runKpGen(['--color', 'always', 'diff', A, B], '', { env: {} })).stdout).toContain(ESC);
  });
});
