import { describe, expect, it } from 'vitest';
import { dns1035Label, dns1123Label, dns1123Subdomain, ianaServiceName, labelValue, memoized } from './names.js';

describe('name checks, as the API server makes them', () => {
  it.each([
    [dns1123Label, ['a', 'kube-system', '0abc', 'a'.repeat(63)], ['', 'A', '-a', 'a-', 'a.b', 'a_b', 'a'.repeat(64), 'x" -j ACCEPT', 'a\nb']],
    [dns1035Label, ['a', 'web-1', 'a'.repeat(63)], ['', '0abc', 'Web', 'a-', 'a.b', 'a'.repeat(64), 'x"\n-I INPUT 1 -j ACCEPT\n#']],
    [dns1123Subdomain, ['a', 'web-1.x', 'node-1.example.com', 'a'.repeat(253)], ['', 'a..b', '.a', 'a.', 'A.b', 'a_b', 'a'.repeat(254), 'node 1']],
    [ianaServiceName, ['http', 'h2c', 'a-b-c', 'x'.repeat(15)], ['', '80', 'a--b', '-ab', 'ab-', 'HTTP', 'x'.repeat(16), 'a b']],
    [labelValue, ['', 'web', 'Web_1.x', 'a'.repeat(63)], ['-a', 'a-', 'a b', 'a/b', 'a'.repeat(64)]],
  ] as const)('%o', (check, good, bad) => {
    for (const g of good) expect(check(g), g).toBeUndefined();
    for (const b of bad) expect(check(b), b).toBeTypeOf('string');
  });

  it('memoized remembers only accepted names', () => {
    let calls = 0;
    const check = memoized((s) => (calls++, dns1123Subdomain(s)));
    check('node-1');
    check('node-1');
    check('Bad');
    check('Bad');
    expect(calls).toBe(3);
  });
});
