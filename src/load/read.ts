/**
 * Reading an input — a manifest, a dump, a config file, stdin — with a size limit, so that
 * endless input (`/dev/zero`, a stream that never ends) is an error, not a hang or a crash.
 * Regular files larger than the limit are refused before a byte is read; other files (stdin,
 * a fifo, a device) are read until the limit.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { systemErrorText, UserError } from '../errors.js';

/** The most kp-gen reads from one input: 256 MiB (V8 strings end at 512 MiB). */
export const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/** `file`'s bytes (`-` or a number: that file descriptor), refused beyond `limit`. */
export function readInputBytes(file: string | number, name: string, limit = MAX_INPUT_BYTES): Buffer {
  let fd: number;
  try {
    fd = typeof file === 'number' ? file : openSync(file, 'r');
  } catch (e) {
    throw new UserError(`cannot read ${name}: ${systemErrorText(e)}`);
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new UserError(`cannot read ${name}: is a directory`);
    if (st.isFile() && st.size > limit) throw tooLarge(name, limit);
    const chunks: Buffer[] = [];
    let total = 0;
    // A regular file is read in one piece of its size (and one more byte, to see it end).
    let next = st.isFile() ? st.size + 1 : 1 << 20;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(next, limit + 1 - total));
      // After a regular file's expected end, a small buffer to see that it ended.
      next = st.isFile() && total + chunk.length > st.size ? 1 << 12 : 1 << 20;
      let n: number;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        // A non-blocking stdin with nothing in it yet: wait a moment and try again.
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
          continue;
        }
        throw e;
      }
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      if (total > limit) throw tooLarge(name, limit);
    }
    // Most files come in one chunk: no copy.
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read ${name}: ${systemErrorText(e)}`);
  } finally {
    if (typeof file !== 'number') closeSync(fd);
  }
}

/** `file`'s text, decoded as UTF-8, refused beyond `limit`. */
export function readInputText(file: string | number, name: string, limit = MAX_INPUT_BYTES): string {
  return readInputBytes(file, name, limit).toString('utf8');
}

function tooLarge(name: string, limit: number): UserError {
  return new UserError(`cannot read ${name}: larger than ${limit / (1024 * 1024)} MiB, the most kp-gen reads from one input`);
}
