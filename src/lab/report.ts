/**
 * The text `kp-gen lab` prints: what `up` built and how to reach each Service, the counters of
 * `status`, and a tally of `probe`. Pure functions of the recorded state.
 */
import { formatCounters } from './counters.js';
import type { LabStatus } from './lab.js';
import type { Access, LabPlan } from './plan.js';
import type { ProbeRequest, ProbeResult } from './probe.js';
import { terminalSafe } from '../util.js';

const DEFAULT_NAME = 'lab';

/** `kp-gen lab SUB` with `--name` when the lab is not the default one. */
export function labCommand(name: string, sub: string, stateDirFlag = ''): string {
  return `kp-gen lab ${sub}${name === DEFAULT_NAME ? '' : ` --name ${name}`}${stateDirFlag}`;
}

function ns(plan: LabPlan, from: Access['from']): string {
  return from === 'node' ? plan.nodeNs : plan.clientNs;
}

/** The command a user runs to try one access path. */
export function accessCommand(plan: LabPlan, a: Access, stateDirFlag = ''): string {
  if (a.protocol === 'TCP') return `ip netns exec ${ns(plan, a.from)} curl -s -m 2 http://${a.ip}:${a.port}/`;
  if (a.protocol === 'UDP') {
    const from = a.from === 'node' ? ' --from node' : '';
    return `${labCommand(plan.name, 'probe', stateDirFlag)}${from} --udp ${a.ip}:${a.port}`;
  }
  return '(SCTP: the rules are loaded, but this machine has no SCTP sockets to test with)';
}

function table(rows: string[][], indent: string): string {
  const widths = rows[0]!.map((_c, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `${indent}${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd() + '\n').join('');
}

export function formatUp(plan: LabPlan, stateFile: string, ruleLines: number, stateDirFlag = ''): string {
  let s = `lab ${JSON.stringify(plan.name)} is up (recorded in ${stateFile})\n`;
  const rows = [
    ['node', plan.nodeNs, plan.nodeIP, `kp-gen's rules loaded (${ruleLines} lines, with --include-jumps)`],
    ['client', plan.clientNs, plan.clientIPs.join(', '), ''],
    ...plan.pods.map((p, i) => [i === 0 ? 'pods' : '', p.ns, p.ip, p.backs.join(', ')]),
  ];
  s += table(rows, '  ');
  s += '\nReach each service port:\n';
  const byPort = new Map<string, Access[]>();
  for (const a of plan.access) byPort.set(`${a.servicePort} (${a.protocol})`, [...(byPort.get(`${a.servicePort} (${a.protocol})`) ?? []), a]);
  for (const [port, list] of byPort) {
    s += `  ${port}${list[0]!.hasEndpoints ? '' : ': no ready endpoints, so the rules reject it'}\n`;
    s += table(list.map((a) => [a.kind, accessCommand(plan, a, stateDirFlag)]), '    ');
  }
  s += `\nEach pod answers with its name, the address it was reached at and the client address it saw.\n`;
  s += `Then: ${labCommand(plan.name, 'status', stateDirFlag)} (which rules matched), ${labCommand(plan.name, 'down', stateDirFlag)} (remove it all).\n`;
  return s;
}

export function formatStatus(st: LabStatus, all: boolean): string {
  const { plan } = st.state;
  const running = st.state.servers.length - st.deadServers.length;
  // The record is a file anyone could have edited: its names and paths are shown escaped (terminalSafe).
  const line = (text: string): string => `${terminalSafe(text)}\n`;
  let s = line(
    `lab ${JSON.stringify(plan.name)}: node ${plan.nodeNs} (${plan.nodeIP}), client ${plan.clientNs} (${plan.clientIPs.join(', ')}), ` +
      `${plan.pods.length} pod${plan.pods.length === 1 ? '' : 's'}, ${running} server${running === 1 ? '' : 's'} running`,
  );
  s += line(`rules generated from: ${st.state.paths.join(' ')}`);
  if (st.missingNamespaces.length > 0) s += line(`warning: namespaces gone: ${st.missingNamespaces.join(', ')}`);
  if (st.deadServers.length > 0) s += line(`warning: servers not running in: ${st.deadServers.map((d) => d.ns).join(', ')}`);
  s += `\n${all ? 'every rule' : 'rules that matched at least one packet'} (nat counts only the first packet of each connection):\n\n`;
  return s + formatCounters(st.counters, all);
}

export function formatProbe(from: string, req: ProbeRequest, results: readonly ProbeResult[]): string {
  const tally = new Map<string, number>();
  for (const r of results) {
    const key = r.reply
      ? `${r.reply.pod} ${r.reply.local.ip}:${r.reply.local.port} saw ${r.reply.peer.ip}`
      : r.outcome.ok
        ? r.outcome.reply
        : `no answer: ${r.outcome.error}`;
    tally.set(key, (tally.get(key) ?? 0) + 1);
  }
  const w = String(results.length).length;
  let s = `${results.length} × ${req.protocol} ${req.ip}:${req.port} from ${from}${req.source ? ` (source ${req.source})` : ''}:\n`;
  for (const [k, n] of [...tally].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) s += `  ${String(n).padStart(w)}  ${terminalSafe(k)}\n`;
  return s;
}
