/**
 * Running the system tools the lab needs (ip, iptables-restore, nfacct). Every call is bounded
 * in time, and a failure becomes a UserError naming the command and what it printed, since it
 * almost always means a missing tool, missing privileges or a kernel without a feature.
 */
import { spawnSync } from 'node:child_process';
import { UserError } from '../errors.js';

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run `cmd args…`; never throws. */
export function tryRun(cmd: string, args: readonly string[], input?: string, timeoutMs = 15_000): RunResult {
  const r = spawnSync(cmd, args, { input: input ?? '', encoding: 'utf8', timeout: timeoutMs });
  const stderr = r.error ? `${r.stderr ?? ''}${String(r.error)}` : (r.stderr ?? '');
  return { status: r.status, stdout: r.stdout ?? '', stderr };
}

/** Run `cmd args…`; throw a UserError if it fails. */
export function run(cmd: string, args: readonly string[], input?: string, timeoutMs?: number): string {
  const r = tryRun(cmd, args, input, timeoutMs);
  if (r.status !== 0) {
    const said = `${r.stderr}${r.stdout}`.trim();
    throw new UserError(`${[cmd, ...args].join(' ')} failed${said ? `: ${said}` : ''}`);
  }
  return r.stdout;
}

/** Run a command inside a named network namespace. */
export function runIn(ns: string, cmd: string, args: readonly string[], input?: string, timeoutMs?: number): string {
  return run('ip', ['netns', 'exec', ns, cmd, ...args], input, timeoutMs);
}

export function hasCommand(cmd: string): boolean {
  return tryRun('sh', ['-c', `command -v "$1" >/dev/null`, 'sh', cmd]).status === 0;
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export function listNamespaces(): string[] {
  const r = tryRun('ip', ['netns', 'list']);
  if (r.status !== 0) return [];
  return r.stdout
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter((n) => n !== '');
}
