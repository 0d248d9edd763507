/**
 * The process boundary: argv in, exit code out. The only place that writes to stdout/stderr
 * or the output file, and the only catch that maps errors to exit codes (cli.md):
 * 0 rules written, 1 input problem, 2 usage error, 3 live-cluster problem, 70 internal error.
 */
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from './cli.js';
import { runCommand } from './commands/index.js';
import { ClusterError, UsageError, UserError } from './errors.js';
import type { CliIO } from './io.js';
import { readInputText } from './load/read.js';
import { generateFromSources } from './run.js';

export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;
export const EXIT_CLUSTER = 3;
export const EXIT_INTERNAL = 70;

/** Write `text` (one string or chunks) to `file` via a temporary file in the same directory and a rename. */
export function writeFileAtomic(file: string, text: string | Iterable<string | Uint8Array>): void {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    const fd = openSync(tmp, 'w');
    try {
      for (const chunk of typeof text === 'string' ? [text] : text) {
        if (typeof chunk === 'string') writeSync(fd, chunk);
        else writeSync(fd, chunk);
      }
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    // Only file-system errors are the user's; a failure producing the chunks is not.
    const code = (e as NodeJS.ErrnoException).code;
    if (code === undefined) throw e;
    throw new UserError(`cannot write ${file}: ${code}`);
  }
}

export type { CliIO };

export const processIO: CliIO = {
  stdout: writeStdout,
  stderr: (s) => {
    process.stderr.write(s);
  },
  readStdin: () => readInputText(0, 'stdin'),
  stdoutIsTTY: process.stdout.isTTY === true,
  stderrIsTTY: process.stderr.isTTY === true,
  env: process.env,
};

export function main(argv: readonly string[]): Promise<number> {
  // A reader that stops early (`kp-gen ... | head`) is not an error: stop quietly, like cat.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT_OK);
    throw e;
  });
  return runCli(argv, processIO);
}

/** Run kp-gen with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const err = io.stderr;
  try {
    const parsed = parseArgs(argv, { out: (s) => void io.stdout(s) });
    if (parsed.kind === 'exit') return parsed.code;
    if (parsed.kind === 'command') return await runCommand(io, parsed);
    const opts = parsed.options;
    const result = await generateFromSources(opts, {
      readStdin: io.readStdin,
      env: io.env ?? {},
      ...(io.stderrIsTTY ? { progress: io.stderr } : {}),
    });
    if (!opts.quiet && result.notes.length + result.warnings.length > 0) {
      const { noteLine, warningLine } = await report();
      for (const n of result.notes) err(noteLine(n));
      for (const w of result.warnings) err(warningLine(w));
    }
    if (opts.output !== undefined) writeFileAtomic(opts.output, result.chunks());
    else for (const chunk of result.chunks()) await io.stdout(chunk);
    return EXIT_OK;
  } catch (e) {
    const { errorLines, internalErrorLines } = await report();
    if (e instanceof UsageError) {
      err(errorLines(e.message, e.hint));
      return EXIT_USAGE;
    }
    if (e instanceof ClusterError) {
      err(errorLines(e.message, e.hint));
      return EXIT_CLUSTER;
    }
    if (e instanceof UserError) {
      err(errorLines(e.message, e.hint));
      return EXIT_INPUT;
    }
    err(internalErrorLines(e));
    return EXIT_INTERNAL;
  }
}

/**
 * The diagnostics' formatting, loaded only when there is something to report: it loads chalk,
 * which a clean run (most runs of an editor loop) does not need.
 */
function report(): Promise<typeof import('./report.js')> {
  return import('./report.js');
}

function writeStdout(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (e) => (e && (e as NodeJS.ErrnoException).code !== 'EPIPE' ? reject(e) : resolve()));
  });
}
