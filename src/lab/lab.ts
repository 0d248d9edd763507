/**
 * `kp-gen lab up|status|down`: a one-node lab in network namespaces for the user's manifests.
 * `up` generates the rules (with the jumps, so they work alone), plans the topology (plan.ts),
 * builds it (netns.ts), loads the rules into the node namespace, starts a server per pod
 * (servers.ts) and records all of it (state.ts); `down` removes exactly what was recorded.
 * The packet tests drive these same functions.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { buildProxierConfig } from '../config.js';
import { systemErrorText, UserError, type Note, type Warning } from '../errors.js';
import { writeFileAtomicSync } from '../io.js';
import type { RunOptions } from '../options.js';
import { generate } from '../run.js';
import { parseCounters, type CountedRule } from './counters.js';
import { buildTopology, checkNamespacesFree, planNamespaces, removeNamespaces } from './netns.js';
import { DEFAULT_NODE_IP, namespaceNames, NS_PREFIX, planLab } from './plan.js';
import { isOurServer, startServers, stopServers, type ServerRecord } from './servers.js';
import { hasCommand, isRoot, listNamespaces, runIn, tryRun } from './shell.js';
import { createLabDirs, listStates, readState, removeState, STATE_VERSION, stateFilesDir, writeState, type LabState } from './state.js';

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
  const dirs = createLabDirs(o.stateDir, o.name);
  const state: LabState = {
    version: STATE_VERSION,
    plan,
    namespaces: planNamespaces(plan),
    namespaceIds: {},
    servers: [],
    paths: opts.paths,
    ...dirs,
  };
  try {
    writeState(o.stateDir, state);
    buildTopology(plan, (ns) => {
      state.namespaceIds[ns] = namespaceId(ns) ?? 0;
      writeState(o.stateDir, state);
    });
    for (const counter of cfg.nfacctCounters) runIn(plan.nodeNs, 'nfacct', ['add', counter]);
    const rulesFile = join(stateFilesDir(o.stateDir, o.name), 'rules');
    writeFileAtomicSync(rulesFile, rules, 'lab rules');
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
  /** Namespaces deleted. */
  removed: string[];
  /** Namespaces that could not be deleted. */
  failed: string[];
}

/** Where `ip netns` keeps a namespace's handle; its inode identifies the namespace. */
const NETNS_DIR = '/run/netns';

/** The inode of a named network namespace, or undefined when there is none of that name. */
function namespaceId(ns: string): number | undefined {
  try {
    return statSync(join(NETNS_DIR, ns)).ino;
  } catch {
    return undefined;
  }
}

/**
 * The namespaces of a record that the lab provably made and that still exist: named as the
 * lab `name` names its namespaces (kpg-<name>-node, -client, -pN), and the very namespace
 * `up` created (same inode as recorded). A record naming anything else is not obeyed.
 */
export function ownedNamespaces(name: string, state: LabState): string[] {
  const names = namespaceNames(name);
  const ours = (ns: string): boolean => ns === names.node || ns === names.client || new RegExp(`^${names.pod(0).replace(/0$/, '')}[1-9][0-9]*$`).test(ns);
  const ids = typeof state.namespaceIds === 'object' && state.namespaceIds !== null ? state.namespaceIds : {};
  return (Array.isArray(state.namespaces) ? state.namespaces : []).filter(
    (ns) => typeof ns === 'string' && ours(ns) && typeof ids[ns] === 'number' && ids[ns] !== 0 && namespaceId(ns) === ids[ns],
  );
}

function teardown(stateDir: string, state: LabState): string[] {
  const owned = ownedNamespaces(state.plan.name, state);
  stopServers((Array.isArray(state.servers) ? state.servers : []).filter((s) => owned.includes(s.ns)));
  const failed = removeNamespaces(owned);
  if (failed.length === 0) removeState(stateDir, state);
  return failed;
}

function noLab(name: string): UserError {
  const stray = listNamespaces().filter((n) => n.startsWith(NS_PREFIX));
  return new UserError(
    `no lab named ${JSON.stringify(name)} is up`,
    stray.length > 0 ? `namespaces left without a record: ${stray.join(', ')} (remove with: ip netns del NAME)` : 'start one with: kp-gen lab up PATH...',
  );
}

/** `lab down` of a lab that is not up: nothing to do, which is no error (down is idempotent). */
export interface LabAlreadyDown {
  state: null;
  /** Namespaces with the lab prefix that no record accounts for. */
  stray: string[];
}

export function labDown(name: string, stateDir: string): LabDownResult | LabAlreadyDown {
  if (!isRoot()) throw new UserError('kp-gen lab down needs root', 'run it with sudo');
  const state = readState(stateDir, name);
  if (!state) return { state: null, stray: listNamespaces().filter((n) => n.startsWith(NS_PREFIX)) };
  const removed = ownedNamespaces(name, state);
  const failed = teardown(stateDir, state);
  return { state, removed: removed.filter((n) => !failed.includes(n)), failed };
}

/** One recorded lab, for `lab list`. */
export interface LabListEntry {
  name: string;
  /** Recorded namespaces that exist and are the lab's / recorded. */
  namespaces: { present: number; recorded: number };
  servers: { running: number; recorded: number };
  paths: string[];
  /** Why the record could not be read, instead of the counts. */
  problem?: string;
}

export function labList(stateDir: string): LabListEntry[] {
  return listStates(stateDir).map((name) => {
    try {
      const state = readState(stateDir, name)!;
      const servers = Array.isArray(state.servers) ? state.servers : [];
      return {
        name,
        namespaces: { present: ownedNamespaces(name, state).length, recorded: state.namespaces.length },
        servers: { running: servers.filter(isOurServer).length, recorded: servers.length },
        paths: state.paths,
      };
    } catch (e) {
      return { name, namespaces: { present: 0, recorded: 0 }, servers: { running: 0, recorded: 0 }, paths: [], problem: e instanceof UserError ? e.message : systemErrorText(e) };
    }
  });
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
  const owned = ownedNamespaces(name, state);
  const missingNamespaces = state.namespaces.filter((n) => !owned.includes(n));
  let counters: CountedRule[] = [];
  const nodeNs = namespaceNames(name).node;
  if (owned.includes(nodeNs)) {
    // Always our own iptables-save, never a program named by the record.
    const r = tryRun('ip', ['netns', 'exec', nodeNs, IPTABLES_SAVE, '-c']);
    if (r.status !== 0) throw new UserError(`${IPTABLES_SAVE} -c in ${nodeNs} failed: ${r.stderr.trim()}`);
    counters = parseCounters(r.stdout);
  }
  return { state, missingNamespaces, deadServers: state.servers.filter((s) => !isOurServer(s)), counters };
}
