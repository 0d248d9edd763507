import { describe, expect, it } from 'vitest';
import { readRule } from './read.js';
import { quoteWord, restoreText, UnprintableError } from './restore.js';
import { header, jump, match, option, rule } from './rule.js';

describe('quoteWord: what iptables-restore reads back as the same word', () => {
  it.each([
    ['ns1/svc1:p80', 'ns1/svc1:p80'],
    ['ns1/svc1:p80 cluster IP', '"ns1/svc1:p80 cluster IP"'],
    ['', '""'],
    ['a"b', '"a\\"b"'],
    ['x" -j ACCEPT', '"x\\" -j ACCEPT"'],
    ['back\\slash', '"back\\\\slash"'],
    ['tab\there', '"tab\there"'],
  ])('%j → %s', (word, text) => {
    expect(quoteWord(word)).toBe(text);
  });
  it.each(['a\nb', 'a\rb', 'a\0b'])('refuses %j: no restore line can hold it', (word) => {
    expect(() => quoteWord(word)).toThrow(UnprintableError);
  });
});

describe('restoreText', () => {
  it('writes the words in order, the comment where it stands', () => {
    const r = rule('ns/a:p cluster IP', [match('tcp'), header('-p', 'tcp'), header('-d', '10.96.0.1'), option('--dport', '80')], jump('KUBE-SVC-X'));
    expect(restoreText(r)).toBe('-m comment --comment "ns/a:p cluster IP" -m tcp -p tcp -d 10.96.0.1 --dport 80 -j KUBE-SVC-X');
    const jumpRule = { comment: 'kubernetes service portals', commentAt: 2, args: [match('conntrack'), option('--ctstate', 'NEW')], target: jump('KUBE-SERVICES') };
    expect(restoreText(jumpRule)).toBe('-m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES');
    expect(restoreText(rule('x', []))).toBe('-m comment --comment x');
    expect(restoreText(rule(undefined, []))).toBe('');
  });
  it('cannot be made to end a comment or add a rule: a quote in a name stays in the comment', () => {
    const r = rule('default/x" -j ACCEPT\\', [], jump('RETURN'));
    const text = restoreText(r);
    expect(readRule(text).rule).toEqual({ comment: 'default/x" -j ACCEPT\\', args: [], target: { name: 'RETURN', goto: false, options: [] } });
  });
});
