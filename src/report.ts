/**
 * Formatting diagnostics for stderr. Colour only when stderr is a terminal (chalkStderr
 * detects that, and honours NO_COLOR / FORCE_COLOR).
 */
import { chalkStderr as c } from 'chalk';
import { formatWarning, type Note, type Warning } from './errors.js';

export function noteLine(n: Note): string {
  return `${c.cyan('note:')} ${formatWarning(n)}\n`;
}

export function warningLine(w: Warning): string {
  return `${c.yellow('warning:')} ${formatWarning(w)}\n`;
}

export function errorLines(message: string, hint?: string): string {
  let s = `${c.red('error:')} ${message}\n`;
  if (hint) s += `${c.dim('hint:')} ${hint}\n`;
  return s;
}

export function internalErrorLines(e: unknown): string {
  const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
  return (
    `${c.red('internal error:')} kp-gen hit a bug. Please report it with the command line and input that caused it.\n` +
    `${stack}\n`
  );
}
