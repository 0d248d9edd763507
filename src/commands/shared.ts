/**
 * Pieces the dump-reading commands (diff, trace) share: reading a dump file or stdin, and
 * checking that generation flags are only given where rules are generated from manifests.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError, UserError } from '../errors.js';
import type { CliIO } from '../io.js';
import { parseDump } from '../parse/dump.js';
import type { Dump } from '../parse/types.js';

/** Read and parse a dump; `-` is stdin. Unreadable files are UserErrors. */
export function readDump(path: string, io: Pick<CliIO, 'readStdin'>): Dump {
  let text: string;
  try {
    text = path === '-' ? io.readStdin() : readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`cannot read ${path}: ${code ?? String(e)}`);
  }
  return parseDump(text, path);
}

/** Every generation option's attribute key and flag, as addGenerationOptions declares them. */
export function generationOptionKeys(cmd: Command, own: readonly string[]): { key: string; flag: string }[] {
  return cmd.options
    .filter((o) => !own.includes(o.attributeName()))
    .map((o) => ({ key: o.attributeName(), flag: o.long ?? o.short ?? o.attributeName() }));
}

export function rejectOptions(cmd: Command, keys: { key: string; flag: string }[], why: string): void {
  const given = keys.filter((k) => cmd.getOptionValueSource(k.key) === 'cli');
  if (given.length > 0) throw new UsageError(`${given.map((g) => g.flag).join(', ')}: ${why}`);
}
