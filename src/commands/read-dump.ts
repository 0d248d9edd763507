/**
 * Reading a rule dump for the dump-reading commands (diff, trace). Kept apart from
 * commands/shared.ts, which their parse-time code uses: the dump parser is only loaded when
 * such a command runs.
 */
import { systemErrorText, UserError } from '../errors.js';
import { readInputText } from '../load/read.js';
import type { CliIO } from '../io.js';
import { parseDump } from '../iptables/dump.js';
import { warningText } from '../report.js';
import type { Dump } from '../iptables/dump-types.js';
import { selectDumps, SelectionError, selectsAll, type Selection } from '../views/select.js';

/** Read and parse a dump; `-` is stdin. Unreadable files and text without a table are UserErrors. */
export function readDump(path: string, io: Pick<CliIO, 'readStdin'>): Dump {
  let text: string;
  try {
    text = path === '-' ? io.readStdin() : readInputText(path, path);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read ${path}: ${systemErrorText(e)}`);
  }
  const dump = parseDump(text, path);
  // An empty file, or one of comments only, is no dump: comparing it would say "different"
  // (or "same", with another empty one) about rules nobody read.
  if (dump.tables.size === 0) {
    throw new UserError(
      `${path}: not an iptables-save or iptables-restore dump (no *table line${text.trim() === '' ? '; the file is empty' : ''})`,
      'give the output of iptables-save, ip6tables-save or kp-gen',
    );
  }
  return dump;
}

/**
 * The dumps narrowed to --service / -n (views/select.ts), warnings on stderr; a selector that
 * names no Service of any of them is a UserError.
 */
export function narrowDumps(dumps: Dump[], select: Selection | undefined, io: Pick<CliIO, 'stderr'>, quiet = false): Dump[] {
  if (selectsAll(select)) return dumps;
  try {
    const r = selectDumps(dumps, select!);
    if (!quiet) for (const w of r.warnings) io.stderr(warningText(`${w.flag}: ${w.message}`));
    return r.dumps;
  } catch (e) {
    if (e instanceof SelectionError) throw new UserError(e.message);
    throw e;
  }
}
