/**
 * `kp-gen lab up|status|down`: a one-node lab in network namespaces for the user's manifests.
 * `up` generates the rules (with the jumps, so they work alone), plans the topology (plan.ts),
 * builds it (netns.ts), loads the rules into the node namespace, starts a server per pod
 * (servers.ts) and records all of it (state.ts); `down` removes exactly what was recorded.
 * The packet tests drive these same functions.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProxierConfig } from '../config.js';
import { UserError, type Note, type Warning } from '../errors.js';
import type { RunOptions } from '../options.js';
import { generate } from '../run.js';
import { parseCounters, type CountedRule } from './counters.js';
import { buildTopology, checkNamespacesFree, planNamespaces, removeNamespaces } from './netns.js';
import { DEFAULT_NODE_IP, NS_PREFIX, planLab } from './plan.js';
import { isOurServer, startServers, stopServers, type ServerRecord } from './servers.js';
import { hasCommand, isRoot, listNamespaces, runIn, tryRun } from './shell.js';
import { readState, removeState, stateFilesDir, writeState, type LabState } from './state.js';

export interface LabUpOptions {
  /** The generation flags and manifest paths, as for the main command. */
  run: RunOptions;
  name: string;
  stateDir: string;
  /** The client namespace's addresses; default one next to the node IP. */
  clientIPs: string[];
  readStdin: () => string;
}

export interface LabUpResult {
  state: LabState;
  notes: Note[];
  warnings: Warning[];
  /** The iptables-restore text loaded into the node namespace. */
  rules: string;
}

const IPTABLES_RESTORE = 'iptables-restore';
const IPTABLES_SAVE = 'iptables-save';

/** Root and the tools; a UserError saying what is missing otherwise. */
export function checkLabHost(needNfacct: boolean): void {
  if (!isRoot()) {
    throw new UserError('kp-gen lab needs root: it creates network namespaces and loads iptables rules', 'run it with sudo');
  }
  const tools = ['ip', IPTABLES_RESTORE, IPTABLES_SAVE, ...(needNfacct ? ['nfacct'] : [])];
  const missing = tools.filter((t) => !hasCommand(t));
  if (missing.length > 0) {
    const pkgs = [missing.includes('ip') ? 'iproute2' : '', missing.some((t) => t.startsWith('iptables')) ? 'iptables' : '', missing.includes('nfacct') ? 'nfacct' : ''];
    throw new UserError(
      `kp-gen lab needs ${missing.join(', ')}, not found on PATH`,
      `install them (Debian/Ubuntu: apt-get install ${pkgs.filter((p) => p).join(' ')})${missing.includes('nfacct') ? ', or leave the nfacct rules out with --nfacct-counters none' : ''}`,
    );
  }
}

export async function labUp(o: LabUpOptions): Promise<LabUpResult> {
  const opts: RunOptions = { ...o.run, includeJumps: true };
  if (opts.ipFamily !== 'ipv4') throw new UserError('kp-gen lab builds IPv4 labs only', 'drop --ip-family ipv6');
  if (opts.nodeIPs.length === 0) opts.nodeIPs = [DEFAULT_NODE_IP];
  const nodeIP = opts.nodeIPs.find((t) => !t.includes(':'));
  if (nodeIP === undefined) throw new UserError('--node-ip: the lab needs an IPv4 node address');
  const cfg = buildProxierConfig(opts);
  checkLabHost(cfg.nfacctCounters.size > 0);
  if (readState(o.stateDir, o.name)) {
    throw new UserError(`lab ${JSON.stringify(o.name)} is already up`, `take it down first: kp-gen lab down --name ${o.name}`);
  }

  const { text: rules, notes, warnings, ports } = generate(opts, { readStdin: o.readStdin });
  const plan = planLab(ports, { name: o.name, nodeIP, clientIPs: o.clientIPs, localhostNodePorts: cfg.localhostNodePorts });

  checkNamespacesFree(plan);
  const state: LabState = { version: 1, plan, namespaces: planNamespaces(plan), servers: [], iptablesSave: IPTABLES_SAVE, paths: opts.paths };
  writeState(o.stateDir, state);
  try {
    buildTopology(plan);
    for (const counter of cfg.nfacctCounters) runIn(plan.nodeNs, 'nfacct', ['add', counter]);
    const rulesFile = join(stateFilesDir(o.stateDir, o.name), 'rules');
    writeFileSync(rulesFile, rules);
    runIn(plan.nodeNs, IPTABLES_RESTORE, [rulesFile]);
    await startServers(
      plan.pods,
      (p) => join(stateFilesDir(o.stateDir, o.name), `${p.ns}.log`),
      (s: ServerRecord) => {
        state.servers.push(s);
        writeState(o.stateDir, state);
      },
    );
  } catch (e) {
    teardown(o.stateDir, state);
    throw e;
  }
  return { state, notes, warnings, rules };
}

export interface LabDownResult {
  state: LabState;
  /** Namespaces that could not be deleted. */
  failed: string[];
}

function teardown(stateDir: string, state: LabState): string[] {
  stopServers(state.servers);
  const failed = removeNamespaces(state.namespaces);
  if (failed.length === 0) removeState(stateDir, state.plan.name);
  return failed;
}

function noLab(name: string): UserError {
  const stray = listNamespaces().filter((n) => n.startsWith(NS_PREFIX));
  return new UserError(
    `no lab named ${JSON.stringify(name)} is up`,
    stray.length > 0 ? `namespaces left without a record: ${stray.join(', ')} (remove with: ip netns del NAME)` : 'start one with: kp-gen lab up PATH...',
  );
}

export function labDown(name: string, stateDir: string): LabDownResult {
  if (!isRoot()) throw new UserError('kp-gen lab down needs root', 'run it with sudo');
  const state = readState(stateDir, name);
  if (!state) throw noLab(name);
  return { state, failed: teardown(stateDir, state) };
}

export interface LabStatus {
  state: LabState;
  /** Recorded namespaces that no longer exist. */
  missingNamespaces: string[];
  /** Recorded servers that are no longer running. */
  deadServers: ServerRecord[];
  counters: CountedRule[];
}

export function labStatus(name: string, stateDir: string): LabStatus {
  if (!isRoot()) throw new UserError('kp-gen lab status needs root (it reads the node namespace\'s counters)', 'run it with sudo');
  const state = readState(stateDir, name);
  if (!state) throw noLab(name);
  const present = new Set(listNamespaces());
  const missingNamespaces = state.namespaces.filter((n) => !present.has(n));
  let counters: CountedRule[] = [];
  if (present.has(state.plan.nodeNs)) {
    const r = tryRun('ip', ['netns', 'exec', state.plan.nodeNs, state.iptablesSave, '-c']);
    if (r.status !== 0) throw new UserError(`${state.iptablesSave} -c in ${state.plan.nodeNs} failed: ${r.stderr.trim()}`);
    counters = parseCounters(r.stdout);
  }
  return { state, missingNamespaces, deadServers: state.servers.filter((s) => !isOurServer(s)), counters };
}
