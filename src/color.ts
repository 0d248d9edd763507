/**
 * Whether to colour a stream: `--color always|never` decide; `auto` (the default) colours a
 * terminal unless NO_COLOR is set to anything but the empty string (https://no-color.org) or
 * TERM is `dumb`; FORCE_COLOR (chalk's variable) can force it on (`1`) or off (`0`) under auto.
 * Decided here, once, for stdout and stderr alike, so that every command agrees.
 */
export const COLOR_CHOICES = ['auto', 'always', 'never'] as const;
export type ColorWhen = (typeof COLOR_CHOICES)[number];

export function useColor(when: ColorWhen, isTTY: boolean, env: Readonly<Record<string, string | undefined>>): boolean {
  if (when !== 'auto') return when === 'always';
  if ((env.NO_COLOR ?? '') !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return !['0', 'false'].includes(force);
  return isTTY && env.TERM !== 'dumb';
}

/**
 * The `--color` value of a command line, read before commander parses it (a usage error is
 * printed in colour or not before any command's options exist): the last `--color X` or
 * `--color=X` before `--`; `auto` when absent or not one of the choices (commander then
 * reports the bad value).
 */
export function colorFlag(argv: readonly string[]): ColorWhen {
  let when: ColorWhen = 'auto';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    const v = a === '--color' ? argv[i + 1] : a.startsWith('--color=') ? a.slice('--color='.length) : undefined;
    if (v !== undefined && (COLOR_CHOICES as readonly string[]).includes(v)) when = v as ColorWhen;
  }
  return when;
}

/** This run's decision for stderr (main.ts sets it from the command line before anything runs). */
let stderrColor = false;

export function setStderrColor(on: boolean): void {
  stderrColor = on;
}

export function stderrColored(): boolean {
  return stderrColor;
}
