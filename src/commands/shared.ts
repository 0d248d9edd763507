/**
 * Parse-time pieces the dump-reading commands (diff, trace) share: checking that generation
 * flags are only given where rules are generated from manifests. (Reading a dump is in
 * read-dump.ts, which only runs with the command.)
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

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
