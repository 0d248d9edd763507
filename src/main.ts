/**
 * The process boundary: argv in, exit code out. The only place that writes to stdout/stderr
 * or the output file, and the only catch that maps errors to exit codes (cli.md):
 * 0 rules written, 1 input problem, 2 usage error, 3 live-cluster problem, 70 internal error,
 * 141 stdout closed early (`| head`).
 */
import { parseArgs } from './cli.js';
import { colorFlag, setStderrColor, useColor } from './color.js';
import { runCommand } from './commands/index.js';
import { ClusterError, systemErrorText, UsageError, UserError } from './errors.js';
import { writeFileAtomic, type CliIO } from './io.js';
import { readInputText } from './load/read.js';
import { generateFromSources } from './run.js';

export const EXIT_OK = 0;
export const EXIT_INPUT = 1;
export const EXIT_USAGE = 2;
export const EXIT_CLUSTER = 3;
export const EXIT_INTERNAL = 70;
/**
 * Stdout was closed before everything was written (`kp-gen … | head`): stop quietly with the
 * status a shell shows for a program SIGPIPE ended (128 + 13), as cat, diff and git do. Never
 * 0: for `kp-gen diff` that would say "same" about a comparison nobody saw to the end.
 */
export const EXIT_PIPE = 141;

/** Stdout's reader went away (EPIPE). */
export class StdoutClosed extends Error {
  override readonly name: string = 'StdoutClosed';
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
  // A failed write reaches its callback (writeStdout); the stream's 'error' event must not
  // also end the process with a stack trace. Stderr's failures cannot be reported anywhere.
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  return runCli(argv, processIO);
}

/** Run kp-gen with `argv` (without node and script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const err = io.stderr;
  setStderrColor(useColor(colorFlag(argv), io.stderrIsTTY === true, io.env ?? {}));
  try {
    // Help and --version text, written as commander produces it; awaited, so that a closed
    // stdout is reported like any other.
    const helpWrites: Promise<void>[] = [];
    const parsed = parseArgs(argv, { out: (s) => void helpWrites.push(io.stdout(s)) });
    await Promise.all(helpWrites);
    if (parsed.kind === 'exit') return parsed.code;
    if (parsed.kind === 'print') {
      await io.stdout(parsed.text);
      return EXIT_OK;
    }
    if (parsed.kind === 'command') return await runCommand(io, parsed);
    const opts = parsed.options;
    const result = await generateFromSources(opts, {
      readStdin: io.readStdin,
      env: io.env ?? {},
      ...(io.stderrIsTTY ? { progress: io.stderr } : {}),
    });
    const details = opts.verbose ? result.details : [];
    if (!opts.quiet && result.notes.length + details.length + result.warnings.length > 0) {
      const { noteLine, warningLine } = await report();
      for (const n of result.notes) err(noteLine(n));
      for (const n of details) err(noteLine(n));
      for (const w of result.warnings) err(warningLine(w));
    }
    if (opts.output !== undefined) await writeFileAtomic(opts.output, result.chunks());
    else for (const chunk of result.chunks()) await io.stdout(chunk);
    return EXIT_OK;
  } catch (e) {
    if (e instanceof StdoutClosed) return EXIT_PIPE;
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

/** Write to stdout; a closed pipe becomes StdoutClosed, any other failure (ENOSPC) a UserError. */
function writeStdout(text: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(text, (e) => {
      if (!e) resolve();
      else if ((e as NodeJS.ErrnoException).code === 'EPIPE') reject(new StdoutClosed());
      else reject(new UserError(`cannot write to standard output: ${systemErrorText(e)}`));
    });
  });
}
