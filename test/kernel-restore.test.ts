/**
 * Every golden output loads into the real kernel: `iptables-restore --test`, then a real
 * `iptables-restore`, in a fresh network namespace, with both the nft and the legacy backend
 * (ip6tables for --ip-family ipv6 cases).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { discoverFixtures } from './helpers/fixtures.js';
import { requireKernel, restoreInNamespace } from './helpers/kernel.js';

const run = requireKernel('kernel restore tests');
const cases = discoverFixtures().fixtures.filter((f) => !f.isError);

describe.runIf(run).each(cases.map((f) => [f.name, f] as const))('%s loads into the kernel', (_name, f) => {
  const rules = readFileSync(join(f.dir, 'expected.rules'), 'utf8');
  const v6 = f.flags.join(' ').includes('--ip-family ipv6');
  for (const backend of ['nft', 'legacy']) {
    const cmd = `${v6 ? 'ip6tables' : 'iptables'}-${backend}-restore`;
    it(`with ${cmd}`, () => {
      const r = restoreInNamespace(cmd, rules);
      expect(r.ok, r.output).toBe(true);
    });
  }
});

describe.runIf(run)('the kernel check itself', () => {
  it('fails on a rule the kernel rejects', () => {
    const r = restoreInNamespace('iptables-nft-restore', '*nat\n:KUBE-X - [0:0]\n-A KUBE-X -m tcp -p tcp --dport 70000 -j ACCEPT\nCOMMIT\n');
    expect(r.ok).toBe(false);
  });
  it('fails on a jump to a missing chain', () => {
    const r = restoreInNamespace('iptables-legacy-restore', '*nat\n:KUBE-X - [0:0]\n-A KUBE-X -j KUBE-MISSING\nCOMMIT\n');
    expect(r.ok).toBe(false);
  });
});
