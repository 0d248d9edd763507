/**
 * `-o FILE`, on every command: the output written to FILE atomically (a temporary file in the
 * same directory, then a rename), so a failed run never leaves a half-written file.
 */
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from './errors.js';

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

