import { describe, expect, it } from 'vitest';
import { chainRules, deleteChain, TableBuilder, type Ruleset } from '../plan/ruleset.js';
import { restoreText } from '../iptables/restore.js';
import { r } from '../../test/helpers/rules.js';
import { emitRestore, emitRestoreChunks } from './iptables-save.js';

/** A nat table mixing rule texts and writers, with more endpoint chains than fit one small chunk. */
function ruleset(): Ruleset {
  const nat = new TableBuilder('nat');
  nat.declare('KUBE-SERVICES');
  nat.declare('KUBE-SVC-B');
  nat.append('KUBE-SVC-B', r('-m', 'comment', '--comment', '"b cluster IP"', '-j', 'KUBE-MARK-MASQ'));
  nat.appendLater('KUBE-SVC-B', (out) => {
    out.rule(r('-m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-Z'));
    out.rule(r('-j KUBE-SEP-A'));
  });
  nat.append('KUBE-SVC-B', r('-j', 'RETURN'));
  for (const sep of ['KUBE-SEP-Z', 'KUBE-SEP-A']) {
    nat.declare(sep, (out) => {
      out.rule(r(`-s 10.0.0.1 -j KUBE-MARK-MASQ`));
      out.rule(r(`-m tcp -p tcp -j DNAT --to-destination 10.0.0.1:80`));
    });
  }
  nat.declare('KUBE-FW-X');
  nat.append('KUBE-FW-X', r());
  nat.append('KUBE-SERVICES', r('-m', 'comment', '--comment', '"b cluster IP"', '-j', 'KUBE-SVC-B'));
  return { filter: new TableBuilder('filter').table, nat: nat.table };
}

describe('emitRestoreChunks', () => {
  it('writes a writer\'s rules at its place in the chain, chains in the canonical order', () => {
    expect(emitRestore(ruleset())).toBe(
      [
        '*filter',
        'COMMIT',
        '*nat',
        ':KUBE-SERVICES - [0:0]',
        ':KUBE-FW-X - [0:0]',
        ':KUBE-SEP-A - [0:0]',
        ':KUBE-SEP-Z - [0:0]',
        ':KUBE-SVC-B - [0:0]',
        '-A KUBE-SERVICES -m comment --comment "b cluster IP" -j KUBE-SVC-B',
        '-A KUBE-FW-X',
        '-A KUBE-SEP-A -s 10.0.0.1 -j KUBE-MARK-MASQ',
        '-A KUBE-SEP-A -m tcp -p tcp -j DNAT --to-destination 10.0.0.1:80',
        '-A KUBE-SEP-Z -s 10.0.0.1 -j KUBE-MARK-MASQ',
        '-A KUBE-SEP-Z -m tcp -p tcp -j DNAT --to-destination 10.0.0.1:80',
        '-A KUBE-SVC-B -m comment --comment "b cluster IP" -j KUBE-MARK-MASQ',
        '-A KUBE-SVC-B -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-Z',
        '-A KUBE-SVC-B -j KUBE-SEP-A',
        '-A KUBE-SVC-B -j RETURN',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });

  it('gives the same text in chunks of any size, each cut after a whole line', () => {
    const rs = ruleset();
    const whole = emitRestore(rs);
    for (const size of [1, 40, 100, 1000]) {
      const chunks = [...emitRestoreChunks(rs, size)].map((c) => Buffer.from(c).toString('utf8'));
      expect(chunks.join('')).toBe(whole);
      for (const c of chunks.slice(0, -1)) expect(c.endsWith('\n')).toBe(true);
      if (size <= 100) expect(chunks.length).toBeGreaterThan(2);
    }
  });

  it('runs writers anew on every emission, and chainRules sees what the emitter writes', () => {
    const rs = ruleset();
    expect(emitRestore(rs)).toBe(emitRestore(rs));
    expect(chainRules(rs.nat.chains.get('KUBE-SVC-B')!).map(restoreText)).toEqual([
      '-m comment --comment "b cluster IP" -j KUBE-MARK-MASQ',
      '-m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-Z',
      '-j KUBE-SEP-A',
      '-j RETURN',
    ]);
  });
});

describe('chains deleted as stale (kp-gen apply)', () => {
  it('are declared, which flushes them, and deleted with -X at their place in the canonical order', () => {
    const nat = new TableBuilder('nat');
    nat.declare('KUBE-SERVICES');
    nat.declare('KUBE-SVC-B');
    nat.append('KUBE-SVC-B', r('-j', 'RETURN'));
    deleteChain(nat.table, 'KUBE-SVC-A');
    deleteChain(nat.table, 'KUBE-SEP-C');
    expect(() => deleteChain(nat.table, 'KUBE-SVC-B')).toThrow(/in use/);
    expect(emitRestore({ filter: new TableBuilder('filter').table, nat: nat.table })).toBe(
      [
        '*filter',
        'COMMIT',
        '*nat',
        ':KUBE-SERVICES - [0:0]',
        ':KUBE-SEP-C - [0:0]',
        ':KUBE-SVC-A - [0:0]',
        ':KUBE-SVC-B - [0:0]',
        '-X KUBE-SEP-C',
        '-X KUBE-SVC-A',
        '-A KUBE-SVC-B -j RETURN',
        'COMMIT',
        '',
      ].join('\n'),
    );
  });
});
