/**
 * What a lab pod answers: its name, the address the connection reached (after DNAT) and the
 * source address it saw (after any SNAT), one line. Shared by the pod server, the probe and
 * the tests, so what a learner reads with curl is what the tests check.
 */
export interface Reply {
  /** The pod's namespace name, e.g. `kpg-lab-p2`. */
  pod: string;
  /** The pod address and port the packets were delivered to. */
  local: { ip: string; port: number };
  /** The client address and port as the pod saw it. */
  peer: { ip: string; port: number };
}

export function formatReply(r: Reply): string {
  return `${r.pod} ${r.local.ip}:${r.local.port} saw ${r.peer.ip}:${r.peer.port}\n`;
}

const REPLY = /^(\S+) ([0-9.]+):(\d+) saw ([0-9.]+):(\d+)$/;

/** null when `text` is not a reply line. */
export function parseReply(text: string): Reply | null {
  const m = REPLY.exec(text.trim());
  if (!m) return null;
  return { pod: m[1]!, local: { ip: m[2]!, port: Number(m[3]) }, peer: { ip: m[4]!, port: Number(m[5]) } };
}

/** IPv4-mapped addresses as Node reports them on dual-stack sockets, plain. */
export function plainIPv4(addr: string | undefined): string {
  return (addr ?? '').replace(/^::ffff:/, '');
}
