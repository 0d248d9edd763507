/**
 * Formatting diagnostics for stderr, coloured as color.ts decided for this run (--color,
 * NO_COLOR, a terminal or not).
 *
 * Every diagnostic passes through terminalSafe: its text may hold names and values from a
 * manifest, a dump or a server's response, and a control character there (an escape sequence,
 * a carriage return, a line break) must not reach the terminal as one.
 */
import { Chalk } from 'chalk';
import { stderrColored } from './color.js';
import { formatWarning, type Note, type Warning } from './errors.js';
import { terminalSafe } from './util.js';

export { terminalSafe };

const colored = new Chalk({ level: 1 });
const plain = new Chalk({ level: 0 });

/** Which chalk to use now. */
function palette(): typeof colored {
  return stderrColored() ? colored : plain;
}

export function noteLine(n: Note): string {
  return noteText(formatWarning(n));
}

export function warningLine(w: Warning): string {
  return warningText(formatWarning(w));
}

/** A `note:` line of free text. */
export function noteText(text: string): string {
  const c = palette();
  return `${c.cyan('note:')} ${terminalSafe(text)}\n`;
}

/** A `warning:` line of free text. */
export function warningText(text: string): string {
  const c = palette();
  return `${c.yellow('warning:')} ${terminalSafe(text)}\n`;
}

export function errorLines(message: string, hint?: string): string {
  const c = palette();
  let s = `${c.red('error:')} ${terminalSafe(message)}\n`;
  if (hint) s += `${c.dim('hint:')} ${terminalSafe(hint)}\n`;
  return s;
}

export function internalErrorLines(e: unknown): string {
  const c = palette();
  const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return (
    `${c.red('internal error:')} kp-gen hit a bug. Please report it with the command line and input that caused it.\n` +
    `${stack.split('\n').map(terminalSafe).join('\n')}\n`
  );
}
