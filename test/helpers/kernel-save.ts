/**
 * Round trips through the real kernel: load rule files with iptables-restore and read them
 * back with iptables-save -c, in one throw-away network namespace per backend (a restore
 * without --noflush replaces the tables it names, so files do not leak into each other).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KUBELET_PRELUDE_SAVE_LINE, kubeletPrelude, NFACCT_COUNTERS } from './kernel.js';

export interface SaveResult {
  ok: boolean;
  /** iptables-save output, or the error output when !ok. */
  text: string;
}

/** `cmd` is e.g. `iptables-nft` or `ip6tables-legacy`; returns one result per input, in order. */
export function restoreAndSave(cmd: string, inputs: readonly string[]): SaveResult[] {
  const dir = mkdtempSync(join(tmpdir(), 'kp-gen-save-'));
  try {
    // Rules of kube-proxy 1.24 and before jump to kubelet's KUBE-MARK-DROP: declare it, empty,
    // as kubelet had made it (kernel.ts kubeletPrelude), and leave it out of what is read back.
    const needsKubelet = inputs.map((text) => kubeletPrelude(text) !== undefined);
    inputs.forEach((text, i) => writeFileSync(join(dir, `${i}.rules`), needsKubelet[i] ? text.replace('*nat\n', `*nat\n${KUBELET_PRELUDE_SAVE_LINE}\n`) : text));
    const script = [
      ...NFACCT_COUNTERS.map((n) => `nfacct add ${n} >/dev/null`),
      `for i in $(seq 0 ${inputs.length - 1}); do`,
      `  if ${cmd}-restore < "$1/$i.rules" 2> "$1/$i.err"; then ${cmd}-save -c > "$1/$i.save"; else echo fail > "$1/$i.failed"; fi`,
      'done',
    ].join('\n');
    const r = spawnSync('unshare', ['-n', 'sh', '-c', script, 'sh', dir], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`unshare failed: ${r.stderr}${r.error ? String(r.error) : ''}`);
    return inputs.map((_, i) => {
      try {
        const saved = readFileSync(join(dir, `${i}.save`), 'utf8');
        return { ok: true, text: needsKubelet[i] ? saved.split('\n').filter((l) => l !== KUBELET_PRELUDE_SAVE_LINE).join('\n') : saved };
      } catch {
        return { ok: false, text: readFileSync(join(dir, `${i}.err`), 'utf8') };
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
