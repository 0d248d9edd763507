/**
 * `--format save` is exactly what iptables-save prints: for every golden fixture, load kp-gen's
 * restore output into a fresh namespace with the real iptables-restore, run iptables-save, and
 * compare with kp-gen's `--format save --save-backend <backend>` output, byte for byte, for
 * both backends (ip6tables for --ip-family ipv6 cases). The fixture's own --format and
 * --save-backend flags are replaced, so fixtures written in either format take part.
 */
import { describe, expect, it } from 'vitest';
import { runKpGen } from './helpers/cli.js';
import { discoverFixtures } from './helpers/fixtures.js';
import { requireKernel } from './helpers/kernel.js';
import { BACKENDS, saveAfterRestore } from './helpers/save-roundtrip.js';

const run = requireKernel('--format save round-trip tests');
const cases = discoverFixtures().fixtures.filter((f) => !f.isError);

/** The fixture's flags without --format and --save-backend (and their values). */
function baseFlags(flags: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < flags.length; i++) {
    if (flags[i] === '--format' || flags[i] === '--save-backend') i++;
    else out.push(flags[i]!);
  }
  return out;
}

describe.runIf(run).each(cases.map((f) => [f.name, f] as const))('%s: --format save equals iptables-save', (_name, f) => {
  const flags = [...baseFlags(f.flags), '-q'];
  const family = flags.join(' ').includes('--ip-family ipv6') ? 6 : 4;
  for (const backend of BACKENDS) {
    it(`with the ${backend} backend`, async () => {
      const restore = await runKpGen([...flags, '--format', 'restore', ...f.inputs]);
      expect(restore.code, restore.stderr).toBe(0);
      const kernel = saveAfterRestore(family, backend, restore.stdout);
      expect(kernel.ok, kernel.output).toBe(true);
      const save = await runKpGen([...flags, '--format', 'save', '--save-backend', backend, ...f.inputs]);
      expect(save.code, save.stderr).toBe(0);
      expect(save.stdout).toBe(kernel.saved);
      // Not a vacuous pass: the kernel does rewrite kp-gen's restore text.
      expect(kernel.saved).not.toBe(restore.stdout);
    });
  }
});
