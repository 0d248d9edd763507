/**
 * The host as `kp-gen apply` and `kp-gen cleanup` see it: commands that only look (iptables-save,
 * `iptables -C`, `nfacct list`, reading a sysctl) and commands that change it (iptables-restore,
 * `iptables -I/-N/-D`, `nfacct add/del`, writing a sysctl). Under --dry-run the looking commands
 * run and the changing ones are only written down, as a shell script the user could run.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { systemErrorText, UserError } from '../errors.js';

export interface RunResult {
  /** Exit status; null when the command could not start or was killed (timeout). */
  status: number | null;
  stdout: string;
  stderr: string;
}


export interface Host {
  /** Run a command that changes nothing. */
  look(cmd: string, args: readonly string[]): RunResult;
  /** Run a command that changes the host (under --dry-run: record it and report success). */
  change(cmd: string, args: readonly string[], input?: string): RunResult;
  /** A file under /proc, or undefined when it cannot be read. */
  readProc(path: string): string | undefined;
  /** A sysctl's value (`net/ipv4/ip_forward`), trimmed; undefined when it does not exist. */
  readSysctl(key: string): string | undefined;
  /** Set a sysctl (under --dry-run: record it). */
  writeSysctl(key: string, value: string): void;
  /** What --dry-run would have run, in order, as shell lines; empty when not a dry run. */
  readonly script: string[];
}

/** Long enough for iptables-restore of a large cluster; a hung command still ends. */
const TIMEOUT_MS = 120_000;

/** A large cluster's `iptables-save -t nat` is tens of megabytes (spawnSync keeps 1 MiB by default). */
const MAX_OUTPUT = 1 << 30;

/** Run `cmd args…` with `input` on stdin; never throws. */
function runCommand(cmd: string, args: readonly string[], input?: string): RunResult {
  const r = spawnSync(cmd, args, { input: input ?? '', encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: MAX_OUTPUT });
  let stderr = r.stderr ?? '';
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    stderr += code === 'ENOENT' ? `${cmd}: not found` : code === 'ETIMEDOUT' ? `no answer in ${TIMEOUT_MS / 1000} s` : systemErrorText(r.error);
  }
  return { status: r.status, stdout: r.stdout ?? '', stderr };
}

/** `word` as a POSIX shell reads it back. */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function commandLine(cmd: string, args: readonly string[], input?: string): string {
  const line = [cmd, ...args].map(shellWord).join(' ');
  if (input === undefined) return line;
  // A here-document whose end marker no input line can be.
  let marker = 'EOF';
  while (input.split('\n').includes(marker)) marker += '_';
  return `${line} <<'${marker}'\n${input}${input.endsWith('\n') ? '' : '\n'}${marker}`;
}

export function realHost(dryRun: boolean): Host {
  const script: string[] = [];
  const sysctlPath = (key: string): string => {
    if (!/^[a-z0-9_]+(\/[a-z0-9_.-]+)+$/.test(key)) throw new Error(`not a sysctl key: ${key}`);
    return `/proc/sys/${key}`;
  };
  return {
    script,
    look: (cmd, args) => runCommand(cmd, args),
    change(cmd, args, input) {
      if (dryRun) {
        script.push(commandLine(cmd, args, input));
        return { status: 0, stdout: '', stderr: '' };
      }
      return runCommand(cmd, args, input);
    },
    readProc(path) {
      if (!path.startsWith('/proc/')) throw new Error(`not under /proc: ${path}`);
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return undefined;
      }
    },
    readSysctl(key) {
      try {
        return readFileSync(sysctlPath(key), 'utf8').trim();
      } catch {
        return undefined;
      }
    },
    writeSysctl(key, value) {
      if (dryRun) {
        script.push(`sysctl -w ${key.replace(/\//g, '.')}=${value}`);
        return;
      }
      try {
        writeFileSync(sysctlPath(key), `${value}\n`);
      } catch (e) {
        throw new UserError(`cannot set ${key.replace(/\//g, '.')} to ${value}: ${systemErrorText(e)}`);
      }
    },
  };
}

/** Throw a UserError naming the command and what it printed, unless it succeeded. */
export function check(r: RunResult, cmd: string, args: readonly string[]): string {
  if (r.status === 0) return r.stdout;
  const said = `${r.stderr}${r.stdout}`.trim().split('\n').slice(0, 5).join('; ');
  throw new UserError(`${[cmd, ...args].join(' ')} failed${said ? `: ${said}` : ` (exit ${String(r.status)})`}`);
}
