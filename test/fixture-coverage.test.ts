/**
 * Coverage of the golden fixtures (STYLE.md rule 15): every chain kp-gen writes, in each table
 * it belongs to, every Service type, traffic policy and session affinity, both IP families and
 * every output shape the CLI offers (--format × --save-backend × --include-jumps) appear in at
 * least one golden case, with evidence in its expected output, not only in its input. A failure
 * names what is missing: add a fixture for it (README "Tests"). The lists are checked against
 * the goldens and the CLI, so a new chain or a new --format value cannot be left off them.
 *
 * test/helpers/golden-corpus.ts holds the corpus; `goldenRuleLines` there is the hook for a
 * vocabulary list (every match, option and target kp-gen's rule vocabulary knows).
 */
import { describe, expect, it } from 'vitest';
import { readRule } from '../src/iptables/read.js';
import { entriesOf, vocabularyEntries } from './helpers/vocabulary-entries.js';
import { buildProgram } from '../src/cli.js';
import { goldenCases, goldenRuleLines, uncovered, type CoverageItem, type GoldenCase } from './helpers/golden-corpus.js';

const corpus = goldenCases();
const MISSING = 'shown by no golden fixture (add one, see README "Tests")';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---- chains ----------------------------------------------------------------------------

/** [table, chain]; a name ending in `-` is a prefix followed by the 16-character hash. */
const CHAINS: readonly (readonly [string, string])[] = [
  ['nat', 'KUBE-SERVICES'],
  ['nat', 'KUBE-NODEPORTS'],
  ['nat', 'KUBE-POSTROUTING'],
  ['nat', 'KUBE-MARK-MASQ'],
  ['nat', 'KUBE-SVC-'],
  ['nat', 'KUBE-SVL-'],
  ['nat', 'KUBE-EXT-'],
  ['nat', 'KUBE-FW-'],
  ['nat', 'KUBE-XLB-'],
  // kubelet's, declared by --include-jumps for releases that jump to it (1.24 and before).
  ['nat', 'KUBE-MARK-DROP'],
  ['nat', 'KUBE-SEP-'],
  ['filter', 'KUBE-SERVICES'],
  ['filter', 'KUBE-NODEPORTS'],
  ['filter', 'KUBE-EXTERNAL-SERVICES'],
  ['filter', 'KUBE-FORWARD'],
  ['filter', 'KUBE-PROXY-FIREWALL'],
  ['filter', 'KUBE-FIREWALL'],
  // The built-in chains kube-proxy jumps from (--include-jumps).
  ['nat', 'PREROUTING'],
  ['nat', 'OUTPUT'],
  ['nat', 'POSTROUTING'],
  ['filter', 'INPUT'],
  ['filter', 'FORWARD'],
  ['filter', 'OUTPUT'],
];

const chainMatches = (pattern: string, chain: string) =>
  pattern.endsWith('-') ? new RegExp(`^${esc(pattern)}[A-Z2-7]{16}$`).test(chain) : chain === pattern;

/** A chain counts when a table declares it and at least one rule is in it. */
const chainItems: CoverageItem[] = CHAINS.map(([table, pattern]) => ({
  name: `${table} ${pattern}${pattern.endsWith('-') ? '*' : ''}`,
  covered: (c) =>
    c.tables.some(
      (t) => t.name === table && t.chains.some((ch) => chainMatches(pattern, ch) && t.rules.some((r) => r.chain === ch)),
    ),
}));

// ---- Services, policies, families ------------------------------------------------------

interface Svc {
  ref: string;
  type: string;
  clusterIP: string;
  nodePorts: number[];
  ingressIPs: string[];
  etp: string;
  itp: string;
  affinity: string;
}

function services(c: GoldenCase): Svc[] {
  return c.objects.filter((o): o is Obj => isObj(o) && o.kind === 'Service').map((o) => {
    const meta = isObj(o.metadata) ? o.metadata : {};
    const spec = isObj(o.spec) ? o.spec : {};
    const status = isObj(o.status) && isObj(o.status.loadBalancer) ? o.status.loadBalancer : {};
    const ports = Array.isArray(spec.ports) ? spec.ports.filter(isObj) : [];
    const ingress = Array.isArray(status.ingress) ? status.ingress.filter(isObj) : [];
    const str = (v: unknown, d: string) => (typeof v === 'string' ? v : d);
    return {
      ref: `${str(meta.namespace, 'default')}/${str(meta.name, '')}`,
      type: str(spec.type, 'ClusterIP'),
      clusterIP: str(spec.clusterIP, ''),
      nodePorts: ports.map((p) => p.nodePort).filter((n): n is number => typeof n === 'number'),
      ingressIPs: ingress.map((i) => i.ip).filter((ip): ip is string => typeof ip === 'string'),
      etp: str(spec.externalTrafficPolicy, 'Cluster'),
      itp: str(spec.internalTrafficPolicy, 'Cluster'),
      affinity: str(spec.sessionAffinity, 'None'),
    };
  });
}

/** Rule lines (in any table) that name the Service (`ns/name:port` or `ns/name` in a comment). */
function linesOf(c: GoldenCase, s: Svc): string[] {
  const re = new RegExp(`[\\s"]${esc(s.ref)}(?=[:\\s"]|$)`);
  return c.tables.flatMap((t) => t.rules.map((r) => r.line)).filter((l) => re.test(l));
}

const destination = (ip: string) => new RegExp(`(^| )-d ${esc(ip)}(/(32|128))?( |$)`);
const isIP = (s: string) => /^[\d.]+$|:/.test(s);
const external = (s: Svc) => s.type === 'NodePort' || s.type === 'LoadBalancer';

/** `-A KUBE-EXT-<h> … -j <to>-<h>` for a KUBE-EXT chain whose rules name the Service. */
function extJumps(c: GoldenCase, s: Svc, to: 'KUBE-SVC-' | 'KUBE-SVL-'): boolean {
  const lines = c.tables.filter((t) => t.name === 'nat').flatMap((t) => t.rules.map((r) => r.line));
  const hashes = new Set(linesOf(c, s).flatMap((l) => /^-A KUBE-EXT-(\S+) /.exec(l)?.[1] ?? []));
  return [...hashes].some((h) => lines.includes(`-A KUBE-EXT-${h} -j ${to}${h}`));
}

/** A KUBE-SERVICES rule for the Service's cluster IP that jumps to a `to` chain. */
function clusterIPJumps(c: GoldenCase, s: Svc, to: 'KUBE-SVC-' | 'KUBE-SVL-'): boolean {
  return linesOf(c, s).some((l) => l.startsWith('-A KUBE-SERVICES ') && l.includes(' cluster IP') && l.includes(` -j ${to}`));
}

const someService = (name: string, pred: (c: GoldenCase, s: Svc) => boolean): CoverageItem => ({
  name,
  covered: (c) => services(c).some((s) => pred(c, s)),
});

const serviceItems: CoverageItem[] = [
  someService('Service type ClusterIP (rules for its cluster IP)', (c, s) =>
    s.type === 'ClusterIP' && isIP(s.clusterIP) && linesOf(c, s).some((l) => destination(s.clusterIP).test(l)),
  ),
  someService('Service type NodePort (a KUBE-NODEPORTS rule for its node port)', (c, s) =>
    s.type === 'NodePort' &&
    s.nodePorts.some((n) => linesOf(c, s).some((l) => l.startsWith('-A KUBE-NODEPORTS ') && l.includes(`--dport ${n} `))),
  ),
  someService('Service type LoadBalancer (rules for its load-balancer IP)', (c, s) =>
    s.type === 'LoadBalancer' && s.ingressIPs.some((ip) => linesOf(c, s).some((l) => destination(ip).test(l))),
  ),
  someService('Service type ExternalName (no rules)', (c, s) => s.type === 'ExternalName' && linesOf(c, s).length === 0),
  someService('headless Service, clusterIP None (no rules)', (c, s) => s.clusterIP === 'None' && linesOf(c, s).length === 0),
  someService('externalTrafficPolicy Cluster (KUBE-EXT-* jumps to KUBE-SVC-*)', (c, s) =>
    external(s) && s.etp === 'Cluster' && extJumps(c, s, 'KUBE-SVC-'),
  ),
  someService('externalTrafficPolicy Local (KUBE-EXT-* jumps to KUBE-SVL-*)', (c, s) =>
    external(s) && s.etp === 'Local' && extJumps(c, s, 'KUBE-SVL-'),
  ),
  someService('internalTrafficPolicy Cluster (cluster IP jumps to KUBE-SVC-*)', (c, s) =>
    s.itp === 'Cluster' && clusterIPJumps(c, s, 'KUBE-SVC-'),
  ),
  someService('internalTrafficPolicy Local (cluster IP jumps to KUBE-SVL-*)', (c, s) =>
    s.itp === 'Local' && clusterIPJumps(c, s, 'KUBE-SVL-'),
  ),
  someService('sessionAffinity ClientIP (-m recent --rcheck)', (c, s) =>
    s.affinity === 'ClientIP' && linesOf(c, s).some((l) => l.includes('-m recent') && l.includes('--rcheck')),
  ),
];

/** A KUBE-SERVICES rule (either table) to a destination matching `address`. */
const servicesRuleTo = (c: GoldenCase, address: RegExp) =>
  c.tables.some((t) => t.rules.some((r) => r.chain === 'KUBE-SERVICES' && address.test(r.line)));

const familyItems: CoverageItem[] = [
  {
    name: 'IPv4 (a KUBE-SERVICES rule to an IPv4 address)',
    covered: (c) => c.shape.ipFamily === 'ipv4' && servicesRuleTo(c, / -d \d+\.\d+\.\d+\.\d+[/ ]/),
  },
  {
    name: 'IPv6 (a KUBE-SERVICES rule to an IPv6 address)',
    covered: (c) => c.shape.ipFamily === 'ipv6' && servicesRuleTo(c, / -d [\da-f]*:[\da-f:]*[/ ]/),
  },
];

// ---- output shapes, from the CLI's own choices ------------------------------------------

function choicesOf(flag: string): string[] {
  const option = buildProgram(() => {}).options.find((o) => o.long === flag);
  if (!option?.argChoices) throw new Error(`${flag}: no such option with choices in src/cli.ts`);
  return option.argChoices;
}

const shapeItems: CoverageItem[] = choicesOf('--format').flatMap((format) =>
  (format === 'save' ? choicesOf('--save-backend') : [undefined]).flatMap((backend) =>
    [false, true].map((jumps) => ({
      name: ['--format', format, ...(backend ? ['--save-backend', backend] : []), ...(jumps ? ['--include-jumps'] : [])].join(' '),
      covered: (c: GoldenCase) => c.shape.format === format && c.shape.saveBackend === backend && c.shape.includeJumps === jumps,
    })),
  ),
);

/**
 * Printable vocabulary entries no golden output shows, and why.
 */
const NOT_IN_GOLDENS = new Map([
  ['-o', 'kube-proxy matches no output interface; the save printer handles it like -i'],
]);

// ---- the tests ----------------------------------------------------------------------------

describe('golden fixture coverage', () => {
  it('has a corpus', () => {
    expect(corpus.length).toBeGreaterThan(0);
  });

  it('shows every chain kp-gen writes, in each of its tables, with a rule in it', () => {
    expect(uncovered(chainItems, corpus), MISSING).toEqual([]);
  });

  it('knows every chain the goldens declare or write rules in', () => {
    const unknown = new Set<string>();
    for (const c of corpus) {
      for (const t of c.tables) {
        const used = [...t.chains.filter((ch) => ch.startsWith('KUBE-')), ...t.rules.map((r) => r.chain)];
        for (const ch of used) {
          const known = CHAINS.some(([table, p]) => table === t.name && chainMatches(p, ch));
          if (!known) unknown.add(`${t.name} ${ch} (${c.fixture.name})`);
        }
      }
    }
    expect([...unknown], 'chains missing from CHAINS in test/fixture-coverage.test.ts').toEqual([]);
  });

  it('shows every Service type, traffic policy and session affinity', () => {
    expect(uncovered(serviceItems, corpus), MISSING).toEqual([]);
  });

  it('shows both IP families', () => {
    expect(uncovered(familyItems, corpus), MISSING).toEqual([]);
  });

  it('shows every output shape: --format × --save-backend × --include-jumps', () => {
    expect(shapeItems.length).toBeGreaterThanOrEqual(6);
    expect(uncovered(shapeItems, corpus), MISSING).toEqual([]);
  });

  it('shows every entry of the rule vocabulary kp-gen writes, in restore or save form', () => {
    const seen = new Set<string>();
    for (const l of goldenRuleLines(corpus)) {
      for (const e of entriesOf(readRule(l.line.slice(l.chain.length + 4)).shape)) seen.add(e);
    }
    const missing = vocabularyEntries()
      .filter((v) => !v.readOnly && !seen.has(v.entry) && !NOT_IN_GOLDENS.has(v.entry))
      .map((v) => v.entry);
    expect(missing, MISSING).toEqual([]);
    // An entry listed as missing that a golden now shows comes off the list.
    expect([...NOT_IN_GOLDENS.keys()].filter((e) => seen.has(e))).toEqual([]);
  });

  it('yields the rule lines of every golden output, restore and save forms', () => {
    const lines = [...goldenRuleLines(corpus)];
    const forms = new Set(lines.map((l) => l.shape.format));
    expect([...forms].sort()).toEqual(['restore', 'save']);
    expect(lines.every((l) => l.line.startsWith(`-A ${l.chain} `))).toBe(true);
    expect(new Set(lines.map((l) => l.fixture)).size).toBeGreaterThan(corpus.length / 2);
  });
});
