import { describe, expect, it } from 'vitest';
import { TableBuilder, type Ruleset } from '../plan/ruleset.js';
import { comment, r } from '../../test/helpers/rules.js';
import { emitSave } from './save-output.js';

function ruleset(): Ruleset {
  const filter = new TableBuilder('filter');
  const nat = new TableBuilder('nat');
  filter.declare('KUBE-SERVICES');
  filter.declare('KUBE-FORWARD');
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-b', 'KUBE-SVC-B', 'KUBE-1', 'KUBE-_', 'KUBE-SVC-A']) nat.declare(c);
  filter.append('KUBE-FORWARD', r('-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP'));
  nat.append('KUBE-SVC-A', r('-j', 'KUBE-SVC-B'));
  nat.append('KUBE-SVC-A', r('-j', 'KUBE-1'));
  // Written in this order; the canonical order sorts KUBE-SERVICES by service name.
  nat.append('KUBE-SERVICES', r(comment('ns2/b:p cluster IP'), '-j', 'KUBE-SVC-B'));
  nat.append('KUBE-SERVICES', r(comment('ns1/a:p cluster IP'), '-j', 'KUBE-SVC-A'));
  return { filter: filter.table, nat: nat.table };
}

describe('emitSave', () => {
  it('lists built-in chains with their policy, then the other chains byte-wise; rules chain by chain', () => {
    expect(emitSave(ruleset(), { family: 4, backend: 'nft' })).toBe(
      [
        '*filter',
        ':INPUT ACCEPT [0:0]',
        ':FORWARD ACCEPT [0:0]',
        ':OUTPUT ACCEPT [0:0]',
        ':KUBE-FORWARD - [0:0]',
        ':KUBE-SERVICES - [0:0]',
        '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
        'COMMIT',
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':INPUT ACCEPT [0:0]',
        ':OUTPUT ACCEPT [0:0]',
        ':POSTROUTING ACCEPT [0:0]',
        ':KUBE-1 - [0:0]',
        ':KUBE-NODEPORTS - [0:0]',
        ':KUBE-SERVICES - [0:0]',
        ':KUBE-SVC-A - [0:0]',
        ':KUBE-SVC-B - [0:0]',
        ':KUBE-_ - [0:0]',
        ':KUBE-b - [0:0]',
        '-A KUBE-SERVICES -m comment --comment "ns1/a:p cluster IP" -j KUBE-SVC-A',
        '-A KUBE-SERVICES -m comment --comment "ns2/b:p cluster IP" -j KUBE-SVC-B',
        '-A KUBE-SVC-A -j KUBE-SVC-B',
        '-A KUBE-SVC-A -j KUBE-1',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('prints rules of built-in chains first, in the kernel order of the chains', () => {
    const rs = ruleset();
    const nat = new TableBuilder('nat');
    nat.declare('KUBE-SERVICES');
    nat.declare('KUBE-POSTROUTING');
    for (const c of ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']) nat.declareBuiltin(c);
    nat.append('POSTROUTING', r('-j', 'KUBE-POSTROUTING'));
    nat.append('OUTPUT', r('-j', 'KUBE-SERVICES'));
    nat.append('PREROUTING', r('-j', 'KUBE-SERVICES'));
    const text = emitSave({ filter: rs.filter, nat: nat.table }, { family: 4, backend: 'nft' });
    expect(text.slice(text.indexOf('*nat'))).toBe(
      [
        '*nat',
        ':PREROUTING ACCEPT [0:0]',
        ':INPUT ACCEPT [0:0]',
        ':OUTPUT ACCEPT [0:0]',
        ':POSTROUTING ACCEPT [0:0]',
        ':KUBE-POSTROUTING - [0:0]',
        ':KUBE-SERVICES - [0:0]',
        '-A PREROUTING -j KUBE-SERVICES',
        '-A OUTPUT -j KUBE-SERVICES',
        '-A POSTROUTING -j KUBE-POSTROUTING',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('lists nat before filter for the legacy backend, otherwise the same text', () => {
    const nft = emitSave(ruleset(), { family: 4, backend: 'nft' });
    const legacy = emitSave(ruleset(), { family: 4, backend: 'legacy' });
    expect(legacy.startsWith('*nat\n')).toBe(true);
    const split = (t: string): string[] => t.split(/(?=^\*)/m).sort();
    expect(split(legacy)).toEqual(split(nft));
  });

  it('omits a table without chains for nft only', () => {
    const rs = { filter: new TableBuilder('filter').table, nat: ruleset().nat };
    expect(emitSave(rs, { family: 4, backend: 'nft' }).startsWith('*nat\n')).toBe(true);
    expect(emitSave(rs, { family: 4, backend: 'legacy' })).toContain('*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n');
  });
});
