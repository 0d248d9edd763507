/**
 * The helm-template-style golden case (fixtures/complete/helm-release), varied: the order of
 * its documents never matters, removing any one Service leaves every other Service's lines as
 * they were, and every variant loads into the kernel (iptables-restore --test, then for real).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runKpGen } from './helpers/cli.js';
import { discoverFixtures } from './helpers/fixtures.js';
import { requireKernel, restoreInNamespace } from './helpers/kernel.js';

process.env.FORCE_COLOR = '0';
const cases = discoverFixtures().fixtures.filter((f) => /fixtures\/complete\/helm-release/.test(f.dir));

/** The documents of a `---`-separated file, each with its comments. */
function documents(text: string): string[] {
  return text.split(/^---\n/m).filter((d) => d.trim() !== '');
}

/** `namespace/name` of a Service document, else undefined. */
function serviceOf(doc: string): string | undefined {
  if (!/^kind: Service$/m.test(doc)) return undefined;
  return `${/^ {2}namespace: (\S+)$/m.exec(doc)![1]}/${/^ {2}name: (\S+)$/m.exec(doc)![1]}`;
}

/**
 * The lines of a rule dump that are not about `service`: neither naming it in a comment nor
 * using one of its own chains (those that such lines jump to or are in); declarations only
 * when `keep` has them.
 */
function linesNotAbout(rules: string, service: string, keep: Set<string>): string[] {
  const about = new RegExp(`(^|[ "])${service}([:" ]|$)`);
  const lines = rules.split('\n');
  const chains = new Set(lines.filter((l) => about.test(l)).flatMap((l) => l.match(/KUBE-(?:SVC|SVL|EXT|FW|SEP)-[A-Z0-9]{16}/g) ?? []));
  const ownChain = (l: string) => (l.match(/KUBE-(?:SVC|SVL|EXT|FW|SEP)-[A-Z0-9]{16}/g) ?? []).some((c) => chains.has(c));
  return lines.filter((l) => !about.test(l) && !ownChain(l) && (!l.startsWith(':') || keep.has(l)));
}

const kernel = requireKernel('helm-release variants in the kernel');

describe.each(cases.map((f) => [f.name, f] as const))('%s', (_name, f) => {
  const docs = documents(readFileSync(join(f.dir, 'input.yaml'), 'utf8'));
  const expected = readFileSync(join(f.dir, 'expected.rules'), 'utf8');
  const cmd = f.flags.includes('ipv6') ? 'ip6tables-nft-restore' : 'iptables-nft-restore';

  it('gives the same rules whatever the order of its documents', async () => {
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(docs, { minLength: docs.length, maxLength: docs.length }), async (shuffled) => {
        const r = await runKpGen([...f.flags, '-'], shuffled.map((d) => `---\n${d}`).join(''));
        expect(r.code, r.stderr).toBe(0);
        expect(r.stdout).toBe(expected);
      }),
      { numRuns: 15 },
    );
  });

  const services = docs.map(serviceOf).filter((s): s is string => s !== undefined);
  it.each(services)('without Service %s, every other Service keeps its lines, and the rules load', async (service) => {
    const rest = docs.filter((d) => serviceOf(d) !== service);
    const r = await runKpGen([...f.flags, '-'], rest.map((d) => `---\n${d}`).join(''));
    expect(r.code, r.stderr).toBe(0);
    const kept = new Set(r.stdout.split('\n').filter((l) => l.startsWith(':')));
    expect(r.stdout.split('\n')).toEqual(linesNotAbout(expected, service, kept));
    if (kernel) {
      const loaded = restoreInNamespace(cmd, r.stdout);
      expect(loaded.ok, loaded.output).toBe(true);
    }
  });
});
