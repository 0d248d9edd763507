import { describe, expect, it } from 'vitest';
import { parseDump, ruleWords } from '../iptables/dump.js';
import { Spelling } from './respell.js';

const dump = (rules: string[]) => parseDump(`*nat\n:KUBE-SEP-X - [0:0]\n:KUBE-MARK-MASQ - [0:0]\n${rules.map((r) => `-A KUBE-SEP-X ${r}`).join('\n')}\nCOMMIT\n`, 'x');
const rules = (d: ReturnType<typeof dump>) => d.tables.get('nat')!.chains.get('KUBE-SEP-X')!.rules;

describe('Spelling', () => {
  const restore = dump(['-s 10.0.0.1 -j KUBE-MARK-MASQ', '-m tcp -p tcp -j DNAT --to-destination 10.0.0.1:80']);
  const save = dump(['-s 10.0.0.1/32 -j KUBE-MARK-MASQ', '-p tcp -m tcp -j DNAT --to-destination 10.0.0.2:80']);
  const [ra, rb] = [rules(restore), rules(save)];
  const [wa, wb] = [ra.map(ruleWords), rb.map(ruleWords)];

  it('writes the restore side in the save form, whichever side it is', () => {
    expect(new Spelling().respell(restore, ra, wa, save, rb, wb)).toEqual([['-s 10.0.0.1/32 -j KUBE-MARK-MASQ', '-p tcp -m tcp -j DNAT --to-destination 10.0.0.1:80'], wb]);
    expect(new Spelling().respell(save, rb, wb, restore, ra, wa)).toEqual([wb, ['-s 10.0.0.1/32 -j KUBE-MARK-MASQ', '-p tcp -m tcp -j DNAT --to-destination 10.0.0.1:80']]);
  });

  it('gives up on runs where neither side written in the save form is the other', () => {
    const other = dump(['-s 10.0.0.9 -j KUBE-MARK-MASQ']);
    const ro = rules(other);
    const s = new Spelling();
    expect(s.respell(restore, ra, wa, other, ro, ro.map(ruleWords))).toBeUndefined();
  });
});
