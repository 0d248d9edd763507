/**
 * Running `kp-gen diff` (declared in index.ts): read or generate the two dumps, compare them,
 * print the differences. Exit codes as diff(1): 0 same, 1 different, 2 trouble.
 */
import { Chalk } from 'chalk';
import { useColor } from '../../color.js';
import { UsageError, UserError } from '../../errors.js';
import type { CliIO } from '../../io.js';
import { compareDumps } from '../../diff/compare.js';
import { diffJSON, NO_COLORS, renderDiff, renderStat, type DiffColors } from '../../diff/render.js';
import { summarize } from '../../diff/summary.js';
import { renderUnified } from '../../diff/unified.js';
import { rulesetDump } from '../../emit/dump.js';
import { DumpParseError } from '../../iptables/dump.js';
import { ValueError } from '../../iptables/values.js';
import { errorLines, noteLine, warningLine } from '../../report.js';
import { generate } from '../../run.js';
import { narrowDumps, readDump } from '../read-dump.js';
import type { DiffColor, DiffOptions } from './index.js';
import type { Dump } from '../../iptables/dump-types.js';
import type { RunOptions } from '../../options.js';

export const DIFF_SAME = 0;
export const DIFF_DIFFERENT = 1;
export const DIFF_TROUBLE = 2;

export async function runDiff(io: CliIO, o: DiffOptions): Promise<number> {
  let result;
  try {
    const stdinUses = o.dumps.filter((d) => d === '-').length + (o.gen?.paths.includes('-') ? 1 : 0);
    if (stdinUses > 1) throw new UsageError('stdin (-) can be read only once', 'run kp-gen diff --help for usage');
    let a;
    let b;
    if (o.gen) {
      [a, b] = generatedAndRead(io, o.gen, o.dumps[0]!);
    } else {
      a = readDump(o.dumps[0]!, io);
      b = readDump(o.dumps[1]!, io);
    }
    [a, b] = narrowDumps([a, b], o.select, io, o.gen?.quiet) as [typeof a, typeof b];
    result = compareDumps(a, b);
  } catch (e) {
    if (e instanceof UserError || e instanceof DumpParseError || e instanceof ValueError) {
      io.stderr(errorLines(e.message, e instanceof UserError ? e.hint : undefined));
      return DIFF_TROUBLE;
    }
    throw e;
  }
  try {
    if (o.json) await io.stdout(diffJSON(result, o.stat ? { summary: summarize(result) } : {}));
    else if (o.format === 'unified') await io.stdout(renderUnified(result));
    else if (o.stat) await io.stdout(renderStat(result, colors(io, o.color)));
    else await io.stdout(renderDiff(result, colors(io, o.color)));
  } catch (e) {
    // Stdout failed (a full disk): trouble, as diff(1) says; a closed pipe goes on to main.ts.
    if (!(e instanceof UserError)) throw e;
    io.stderr(errorLines(e.message, e.hint));
    return DIFF_TROUBLE;
  }
  return result.equal ? DIFF_SAME : DIFF_DIFFERENT;
}

/**
 * A from the manifests, and B. B is read first: the planned rules written as B writes them
 * are held as B's (emit/dump.ts). A function of its own, so that nothing of the plan (80 MB on
 * a 10k-Service cluster) stays reachable from the caller's frame while the dumps are compared.
 */
function generatedAndRead(io: CliIO, gen: RunOptions, dumpB: string): [Dump, Dump] {
  const generated = generate(gen, { readStdin: io.readStdin });
  if (!gen.quiet) for (const line of [...generated.notes.map(noteLine), ...generated.warnings.map(warningLine)]) io.stderr(line);
  const b = readDump(dumpB, io);
  return [rulesetDump(generated.ruleset, `kp-gen ${gen.paths.join(' ')}`, { dump: b, family: gen.ipFamily === 'ipv6' ? 6 : 4 }), b];
}

function colors(io: CliIO, when: DiffColor): DiffColors {
  if (!useColor(when, io.stdoutIsTTY === true, io.env ?? {})) return NO_COLORS;
  const c = new Chalk({ level: 1 });
  return { removed: c.red, added: c.green, heading: c.bold, dim: c.dim };
}
