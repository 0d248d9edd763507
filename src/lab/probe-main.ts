/**
 * The probe, a process of its own run inside a lab namespace (`ip netns exec NS node
 * dist/lab/probe-main.js JSON`), for a JSON array of requests, all served at the same time:
 * each makes `count` connections (TCP) or request datagrams (UDP), one after the other (all at
 * once with `concurrent`), each from a new socket and so a new source port. Prints one JSON
 * array per request of its outcomes, in attempt order, on stdout. Every attempt is bounded by
 * `timeoutMs`.
 */
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { ProbeOutcome, ProbeRequest } from './probe.js';

function tcpOnce(req: ProbeRequest): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let data = '';
    let settled = false;
    const finish = (o: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(o);
    };
    const opts = req.source ? { host: req.ip, port: req.port, localAddress: req.source } : { host: req.ip, port: req.port };
    const sock = connect(opts, () => sock.write('probe\n'));
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), req.timeoutMs);
    sock.on('data', (d: Buffer) => {
      data += d.toString();
      if (data.endsWith('\n')) finish({ ok: true, reply: data.trim() });
    });
    sock.on('end', () => finish(data ? { ok: true, reply: data.trim() } : { ok: false, error: 'closed' }));
    sock.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, error: e.code ?? e.message }));
  });
}

function udpOnce(req: ProbeRequest): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    const sock = createSocket('udp4');
    let settled = false;
    const finish = (o: ProbeOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.close();
      resolve(o);
    };
    const timer = setTimeout(() => finish({ ok: false, error: 'timeout' }), req.timeoutMs);
    sock.on('message', (m) => finish({ ok: true, reply: m.toString().trim() }));
    sock.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, error: e.code ?? e.message }));
    // A connected socket hears ICMP port-unreachable as ECONNREFUSED.
    sock.bind({ address: req.source ?? '0.0.0.0', port: 0 }, () => {
      sock.connect(req.port, req.ip, () => sock.send('probe\n'));
    });
  });
}

/** The attempts of one request, in order. */
async function attempts(req: ProbeRequest): Promise<ProbeOutcome[]> {
  const once = (): Promise<ProbeOutcome> => (req.protocol === 'UDP' ? udpOnce(req) : tcpOnce(req));
  if (req.concurrent) return Promise.all(Array.from({ length: req.count }, once));
  const out: ProbeOutcome[] = [];
  for (let i = 0; i < req.count; i++) out.push(await once());
  return out;
}

async function main(): Promise<void> {
  const reqs = JSON.parse(process.argv[2] ?? '[]') as ProbeRequest[];
  process.stdout.write(`${JSON.stringify(await Promise.all(reqs.map(attempts)))}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`probe: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
