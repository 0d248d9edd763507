/**
 * Running `kp-gen lab up|status|down|probe` (declared in index.ts): call the lab functions
 * and print their reports through the injected CliIO.
 */
import { UserError } from '../../errors.js';
import type { CliIO } from '../../io.js';
import { labDown, labList, labStatus, labUp, ownedNamespaces } from '../../lab/lab.js';
import { probe, type ProbeRequest } from '../../lab/probe.js';
import { formatProbe, formatStatus, formatUp, labCommand } from '../../lab/report.js';
import { readState, stateFile } from '../../lab/state.js';
import { noteLine, noteText, terminalSafe, warningLine } from '../../report.js';
import { DEFAULT_STATE_DIR, type LabListOptions, type LabProbeOptions, type LabRef, type LabStatusOptions, type LabUpOptions } from './index.js';

/** The `--state-dir` flag to repeat in printed commands when it is not the default. */
function stateDirFlag(dir: string): string {
  return dir === DEFAULT_STATE_DIR ? '' : ` --state-dir ${dir}`;
}

export async function runUp(io: CliIO, o: LabUpOptions): Promise<number> {
  const r = await labUp({
    run: o.run,
    name: o.name,
    stateDir: o.stateDir,
    clientIPs: o.clientIPs,
    readStdin: io.readStdin,
  });
  if (!o.run.quiet) for (const line of [...r.notes.map(noteLine), ...r.warnings.map(warningLine)]) io.stderr(line);
  const lines = r.rules.split('\n').length - 1;
  await io.stdout(formatUp(r.state.plan, stateFile(o.stateDir, o.name), lines, stateDirFlag(o.stateDir)));
  return 0;
}

export async function runStatus(io: CliIO, o: LabStatusOptions): Promise<number> {
  await io.stdout(formatStatus(labStatus(o.name, o.stateDir), o.all));
  return 0;
}

export async function runDown(io: CliIO, o: LabRef): Promise<number> {
  const r = labDown(o.name, o.stateDir);
  if (r.state === null) {
    // Down already: nothing to do, and no error (a script's cleanup may run twice).
    if (r.stray.length > 0) io.stderr(noteText(`namespaces without a record are left alone: ${r.stray.join(', ')} (remove with: ip netns del NAME)`));
    await io.stdout(`lab ${JSON.stringify(o.name)} is not up: nothing to do\n`);
    return 0;
  }
  if (r.failed.length > 0) {
    throw new UserError(`could not delete ${r.failed.join(', ')}`, `the record is kept; retry: ${labCommand(r.state.plan.name, 'down', stateDirFlag(o.stateDir))}`);
  }
  const servers = Array.isArray(r.state.servers) ? r.state.servers.length : 0;
  await io.stdout(`lab ${JSON.stringify(r.state.plan.name)} is down: removed ${r.removed.length} namespaces and ${servers} servers\n`);
  return 0;
}

export async function runList(io: CliIO, o: LabListOptions): Promise<number> {
  const labs = labList(o.stateDir);
  if (labs.length === 0) {
    await io.stdout(`no lab is up (none recorded in ${o.stateDir})\n`);
    return 0;
  }
  // A record's paths and problems are shown escaped: a state file is a file anyone could edit.
  const rows = [
    ['NAME', 'NAMESPACES', 'SERVERS', 'INPUT'],
    ...labs.map((l) =>
      l.problem !== undefined ? [l.name, '-', '-', `unreadable record: ${l.problem}`] : [l.name, `${l.namespaces.present}/${l.namespaces.recorded}`, `${l.servers.running}/${l.servers.recorded}`, l.paths.join(' ')],
    ),
  ].map((r) => r.map(terminalSafe));
  const widths = rows[0]!.map((_c, i) => Math.max(...rows.map((r) => r[i]!.length)));
  await io.stdout(rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd() + '\n').join(''));
  return 0;
}

export async function runProbe(io: CliIO, o: LabProbeOptions): Promise<number> {
  const state = readState(o.stateDir, o.name);
  if (!state) throw new UserError(`no lab named ${JSON.stringify(o.name)} is up`, 'start one with: kp-gen lab up PATH...');
  const { plan } = state;
  const from = o.from;
  const ns = from === 'client' ? plan.clientNs : from === 'node' ? plan.nodeNs : plan.pods.find((p) => p.ip === from || p.ns === from)?.ns;
  if (ns === undefined) throw new UserError(`--from: ${JSON.stringify(from)} is not client, node, or a pod of lab ${JSON.stringify(o.name)}`);
  // Only into a namespace the lab provably made (lab.ts), whatever the record says.
  if (!ownedNamespaces(o.name, state).includes(ns)) {
    throw new UserError(`namespace ${ns} of lab ${JSON.stringify(o.name)} is gone, or was not made by it`, `see ${labCommand(o.name, 'status', stateDirFlag(o.stateDir))}`);
  }
  const req: ProbeRequest = { protocol: o.udp ? 'UDP' : 'TCP', ...o.dst, count: o.count, timeoutMs: o.timeoutMs };
  if (o.source !== undefined) req.source = o.source;
  await io.stdout(formatProbe(ns, req, probe(ns, req)));
  return 0;
}
