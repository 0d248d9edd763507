/**
 * diff's normalisation against the real kernel: every golden output, loaded with
 * iptables-restore and read back with iptables-save -c (nft and legacy backends, ip6tables for
 * IPv6 cases), must compare equal to itself — and a changed rule must not.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareDumps } from '../src/diff/compare.js';
import { renderDiff } from '../src/diff/render.js';
import { parseDump } from '../src/iptables/dump.js';
import { discoverFixtures } from './helpers/fixtures.js';
import { requireKernel } from './helpers/kernel.js';
import { restoreAndSave } from './helpers/kernel-save.js';

const run = requireKernel('diff kernel round-trip tests');
const cases = discoverFixtures().fixtures.filter((f) => !f.isError);

describe.runIf(run)('kernel round trip: kp-gen output = its iptables-save', () => {
  for (const family of ['iptables', 'ip6tables']) {
    const fams = cases.filter((f) => f.flags.join(' ').includes('--ip-family ipv6') === (family === 'ip6tables'));
    const texts = fams.map((f) => readFileSync(join(f.dir, 'expected.rules'), 'utf8'));
    for (const backend of ['nft', 'legacy']) {
      it(`${family}-${backend}: ${fams.length} fixtures`, () => {
        const saved = restoreAndSave(`${family}-${backend}`, texts);
        const failures: string[] = [];
        saved.forEach((s, i) => {
          const f = fams[i]!;
          if (!s.ok) return failures.push(`${f.dir}: restore failed: ${s.text}`);
          const r = compareDumps(parseDump(texts[i]!, f.dir), parseDump(s.text, `${f.dir} (saved)`));
          if (!r.equal) failures.push(renderDiff(r));
          return undefined;
        });
        expect(failures).toEqual([]);
      });
    }
  }

  it('still sees a changed rule after the round trip', () => {
    const f = cases.find((c) => c.dir.endsWith('overall-iptables-rules'))!;
    const text = readFileSync(join(f.dir, 'expected.rules'), 'utf8');
    const changed = text.replace('--probability 0.5000000000', '--probability 0.3333333333');
    expect(changed).not.toBe(text);
    const [saved] = restoreAndSave('iptables-nft', [changed]);
    expect(saved!.ok, saved!.text).toBe(true);
    const r = compareDumps(parseDump(text, 'a'), parseDump(saved!.text, 'b'));
    expect(r.equal).toBe(false);
    expect(r.groups.map((g) => g.servicePort)).toEqual(['ns4/svc4:p80']);
  });
});
