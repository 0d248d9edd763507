// Opens COUNT connections (tcp) or sends COUNT datagrams (udp) from this host to DST:PORT at
// once, waits, and prints one line per attempt: refused, timeout, or sent. Used inside a
// throw-away network namespace by test/trace-kernel.test.ts.
//   node probe-connect.mjs tcp 10.96.0.10 80 40
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

const [proto, host, portText, countText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);
const WAIT_MS = 400;

const attempts = [];
for (let i = 0; i < count; i++) {
  attempts.push(new Promise((resolve) => {
    if (proto === 'udp') {
      const s = createSocket('udp4');
      s.send(Buffer.from('x'), port, host, () => setTimeout(() => { s.close(); resolve('sent'); }, WAIT_MS));
      return;
    }
    const s = connect({ host, port });
    const timer = setTimeout(() => { s.destroy(); resolve('timeout'); }, WAIT_MS);
    s.on('connect', () => { clearTimeout(timer); s.destroy(); resolve('connected'); });
    s.on('error', (e) => { clearTimeout(timer); s.destroy(); resolve(e.code === 'ECONNREFUSED' ? 'refused' : `error ${e.code}`); });
  }));
}
for (const r of await Promise.all(attempts)) console.log(r);
