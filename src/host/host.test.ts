/**
 * apply / cleanup / backend detection against a scripted host: which commands they run, in
 * which order, for which state of the host. (The namespace tests in test/host-apply.test.ts
 * run them against the kernel.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultRunOptions } from '../options.js';
import { apply, type ApplyOptions } from './apply.js';
import { detectBackend } from './backend.js';
import { cleanup, deletionText } from './cleanup.js';
import { shellWord, type Host } from './host.js';
import { readRecord, writeRecord } from './record.js';

interface Result {
  status: number;
  stdout: string;
  stderr: string;
}

/** A host whose looking commands answer from `answer`; changes are recorded, never run. */
function fakeHost(
  answer: (line: string) => Result | string | undefined,
  proc: Record<string, string> = {},
  refuse: (line: string) => Result | undefined = () => undefined,
): Host & { changes: string[]; looks: string[] } {
  const changes: string[] = [];
  const looks: string[] = [];
  const sysctls: Record<string, string> = { 'net/ipv4/ip_forward': '0', 'net/ipv4/conf/all/route_localnet': '0' };
  const line = (cmd: string, args: readonly string[]): string => [cmd, ...args].map(shellWord).join(' ');
  return {
    changes,
    looks,
    script: [],
    look(cmd, args) {
      const l = line(cmd, args);
      looks.push(l);
      const a = answer(l);
      if (a === undefined) return { status: 127, stdout: '', stderr: `${cmd}: not found` };
      return typeof a === 'string' ? { status: 0, stdout: a, stderr: '' } : a;
    },
    change(cmd, args, input) {
      changes.push(input === undefined ? line(cmd, args) : `${line(cmd, args)} <<\n${input}`);
      return refuse(line(cmd, args)) ?? { status: 0, stdout: '', stderr: '' };
    },
    readProc: (path) => proc[path],
    readSysctl: (key) => sysctls[key],
    writeSysctl(key, value) {
      changes.push(`sysctl ${key}=${value}`);
      sysctls[key] = value;
    },
  };
}

const FAIL: Result = { status: 1, stdout: '', stderr: 'Bad rule (does a matching rule exist in that chain?).' };
const VERSION = 'iptables v1.8.9 (nf_tables)\n';

let dir = '';
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = '';
});
function stateDir(): string {
  dir = mkdtempSync(join(tmpdir(), 'kp-gen-host-test-'));
  return dir;
}

function applyOptions(o: Partial<ApplyOptions> = {}): ApplyOptions {
  const run = defaultRunOptions();
  run.paths = ['fixtures/core/clusterip-basic/input.yaml'];
  return { run, dryRun: false, backend: 'nft', stateDir: stateDir(), routeLocalnet: false, ipForward: false, ...o };
}
const io = { readStdin: () => '' };

describe('detectBackend', () => {
  const saves = (nft: string, legacy: string, version = VERSION) => (l: string) => {
    if (/^ip6?tables-(nft|legacy) --version$/.test(l)) return VERSION;
    if (l === 'iptables --version') return version;
    if (l.startsWith('iptables-nft-save')) return nft;
    if (l.startsWith('iptables-legacy-save')) return legacy;
    if (l.startsWith('ip6tables-')) return '';
    return undefined;
  };
  const LEGACY_PROC = { '/proc/net/ip_tables_names': 'filter\nnat\nmangle\n' };

  it("follows kubelet's hint chain first", () => {
    const host = fakeHost(saves('*filter\n-A INPUT -j ACCEPT\n-A INPUT -j ACCEPT\n', '*mangle\n:KUBE-IPTABLES-HINT - [0:0]\n'), LEGACY_PROC);
    expect(detectBackend(host)).toEqual({ backend: 'legacy', why: "kubelet's hint chain is in iptables-legacy" });
  });

  it('else the backend with more rules', () => {
    const host = fakeHost(saves('*filter\n-A INPUT -j ACCEPT\n', '*filter\n-A INPUT -j ACCEPT\n-A FORWARD -j DROP\n'), LEGACY_PROC);
    expect(detectBackend(host).backend).toBe('legacy');
    expect(detectBackend(fakeHost(saves('*filter\n-A INPUT -j ACCEPT\n', ''), LEGACY_PROC)).backend).toBe('nft');
  });

  it("on a host without rules, the one the iptables command is (update-alternatives)", () => {
    expect(detectBackend(fakeHost(saves('', '', 'iptables v1.8.9 (legacy)\n'))).backend).toBe('legacy');
    expect(detectBackend(fakeHost(saves('', '', VERSION)))).toEqual({ backend: 'nft', why: 'no rules yet; the iptables command is iptables-nft' });
  });

  it('never reads a legacy table that does not exist (reading it would create it)', () => {
    const host = fakeHost(saves('', '-A INPUT -j ACCEPT\n'));
    detectBackend(host);
    expect(host.looks.filter((l) => l.startsWith('iptables-legacy-save'))).toEqual([]);
    const some = fakeHost(saves('', '-A INPUT -j ACCEPT\n'), { '/proc/net/ip_tables_names': 'filter\n' });
    expect(detectBackend(some).backend).toBe('legacy');
    expect(some.looks.filter((l) => l.startsWith('iptables-legacy-save'))).toEqual(['iptables-legacy-save']);
  });
});

describe('apply', () => {
  /** A host with nfacct and the given chains; -C finds the jumps in `jumps`. */
  const host = (o: { filter?: string; nat?: string; jumps?: string[]; nfacct?: string | undefined } = {}) =>
    fakeHost((l) => {
      if (l.endsWith('--version')) return VERSION;
      if (l === 'iptables-nft-save -t filter') return o.filter ?? '';
      if (l === 'iptables-nft-save -t nat') return o.nat ?? '';
      if (l === 'nfacct list') return 'nfacct' in o ? o.nfacct : '';
      if (l.includes(' -C ')) return (o.jumps ?? []).some((j) => l.endsWith(j)) ? '' : FAIL;
      return undefined;
    });

  it('on a fresh host: counters, then each chain and jump as kube-proxy ensures them, then one restore --noflush', () => {
    const h = host();
    const r = apply(h, applyOptions(), io);
    expect(r.jumpsAdded).toBe(14);
    expect(h.changes.slice(0, 5)).toEqual([
      'nfacct add ct_state_invalid_dropped_pkts',
      'nfacct add localhost_nps_accepted_pkts',
      'iptables-nft -w 5 -W 100000 -t filter -N KUBE-EXTERNAL-SERVICES',
      "iptables-nft -w 5 -W 100000 -t filter -I INPUT -m conntrack --ctstate NEW -m comment --comment 'kubernetes externally-visible service portals' -j KUBE-EXTERNAL-SERVICES",
      "iptables-nft -w 5 -W 100000 -t filter -I FORWARD -m conntrack --ctstate NEW -m comment --comment 'kubernetes externally-visible service portals' -j KUBE-EXTERNAL-SERVICES",
    ]);
    expect(h.changes.filter((c) => c.includes(' -N '))).toHaveLength(8);
    const restore = h.changes.at(-1)!;
    expect(restore).toMatch(/^iptables-nft-restore -w 5 -W 100000 --noflush --counters <<\n\*filter\n/);
    expect(restore).toContain('-m nfacct --nfacct-name ct_state_invalid_dropped_pkts');
    expect(restore).not.toContain('-X ');
    // No -C for a chain that did not exist: no jump can lead to it yet.
    expect(h.looks.filter((l) => l.includes(' -C '))).toEqual([]);
  });

  it('adds only the jumps that are missing, and makes no chain that exists', () => {
    const filter = ':INPUT ACCEPT [0:0]\n:KUBE-EXTERNAL-SERVICES - [0:0]\n:KUBE-FIREWALL - [0:0]\n:KUBE-FORWARD - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-PROXY-FIREWALL - [0:0]\n:KUBE-SERVICES - [0:0]\n';
    const nat = ':KUBE-SERVICES - [0:0]\n:KUBE-POSTROUTING - [0:0]\n';
    const h = host({ filter, nat, jumps: ['-j KUBE-FIREWALL', "'kubernetes service portals' -j KUBE-SERVICES", "'kubernetes postrouting rules' -j KUBE-POSTROUTING"] });
    const r = apply(h, applyOptions(), io);
    expect(h.changes.filter((c) => c.includes(' -N '))).toEqual([]);
    expect(r.jumpsAdded).toBe(7);
    expect(h.changes.filter((c) => c.includes(' -I ')).map((c) => c.split(' -j ')[1])).toEqual([
      'KUBE-EXTERNAL-SERVICES',
      'KUBE-EXTERNAL-SERVICES',
      'KUBE-NODEPORTS',
      'KUBE-FORWARD',
      'KUBE-PROXY-FIREWALL',
      'KUBE-PROXY-FIREWALL',
      'KUBE-PROXY-FIREWALL',
    ]);
  });

  it("deletes the Service chains the rules no longer have, and no one else's chain", () => {
    const nat = ':PREROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-GONE0000000000 - [0:0]\n:KUBE-SEP-GONE0000000000 - [0:0]\n:KUBE-XLB-OLDRELEASE00000 - [0:0]\n:KUBE-KUBELET-CANARY - [0:0]\n:KUBE-MARK-DROP - [0:0]\n';
    const h = host({ nat });
    const r = apply(h, applyOptions(), io);
    expect(r.staleDeleted).toEqual(['KUBE-SEP-GONE0000000000', 'KUBE-SVC-GONE0000000000', 'KUBE-XLB-OLDRELEASE00000']);
    const restore = h.changes.at(-1)!;
    for (const c of r.staleDeleted) {
      expect(restore).toContain(`\n:${c} - [0:0]\n`);
      expect(restore).toContain(`\n-X ${c}\n`);
    }
    expect(restore).not.toMatch(/DOCKER|KUBE-KUBELET-CANARY|KUBE-MARK-DROP/);
  });

  it('without nfacct, writes the rules without the counters (as kube-proxy does when it cannot make them)', () => {
    const h = host({ nfacct: undefined });
    const r = apply(h, applyOptions(), io);
    expect(r.countersMissing).toEqual(['ct_state_invalid_dropped_pkts', 'localhost_nps_accepted_pkts']);
    expect(h.changes.some((c) => c.startsWith('nfacct'))).toBe(false);
    expect(h.changes.at(-1)).not.toContain('nfacct');
  });

  it('keeps existing counters; sets sysctls only when asked, recording their old values once', () => {
    const h = host({ nfacct: '{ pkts = 00000000000000000000, bytes = 00000000000000000000 } = ct_state_invalid_dropped_pkts;\n' });
    const o = applyOptions({ routeLocalnet: true, ipForward: true });
    apply(h, o, io);
    expect(h.changes.filter((c) => c.startsWith('nfacct') || c.startsWith('sysctl'))).toEqual([
      'nfacct add localhost_nps_accepted_pkts',
      'sysctl net/ipv4/conf/all/route_localnet=1',
      'sysctl net/ipv4/ip_forward=1',
    ]);
    expect(readRecord(o.stateDir)).toEqual({
      version: 1,
      counters: ['localhost_nps_accepted_pkts'],
      sysctls: { 'net/ipv4/conf/all/route_localnet': '0', 'net/ipv4/ip_forward': '0' },
      firewallCreated: { 'nft/4': true },
      firewallBefore: {},
    });
    // The second time the sysctls are 1 already: nothing set, the first old values kept.
    apply(h, o, io);
    expect(h.changes.filter((c) => c.startsWith('sysctl'))).toHaveLength(2);
    expect(readRecord(o.stateDir)!.sysctls['net/ipv4/ip_forward']).toBe('0');
  });

  it("records the rules of kubelet's KUBE-FIREWALL before its restore rewrites it, and cleanup puts them back", () => {
    const kubelet = '-A KUBE-FIREWALL -m comment --comment "kubernetes firewall for dropping marked packets" -m mark --mark 0x8000/0x8000 -j DROP';
    const filter = `:INPUT ACCEPT [0:0]\n:KUBE-FIREWALL - [0:0]\n-A INPUT -j KUBE-FIREWALL\n${kubelet}\n`;
    const h = host({ filter, jumps: ['-j KUBE-FIREWALL'] });
    const o = applyOptions();
    apply(h, o, io);
    expect(h.changes.at(-1)).toContain('\n:KUBE-FIREWALL - [0:0]\n');
    expect(readRecord(o.stateDir)).toMatchObject({ firewallCreated: { 'nft/4': false }, firewallBefore: { 'nft/4': [kubelet] } });
    const c = fakeHost((l) => {
      if (l.endsWith('--version')) return VERSION;
      if (l === 'iptables-nft-save -t filter') return filter;
      if (l.startsWith('iptables-nft-save') || l.startsWith('ip6tables-nft-save')) return '';
      if (l.includes(' -C ')) return FAIL;
      return undefined;
    });
    const r = cleanup(c, { dryRun: false, backend: 'nft', stateDir: o.stateDir });
    expect(r.families[0]!.firewallRestored).toBe(true);
    expect(c.changes).toContain(`iptables-nft-restore -w 5 -W 100000 --noflush --counters <<\n*filter\n:KUBE-FIREWALL - [0:0]\n${kubelet}\nCOMMIT\n`);
    expect(c.changes.some((l) => l.includes('-X KUBE-FIREWALL'))).toBe(false);
  });

  it('a bad manifest stops it before anything changes', () => {
    const h = host();
    const o = applyOptions();
    o.run.paths = ['no/such/file.yaml'];
    expect(() => apply(h, o, io)).toThrow(/no\/such\/file\.yaml/);
    expect(h.changes).toEqual([]);
    expect(readRecord(o.stateDir)).toBeUndefined();
  });

  it('--dry-run writes no record', () => {
    const h = host();
    const o = applyOptions({ dryRun: true });
    apply(h, o, io);
    expect(readRecord(o.stateDir)).toBeUndefined();
  });
});

describe('cleanup', () => {
  const KUBE_NAT = ':PREROUTING ACCEPT [0:0]\n:DOCKER - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-POSTROUTING - [0:0]\n:KUBE-SERVICES - [0:0]\n:KUBE-SVC-AAAAAAAAAAAAAAAA - [0:0]\n:KUBE-SEP-BBBBBBBBBBBBBBBB - [0:0]\n';
  const KUBE_FILTER = ':INPUT ACCEPT [0:0]\n:DOCKER - [0:0]\n:KUBE-EXTERNAL-SERVICES - [0:0]\n:KUBE-FIREWALL - [0:0]\n:KUBE-FORWARD - [0:0]\n:KUBE-NODEPORTS - [0:0]\n:KUBE-PROXY-FIREWALL - [0:0]\n:KUBE-SERVICES - [0:0]\n';
  /** The jumps are there `copies` times each. */
  const host = (copies: number) => {
    const left = new Map<string, number>();
    const h = fakeHost((l) => {
      if (l.endsWith('--version')) return VERSION;
      if (l.startsWith('iptables-nft-save -t nat')) return KUBE_NAT;
      if (l.startsWith('iptables-nft-save -t filter')) return KUBE_FILTER;
      if (l.startsWith('ip6tables-nft-save') || l.startsWith('iptables-nft-save')) return '';
      if (l.includes(' -C ')) {
        const n = left.get(l) ?? copies;
        left.set(l, n - 1);
        return n > 0 ? '' : FAIL;
      }
      return undefined;
    });
    return h;
  };

  it("removes every copy of kube-proxy's jumps and its chains, not kubelet's KUBE-FIREWALL without a record", () => {
    const h = host(2);
    const r = cleanup(h, { dryRun: false, backend: 'nft', stateDir: stateDir() });
    expect(r.families.map((f) => [f.family, f.jumpsDeleted])).toEqual([[4, 24], [6, 0]]);
    expect(h.changes.filter((c) => c.includes(' -D ')).some((c) => c.endsWith('-j KUBE-FIREWALL'))).toBe(false);
    const restores = h.changes.filter((c) => c.startsWith('iptables-nft-restore'));
    expect(restores).toEqual([
      `iptables-nft-restore -w 5 -W 100000 --noflush --counters <<\n${deletionText('nat', ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ', 'KUBE-SEP-BBBBBBBBBBBBBBBB', 'KUBE-SVC-AAAAAAAAAAAAAAAA'])}`,
      `iptables-nft-restore -w 5 -W 100000 --noflush --counters <<\n${deletionText('filter', ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL'])}`,
    ]);
    expect(restores.join('')).not.toContain('DOCKER');
  });

  it('undoes what the record says apply added: KUBE-FIREWALL, counters, sysctls; then forgets it', () => {
    const h = host(1);
    const dir = stateDir();
    writeRecord(dir, { version: 1, counters: ['localhost_nps_accepted_pkts'], sysctls: { 'net/ipv4/ip_forward': '1' }, firewallCreated: { 'nft/4': true }, firewallBefore: {} });
    const r = cleanup(h, { dryRun: false, stateDir: dir });
    expect(r.families.map((f) => [f.backend, f.family, f.jumpsDeleted])).toEqual([['nft', 4, 14], ['nft', 6, 0]]);
    expect(h.changes.filter((c) => c.endsWith('-j KUBE-FIREWALL'))).toHaveLength(2);
    expect(h.changes.find((c) => c.startsWith('iptables-nft-restore') && c.includes('*filter'))).toContain('-X KUBE-FIREWALL\n');
    expect(h.changes).toContain('nfacct del localhost_nps_accepted_pkts');
    expect(h.changes).toContain('sysctl net/ipv4/ip_forward=1');
    expect(readRecord(dir)).toBeUndefined();
  });
});

describe('cleanup and the counters', () => {
  it('keeps (and names, and still records) a counter someone else counts with; forgets one already gone', () => {
    const dir = stateDir();
    writeRecord(dir, { version: 1, counters: ['busy', 'gone', 'free'], sysctls: {}, firewallCreated: {}, firewallBefore: {} });
    const h = fakeHost(
      (l) => (l.endsWith('--version') ? VERSION : l.includes('-save') ? '' : undefined),
      {},
      (l) =>
        l === 'nfacct del busy'
          ? { status: 1, stdout: '', stderr: 'nfacct v1.0.2: error: Device or resource busy' }
          : l === 'nfacct del gone'
            ? { status: 1, stdout: '', stderr: 'nfacct v1.0.2: error: No such file or directory' }
            : undefined,
    );
    const r = cleanup(h, { dryRun: false, backend: 'nft', stateDir: dir });
    expect(r.countersDeleted).toEqual(['free']);
    expect(r.countersKept).toEqual(['busy']);
    expect(readRecord(dir)!.counters).toEqual(['busy']);
  });
});

describe('shellWord', () => {
  it('quotes what a shell would split or expand', () => {
    expect(shellWord('KUBE-SERVICES')).toBe('KUBE-SERVICES');
    expect(shellWord('0x4000/0x4000')).toBe('0x4000/0x4000');
    expect(shellWord('ns/svc:p cluster IP')).toBe("'ns/svc:p cluster IP'");
    expect(shellWord("it's $x")).toBe(`'it'\\''s $x'`);
    expect(shellWord('')).toBe("''");
  });
});
