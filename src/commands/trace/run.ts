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
import { traceDump, TraceError, type NodeContext, type Packet } from '../../trace/index.js';
import { renderTrace, traceJSON } from '../../trace/render.js';
import { findServiceAddress, touchedNoService } from '../../trace/service-address.js';
import { formatIP, type IP } from '../../model/ip.js';
import { narrowDumps, readDump } from '../read-dump.js';
import type { PacketSpec, TraceOptions } from './index.js';

function hostPort(ip: IP, port: number): string {
  return ip.family === 6 ? `[${formatIP(ip)}]:${port}` : `${formatIP(ip)}:${port}`;
}

/** The packet to trace: a Service destination looked up in the rules (its cluster IP, port, protocol). */
function resolvePacket(dump: Dump, spec: PacketSpec): Packet {
  const { protocolGiven, dst, dport, ...rest } = spec;
  if ('family' in dst) return { ...rest, dst, dport: dport! };
  const a = findServiceAddress(dump, {
    namespace: dst.namespace,
    name: dst.name,
    ...(dst.port !== undefined ? { port: dst.port } : {}),
    ...(dport !== undefined ? { dport } : {}),
    ...(protocolGiven ? { protocol: spec.protocol } : {}),
  });
  if (a.ip.family !== spec.src.family) throw new TraceError(`--dst ${a.servicePort} is ${formatIP(a.ip)}, not of --src's IP family`);
  return { ...rest, protocol: a.protocol, dst: a.ip, dport: a.port };
}

export async function runTrace(io: CliIO, o: TraceOptions): Promise<number> {
  const node: NodeContext = { localAddresses: o.localAddresses };
  let result;
  let packet: Packet;
  try {
    let dump: Dump;
    if (o.gen) {
      const generated = generate(o.gen, { readStdin: io.readStdin });
      if (!o.gen.quiet) for (const line of [...generated.notes.map(noteLine), ...generated.warnings.map(warningLine)]) io.stderr(line);
      dump = rulesetDump(generated.ruleset, 'generated rules');
    } else {
      dump = readDump(o.rules!, io);
    }
    // --dst NS/NAME is looked up before --service/-n narrow the rules, so that it names a
    // Service whether or not it is selected.
    packet = resolvePacket(dump, o.packet);
    dump = narrowDumps([dump], o.select, io, o.gen?.quiet)[0]!;
    if (!dump.tables.has('nat') && !dump.tables.has('filter')) {
      throw new UserError(`${dump.source}: no nat or filter table to trace through`);
    }
    result = traceDump(dump, packet, node, { explain: o.explain });
  } catch (e) {
    if (e instanceof DumpParseError || e instanceof ValueError || e instanceof TraceError) throw new UserError(e.message);
    throw e;
  }
  if (node.localAddresses.length === 0) {
    result.notes.push('no --node-ip or --node-addresses: only 127.0.0.0/8 and ::1 count as the node\'s own (addrtype LOCAL)');
  }
  // A Service named by --dst NS/NAME has the address, unless --service/-n left it out.
  if (('family' in o.packet.dst || o.select) && touchedNoService(result)) {
    const which = o.select ? 'no Service selected by --service/-n has' : 'no Service has';
    result.notes.push(`${which} ${packet.protocol} ${hostPort(packet.dst, packet.dport)}: no kube-proxy rule for a Service matched the packet`);
  }
  for (const n of result.notes) io.stderr(noteText(n));
  for (const w of result.warnings) io.stderr(warningText(w));
  await io.stdout(o.json ? traceJSON(packet, result) : renderTrace(packet, result, { brief: o.brief, explain: o.explain }));
  return 0;
}
