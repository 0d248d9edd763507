/**
 * Sending test traffic from inside a lab namespace: runs probe-main.js there and reads back
 * what each attempt got. Used by `kp-gen lab probe` and by the packet tests.
 */
import { UserError } from '../errors.js';
import { parseReply, type Reply } from './reply.js';
import { labScript } from './servers.js';
import { tryRun } from './shell.js';

export interface ProbeRequest {
  protocol: 'TCP' | 'UDP';
  ip: string;
  port: number;
  /** Attempts, one after the other (or all at once, with `concurrent`). */
  count: number;
  /**
   * Start all attempts at once: a batch that is dropped then costs one timeout, not `count`
   * of them. Each attempt still has its own socket and source port. Not for session
   * affinity checks, where later connections must follow the first.
   */
  concurrent?: boolean;
  /** Per attempt. */
  timeoutMs: number;
  /** Bind to this local address (one of the namespace's). */
  source?: string;
}

/** `reply` is the server's line; `error` an errno code (ECONNREFUSED…) or `timeout`. */
export type ProbeOutcome = { ok: true; reply: string } | { ok: false; error: string };

export interface ProbeResult {
  outcome: ProbeOutcome;
  /** The parsed reply, when the outcome is one. */
  reply: Reply | null;
}

export const MAX_PROBES = 1000;

/** Run `req` from namespace `ns`. Bounded: at most MAX_PROBES attempts of at most 10 s each. */
export function probe(ns: string, req: ProbeRequest): ProbeResult[] {
  return probeAll(ns, [req])[0]!;
}

function check(req: ProbeRequest): void {
  if (!Number.isInteger(req.count) || req.count < 1 || req.count > MAX_PROBES) {
    throw new UserError(`--count: ${req.count} is not between 1 and ${MAX_PROBES}`);
  }
  if (!Number.isInteger(req.timeoutMs) || req.timeoutMs < 1 || req.timeoutMs > 10_000) {
    throw new UserError(`--timeout: ${req.timeoutMs} ms is not between 1 and 10000`);
  }
}

/**
 * Run several requests from namespace `ns` at once, in one probe process (starting Node in the
 * namespace costs far more than the connections); one result list per request, in order.
 * Bounded as `probe`, each request.
 */
export function probeAll(ns: string, reqs: readonly ProbeRequest[]): ProbeResult[][] {
  if (reqs.length === 0) return [];
  reqs.forEach(check);
  const budget = Math.max(...reqs.map((r) => (r.concurrent ? 1 : r.count) * r.timeoutMs)) + 10_000;
  const r = tryRun('ip', ['netns', 'exec', ns, process.execPath, labScript('probe-main.js'), JSON.stringify(reqs)], undefined, budget);
  if (r.status !== 0) throw new UserError(`probe from ${ns} failed: ${`${r.stderr}${r.stdout}`.trim()}`);
  const outcomes = JSON.parse(r.stdout) as ProbeOutcome[][];
  return outcomes.map((list) => list.map((o) => ({ outcome: o, reply: o.ok ? parseReply(o.reply) : null })));
}
