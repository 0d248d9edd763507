/**
 * Running `kp-gen ls` (declared in index.ts): read or generate the rules, map them per service
 * port, print the table (or JSON/YAML).
 */
import { UserError } from '../../errors.js';
import { writeFileAtomic, type CliIO } from '../../io.js';
import { DumpParseError } from '../../iptables/dump.js';
import { ValueError } from '../../iptables/values.js';
import { noteLine, warningLine, warningText } from '../../report.js';
import { generate, type RunResult } from '../../run.js';
import { renderServiceMap } from '../../views/ls-render.js';
import { chainKind, dumpGraph, knownPorts, resolveSelection, rulesetGraph, SelectionError, selectsAll, type RuleGraph } from '../../views/select.js';
import { lookUpChain, serviceMap, type ServiceMap } from '../../views/service-map.js';
import { readDump } from '../read-dump.js';
import type { LsOptions } from './index.js';

export async function runLs(io: CliIO, o: LsOptions): Promise<number> {
  let map: ServiceMap;
  let graph: RuleGraph;
  try {
    let source: string;
    let ports: RunResult['ports'] | undefined;
    if (o.gen) {
      const generated = generate(o.gen, { readStdin: io.readStdin });
      if (!o.gen.quiet) for (const line of [...generated.notes.map(noteLine), ...generated.warnings.map(warningLine)]) io.stderr(line);
      graph = rulesetGraph(generated.ruleset);
      source = o.gen.paths.join(' ');
      ports = generated.ports;
    } else {
      const dump = readDump(o.rules!, io);
      graph = dumpGraph(dump);
      source = dump.source;
    }
    let names: Set<string> | undefined;
    if (!selectsAll(o.select)) {
      const r = resolveSelection(o.select!, knownPorts(graph), o.rules ?? 'the input');
      if (!o.gen?.quiet) for (const w of r.warnings) io.stderr(warningText(`${w.flag}: ${w.message}`));
      names = r.names;
    }
    map = serviceMap(graph, source, ports, names);
    if (o.chain !== undefined) map = { ...map, items: [chainOwner(map, graph, o.chain)] };
  } catch (e) {
    if (e instanceof DumpParseError || e instanceof ValueError || e instanceof SelectionError) throw new UserError(e.message);
    throw e;
  }
  const text = renderServiceMap(map, o.format);
  if (o.output !== undefined) await writeFileAtomic(o.output, text);
  else await io.stdout(text);
  return 0;
}

/** --chain: the service port the chain belongs to; a chain of no one Service is a UserError saying what it is. */
function chainOwner(map: ServiceMap, graph: RuleGraph, chain: string) {
  const owner = lookUpChain(map, chain);
  if (owner) return owner;
  const exists = graph.tables.some((t) => t.chains.some((c) => c.name === chain));
  if (!exists) throw new UserError(`--chain ${chain}: no such chain in ${map.source}`);
  const kind = chainKind(chain);
  if (kind === 'service') throw new UserError(`--chain ${chain}: no rule of any Service reaches it (a stale chain?)`);
  if (kind === 'foreign') throw new UserError(`--chain ${chain}: not a kube-proxy chain`);
  throw new UserError(`--chain ${chain}: one of kube-proxy's fixed chains, shared by every Service`);
}
