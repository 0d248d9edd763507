/**
 * `--kube-proxy-version` against kube-proxy's own dumps of an older release.
 *
 * fixtures/upstream/v1.28/ holds whole dumps from the 1.27/1.28-era proxier_test.go (via
 * openshift/kubernetes; see their SOURCE.md). Their flags say `--nfacct-counters none` because
 * that era had no nfacct counters; with `--kube-proxy-version 1.28` kp-gen must reach the same
 * bytes without being told, whatever counters the node has. The five cases that keep an
 * `original.rules` differ from their test dump for reasons that are not a 1.28 difference (two
 * turn the ProxyTerminatingEndpoints gate off, which 1.28 locks on; three test OpenShift-only
 * code), so they are left out here and listed in the README ("Older kube-proxy releases").
 * The two gate-off dumps are 1.27's with the gate off: fixtures/releases/terminating-*-1.27
 * hold them (checked below to be the same bytes as the upstream cases' original.rules).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKpGen } from './helpers/cli.js';
import { discoverFixtures } from './helpers/fixtures.js';

const cases = discoverFixtures('fixtures/upstream/v1.28').fixtures.filter((f) => !f.isError);

/** The case's flags without the nfacct setting, which the release decides. */
function withoutNfacct(flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === '--nfacct-counters') i++;
    else out.push(flags[i]!);
  }
  return out;
}

describe('fixtures/upstream/v1.28 with --kube-proxy-version 1.28', () => {
  it('has cases', () => {
    expect(cases.length).toBeGreaterThan(30);
  });

  it.each(cases.filter((f) => !existsSync(join(f.dir, 'original.rules'))).map((f) => [f.name, f] as const))(
    '%s gives the test dump without --nfacct-counters none',
    async (_name, f) => {
      const flags = withoutNfacct(f.flags);
      expect(flags.length).toBe(f.flags.length - 2);
      const r = await runKpGen([...flags, '--kube-proxy-version', '1.28', ...f.inputs]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(readFileSync(join(f.dir, 'expected.rules'), 'utf8'));
    },
  );

  it('leaves out exactly the five cases whose test dump is not a 1.28 difference', () => {
    const kept = cases.filter((f) => existsSync(join(f.dir, 'original.rules'))).map((f) => f.dir.split('/').at(-1));
    expect(kept.sort()).toEqual([
      'endpoint-slice-with-terminating-endpoints-traffic-policy-cluster-gate-off-only-terminating',
      'endpoint-slice-with-terminating-endpoints-traffic-policy-local-gate-off-only-non-local-and-terminating',
      'only-local-with-fallback',
      'openshift-dns-hack',
      'openshift-dns-hack-fallback',
    ]);
  });

  it.each([
    ['endpoint-slice-with-terminating-endpoints-traffic-policy-cluster-gate-off-only-terminating', 'terminating-cluster-gate-off-1.27'],
    ['endpoint-slice-with-terminating-endpoints-traffic-policy-local-gate-off-only-non-local-and-terminating', 'terminating-local-gate-off-1.27'],
  ])('%s: its gate-off dump is 1.27 with ProxyTerminatingEndpoints=false', async (upstream, release) => {
    const f = cases.find((c) => c.dir.endsWith(`/${upstream}`))!;
    const original = readFileSync(join(f.dir, 'original.rules'), 'utf8');
    expect(readFileSync(join('fixtures/releases', release, 'expected.rules'), 'utf8')).toBe(original);
    const r = await runKpGen([...withoutNfacct(f.flags), '--kube-proxy-version', '1.27', '--feature-gates', 'ProxyTerminatingEndpoints=false', ...f.inputs]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(original);
    // 1.28 locks the gate on: the value is ignored and the fallback is written.
    const locked = await runKpGen([...withoutNfacct(f.flags), '--kube-proxy-version', '1.28', '--feature-gates', 'ProxyTerminatingEndpoints=false', ...f.inputs]);
    expect(locked.stdout).toBe(readFileSync(join(f.dir, 'expected.rules'), 'utf8'));
  });

  it('the newest release does need --nfacct-counters none for them (the switch matters)', async () => {
    const f = cases.find((c) => c.dir.endsWith('node-port'))!;
    const r = await runKpGen([...withoutNfacct(f.flags), ...f.inputs]);
    expect(r.stdout).not.toBe(readFileSync(join(f.dir, 'expected.rules'), 'utf8'));
    expect(r.stdout).toContain('--nfacct-name ct_state_invalid_dropped_pkts');
  });
});

/**
 * The real-cluster excerpts: the two of kube-proxy-versions.md §5 (seed A, 1.12-era; seed B,
 * `ns/name:` for an unnamed port) and seed C (a 1.10/1.11 weave-net node): their SOURCE.md quotes the `iptables-save` lines in an
 * `excerpt` block, and kp-gen's `--format save` output for the case must hold every one of
 * them, each service port's chain rules in the excerpt's order.
 */
const SEEDS = ['seed-a-1.12', 'seed-b-clusterip-1.16', 'seed-b-nodeport-1.16', 'seed-c-1.11'];

function excerptOf(dir: string): string[] {
  const source = readFileSync(join(dir, 'SOURCE.md'), 'utf8');
  const m = /```excerpt\n([\s\S]*?)```/.exec(source);
  if (!m) throw new Error(`${dir}/SOURCE.md has no excerpt block`);
  return m[1]!.split('\n').filter((l) => l !== '');
}

describe('seed excerpts from real clusters', () => {
  it.each(SEEDS)('%s: every quoted iptables-save line is in kp-gen\'s --format save output', async (name) => {
    const f = discoverFixtures(join('fixtures/releases', name)).fixtures[0]!;
    expect(f.flags).toContain('save');
    const r = await runKpGen([...f.flags, ...f.inputs]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(f.dir, 'expected.rules'), 'utf8'));
    const lines = r.stdout.split('\n');
    const excerpt = excerptOf(f.dir);
    expect(excerpt.length).toBeGreaterThan(7);
    for (const line of excerpt) expect(lines, line).toContain(line);
    // Within a KUBE-SVC chain the order is kube-proxy's (the probabilities depend on it).
    const svcLines = (text: string[]) => text.filter((l) => l.startsWith('-A KUBE-SVC-'));
    const quoted = svcLines(excerpt);
    const written = svcLines(lines).filter((l) => quoted.includes(l));
    expect(written).toEqual(quoted);
  });

  it('the seeds need their release: the newest kube-proxy writes other chain names and probabilities', async () => {
    const f = discoverFixtures('fixtures/releases/seed-b-nodeport-1.16').fixtures[0]!;
    const flags = f.flags.filter((x, i) => x !== '--kube-proxy-version' && f.flags[i - 1] !== '--kube-proxy-version');
    const r = await runKpGen([...flags, ...f.inputs]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('KUBE-SVC-5SB6FTEHND4GTL2W');
    expect(r.stdout).toContain('"pks-system/tenant-service cluster IP"');
  });
});

/**
 * Dumps transcribed from older releases' kube-proxy tests (fixtures/upstream/v1.21, v1.22, v1.23):
 * test-dump.rules holds the test's string in its own order, expected.rules the same rules in
 * kp-gen's canonical order (golden.test.ts runs kp-gen against expected.rules). Here: the two
 * are the same dump, chain by chain.
 */
describe('older releases\' test dumps (fixtures/upstream/v1.2x)', () => {
  const dumpCases = ['v1.21', 'v1.22', 'v1.23'].flatMap((v) => discoverFixtures(`fixtures/upstream/${v}`).fixtures);

  /** Per table: chain declarations (sorted) and each chain's rules in order. */
  function byChain(text: string): Map<string, { chains: string[]; rules: Map<string, string[]> }> {
    const tables = new Map<string, { chains: string[]; rules: Map<string, string[]> }>();
    let current: { chains: string[]; rules: Map<string, string[]> } | undefined;
    for (const line of text.split('\n')) {
      if (line.startsWith('*')) tables.set(line.slice(1), (current = { chains: [], rules: new Map() }));
      else if (line.startsWith(':')) current!.chains.push(line);
      else if (line.startsWith('-A ')) {
        const chain = line.split(' ')[1]!;
        const list = current!.rules.get(chain) ?? [];
        list.push(line);
        current!.rules.set(chain, list);
      }
    }
    for (const t of tables.values()) t.chains.sort();
    return tables;
  }

  /** The test dump's KUBE-FORWARD as 1.21 wrote it: the single conntrack rule as the two older ones. */
  function withTwoConntrackRules(rules: string[]): string[] {
    const single = '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT';
    expect(rules.at(-1)).toBe(single);
    return [
      ...rules.slice(0, -1),
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack pod source rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack pod destination rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    ];
  }

  it('has the five cases', () => {
    expect(dumpCases.map((f) => f.dir).sort()).toEqual([
      'fixtures/upstream/v1.21/endpoint-slice-e2e',
      'fixtures/upstream/v1.21/health-check-node-port-e2e',
      'fixtures/upstream/v1.22/only-local-node-ports',
      'fixtures/upstream/v1.23/only-local-node-ports',
      'fixtures/upstream/v1.23/only-local-node-ports-no-cluster-cidr',
    ]);
  });

  it.each(dumpCases.map((f) => [f.dir, f] as const))('%s: expected.rules is the test dump in canonical order', (_dir, f) => {
    const dump = byChain(readFileSync(join(f.dir, 'test-dump.rules'), 'utf8'));
    const expected = byChain(readFileSync(join(f.dir, 'expected.rules'), 'utf8'));
    expect([...expected.keys()]).toEqual([...dump.keys()]);
    for (const [table, d] of dump) {
      const e = expected.get(table)!;
      expect(e.chains, table).toEqual(d.chains);
      expect([...e.rules.keys()].sort(), table).toEqual([...d.rules.keys()].sort());
      for (const [chain, testRules] of d.rules) {
        // tnqn/kubernetes@8d903e31 carries its owner's PR #97279 (upstream in 1.23): its one
        // conntrack rule stands where 1.21 wrote two (fixtures/upstream/v1.21/*/SOURCE.md).
        const rules = f.dir.includes('/v1.21/') && table === 'filter' && chain === 'KUBE-FORWARD' ? withTwoConntrackRules(testRules) : testRules;
        // Only these two are re-sorted (by service name, stable); the rest keep the test's order.
        const sorted = chain === 'KUBE-SERVICES' || chain === 'KUBE-NODEPORTS';
        if (sorted) expect([...e.rules.get(chain)!].sort(), `${table} ${chain}`).toEqual([...rules].sort());
        else expect(e.rules.get(chain), `${table} ${chain}`).toEqual(rules);
      }
    }
  });

  it.each(dumpCases.map((f) => [f.dir, f] as const))('%s: its release is the era the flags name', (_dir, f) => {
    const version = f.flags[f.flags.indexOf('--kube-proxy-version') + 1];
    expect(f.dir).toContain(`/v${version}/`);
  });
});

/**
 * The README's upgrade preview, run as a user types it: two releases generated in process
 * substitutions and compared by `kp-gen diff`. Uses the built binary (npm test builds first).
 */
describe.each([['diff', ''], ['diff --stat', '--stat ']])('README: previewing an upgrade across eras (%s)', (_name, stat) => {
  const readme = readFileSync('README.md', 'utf8');
  const block = new RegExp(`\`\`\`console\\n\\$ (kp-gen diff ${stat.replace('-', '\\-')}<\\(kp-gen --kube-proxy-version 1\\.22 [^\\n]*)\\n([\\s\\S]*?)\`\`\``).exec(readme);
  const bin = join(__dirname, '..', 'bin', 'kp-gen.js');
  /** bash numbers the process-substitution descriptors; any /dev/fd/N is the same file. */
  const fdNames = (text: string) => text.replaceAll(/\/dev\/fd\/\d+/g, '/dev/fd/N');

  it('shows the command and its real output, exit code 1', () => {
    expect(block, 'README block "$ kp-gen diff <(kp-gen --kube-proxy-version 1.22 …"').not.toBeNull();
    const [, command, shown] = block!;
    expect(command).toContain('--kube-proxy-version 1.31');
    const r = spawnSync('bash', ['-c', `kp-gen() { "${process.execPath}" "${bin}" "$@"; }\n${command}`], {
      encoding: 'utf8',
      env: { ...process.env, FORCE_COLOR: '0' },
      timeout: 60_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    expect(fdNames(r.stdout)).toBe(fdNames(shown!));
    // The two eras really differ where the README says: XLB-era masquerade in KUBE-SVC, EXT chains later.
    if (stat === '') {
      expect(r.stdout).toContain('nat KUBE-EXT-');
      expect(r.stdout).toContain('-m tcp -p tcp --dport 30080 -j KUBE-MARK-MASQ');
    } else {
      expect(r.stdout).toContain('default/web:http: ');
      expect(r.stdout).toContain('nat KUBE-EXT (chain added)');
    }
  });
});
