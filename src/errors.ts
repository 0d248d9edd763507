/**
 * Typed errors. Each maps to one exit code in main.ts (see ../shared/design/cli.md):
 * UsageError → 2, UserError and InputError → 1, ClusterError → 3, InternalError → 70.
 */

import { getSystemErrorMap } from 'node:util';

/** A problem the user can fix: a bad flag value, an unreadable file. Exit 1, no stack. */
export class UserError extends Error {
  override readonly name: string = 'UserError';
  constructor(
    message: string,
    /** One line telling the user what to do about it. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Where in the input a problem sits. Every part is optional; more is better. */
export interface InputLocation {
  /** The file as the user named it (or `-` for stdin). */
  file: string;
  /** 1-based line and column, for syntax errors. */
  line?: number;
  column?: number;
  /** `Kind namespace/name` of the object at fault. */
  object?: string;
  /** Field path inside the object, e.g. `spec.ports[0].port`. */
  field?: string;
}

/** Render a location as `file:line:column: Kind ns/name: field`. */
export function formatLocation(loc: InputLocation): string {
  let s = loc.file;
  if (loc.line !== undefined) {
    s += `:${loc.line}`;
    if (loc.column !== undefined) s += `:${loc.column}`;
  }
  if (loc.object) s += `: ${loc.object}`;
  if (loc.field) s += `: ${loc.field}`;
  return s;
}

/** Invalid input: malformed YAML/JSON, or an object the API server would never accept. Exit 1. */
export class InputError extends UserError {
  override readonly name: string = 'InputError';
  constructor(
    readonly location: InputLocation,
    readonly problem: string,
    hint?: string,
  ) {
    super(`${formatLocation(location)}: ${problem}`, hint);
  }
}

/** Bad command-line usage (unknown flag, missing argument). Exit 2. */
export class UsageError extends UserError {
  override readonly name: string = 'UsageError';
}

/** A live-cluster problem (kubeconfig, connection, authorisation). Exit 3. */
export class ClusterError extends UserError {
  override readonly name: string = 'ClusterError';
}

/** A bug in kp-gen. Printed with its stack and a request to report it. */
export class InternalError extends Error {
  override readonly name: string = 'InternalError';
}

/**
 * A skipped object or field, as kube-proxy would skip it. Printed on stderr as one line;
 * `--strict` turns the first one into an exit-1 error.
 */
export interface Warning {
  location: InputLocation;
  message: string;
}

/**
 * A value kp-gen made up where the input left it to the control plane (an allocated cluster IP,
 * a node port). Printed on stderr as one `note:` line unless -q; never fatal, --strict included.
 */
export interface Note {
  location: InputLocation;
  message: string;
}

/** A warning's or a note's text, without its `warning:`/`note:` label. */
export function formatWarning(w: Warning | Note): string {
  return `${formatLocation(w.location)}: ${w.message}`;
}

/**
/**
 * A system error in words, as the C library says it (`no space left on device`, not `ENOSPC`,
 * `too many levels of symbolic links`, not libuv's wording); other errors by their message's
 * first line, with a leading `ECODE: ` and trailing `, open 'x'` dropped. The one place that
 * turns an errno into text: every diagnostic about a file, a directory or a process uses it.
 */
export function systemErrorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code === 'string' && C_LIBRARY_WORDS[err.code]) return C_LIBRARY_WORDS[err.code]!;
  if (typeof err?.errno === 'number') {
    const known = getSystemErrorMap().get(err.errno);
    if (known) return known[1];
  }
  const message = typeof err?.message === 'string' ? err.message : String(e);
  const m = /^E[A-Z0-9]+: ([^,\n]+)/.exec(message);
  return (m ? m[1]! : message).split('\n')[0]!.trim();
}

/** Where libuv's wording (getSystemErrorMap) differs from strerror's, or Node sets no errno. */
const C_LIBRARY_WORDS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ELOOP: 'too many levels of symbolic links',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ENAMETOOLONG: 'file name too long',
  EMFILE: 'too many open files',
  EIO: 'input/output error',
  ENXIO: 'no such device or address',
};
