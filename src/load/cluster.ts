/**
 * `--from-cluster`: kubeconfig → API server → raw objects for the decoder, plus the node's
 * settings. The objects are named by a pseudo-file `cluster:<context>` in every message, the
 * way file objects are named by their file.
 */
import { existsSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { ClusterOptions } from '../options.js';
import { loadKubeConfig, SERVICE_ACCOUNT_DIR } from './cluster-config.js';
import { withExecCredentials } from './cluster-exec.js';
import { DEFAULT_PAGE_SIZE, readCluster, type ClusterSnapshot, type JsonObject, type ReadCounts } from './cluster-read.js';
import type { RawObject } from './files.js';
import { nodeSettingsFromObject, type NodeSettings } from './node-settings.js';

export interface ClusterEnvironment {
  env: Readonly<Record<string, string | undefined>>;
  home?: string;
  serviceAccountDir?: string;
  /** Writes a progress line to a terminal; absent when stderr is not a TTY. */
  progress?: (text: string) => void;
  /** Milliseconds before the first progress line. */
  progressDelayMs?: number;
}

export interface ClusterInput {
  /** Services and EndpointSlices, for decodeManifests. */
  objects: RawObject[];
  node?: NodeSettings;
  snapshot: ClusterSnapshot;
  /** `cluster:<context>`: the pseudo-file the objects are reported under. */
  source: string;
}

export async function loadFromCluster(o: ClusterOptions, env: ClusterEnvironment): Promise<ClusterInput> {
  const src = {
    env: env.env,
    serviceAccountDir: env.serviceAccountDir ?? SERVICE_ACCOUNT_DIR,
    ...(o.kubeconfig !== undefined ? { kubeconfig: o.kubeconfig } : {}),
    ...(o.context !== undefined ? { context: o.context } : {}),
    ...(env.home !== undefined ? { home: env.home } : {}),
  };
  if (o.saveManifests !== undefined && existsSync(o.saveManifests) && !isDirectory(o.saveManifests)) {
    throw new UsageError(`--save-manifests ${o.saveManifests}: exists and is not a directory`, 'run kp-gen --help for usage');
  }
  // An exec plugin runs here, bounded by the request timeout, not inside client-node.
  const cfg = await withExecCredentials(loadKubeConfig(src), o.requestTimeoutMs);
  const source = `cluster:${cfg.contextName}`;
  const progress = progressLine(cfg.server, env);
  let snapshot: ClusterSnapshot;
  try {
    snapshot = await readCluster(cfg, {
      namespaces: o.namespaces,
      pageSize: o.pageSize ?? DEFAULT_PAGE_SIZE,
      timeoutMs: o.requestTimeoutMs,
      onPage: progress.update,
      ...(o.node !== undefined ? { node: o.node } : {}),
    });
  } finally {
    progress.done();
  }
  const toRaw = (list: JsonObject[], offset: number): RawObject[] =>
    list.map((value, i) => ({ value, file: source, doc: 1, item: offset + i }));
  const objects = [...toRaw(snapshot.services, 0), ...toRaw(snapshot.endpointSlices, snapshot.services.length)];
  const input: ClusterInput = { objects, snapshot, source };
  if (snapshot.node) input.node = nodeSettingsFromObject(snapshot.node, source);
  return input;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * A one-line progress report on a terminal, shown only once reading has taken longer than a
 * moment, rewritten in place and erased at the end.
 */
function progressLine(server: string, env: ClusterEnvironment): { update: (c: ReadCounts) => void; done: () => void } {
  const write = env.progress;
  if (!write) return { update: () => {}, done: () => {} };
  const start = Date.now();
  const delay = env.progressDelayMs ?? 1000;
  let shown = false;
  return {
    update: (c) => {
      if (Date.now() - start < delay) return;
      shown = true;
      write(`\r\x1b[Kreading ${server}: ${c.services} Services, ${c.endpointSlices} EndpointSlices…`);
    },
    done: () => {
      if (shown) write('\r\x1b[K');
    },
  };
}
