/**
 * Which iptables the host uses: nft (iptables-nft, rules in nf_tables) or legacy (ip_tables).
 * Rules loaded with the other one would sit beside the host's own, in a second set of tables
 * the host's tools do not show. Decided as kube-proxy's image decides it (the iptables-wrapper
 * script of kubernetes-sigs/iptables-wrappers): kubelet's hint chains first, then whichever
 * backend holds more rules; where neither holds any (a fresh host), the backend the host's
 * `iptables` command is set to (update-alternatives), as that is where its next rules will go.
 */
import type { Host } from './host.js';

export const BACKENDS = ['nft', 'legacy'] as const;
export type Backend = (typeof BACKENDS)[number];

export type Family = 4 | 6;

/** The commands of one backend for one family. */
export interface Tools {
  iptables: string;
  save: string;
  restore: string;
}

export function toolsFor(backend: Backend, family: Family): Tools {
  const base = `${family === 6 ? 'ip6' : 'ip'}tables-${backend}`;
  return { iptables: base, save: `${base}-save`, restore: `${base}-restore` };
}

export interface Detected {
  backend: Backend;
  /** Why, in a few words (printed by apply and cleanup). */
  why: string;
}

/** Chains kubelet creates to tell kube-proxy's image which backend the node uses. */
const HINT = /^:(KUBE-IPTABLES-HINT|KUBE-KUBELET-CANARY) /m;

/**
 * The legacy tables that exist in this network namespace. Asking iptables-legacy for a table
 * makes the kernel create it, empty (and iptables-nft then warns that legacy tables are
 * present), so they are looked up in /proc first and only those that exist are read.
 */
export function legacyTables(host: Host, family: Family): Set<string> {
  const names = host.readProc(family === 6 ? '/proc/net/ip6_tables_names' : '/proc/net/ip_tables_names') ?? '';
  return new Set(names.split('\n').filter((n) => n !== ''));
}

/** Whether reading `table` (all tables if absent) of this backend and family leaves the kernel as it is. */
export function safeToRead(host: Host, backend: Backend, family: Family, table?: string): boolean {
  if (backend === 'nft') return true;
  const present = legacyTables(host, family);
  return table === undefined ? present.size > 0 : present.has(table);
}

function saved(host: Host, backend: Backend, table?: string): string | undefined {
  let text = '';
  let any = false;
  for (const family of [4, 6] as const) {
    if (!safeToRead(host, backend, family, table)) continue;
    const r = host.look(toolsFor(backend, family).save, table ? ['-t', table] : []);
    if (r.status === 0) {
      any = true;
      text += r.stdout;
    }
  }
  return any ? text : undefined;
}

export function detectBackend(host: Host): Detected {
  const usable = BACKENDS.filter((b) => host.look(toolsFor(b, 4).iptables, ['--version']).status === 0);
  if (usable.length === 1) return { backend: usable[0]!, why: `only iptables-${usable[0]!} is installed` };
  for (const b of BACKENDS) {
    const mangle = saved(host, b, 'mangle');
    if (mangle !== undefined && HINT.test(mangle)) return { backend: b, why: `kubelet's hint chain is in iptables-${b}` };
  }
  const rules = (b: Backend): number => (saved(host, b) ?? '').split('\n').filter((l) => l.startsWith('-')).length;
  const nft = rules('nft');
  const legacy = rules('legacy');
  if (nft !== legacy) {
    const backend: Backend = legacy > nft ? 'legacy' : 'nft';
    return { backend, why: `the host's rules are in iptables-${backend} (${Math.max(nft, legacy)} rules, ${Math.min(nft, legacy)} in the other)` };
  }
  const version = host.look('iptables', ['--version']);
  if (/\(legacy\)/.test(version.stdout)) return { backend: 'legacy', why: 'no rules yet; the iptables command is iptables-legacy' };
  return { backend: 'nft', why: /\(nf_tables\)/.test(version.stdout) ? 'no rules yet; the iptables command is iptables-nft' : 'no rules yet; nft by default' };
}
