/**
 * The restore printer's quoting, checked against the real iptables-restore: a comment holding
 * quotes, backslashes, `-j` words and `#` loads as exactly one rule carrying exactly that
 * comment, on both backends (so no text can add a rule or end its word early).
 */
import { describe, expect, it } from 'vitest';
import { restoreText } from '../src/iptables/restore.js';
import { header, jump, match, rule } from '../src/iptables/rule.js';
import { tokenize } from '../src/iptables/tokenize.js';
import { requireKernel } from './helpers/kernel.js';
import { restoreAndSave } from './helpers/kernel-save.js';

const run = requireKernel('kernel hostile-text tests');

const HOSTILE = [
  'x" -j RETURN',
  'x\\" -j ACCEPT \\',
  '" -I INPUT 1 -j ACCEPT #',
  "it's -A INPUT -j ACCEPT",
  '\\\\"\\"',
  '# not a comment line',
  'tab\there',
];

describe.runIf(run)('hostile comments through the real iptables-restore', () => {
  for (const backend of ['nft', 'legacy']) {
    it(`iptables-${backend}: one rule each, with the comment as written`, () => {
      const inputs = HOSTILE.map((c) => {
        const r = rule(c, [match('tcp'), header('-p', 'tcp')], jump('RETURN'));
        return `*filter\n:KUBE-X - [0:0]\n-A KUBE-X ${restoreText(r)}\nCOMMIT\n`;
      });
      const results = restoreAndSave(`iptables-${backend}`, inputs);
      results.forEach((res, i) => {
        expect(res.ok, res.text).toBe(true);
        const rules = res.text.split('\n').filter((l) => /^(\[\d+:\d+\] )?-[AI] /.test(l));
        expect(rules, res.text).toHaveLength(1);
        const words = tokenize(rules[0]!.replace(/^\[\d+:\d+\] /, ''));
        const at = words.findIndex((w) => w.text === '--comment' && !w.quoted);
        expect(words[at + 1]!.text).toBe(HOSTILE[i]);
        expect(words.slice(-2).map((w) => w.text)).toEqual(['-j', 'RETURN']);
      });
    });
  }
});
