/**
 * `kp-gen graph`: Mermaid and DOT transcripts (test/graph/<case>/args.txt → expected.txt; see
 * helpers/transcript.ts); the SVG, laid out in-process, parses as XML and holds one node per
 * chain on the path; and the README's picture (docs/graph-example.svg) is what
 * `npm run docs:graph` makes now.
 *
 *   UPDATE=1 npx vitest run test/graph.test.ts   rewrite expected.txt files; review the diff
 *   npm run docs:graph                            regenerate docs/graph-example.svg
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { runKpGen } from './helpers/cli.js';
import { expectGolden } from './helpers/golden.js';
import { discoverCases, invoke, transcriptOf } from './helpers/transcript.js';

process.env.FORCE_COLOR = '0';
const cases = discoverCases('test/graph');
const tmp = mkdtempSync(join(tmpdir(), 'kp-gen-graph-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe.each(cases.map((c) => [c.name, c] as const))('graph %s', (_name, c) => {
  it('matches expected.txt', async () => {
    const runs = [];
    for (const line of c.lines) runs.push(await invoke('graph', c, line));
    expectGolden(transcriptOf('graph', runs), join(c.dir, 'expected.txt'));
    for (const r of runs) {
      if (c.name === 'errors') expect(r.result.code).not.toBe(0);
      else expect(r.result.code, r.result.stderr).toBe(0);
    }
  });
});

/** The titles of the SVG's nodes (Graphviz writes `<g class="node"><title>ID</title>…`). */
function svgNodeTitles(svg: string): string[] {
  expect(XMLValidator.validate(svg)).toBe(true);
  const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'g' }).parse(svg) as {
    svg: { g: { g?: { '@_class'?: string; title?: string }[] }[] };
  };
  const groups = doc.svg.g.flatMap((g) => g.g ?? []);
  return groups.filter((g) => g['@_class'] === 'node').map((g) => String(g.title).replace(/&#45;/g, '-'));
}

interface LsItem {
  chains: Record<string, string | null>;
  endpoints: { chain: string | null }[];
}

describe('graph --format svg', () => {
  it.each([
    ['demo/web', ['--rules', 'test/diff/data/cluster.nft.save']],
    ['demo/api', ['--rules', 'test/diff/data/cluster.nft.save']],
    ['demo/sticky', ['--cluster-cidr', '10.244.0.0/16', '--hostname-override', 'node-1', 'test/data/cluster.yaml']],
  ])('%s: valid XML, one node per chain on the path', async (service, source) => {
    const out = join(tmp, 'g.svg');
    const r = await runKpGen(['graph', ...source, '--service', service, '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    const titles = svgNodeTitles(readFileSync(out, 'utf8'));
    const ls = await runKpGen(['ls', ...source, '--service', service, '--format', 'json']);
    const item = (JSON.parse(ls.stdout) as { items: LsItem[] }).items[0]!;
    const path = [
      'PREROUTING',
      'OUTPUT',
      'KUBE-SERVICES',
      'KUBE-MARK-MASQ',
      'POSTROUTING',
      'KUBE-POSTROUTING',
      ...Object.values(item.chains).filter((c): c is string => c !== null),
      ...item.endpoints.map((e) => e.chain).filter((c): c is string => c !== null),
    ];
    for (const chain of path) expect(titles.filter((t) => t === chain), chain).toHaveLength(1);
    expect(new Set(titles).size).toBe(titles.length);
  });

  it("the README's picture is current (npm run docs:graph)", async () => {
    const script = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts['docs:graph']!;
    const args = script.split('node bin/kp-gen.js ')[1]!.split(/\s+/);
    const o = args.indexOf('-o');
    expect(args[o + 1]).toBe('docs/graph-example.svg');
    args[o + 1] = join(tmp, 'example.svg');
    const r = await runKpGen(args);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(tmp, 'example.svg'), 'utf8'), 'docs/graph-example.svg is stale: run npm run docs:graph').toBe(readFileSync('docs/graph-example.svg', 'utf8'));
  });
});
