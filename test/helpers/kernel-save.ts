/**
 * Round trips through the real kernel: load rule files with iptables-restore and read them
 * back with iptables-save -c, in one throw-away network namespace per backend (a restore
 * without --noflush replaces the tables it names, so files do not leak into each other). A
 * file that jumps to kubelet's KUBE-MARK-DROP without declaring it (kube-proxy before 1.25)
 * gets the chain first (kernel.ts kubeletPrelude, whose restore also empties both tables), and
 * is loaded with --noflush; that chain's empty declaration is then left out of the saved text
 * (kubelet's, not kube-proxy's).
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
    inputs.forEach((text, i) => writeFileSync(join(dir, `${i}.rules`), text));
    const loads = inputs.map((text, i) => {
      const kubelet = kubeletPrelude(text);
      return [
        ...(kubelet ? [`printf '%s' '${kubelet}' | ${cmd}-restore`] : []),
        `if ${cmd}-restore${kubelet ? ' --noflush' : ''} < "$1/${i}.rules" 2> "$1/${i}.err"; then ${cmd}-save -c > "$1/${i}.save"; else echo fail > "$1/${i}.failed"; fi`,
      ];
    });
    const script = [...NFACCT_COUNTERS.map((n) => `nfacct add ${n} >/dev/null`), ...loads.flat()].join('\n');
    const r = spawnSync('unshare', ['-n', 'sh', '-c', script, 'sh', dir], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`unshare failed: ${r.stderr}${r.error ? String(r.error) : ''}`);
    return inputs.map((_, i) => {
      try {
        const saved = readFileSync(join(dir, `${i}.save`), 'utf8');
        const text = kubeletPrelude(inputs[i]!) ? saved.split('\n').filter((l) => !l.startsWith(KUBELET_PRELUDE_SAVE_LINE)).join('\n') : saved;
        return { ok: true, text };
      } catch {
        return { ok: false, text: readFileSync(join(dir, `${i}.err`), 'utf8') };
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
