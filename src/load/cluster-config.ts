/**
 * Finding the cluster and credentials the way kubectl does (client-go's clientcmd loading
 * rules), then handing them to @kubernetes/client-node's KubeConfig, which does the actual
 * authentication (client certificates, bearer tokens, exec plugins) on every request.
 *
 * kubectl's order of precedence:
 *   1. `--kubeconfig PATH`: that file only; it must exist.
 *   2. `KUBECONFIG`: a list of files (`:`-separated); missing files are skipped; the files are
 *      merged with the FIRST file to define a cluster, user or context name winning, and the
 *      first `current-context` winning.
 *   3. `~/.kube/config`, if it exists.
 *   4. None of these gives a cluster, but kp-gen runs in a pod (`KUBERNETES_SERVICE_HOST` and
 *      `_PORT` set, service-account token present): the in-cluster service account.
 * `--context NAME` then picks the context, else `current-context`.
 *
 * client-node's own `loadFromDefault()` differs, so it is not used: it throws on a name defined
 * in two KUBECONFIG files, lets the LAST file's current-context win, fails on a missing file,
 * reads `token-file` relative to the working directory without trimming the newline, and falls
 * back to http://localhost:8080 when nothing is configured. It also refuses plain-http servers
 * (such as `kubectl proxy`), which kubectl talks to.
 */
import { existsSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import yaml from 'js-yaml';
import { ClusterError, systemErrorText, UserError } from '../errors.js';
import { readInputText } from './read.js';
import { checkAliasExpansion } from './yaml-aliases.js';
import { isRecord } from '../util.js';

/** Where kubeconfig may come from; the process's values unless a test injects others. */
export interface KubeconfigSources {
  /** `--kubeconfig PATH`. */
  kubeconfig?: string;
  /** `--context NAME`. */
  context?: string;
  env: Readonly<Record<string, string | undefined>>;
  /** The home directory (for `~/.kube/config`). */
  home?: string;
  /** The service-account directory of an in-cluster pod. */
  serviceAccountDir: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** A KubeConfig with its current context set, plus what messages should call it. */
export interface ResolvedKubeConfig {
  kubeConfig: KubeConfig;
  /** The context in use (`in-cluster` for the service account). */
  contextName: string;
  /** The API server's URL. */
  server: string;
  /** Where the configuration came from, for messages: `--kubeconfig a.yaml`, `KUBECONFIG`, … */
  origin: string;
}

interface KubeconfigFile {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext?: string;
}

export function loadKubeConfig(src: KubeconfigSources): ResolvedKubeConfig {
  let files: string[];
  let origin: string;
  if (src.kubeconfig !== undefined) {
    if (!existsSync(src.kubeconfig)) {
      throw new ClusterError(`--kubeconfig ${src.kubeconfig}: no such file`);
    }
    files = [src.kubeconfig];
    origin = `--kubeconfig ${src.kubeconfig}`;
  } else if (src.env.KUBECONFIG) {
    const listed = [...new Set(src.env.KUBECONFIG.split(delimiter).filter((f) => f !== ''))];
    files = listed.filter((f) => existsSync(f));
    origin = 'KUBECONFIG';
  } else {
    const home = src.home ?? src.env.HOME;
    const file = home ? join(home, '.kube', 'config') : undefined;
    files = file && existsSync(file) ? [file] : [];
    origin = file ?? '~/.kube/config';
  }

  const merged = mergeKubeconfigs(files.map(readKubeconfigFile));
  if (merged.contexts.length === 0 && merged.clusters.length === 0 && inClusterPossible(src)) {
    return inCluster(src);
  }
  if (files.length === 0) {
    throw new ClusterError(
      'no kubeconfig found: --kubeconfig not given, KUBECONFIG names no existing file, no ~/.kube/config, and not running in a pod',
      'give --kubeconfig PATH (and --context NAME), or set KUBECONFIG',
    );
  }

  const contextName = src.context ?? merged.currentContext ?? '';
  if (contextName === '') {
    throw new ClusterError(`${origin}: no current-context is set`, 'give --context NAME');
  }
  const context = merged.contexts.find((c) => c.name === contextName);
  if (!context) {
    const known = merged.contexts.map((c) => c.name).join(', ') || 'none';
    throw new ClusterError(`${origin}: context ${JSON.stringify(contextName)} not found (contexts: ${known})`);
  }
  const cluster = merged.clusters.find((c) => c.name === context.cluster);
  if (!cluster || !cluster.server) {
    throw new ClusterError(`${origin}: context ${JSON.stringify(contextName)}: cluster ${JSON.stringify(context.cluster)} has no server defined`);
  }
  // client-node would run these providers' cmd-path synchronously, with no timeout; kubectl
  // dropped them in 1.26 for exec plugins, and so does kp-gen.
  const provider: unknown = merged.users.find((u) => u.name === context.user)?.authProvider?.name;
  if (provider === 'gcp' || provider === 'azure') {
    throw new ClusterError(
      `${origin}: user ${JSON.stringify(context.user)}: the ${provider} auth-provider was removed from kubectl in 1.26, and kp-gen does not run it`,
      provider === 'gcp' ? 'use the gke-gcloud-auth-plugin exec plugin (gcloud container clusters get-credentials writes it)' : 'use the kubelogin exec plugin (kubelogin convert-kubeconfig)',
    );
  }
  const kubeConfig = new KubeConfig();
  // client-node refuses a plain-http server unless TLS verification is switched off; kubectl
  // just talks http (e.g. to `kubectl proxy`), and there is nothing to verify anyway.
  const clusters = merged.clusters.map((c) => (c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c));
  kubeConfig.loadFromOptions({ ...merged, clusters, currentContext: contextName });
  return { kubeConfig, contextName, server: cluster.server, origin };
}

/** kubectl merges the first definition of a name and the first current-context. */
function mergeKubeconfigs(configs: readonly KubeconfigFile[]): KubeconfigFile {
  const out: KubeconfigFile = { clusters: [], users: [], contexts: [] };
  const firstWins = <T extends { name: string }>(into: T[], from: readonly T[]): void => {
    for (const item of from) if (!into.some((x) => x.name === item.name)) into.push(item);
  };
  for (const c of configs) {
    firstWins(out.clusters, c.clusters);
    firstWins(out.users, c.users);
    firstWins(out.contexts, c.contexts);
    if (out.currentContext === undefined && c.currentContext) out.currentContext = c.currentContext;
  }
  return out;
}

/**
 * Parse one kubeconfig file. Relative file references are resolved against the file's own
 * directory, as kubectl does (client-go ResolveLocalPaths): certificate-authority,
 * client-certificate, client-key, token-file, and an exec command that contains a `/`.
 * A token file is read here and trimmed, as client-go does.
 */
/** A kubeconfig larger than this is no kubeconfig (they are kilobytes; certificates inline make them tens). */
const MAX_KUBECONFIG_BYTES = 16 * 1024 * 1024;

/** Why a token file could not be read, in words (readInputText's message names the file already). */
function tokenProblem(e: unknown): string {
  return e instanceof UserError ? e.message.replace(/^cannot read .*?: /, '') : systemErrorText(e);
}

function readKubeconfigFile(file: string): KubeconfigFile {
  let doc: unknown;
  try {
    doc = yaml.load(readInputText(file, `kubeconfig ${file}`, MAX_KUBECONFIG_BYTES));
    checkAliasExpansion(doc, file, 1);
  } catch (e) {
    if (e instanceof yaml.YAMLException) {
      throw new ClusterError(`kubeconfig ${file}:${e.mark.line + 1}:${e.mark.column + 1}: invalid YAML: ${e.reason}`);
    }
    if (e instanceof UserError) throw new ClusterError(e.message);
    throw new ClusterError(`kubeconfig ${file}: ${systemErrorText(e)}`);
  }
  if (doc === null || doc === undefined) return { clusters: [], users: [], contexts: [] };
  if (!isRecord(doc)) throw new ClusterError(`kubeconfig ${file}: not a kubeconfig (expected a mapping)`);
  const dir = dirname(resolve(file));
  const abs = (p: unknown): unknown => (typeof p === 'string' && p !== '' && !isAbsolute(p) ? join(dir, p) : p);
  for (const c of listOf(doc.clusters)) {
    if (isRecord(c.cluster)) c.cluster['certificate-authority'] = abs(c.cluster['certificate-authority']);
  }
  for (const u of listOf(doc.users)) {
    if (!isRecord(u.user)) continue;
    const user = u.user;
    user['client-certificate'] = abs(user['client-certificate']);
    user['client-key'] = abs(user['client-key']);
    if (typeof user['token-file'] === 'string' && user['token-file'] !== '' && !user.token) {
      const tokenFile = abs(user['token-file']) as string;
      try {
        user.token = readInputText(tokenFile, tokenFile, MAX_KUBECONFIG_BYTES).trim();
      } catch (e) {
        throw new ClusterError(`kubeconfig ${file}: user ${JSON.stringify(u.name)}: cannot read token-file ${tokenFile}: ${tokenProblem(e)}`);
      }
      delete user['token-file'];
    }
    if (isRecord(user.exec) && typeof user.exec.command === 'string' && user.exec.command.includes('/')) {
      user.exec.command = abs(user.exec.command);
    }
  }
  const kc = new KubeConfig();
  try {
    kc.loadFromString(JSON.stringify(doc));
  } catch (e) {
    throw new ClusterError(`kubeconfig ${file}: ${(e as Error).message}`);
  }
  const out: KubeconfigFile = { clusters: kc.clusters, users: kc.users, contexts: kc.contexts };
  if (kc.currentContext) out.currentContext = kc.currentContext;
  return out;
}

function listOf(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isRecord) : [];
}

function inClusterPossible(src: KubeconfigSources): boolean {
  return (
    !!src.env.KUBERNETES_SERVICE_HOST &&
    !!src.env.KUBERNETES_SERVICE_PORT &&
    existsSync(join(src.serviceAccountDir, 'token'))
  );
}

/** The pod's service account, as client-go's rest.InClusterConfig reads it. */
function inCluster(src: KubeconfigSources): ResolvedKubeConfig {
  const host = src.env.KUBERNETES_SERVICE_HOST!;
  const port = src.env.KUBERNETES_SERVICE_PORT!;
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const tokenFile = join(src.serviceAccountDir, 'token');
  let token: string;
  try {
    token = readInputText(tokenFile, tokenFile, MAX_KUBECONFIG_BYTES).trim();
  } catch (e) {
    throw new ClusterError(`in-cluster service account: cannot read ${tokenFile}: ${tokenProblem(e)}`);
  }
  const kubeConfig = new KubeConfig();
  // One run is short, so the token is read once (client-go re-reads it as it is rotated).
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'in-cluster', server, caFile: join(src.serviceAccountDir, 'ca.crt'), skipTLSVerify: false }],
    users: [{ name: 'in-cluster', token }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster' }],
    currentContext: 'in-cluster',
  });
  return { kubeConfig, contextName: 'in-cluster', server, origin: 'in-cluster service account' };
}
