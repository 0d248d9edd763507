/**
 * The main job: load → decode → complete → normalize → plan → emit. Returns the text, the
 * notes and warnings, and the service ports the rules were planned from; writing them is
 * main.ts's business.
 */
import { completeManifests } from './complete/complete.js';
import { buildProxierConfig } from './config.js';
import { formatWarning, InputError, UserError, type Note, type Warning } from './errors.js';
import { decodeManifests } from './load/decode.js';
import { loadFiles, type RawObject } from './load/files.js';
import { layerObjects } from './load/layer.js';
import { applyNodeSettings, nodeSettingsFlags, type NodeSettings } from './load/node-settings.js';
import { saveCompletedManifests, saveManifests } from './load/save-manifests.js';
import { storedObjects } from './complete/stored.js';
import { emitRestore, emitRestoreChunks } from './emit/iptables-save.js';
import { emitSave, emitSaveChunks } from './emit/save-output.js';
import { localTrafficWarning, noServiceWarning } from './model/input-warnings.js';
import { normalize } from './model/normalize.js';
import type { ServicePortWithEndpoints } from './model/types.js';
import { DEFAULT_SAVE_BACKEND, OptionValueError, readCIDR, readKubeProxyVersion, type RunOptions } from './options.js';
import { planRules } from './plan/planner.js';
import { formatRelease } from './plan/releases/release.js';
import type { Ruleset } from './plan/ruleset.js';
import { selectRuleset, SelectionError, selectsAll, type Selection, type SelectionWarning } from './views/select.js';

/** The ruleset narrowed to --service / -n; a selector that names nothing is a UserError. */
function narrow(rs: Ruleset, s: Selection): { ruleset: Ruleset; warnings: SelectionWarning[] } {
  try {
    return selectRuleset(rs, s, 'the input (a headless Service, or one without an address of this IP family, has none)');
  } catch (e) {
    if (e instanceof SelectionError) throw new UserError(e.message);
    throw e;
  }
}

export interface RunResult {
  /**
   * The output text in chunks of about 1 MiB, produced as they are read and to be written one
   * after the other: a large cluster's 30 MB are then neither one string in memory nor one
   * write per line. Each call emits the text anew. (--format save: the iptables-save text.)
   */
  chunks: () => Iterable<string | Uint8Array>;
  /** The whole text as one string (for callers that want one; emitted on each read). */
  readonly text: string;
  /** What was made up for objects the API server never saw (allocated IPs and ports). */
  notes: Note[];
  /** Objects and fields skipped as kube-proxy would skip them. */
  warnings: Warning[];
  /** Services kube-proxy writes nothing for by design (headless, ExternalName): shown with -v. */
  details: Note[];
  /**
   * The service ports and their endpoints the rules were planned from, sorted (normalize's
   * output): what `lab up` builds its namespaces for, without reading the input again.
   */
  ports: readonly ServicePortWithEndpoints[];
  /** The planned rules themselves, for the commands that read them as data (diff, trace). */
  ruleset: Ruleset;
}

export interface RunIO {
  readStdin: () => string;
  /** Environment for kubeconfig lookup (KUBECONFIG, HOME, in-cluster); none when absent. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where --from-cluster writes its progress line; absent when stderr is not a terminal. */
  progress?: (text: string) => void;
}

/** generate(), after reading the live cluster when --from-cluster asks for it. */
export async function generateFromSources(opts: RunOptions, io: RunIO): Promise<RunResult> {
  if (!opts.cluster) return generate(opts, io);
  // Loaded on demand: @kubernetes/client-node takes over a second to import.
  const { loadFromCluster } = await import('./load/cluster.js');
  const cluster = await loadFromCluster(opts.cluster, {
    env: io.env ?? {},
    ...(io.progress ? { progress: io.progress } : {}),
  });
  if (cluster.node) checkNodeSettings(cluster.node, cluster.source, opts);
  const effective = cluster.node ? applyNodeSettings(opts, cluster.node) : opts;
  if (opts.cluster.saveManifests !== undefined) {
    await saveManifests(opts.cluster.saveManifests, cluster.snapshot, cluster.source, cluster.node ? nodeSettingsFlags(effective) : []);
  }
  const result = generate(effective, io, cluster.objects, cluster.source);
  // Say which release was written when the Node, not the flag, chose it.
  if (cluster.node?.kubeProxyVersion !== undefined && opts.kubeProxyVersion === undefined) {
    result.notes.unshift({
      location: { file: cluster.source, object: `Node ${cluster.node.name}`, field: 'status.nodeInfo.kubeProxyVersion' },
      message: `writing kube-proxy ${cluster.node.kubeProxyVersion}'s rules (no --kube-proxy-version given)`,
    });
  }
  return result;
}

/**
 * The Node's values that can stand in for flags are checked like the flags (node-settings.ts
 * keeps only the addresses that parse; the pod CIDRs are checked here).
 */
export function checkNodeSettings(node: NodeSettings, source: string, opts?: RunOptions): void {
  // The Node's kube-proxy release stands in for --kube-proxy-version only when that is not given.
  if (node.kubeProxyVersion !== undefined && opts?.kubeProxyVersion === undefined) {
    try {
      readKubeProxyVersion(node.kubeProxyVersion);
    } catch (e) {
      if (e instanceof OptionValueError) {
        throw new InputError({ file: source, object: `Node ${node.name}`, field: 'status.nodeInfo.kubeProxyVersion' }, `${e.message}; give --kube-proxy-version`);
      }
      throw e;
    }
  }
  for (const [i, text] of node.podCIDRs.entries()) {
    try {
      readCIDR(text);
    } catch (e) {
      if (e instanceof OptionValueError) throw new InputError({ file: source, object: `Node ${node.name}`, field: `spec.podCIDRs[${i}]` }, e.message);
      throw e;
    }
  }
}

/** How many objects of each kind were read (`?` for an object without a kind). */
function kindCounts(raw: readonly RawObject[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of raw) {
    const kind = typeof (r.value as { kind?: unknown } | null)?.kind === 'string' ? (r.value as { kind: string }).kind : '?';
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return counts;
}

/** The files the objects came from, for a message about the whole input: the paths when none. */
function sourcesOf(raw: readonly RawObject[], paths: readonly string[]): string {
  const files = [...new Set(raw.map((r) => r.file))];
  const names = files.length > 0 ? files : [...paths];
  return names.length > 3 ? `${names.slice(0, 3).join(', ')}, …` : names.join(', ');
}

/**
 * Files (and `clusterObjects` read by --from-cluster from `clusterSource`, which same-named
 * file objects replace) → rules.
 */
export function generate(opts: RunOptions, io: RunIO, clusterObjects?: readonly RawObject[], clusterSource?: string): RunResult {
  const cfg = buildProxierConfig(opts);
  if (opts.paths.length === 0 && clusterObjects === undefined) {
    throw new UserError('no input: give manifest files or directories (or - for stdin)', 'try: kp-gen examples/');
  }
  // Nested calls, not locals: each stage's input can go once read (README "Performance").
  const loadRaw = (): readonly RawObject[] => {
    const fileObjects = loadFiles(opts.paths, io.readStdin);
    return clusterObjects ? layerObjects(clusterObjects, fileObjects).objects : fileObjects;
  };
  const features = cfg.features;
  // --save-manifests on files keeps the parsed input until the run has succeeded.
  const saving = opts.saveManifests !== undefined && clusterObjects === undefined;
  let raw: readonly RawObject[] | undefined = loadRaw();
  const decoded = decodeManifests(raw);
  const noService = decoded.services.length === 0 ? noServiceWarning(decoded, kindCounts(raw), sourcesOf(raw, [...(clusterSource ? [clusterSource] : []), ...opts.paths])) : undefined;
  if (!saving) raw = undefined;
  const completed = completeManifests(decoded, opts);
  const notes = completed.notes;
  const { ports, warnings, details } = normalize(completed.manifests, {
    ipFamily: cfg.ipFamily,
    nodeName: cfg.nodeName,
    readNodeHints: cfg.preferSameTrafficDistribution,
    readIPMode: features.honourIPMode,
    readInternalTrafficPolicy: features.internalTrafficPolicy,
    absentFields: { release: formatRelease(cfg.release), ipMode: !features.ipModeField, nodeHints: !features.nodeHintsField, topologyMode: !features.topologyModeAnnotation, internalTrafficPolicy: !features.internalTrafficPolicyField, zoneHints: !features.zoneHintsField, topologyKeys: !features.topologyKeysField },
    unnamedPortColon: features.unnamedPortColon,
    serviceAddressesAsWritten: !features.serviceAddressesCanonical,
    endpointAddressesAsWritten: !features.endpointAddressesCanonical,
    endpointDedup: features.endpointDedup,
    readyEndpointsOnly: features.readyEndpointsOnly,
  });
  if (noService) warnings.unshift(noService);
  const local = localTrafficWarning(ports, completed.manifests, cfg.nodeName);
  if (local) warnings.push(local);
  if (opts.strict && warnings.length > 0) {
    if (warnings.length === 1) {
      const w = warnings[0]!;
      throw new InputError(w.location, `${w.message} (fatal under --strict)`);
    }
    throw new UserError(
      `${warnings.length} problems, fatal under --strict:\n${warnings.map((w) => `  ${formatWarning(w)}`).join('\n')}`,
    );
  }
  let ruleset = planRules(ports, cfg, { includeJumps: opts.includeJumps });
  if (!selectsAll(opts.select)) {
    const selected = narrow(ruleset, opts.select!);
    ruleset = selected.ruleset;
    if (!opts.quiet) for (const w of selected.warnings) warnings.push({ location: { file: w.flag }, message: w.message });
  }
  if (saving) saveCompletedManifests(opts.saveManifests!, storedObjects(raw!, decoded, completed.manifests), opts.paths);
  const diagnostics = { notes, warnings, details };
  if (opts.format === 'save') {
    const saveOpts = { family: cfg.ipFamily, backend: opts.saveBackend ?? DEFAULT_SAVE_BACKEND };
    return {
      chunks: () => emitSaveChunks(ruleset, saveOpts),
      ...diagnostics,
      ports,
      ruleset,
      get text() {
        return emitSave(ruleset, saveOpts);
      },
    };
  }
  return {
    chunks: () => emitRestoreChunks(ruleset),
    ...diagnostics,
    ports,
    ruleset,
    get text() {
      return emitRestore(ruleset);
    },
  };
}
