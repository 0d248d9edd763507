/**
 * Formatting diagnostics for stderr, coloured as color.ts decided for this run (--color,
 * NO_COLOR, a terminal or not).
 */
import { Chalk } from 'chalk';
import { stderrColored } from './color.js';
import { formatWarning, type Note, type Warning } from './errors.js';

const colored = new Chalk({ level: 1 });
const plain = new Chalk({ level: 0 });

/** Which chalk to use now. */
function palette(): typeof colored {
  return stderrColored() ? colored : plain;
}

export function noteLine(n: Note): string {
  const c = palette();
  return `${c.cyan('note:')} ${formatWarning(n)}\n`;
}

export function warningLine(w: Warning): string {
  const c = palette();
  return `${c.yellow('warning:')} ${formatWarning(w)}\n`;
}

export function errorLines(message: string, hint?: string): string {
  const c = palette();
  let s = `${c.red('error:')} ${message}\n`;
  if (hint) s += `${c.dim('hint:')} ${hint}\n`;
  return s;
}

export function internalErrorLines(e: unknown): string {
  const c = palette();
  const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return (
    `${c.red('internal error:')} kp-gen hit a bug. Please report it with the command line and input that caused it.\n` +
    `${stack}\n`
  );
}
