/**
 * Starting and stopping the pod servers (pod-server.ts), one detached process per pod
 * namespace, so they outlive `kp-gen lab up`. Each is recorded by pid and namespace; `stop`
 * checks /proc/PID/cmdline before signalling, so a recycled pid is never hit.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { systemErrorText, UserError } from '../errors.js';
import type { LabPod } from './plan.js';

export interface ServerRecord {
  ns: string;
  pid: number;
}

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 2_000;

/**
 * The compiled helper scripts. Resolved against the package's dist/ both from dist/lab/*.js and
 * from src/lab/*.ts (tests import the sources; the scripts must run as plain Node).
 */
export function labScript(name: 'pod-server.js' | 'probe-main.js'): string {
  return fileURLToPath(new URL(`../../dist/lab/${name}`, import.meta.url));
}

function startOne(pod: LabPod, logFile: string): Promise<ServerRecord> {
  const args = ['--name', pod.ns, '--ip', pod.ip];
  const tcp = pod.listeners.filter((l) => l.protocol === 'TCP').map((l) => l.port);
  const udp = pod.listeners.filter((l) => l.protocol === 'UDP').map((l) => l.port);
  if (tcp.length > 0) args.push('--tcp', tcp.join(','));
  if (udp.length > 0) args.push('--udp', udp.join(','));
  const log = openSync(logFile, 'w');
  const child = spawn('ip', ['netns', 'exec', pod.ns, process.execPath, labScript('pod-server.js'), ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', log],
  });
  closeSync(log);
  return new Promise((resolve, reject) => {
    let out = '';
    const fail = (why: string): void => {
      clearTimeout(timer);
      let said = '';
      try {
        said = readFileSync(logFile, 'utf8').trim();
      } catch {
        // no log
      }
      reject(new UserError(`the server in ${pod.ns} did not start: ${why}${said ? `: ${said}` : ''}`));
    };
    const timer = setTimeout(() => {
      if (child.pid !== undefined) stopServers([{ ns: pod.ns, pid: child.pid }]);
      fail(`not ready after ${READY_TIMEOUT_MS / 1000} s`);
    }, READY_TIMEOUT_MS);
    child.once('error', (e) => fail(systemErrorText(e)));
    child.once('exit', (code) => fail(`exited with ${code}`));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (!out.includes('ready\n')) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.stdout!.destroy();
      child.unref();
      resolve({ ns: pod.ns, pid: child.pid! });
    });
  });
}

/**
 * Start a server in every pod namespace that has a TCP or UDP port, in parallel. Servers that
 * did start are passed to `started` as they come up, so a caller can record them before an
 * error from another one.
 */
export async function startServers(pods: readonly LabPod[], logFile: (pod: LabPod) => string, started: (s: ServerRecord) => void): Promise<void> {
  const results = await Promise.allSettled(
    pods.filter((p) => p.listeners.length > 0).map(async (p) => started(await startOne(p, logFile(p)))),
  );
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Whether `pid` is still the server of namespace `ns`. */
export function isOurServer(s: ServerRecord): boolean {
  try {
    const argv = readFileSync(`/proc/${s.pid}/cmdline`, 'utf8').split('\0');
    return argv.some((a) => a.endsWith('pod-server.js')) && argv[argv.indexOf('--name') + 1] === s.ns;
  } catch {
    return false;
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** SIGTERM each server still running, then SIGKILL those that did not exit in time. */
export function stopServers(servers: readonly ServerRecord[]): void {
  const live = servers.filter(isOurServer);
  for (const s of live) process.kill(s.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (live.some(isOurServer) && Date.now() < deadline) sleep(20);
  for (const s of live.filter(isOurServer)) process.kill(s.pid, 'SIGKILL');
}
