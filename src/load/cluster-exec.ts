/**
 * Exec credential plugins (client.authentication.k8s.io), run by kp-gen itself rather than by
 * client-node, which waits for ever, keeps all the plugin writes and leaves it running: here
 * the plugin gets --request-timeout (then SIGKILL), at most 1 MiB of output, and dies with
 * kp-gen. Its answer is checked as client-go checks an ExecCredential — the kind, the
 * apiVersion it was asked for, a token or a client certificate and key — and the user's
 * `exec` is replaced by what it returned.
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { ClusterError } from '../errors.js';
import { isRecord } from '../util.js';
import type { ResolvedKubeConfig } from './cluster-config.js';

/** The most a plugin may write on stdout or stderr. */
const MAX_PLUGIN_OUTPUT = 1024 * 1024;
/** How much of a failing plugin's stderr a message quotes. */
const MAX_QUOTED_STDERR = 300;

interface ExecConfig {
  command: string;
  args?: string[];
  env?: { name: string; value: string }[];
  apiVersion?: string;
}

/** The credentials an ExecCredential's status carries. */
export interface ExecCredentials {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
}

/** `cfg` with the current user's exec plugin run and replaced by its credentials; `cfg` itself when it has none. */
export async function withExecCredentials(cfg: ResolvedKubeConfig, timeoutMs: number): Promise<ResolvedKubeConfig> {
  const user = cfg.kubeConfig.getCurrentUser();
  const exec: unknown = user?.exec;
  if (!user || !isRecord(exec)) return cfg;
  if (typeof exec.command !== 'string' || exec.command === '') {
    throw new ClusterError(`${cfg.origin}: user ${JSON.stringify(user.name)}: exec has no command`);
  }
  const creds = await runExecPlugin(exec as unknown as ExecConfig, timeoutMs);
  const { exec: _exec, ...rest } = user;
  const replaced: User = {
    ...rest,
    ...(creds.token !== undefined ? { token: creds.token } : {}),
    ...(creds.clientCertificateData !== undefined
      ? { certData: Buffer.from(creds.clientCertificateData).toString('base64'), keyData: Buffer.from(creds.clientKeyData!).toString('base64') }
      : {}),
  };
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: cfg.kubeConfig.clusters,
    contexts: cfg.kubeConfig.contexts,
    users: cfg.kubeConfig.users.map((u) => (u.name === user.name ? replaced : u)),
    currentContext: cfg.kubeConfig.currentContext,
  });
  return { ...cfg, kubeConfig: kc };
}

/** Children still running, killed if kp-gen exits first. */
const running = new Set<ChildProcess>();
let exitHook = false;

/** Run the plugin and read its ExecCredential. */
export function runExecPlugin(exec: ExecConfig, timeoutMs: number): Promise<ExecCredentials> {
  const what = `exec credential plugin ${JSON.stringify(exec.command)}`;
  const apiVersion = exec.apiVersion ?? 'client.authentication.k8s.io/v1';
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const e of exec.env ?? []) if (isRecord(e) && typeof e.name === 'string') env[e.name] = String(e.value ?? '');
  // What client-go tells a plugin: which ExecCredential version to answer with, not interactive.
  env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const c of running) c.kill('SIGKILL');
    });
  }
  return new Promise((resolve, reject) => {
    const child = execFile(
      exec.command,
      (exec.args ?? []).map(String),
      { env, timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_PLUGIN_OUTPUT, encoding: 'utf8' },
      (err, stdout, stderr) => {
        running.delete(child);
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null; code?: string | number | null };
          if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
            reject(new ClusterError(`${what} wrote more than ${MAX_PLUGIN_OUTPUT / 1024 / 1024} MiB; stopped`));
          } else if (e.killed && timeoutMs > 0) {
            reject(new ClusterError(`${what} gave no answer within ${timeoutMs / 1000} s; stopped`, 'a longer --request-timeout gives it more time'));
          } else if (e.code === 'ENOENT' || e.code === 'EACCES') {
            reject(new ClusterError(`${what}: cannot run it: ${e.code === 'ENOENT' ? 'no such file or directory' : 'permission denied'}`));
          } else {
            const status = typeof e.code === 'number' ? `exit status ${e.code}` : e.signal ? `killed by ${e.signal}` : 'failed';
            const said = quote(stderr);
            reject(new ClusterError(`${what} failed (${status})${said ? `: ${said}` : ''}`));
          }
          return;
        }
        try {
          resolve(readExecCredential(stdout, apiVersion, what));
        } catch (x) {
          reject(x);
        }
      },
    );
    running.add(child);
  });
}

/** A plugin's stderr for a one-line message: its lines joined, at most MAX_QUOTED_STDERR characters. */
function quote(stderr: string): string {
  const text = stderr.trim().split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '').join(' / ');
  return text.length > MAX_QUOTED_STDERR ? `${text.slice(0, MAX_QUOTED_STDERR)}… (${text.length - MAX_QUOTED_STDERR} more characters)` : text;
}

/** An ExecCredential's credentials, checked as client-go checks them. */
export function readExecCredential(stdout: string, apiVersion: string, what: string): ExecCredentials {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new ClusterError(`${what}: its output is not an ExecCredential (not JSON)`);
  }
  if (!isRecord(doc) || doc.kind !== 'ExecCredential') {
    throw new ClusterError(`${what}: its output is not an ExecCredential (kind ${JSON.stringify(isRecord(doc) ? doc.kind : undefined)})`);
  }
  if (doc.apiVersion !== apiVersion) {
    throw new ClusterError(`${what}: it answered with apiVersion ${JSON.stringify(doc.apiVersion)}, not the ${JSON.stringify(apiVersion)} it was asked for`);
  }
  const status = doc.status;
  if (!isRecord(status)) throw new ClusterError(`${what}: its ExecCredential has no status`);
  const str = (k: string): string | undefined => {
    const v = status[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new ClusterError(`${what}: its ExecCredential's status.${k} is not a string`);
    return v;
  };
  const token = str('token');
  const cert = str('clientCertificateData');
  const key = str('clientKeyData');
  if ((cert === undefined) !== (key === undefined)) {
    throw new ClusterError(`${what}: its ExecCredential has ${cert ? 'clientCertificateData without clientKeyData' : 'clientKeyData without clientCertificateData'}`);
  }
  if (token === undefined && cert === undefined) {
    throw new ClusterError(`${what}: its ExecCredential has neither status.token nor status.clientCertificateData and clientKeyData`);
  }
  if (token !== undefined && /[\x00-\x1f\x7f]/.test(token)) throw new ClusterError(`${what}: its ExecCredential's status.token holds control characters`);
  const out: ExecCredentials = {};
  if (token !== undefined) out.token = token;
  if (cert !== undefined) {
    out.clientCertificateData = cert;
    out.clientKeyData = key!;
  }
  return out;
}
