/**
 * `--dst NS/NAME[:PORT]`: a Service's cluster IP, port and protocol, found the way a reader of
 * the dump finds them: kube-proxy's rule in nat KUBE-SERVICES commented `NS/NAME:PORT cluster IP`
 * (or, for a Service without endpoints, filter KUBE-SERVICES' `NS/NAME:PORT has no endpoints`
 * REJECT), whose `-d`, `-p` and `--dport` are the address the Service answers on. Works on a
 * node's iptables-save as on generated rules.
 */
import { parseIP, type IP } from '../model/ip.js';
import type { Dump, DumpRule } from '../iptables/dump-types.js';
import { commentOfShape } from '../iptables/shape.js';
import { canonicalProtocol } from '../iptables/values.js';
import { TraceError } from './simulate.js';
import type { Protocol, TraceResult } from './types.js';
import { isServiceChainName } from '../plan/chain-names.js';

export interface ServiceAddress {
  /** `NS/NAME:PORT` (`NS/NAME` for an unnamed port), as the comment names it. */
  servicePort: string;
  ip: IP;
  port: number;
  protocol: Protocol;
}

export interface ServiceQuery {
  namespace: string;
  name: string;
  /** A port name or number. */
  port?: string;
  /** Only this port number (from --dport). */
  dport?: number;
  /** Only this protocol (from --proto). */
  protocol?: Protocol;
}

const SUFFIXES = [' cluster IP', ' has no endpoints'];

function addressOf(rule: DumpRule, servicePort: string): ServiceAddress | undefined {
  const d = rule.shape.header.find((h) => h.flag === '-d' && !h.negated);
  const p = rule.shape.header.find((h) => h.flag === '-p' && !h.negated);
  const protocol = p ? canonicalProtocol(p.value) : undefined;
  if (!d || (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'sctp')) return undefined;
  const ip = parseIP(d.value.replace(/\/(32|128)$/, ''));
  const dport = rule.shape.matches.flatMap((m) => m.options).find((o) => o.name === '--dport' && !o.negated)?.values[0];
  if (!ip || dport === undefined || !/^[0-9]+$/.test(dport)) return undefined;
  return { servicePort, ip, port: Number(dport), protocol };
}

function describe(a: ServiceAddress): string {
  return `${a.servicePort} (${a.protocol} ${a.port})`;
}

/** The one service port the query names; a TraceError when none or several do. */
export function findServiceAddress(dump: Dump, q: ServiceQuery): ServiceAddress {
  const svc = `${q.namespace}/${q.name}`;
  const found = new Map<string, ServiceAddress>();
  for (const table of ['nat', 'filter']) {
    const chain = dump.tables.get(table)?.chains.get('KUBE-SERVICES');
    for (const rule of chain?.rules ?? []) {
      const c = rule.rule.comment ?? commentOfShape(rule.shape);
      const suffix = c === undefined ? undefined : SUFFIXES.find((s) => c.endsWith(s));
      if (c === undefined || suffix === undefined) continue;
      const servicePort = c.slice(0, -suffix.length);
      if (servicePort !== svc && !servicePort.startsWith(`${svc}:`)) continue;
      const a = addressOf(rule, servicePort);
      if (!a) continue;
      found.set(`${a.servicePort} ${a.protocol} ${a.port}`, a);
    }
  }
  const all = [...found.values()];
  if (all.length === 0) throw new TraceError(`--dst ${svc}: no rule in KUBE-SERVICES names Service ${svc} (not in the rules, or without a cluster IP)`);
  const fit = all.filter(
    (a) =>
      (q.port === undefined || a.servicePort === `${svc}:${q.port}` || String(a.port) === q.port) &&
      (q.dport === undefined || a.port === q.dport) &&
      (q.protocol === undefined || a.protocol === q.protocol),
  );
  const list = all.map(describe).sort().join(', ');
  if (fit.length === 0) throw new TraceError(`--dst ${svc}${q.port !== undefined ? `:${q.port}` : ''}: no such port; Service ${svc} has ${list}`);
  if (fit.length > 1) throw new TraceError(`--dst ${svc}: Service ${svc} has several ports (${list}); name one as ${svc}:PORT`);
  return fit[0]!;
}

/**
 * Whether no Service's rules took part in any outcome: the walk met no per-service chain
 * (KUBE-SVC/SVL/EXT/FW/SEP, KUBE-XLB before 1.24) and no rule whose comment names a service port (the REJECT of a
 * Service without endpoints, say). Then no Service answers on the packet's destination.
 */
export function touchedNoService(r: TraceResult): boolean {
  const servicePortComment = / -m comment --comment "?[a-z0-9][-a-z0-9]*\/[a-z0-9][-a-z0-9]*(?:[:" ]|$)/;
  return r.outcomes.every((o) =>
    o.path.every((c) => !isServiceChainName(c)) &&
    o.steps.every((s) => s.rule === null || !servicePortComment.test(s.rule)),
  );
}
