/**
 * The tiny server in each lab pod namespace (a process of its own: `ip netns exec POD node
 * dist/lab/pod-server.js --name POD --ip POD_IP --tcp 8080,9090 --udp 53`). UDP binds to the
 * pod IP, so that the reply names the address the datagram was sent to. It answers every TCP
 * connection and every UDP datagram with one reply line (reply.ts). An HTTP request gets the
 * line as an HTTP/1.0 response, so `curl` works; other TCP clients get it after their first
 * bytes, or after a short pause if they send nothing. Prints `ready` once every port listens.
 */
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';
import { formatReply, plainIPv4 } from './reply.js';

const QUIET_CLIENT_MS = 300;

function ports(list: string | undefined): number[] {
  return (list ?? '').split(',').filter((s) => s !== '').map(Number);
}

function parseArgs(argv: string[]): { name: string; ip: string; tcp: number[]; udp: number[] } {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return { name: get('--name') ?? 'pod', ip: get('--ip') ?? '0.0.0.0', tcp: ports(get('--tcp')), udp: ports(get('--udp')) };
}

function answerTCP(name: string, sock: Socket): void {
  sock.on('error', () => {});
  let done = false;
  const reply = (first: string): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    const body = formatReply({
      pod: name,
      local: { ip: plainIPv4(sock.localAddress), port: sock.localPort ?? 0 },
      peer: { ip: plainIPv4(sock.remoteAddress), port: sock.remotePort ?? 0 },
    });
    if (/^[A-Z]+ \S+ HTTP\/1\.[01]\r?\n/.test(first)) {
      sock.end(`HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    } else {
      sock.end(body);
    }
  };
  const timer = setTimeout(() => reply(''), QUIET_CLIENT_MS);
  sock.once('data', (d: Buffer) => reply(d.toString('latin1')));
}

async function main(): Promise<void> {
  const { name, ip, tcp, udp } = parseArgs(process.argv.slice(2));
  const listening: Promise<void>[] = [];
  for (const port of tcp) {
    const srv = createServer((s) => answerTCP(name, s));
    listening.push(new Promise((resolve, reject) => srv.once('error', reject).listen(port, '0.0.0.0', resolve)));
  }
  for (const port of udp) {
    const sock = createSocket('udp4');
    sock.on('message', (_msg, rinfo) => {
      const body = formatReply({ pod: name, local: { ip, port }, peer: { ip: rinfo.address, port: rinfo.port } });
      sock.send(body, rinfo.port, rinfo.address);
    });
    listening.push(new Promise((resolve, reject) => sock.once('error', reject).bind(port, ip, () => resolve())));
  }
  await Promise.all(listening);
  process.stdout.write('ready\n');
  process.on('SIGTERM', () => process.exit(0));
}

main().catch((e: unknown) => {
  process.stderr.write(`pod-server: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
