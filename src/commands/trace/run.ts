/**
 * Running `kp-gen trace` (declared in index.ts): read or generate the rules, follow the packet
 * through them, print the outcomes.
 */
import { UserError } from '../../errors.js';
import type { CliIO } from '../../io.js';
import { rulesetDump } from '../../emit/dump.js';
import { DumpParseError } from '../../iptables/dump.js';
import type { Dump } from '../../iptables/dump-types.js';
import { ValueError } from '../../iptables/values.js';
import { noteLine, noteText, warningLine, warningText } from '../../report.js';
import { generate } from '../../run.js';
import { traceDump, TraceError, type NodeContext } from '../../trace/index.js';
import { outcomesJSON, renderTrace } from '../../trace/render.js';
import { narrowDumps, readDump } from '../read-dump.js';
import type { TraceOptions } from './index.js';

export async function runTrace(io: CliIO, o: TraceOptions): Promise<number> {
  const node: NodeContext = { localAddresses: o.localAddresses };
  let result;
  try {
    let dump: Dump;
    if (o.gen) {
      const generated = generate(o.gen, { readStdin: io.readStdin });
      if (!o.gen.quiet) for (const line of [...generated.notes.map(noteLine), ...generated.warnings.map(warningLine)]) io.stderr(line);
      dump = rulesetDump(generated.ruleset, 'generated rules');
    } else {
      dump = readDump(o.rules!, io);
    }
    dump = narrowDumps([dump], o.select, io, o.gen?.quiet)[0]!;
    if (!dump.tables.has('nat') && !dump.tables.has('filter')) {
      throw new UserError(`${dump.source}: no nat or filter table to trace through`);
    }
    result = traceDump(dump, o.packet, node);
  } catch (e) {
    if (e instanceof DumpParseError || e instanceof ValueError || e instanceof TraceError) throw new UserError(e.message);
    throw e;
  }
  if (node.localAddresses.length === 0) {
    result.notes.push('no --node-ip or --node-addresses: only 127.0.0.0/8 and ::1 count as the node\'s own (addrtype LOCAL)');
  }
  for (const n of result.notes) io.stderr(noteText(n));
  for (const w of result.warnings) io.stderr(warningText(w));
  await io.stdout(o.json ? outcomesJSON(result) : renderTrace(o.packet, result));
  return 0;
}
