/**
 * The process's streams, injectable so tests can run any command in-process, and the one way
 * kp-gen writes a file (`-o FILE`, `--save-manifests DIR`, the lab's records): atomically,
 * through a temporary file that nobody else can have prepared, and never over anything but a
 * regular file.
 *
 * The rules for an output file (README "Output files"):
 * - `-` means stdout;
 * - a new name, or an existing regular file, which is replaced by a rename (its mode and, for
 *   root, its owner are kept); anything else is refused: a directory, a device (`/dev/full`),
 *   a fifo, a socket, and a symbolic link (replacing the link would surprise whoever made it,
 *   and writing through it lets whoever planted it choose which file root overwrites; give the
 *   link's target instead);
 * - never one of the run's inputs (same file, by device and inode);
 * - the temporary file sits beside the target, is created exclusively (O_CREAT|O_EXCL, which
 *   also refuses a planted symlink) under an unpredictable name, and is removed on failure and
 *   on SIGINT, SIGTERM or SIGHUP.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants as fsConstants,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  openSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { constants as osConstants } from 'node:os';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';
import { systemErrorText, UsageError, UserError } from './errors.js';

/** The process's streams, injectable so tests can run any command in-process. */
export interface CliIO {
  /** Output text, or its UTF-8 bytes (the rules, chunk by chunk; a chunk ends at a line end). */
  stdout: (s: string | Uint8Array) => Promise<void>;
  stderr: (s: string) => void;
  readStdin: () => string;
  /** Whether stdout / stderr are terminals (colour, progress lines). */
  stdoutIsTTY?: boolean;
  stderrIsTTY?: boolean;
  /** Environment variables (KUBECONFIG, HOME, KUBERNETES_SERVICE_*, NO_COLOR); none when absent. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** The output name that means stdout. */
export const STDOUT_NAME = '-';

/** kubectl's `-o` forms: given to kp-gen's `-o`, they are almost surely meant as a format. */
const FORMAT_WORDS = ['json', 'yaml', 'wide'];

/**
 * Check `-o VALUE` as written: a bare `json`, `yaml` or `wide` is a usage error (cli.md), with
 * a hint naming the command's own --format choices.
 */
export function checkOutputName(value: string, formatHint: string): void {
  if (FORMAT_WORDS.includes(value)) {
    throw new UsageError(
      `-o ${value}: -o names the output file, not a format`,
      `${formatHint}; to write a file named ${value}, write -o ./${value}`,
    );
  }
}

/** What kind of thing a non-regular file is, in words. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a fifo';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** lstat, or undefined when nothing is there. */
function lstatOrNone(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new UserError(`cannot write ${file}: ${systemErrorText(e)}`);
  }
}

/** Refuse anything at `file` but a regular file; the regular file's stats, or undefined for a new name. */
function checkTarget(file: string, what: string): Stats | undefined {
  const st = lstatOrNone(file);
  if (st === undefined || st.isFile()) return st;
  const hint = st.isSymbolicLink()
    ? `kp-gen does not write through symbolic links; give the link's target (${safeRealpath(file)}) instead`
    : st.isDirectory()
      ? `give a file name, e.g. ${join(file, 'rules.txt')}`
      : `${what} writes regular files only; to send the output there, redirect stdout: > ${file}`;
  throw new UserError(`${what} ${file}: is ${kindOf(st)}`, hint);
}

function safeRealpath(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return 'its target';
  }
}

/** The manifest file name endings a directory input is searched for (load/files.ts). */
const MANIFEST_ENDINGS = ['.yaml', '.yml', '.json'];

/**
 * Before anything is read: refuse an output that is not a regular file or a new name, and one
 * that is also an input (the same file, or a manifest inside an input directory).
 */
export function checkOutputTarget(file: string, inputs: readonly string[], what = '-o'): void {
  const st = checkTarget(file, what);
  if (st === undefined) return;
  for (const input of inputs) {
    if (input === STDOUT_NAME) continue;
    let inSt: Stats;
    try {
      inSt = statSync(input);
    } catch {
      continue; // the loader reports unreadable inputs
    }
    const same = inSt.dev === st.dev && inSt.ino === st.ino;
    const inside =
      inSt.isDirectory() &&
      MANIFEST_ENDINGS.some((e) => file.endsWith(e)) &&
      isInside(safeRealpathOr(dirname(file)), safeRealpathOr(input));
    if (same || inside) {
      throw new UserError(
        `${what} ${file}: is also an input${same ? '' : ` (a manifest inside ${input})`}; writing it would destroy what is being read`,
        'write the output somewhere else',
      );
    }
  }
}

function safeRealpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

function isInside(child: string, dir: string): boolean {
  const rel = relative(dir, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Temporary files being written, removed if a signal ends the process. */
const temporaries = new Set<string>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function onSignal(signal: NodeJS.Signals): void {
  for (const t of temporaries) {
    try {
      unlinkSync(t);
    } catch {
      // already gone
    }
  }
  temporaries.clear();
  for (const s of SIGNALS) process.removeListener(s, onSignal);
  // End the way the signal would have ended us (the shell then shows 130, 143, …).
  process.kill(process.pid, signal);
  process.exit(128 + (osConstants.signals[signal] ?? 0));
}

function track(tmp: string): void {
  if (temporaries.size === 0) for (const s of SIGNALS) process.on(s, onSignal);
  temporaries.add(tmp);
}

function untrack(tmp: string): void {
  temporaries.delete(tmp);
  if (temporaries.size === 0) for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/** A fresh name beside `file` that no one can guess in advance. */
function temporaryName(file: string): string {
  return join(dirname(file), `.${basename(file)}.${randomBytes(8).toString('hex')}.tmp`);
}

/** Exclusive creation: fails on anything already there, a symlink included. */
const CREATE_EXCLUSIVE = fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW;

/** The replaced file's mode (and owner, where we may set it), or the default for a new file. */
function carryOver(fd: number, previous: Stats | undefined): void {
  if (!previous) return;
  fchmodSync(fd, previous.mode & 0o7777);
  if (process.getuid?.() === 0) {
    try {
      fchownSync(fd, previous.uid, previous.gid);
    } catch {
      // keep ours
    }
  }
}

function removeQuietly(tmp: string): void {
  try {
    unlinkSync(tmp);
  } catch {
    // never created, or already gone
  }
}

/** The last step, shared: check the target again (it may have changed meanwhile) and rename. */
function replace(tmp: string, file: string, what: string): void {
  checkTarget(file, what);
  renameSync(tmp, file);
}

function writeError(e: unknown, file: string): unknown {
  if (e instanceof UserError) return e;
  // Only file-system errors are the user's; a failure producing the chunks is not.
  if ((e as NodeJS.ErrnoException).code === undefined) return e;
  return new UserError(`cannot write ${file}: ${systemErrorText(e)}`);
}

/**
 * Write `text` (one string or chunks) to `file`: a temporary file beside it, then a rename.
 * Asynchronous between chunks, so that a signal arriving meanwhile removes the temporary file.
 */
export async function writeFileAtomic(file: string, text: string | Iterable<string | Uint8Array>, what = '-o'): Promise<void> {
  const previous = checkTarget(file, what);
  const tmp = temporaryName(file);
  track(tmp);
  try {
    const fh = await open(tmp, CREATE_EXCLUSIVE, 0o666);
    try {
      carryOver(fh.fd, previous);
      for (const chunk of typeof text === 'string' ? [text] : text) await fh.writeFile(chunk);
      await fh.sync();
    } finally {
      await fh.close();
    }
    replace(tmp, file, what);
  } catch (e) {
    removeQuietly(tmp);
    throw writeError(e, file);
  } finally {
    untrack(tmp);
  }
}

/** writeFileAtomic for a small text written at once (the lab's records). */
export function writeFileAtomicSync(file: string, text: string, what: string): void {
  const previous = checkTarget(file, what);
  const tmp = temporaryName(file);
  try {
    const fd = openSync(tmp, CREATE_EXCLUSIVE, 0o666);
    try {
      carryOver(fd, previous);
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    replace(tmp, file, what);
  } catch (e) {
    removeQuietly(tmp);
    throw writeError(e, file);
  }
}
