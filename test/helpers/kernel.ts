/**
 * Access to the real kernel for tests: iptables-restore inside a fresh network namespace
 * (`unshare -n`), so nothing touches the machine's own rules. Needs root and Debian's
 * iptables and nfacct packages (installed by .ci/run). Without them the kernel tests skip with
 * one line saying why — except under CI=true, where a skip would hide a broken setup, so they fail.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KernelSupport {
  ok: boolean;
  reason: string;
}

let cached: KernelSupport | undefined;

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

export function kernelSupport(): KernelSupport {
  if (cached) return cached;
  const missing = ['unshare', 'iptables-nft-restore', 'iptables-legacy-restore', 'ip6tables-nft-restore', 'ip6tables-legacy-restore', 'nfacct'].filter(
    (c) => !has(c),
  );
  if (process.getuid?.() !== 0) cached = { ok: false, reason: 'not running as root' };
  else if (missing.length > 0) cached = { ok: false, reason: `missing ${missing.join(', ')} (apt-get install iptables nfacct)` };
  else {
    const probe = spawnSync('unshare', ['-n', 'iptables-nft-restore', '--test'], { input: '*filter\nCOMMIT\n', encoding: 'utf8' });
    cached = probe.status === 0 ? { ok: true, reason: '' } : { ok: false, reason: `unshare -n iptables-restore failed: ${probe.stderr.trim()}` };
  }
  return cached;
}

/** true when kernel tests must run: fails loudly in CI, prints one line and skips elsewhere. */
export function requireKernel(what: string): boolean {
  const k = kernelSupport();
  if (k.ok) return true;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    throw new Error(`${what}: kernel tests cannot run in CI: ${k.reason}`);
  }
  console.warn(`skipping ${what}: ${k.reason}`);
  return false;
}

export interface RestoreResult {
  ok: boolean;
  output: string;
}

export const NFACCT_COUNTERS = ['ct_state_invalid_dropped_pkts', 'localhost_nps_accepted_pkts'];

/**
 * Shell lines (for a script run in `unshare -n`, the dump in "$1/rules") that make the
 * namespace a node: lo up, eth0 with `nodeIP`/24 and a default route, kube-proxy's nfacct
 * counters, and the rules loaded with iptables-nft-restore.
 */
export function nodeNamespaceScript(nodeIP: string): string[] {
  return [
    'set -e',
    'ip link set lo up',
    'ip link add eth0 type veth peer name eth0p',
    `ip addr add ${nodeIP}/24 dev eth0`,
    'ip link set eth0 up',
    'ip link set eth0p up',
    'ip route add default via 192.168.1.1 dev eth0 onlink',
    ...NFACCT_COUNTERS.map((n) => `nfacct add ${n} >/dev/null`),
    'iptables-nft-restore < "$1/rules"',
  ];
}

/**
 * In a new network namespace: create kube-proxy's nfacct counters, then check `rules` with
 * `<cmd> --test` and load it for real with `<cmd>`.
 */
export function restoreInNamespace(cmd: string, rules: string): RestoreResult {
  const kubelet = kubeletPrelude(rules);
  const script = [
    'set -e',
    ...NFACCT_COUNTERS.map((n) => `nfacct add ${n} >/dev/null`),
    ...(kubelet ? [`printf '%s' '${kubelet}' | ${cmd}`] : []),
    `${cmd} ${kubelet ? '--noflush ' : ''}--test < "$1"`,
    `${cmd} ${kubelet ? '--noflush ' : ''}< "$1"`,
  ].join('\n');
  const dir = mkdtempSync(join(tmpdir(), 'kp-gen-restore-'));
  try {
    const file = join(dir, 'rules');
    writeFileSync(file, rules);
    const r = spawnSync('unshare', ['-n', 'sh', '-c', script, 'sh', file], { encoding: 'utf8', timeout: 20_000 });
    return { ok: r.status === 0, output: `${r.stdout}${r.stderr}${r.error ? String(r.error) : ''}`.trim() };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * kube-proxy 1.24 and before jump to kubelet's nat chain KUBE-MARK-DROP without declaring it
 * (kubelet made it first). For such a restore text (no --include-jumps), the restore text that
 * creates the chain, empty, as kubelet had; then the rules load with --noflush, as kube-proxy
 * loads them. Undefined when the text does not need it.
 */
export function kubeletPrelude(rules: string): string | undefined {
  if (!rules.includes('-j KUBE-MARK-DROP') || rules.includes(':KUBE-MARK-DROP ')) return undefined;
  // filter first, as the rules create them: legacy iptables-save lists tables newest first.
  return '*filter\nCOMMIT\n*nat\n:KUBE-MARK-DROP - [0:0]\nCOMMIT\n';
}

/** The line iptables-save prints for that empty chain (not kube-proxy's output). */
export const KUBELET_PRELUDE_SAVE_LINE = ':KUBE-MARK-DROP - [0:0]';
