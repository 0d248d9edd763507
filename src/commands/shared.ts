/**
 * Parse-time pieces the dump-reading commands (diff, trace, ls, graph) share: checking that
 * generation flags are only given where rules are generated from manifests, and the "a dump or
 * manifests, written to stdout or -o" source of ls and graph. (Reading a dump is in
 * read-dump.ts, which only runs with the command.)
 */
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { readGenerationOptions, readSelection } from '../flags.js';
import { checkOutputName, checkOutputTarget, STDOUT_NAME } from '../io.js';
import type { RunOptions } from '../options.js';
import type { Selection } from '../views/select.js';

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

/** Where a view (ls, graph) reads its rules from and writes its answer to. */
export interface ViewSource {
  /** A dump to read (`--rules FILE`)… */
  rules?: string;
  /** …or manifests to generate the rules from. */
  gen?: RunOptions;
  select?: Selection;
  /** `-o FILE`; stdout when undefined. */
  output?: string;
}

/**
 * `--rules FILE` or manifest paths (exactly one of them; generation flags only with paths),
 * `--service`/`-n`, and `-o` checked as every command checks it. `formatHint` is the usage
 * hint for a bare format given to `-o`.
 */
export function readViewSource(
  self: Command,
  paths: string[],
  f: { rules?: string; output?: string },
  own: readonly string[],
  formatHint: string,
): ViewSource {
  if ((f.rules !== undefined) === (paths.length > 0)) throw new UsageError('give either --rules FILE or manifest paths');
  const source: ViewSource = {};
  if (f.rules !== undefined) {
    rejectOptions(self, generationOptionKeys(self, own), 'only when generating from manifests, not with --rules');
    source.rules = f.rules;
  } else {
    source.gen = readGenerationOptions(paths, self);
  }
  if (f.output !== undefined && f.output !== STDOUT_NAME) {
    checkOutputName(f.output, formatHint);
    checkOutputTarget(f.output, f.rules !== undefined ? [f.rules] : paths);
    source.output = f.output;
  }
  const select = readSelection(self);
  if (select) source.select = select;
  return source;
}
