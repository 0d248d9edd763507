/**
 * Running `kp-gen apply` and `kp-gen cleanup` (declared in index.ts) against the real host and
 * printing what was done — or, under --dry-run, the commands that would have run.
 */
import { UserError } from '../../errors.js';
import type { CliIO } from '../../io.js';
import { apply, type ApplyReport } from '../../host/apply.js';
import { cleanup, type CleanupReport } from '../../host/cleanup.js';
import { realHost } from '../../host/host.js';
import { noteLine, warningLine } from '../../report.js';
import type { ApplyCommandOptions, HostOptions } from './index.js';

const sysctlName = (key: string): string => key.replace(/\//g, '.');
const list = (xs: readonly string[]): string => (xs.length === 0 ? 'none' : xs.join(', '));

export function formatApply(r: ApplyReport, dryRun: boolean): string {
  const would = dryRun ? 'would be ' : '';
  const lines = [
    `iptables-${r.backend.backend}, IPv${r.family}: ${r.backend.why}`,
    `chains ${would}loaded: ${r.chainsLoaded} (${r.tools.restore} --noflush)`,
    `jumps from built-in chains: ${r.jumpsAdded} ${would}added, ${r.jumpsTotal - r.jumpsAdded} already there`,
    `stale Service chains ${would}deleted: ${list(r.staleDeleted)}`,
    `nfacct counters ${would}created: ${list(r.countersCreated)}`,
  ];
  if (r.countersMissing.length > 0) lines.push(`nfacct counters unavailable (their rules are left out, as kube-proxy does): ${r.countersMissing.join(', ')}`);
  if (r.sysctlsSet.length > 0) lines.push(`sysctls ${would}set: ${r.sysctlsSet.map((k) => `${sysctlName(k)}=1`).join(', ')}`);
  return lines.map((l) => `${dryRun ? '# ' : ''}${l}\n`).join('');
}

export function formatCleanup(r: CleanupReport, dryRun: boolean): string {
  const would = dryRun ? 'would be ' : '';
  const lines: string[] = [];
  for (const f of r.families) {
    const what = `IPv${f.family} iptables-${f.backend}`;
    if (f.skipped !== undefined) lines.push(`${what}: skipped, ${f.skipped}`);
    else {
      const firewall = f.firewallRestored ? `; KUBE-FIREWALL's earlier rules ${dryRun ? 'would be ' : ''}put back` : '';
      lines.push(`${what}: ${f.jumpsDeleted} jumps and ${f.chainsDeleted.length} chains ${would}deleted${firewall}`);
    }
  }
  lines.push(`nfacct counters ${would}deleted: ${list(r.countersDeleted)}`);
  if (r.countersKept.length > 0) lines.push(`nfacct counters kept (still in use by a rule): ${r.countersKept.join(', ')}`);
  if (r.sysctlsRestored.length > 0) lines.push(`sysctls ${would}restored: ${r.sysctlsRestored.map(sysctlName).join(', ')}`);
  return lines.map((l) => `${dryRun ? '# ' : ''}${l}\n`).join('');
}

function script(lines: readonly string[]): string {
  return lines.length === 0 ? '# nothing to run\n' : lines.map((l) => `${l}\n`).join('');
}

function requireRoot(command: string): void {
  if (process.getuid?.() !== 0) throw new UserError(`kp-gen ${command} needs root: it reads and changes the host's iptables rules`, 'run it with sudo');
}

export async function runApply(io: CliIO, o: ApplyCommandOptions): Promise<number> {
  requireRoot('apply');
  const host = realHost(o.dryRun);
  const r = apply(host, { run: o.run, dryRun: o.dryRun, stateDir: o.stateDir, routeLocalnet: o.routeLocalnet, ipForward: o.ipForward, ...(o.backend ? { backend: o.backend } : {}) }, { readStdin: io.readStdin });
  if (!o.run.quiet) for (const line of [...r.notes.map(noteLine), ...r.warnings.map(warningLine)]) io.stderr(line);
  await io.stdout(formatApply(r, o.dryRun) + (o.dryRun ? script(host.script) : ''));
  return 0;
}

export async function runCleanup(io: CliIO, o: HostOptions): Promise<number> {
  requireRoot('cleanup');
  const host = realHost(o.dryRun);
  const r = cleanup(host, { dryRun: o.dryRun, stateDir: o.stateDir, ...(o.backend ? { backend: o.backend } : {}) });
  await io.stdout(formatCleanup(r, o.dryRun) + (o.dryRun ? script(host.script) : ''));
  return 0;
}
