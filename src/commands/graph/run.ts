/**
 * Running `kp-gen graph` (declared in index.ts): read or generate the rules, narrow them to the
 * chosen Services, draw.
 */
import { UserError } from '../../errors.js';
import { writeFileAtomic, type CliIO } from '../../io.js';
import { DumpParseError } from '../../iptables/dump.js';
import { ValueError } from '../../iptables/values.js';
import { noteLine, warningLine, warningText } from '../../report.js';
import { generate } from '../../run.js';
import { packetGraph, renderDot, renderMermaid } from '../../views/graph.js';
import { dumpGraph, knownPorts, resolveSelection, rulesetGraph, SelectionError, selectsAll, type RuleGraph } from '../../views/select.js';
import { serviceMap } from '../../views/service-map.js';
import { readDump } from '../read-dump.js';
import type { GraphOptions } from './index.js';

export async function runGraph(io: CliIO, o: GraphOptions): Promise<number> {
  let text: string;
  try {
    let graph: RuleGraph;
    let source: string;
    if (o.gen) {
      const generated = generate(o.gen, { readStdin: io.readStdin });
      if (!o.gen.quiet) for (const line of [...generated.notes.map(noteLine), ...generated.warnings.map(warningLine)]) io.stderr(line);
      graph = rulesetGraph(generated.ruleset);
      source = o.gen.paths.join(' ');
    } else {
      const dump = readDump(o.rules!, io);
      graph = dumpGraph(dump);
      source = dump.source;
    }
    let names: Set<string> | undefined;
    let title = `kube-proxy rules of ${source}`;
    if (!selectsAll(o.select)) {
      const r = resolveSelection(o.select!, knownPorts(graph), o.rules ?? 'the input');
      if (!o.gen?.quiet) for (const w of r.warnings) io.stderr(warningText(`${w.flag}: ${w.message}`));
      names = r.names;
      title = [...o.select!.services.map((s) => `${s.namespace}/${s.name}${s.port ? `:${s.port}` : ''}`), ...o.select!.namespaces.map((n) => `namespace ${n}`)].join(', ');
    }
    const views = serviceMap(graph, source, undefined, names).items;
    const g = packetGraph(graph, views, title);
    if (o.format === 'mermaid') text = renderMermaid(g);
    else if (o.format === 'dot') text = renderDot(g);
    else text = await (await import('../../views/graph-svg.js')).dotToSVG(renderDot(g));
  } catch (e) {
    if (e instanceof DumpParseError || e instanceof ValueError || e instanceof SelectionError) throw new UserError(e.message);
    throw e;
  }
  if (o.output !== undefined) await writeFileAtomic(o.output, text);
  else await io.stdout(text);
  return 0;
}
