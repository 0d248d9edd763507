import { describe, expect, it } from 'vitest';
import { chainRules, TableBuilder } from '../plan/ruleset.js';
import { comment, r } from '../../test/helpers/rules.js';
import { compareChainNames, orderTable } from './canonical-order.js';
import { emitRestore } from './iptables-save.js';

describe('canonical order (kube-proxy sortIPTablesRules)', () => {
  it('orders chains KUBE-NODEPORTS, KUBE-SERVICES, other KUBE-*, then the rest, byte-wise', () => {
    const names = ['POSTROUTING', 'KUBE-SVC-B', 'KUBE-SERVICES', 'KUBE-EXT-A', 'KUBE-NODEPORTS', 'KUBE-MARK-MASQ', 'INPUT', 'KUBE-SEP-Z'];
    expect([...names].sort(compareChainNames)).toEqual([
      'KUBE-NODEPORTS', 'KUBE-SERVICES', 'KUBE-EXT-A', 'KUBE-MARK-MASQ', 'KUBE-SEP-Z', 'KUBE-SVC-B', 'INPUT', 'POSTROUTING',
    ]);
  });

  it('stable-sorts KUBE-SERVICES by the service name before the first space or colon, tail rule last', () => {
    const nat = new TableBuilder('nat');
    nat.declare('KUBE-SERVICES');
    nat.append('KUBE-SERVICES', r(comment('ns2/svc2:p80 cluster IP'), '-j', 'X1'));
    nat.append('KUBE-SERVICES', r(comment('kubernetes service nodeports; NOTE: this must be the last rule in this chain'), '-j', 'KUBE-NODEPORTS'));
    nat.append('KUBE-SERVICES', r(comment('ns1/svc1:p80 cluster IP'), '-j', 'X2'));
    nat.append('KUBE-SERVICES', r(comment('ns2/svc2:p80 external IP'), '-j', 'X3'));
    nat.append('KUBE-SERVICES', r(comment('ns1/svc1 cluster IP'), '-j', 'X4'));
    nat.append('KUBE-SERVICES', r(comment('ns10/svc cluster IP'), '-j', 'X5'));
    const [chain] = orderTable(nat.table).chains;
    expect(chainRules(chain!).map((x) => x.target?.name)).toEqual(['X2', 'X4', 'X5', 'X1', 'X3', 'KUBE-NODEPORTS']);
  });

  it('sorts filter KUBE-SERVICES by service name but keeps other chains in written order', () => {
    const filter = new TableBuilder('filter');
    filter.declare('KUBE-SERVICES');
    filter.declare('KUBE-EXTERNAL-SERVICES');
    filter.append('KUBE-SERVICES', r(comment('b/b has no endpoints'), '-j', 'REJECT'));
    filter.append('KUBE-SERVICES', r(comment('a/a has no endpoints'), '-j', 'REJECT'));
    filter.append('KUBE-EXTERNAL-SERVICES', r(comment('b/b has no endpoints'), '-j', 'REJECT'));
    filter.append('KUBE-EXTERNAL-SERVICES', r(comment('a/a has no endpoints'), '-j', 'REJECT'));
    expect(emitRestore({ filter: filter.table, nat: new TableBuilder('nat').table })).toBe(
      [
        '*filter',
        ':KUBE-SERVICES - [0:0]',
        ':KUBE-EXTERNAL-SERVICES - [0:0]',
        '-A KUBE-SERVICES -m comment --comment "a/a has no endpoints" -j REJECT',
        '-A KUBE-SERVICES -m comment --comment "b/b has no endpoints" -j REJECT',
        '-A KUBE-EXTERNAL-SERVICES -m comment --comment "b/b has no endpoints" -j REJECT',
        '-A KUBE-EXTERNAL-SERVICES -m comment --comment "a/a has no endpoints" -j REJECT',
        'COMMIT',
        '*nat',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('quotes comments only when they contain a space', () => {
    expect(comment('ns1/svc1:p80')).toBe('-m comment --comment ns1/svc1:p80');
    expect(comment('ns1/svc1:p80 cluster IP')).toBe('-m comment --comment "ns1/svc1:p80 cluster IP"');
  });

  it('prints a rule without arguments', () => {
    const nat = new TableBuilder('nat');
    nat.declare('KUBE-FW-X');
    nat.append('KUBE-FW-X', r());
    expect(emitRestore({ filter: new TableBuilder('filter').table, nat: nat.table })).toContain('\n-A KUBE-FW-X\n');
  });
});
