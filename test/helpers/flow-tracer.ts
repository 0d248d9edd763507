/**
 * The packet tracer of kube-proxy's own unit tests (tracePacket/runPacketFlowTests in
 * pkg/proxy/iptables/proxier_test.go), rebuilt from its described behaviour
 * (test/vectors/FLOW-SEMANTICS.md) so that kube-proxy's packet-flow assertions can be checked
 * against kp-gen's output. It is deliberately as simple as the original: nat from
 * KUBE-SERVICES (or PREROUTING if declared), every probabilistic branch followed, rules that
 * test history (recent --rcheck, marks, conntrack state) never match, then four filter chains
 * walked directly with the DNAT'ed address but the original port. `masq` means "some rule on
 * the way jumped to KUBE-MARK-MASQ". This is a test oracle, not `kp-gen trace`.
 */

interface TracedRule {
  raw: string;
  jump?: string;
  dnat?: string;
  probabilistic: boolean;
  historyCheck: boolean;
  /** [negated, value] per match the tracer evaluates. */
  matches: Map<string, [boolean, string]>;
}

type Tables = Map<string, Map<string, TracedRule[]>>;

const KEYS: Record<string, string> = {
  '-s': 'src',
  '--source': 'src',
  '-d': 'dst',
  '--destination': 'dst',
  '-p': 'proto',
  '--protocol': 'proto',
  '--dport': 'dport',
  '--src-type': 'srctype',
  '--dst-type': 'dsttype',
};

/** Split a rule line into tokens, keeping "quoted comments" whole (quotes removed). */
function tokenize(line: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2]!);
  return out;
}

export function parseTables(text: string): Tables {
  const tables: Tables = new Map();
  let table: Map<string, TracedRule[]> | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) {
      table = new Map();
      tables.set(line.slice(1), table);
    } else if (line.startsWith(':') && table) {
      const name = line.slice(1).split(' ')[0]!;
      if (!table.has(name)) table.set(name, []);
    } else if (line.startsWith('-A ') && table) {
      const t = tokenize(line);
      const rule: TracedRule = { raw: line, probabilistic: false, historyCheck: false, matches: new Map() };
      let neg = false;
      for (let i = 2; i < t.length; i++) {
        const tok = t[i]!;
        if (tok === '!') {
          neg = true;
          continue;
        }
        const val = t[i + 1];
        if (tok === '-j' && val !== undefined) {
          rule.jump = val;
          i++;
        } else if (tok === '--to-destination' && val !== undefined) {
          rule.dnat = val;
          i++;
        } else if (tok === '--probability') {
          rule.probabilistic = true;
          i++;
        } else if (tok === '--rcheck' || tok === '--mark' || tok === '--ctstate') {
          rule.historyCheck = true;
        } else if (KEYS[tok] && val !== undefined) {
          rule.matches.set(KEYS[tok]!, [neg, val]);
          i++;
        }
        neg = false;
      }
      const chain = t[1]!;
      if (!table.has(chain)) table.set(chain, []);
      table.get(chain)!.push(rule);
    }
  }
  return tables;
}

function ipToBigInt(ip: string): { v6: boolean; n: bigint } | null {
  if (ip.includes(':')) {
    if (!/^[0-9a-fA-F:.]+$/.test(ip)) return null;
    const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
    const h = head ? head.split(':') : [];
    const tl = tail !== undefined ? (tail ? tail.split(':') : []) : [];
    const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - tl.length).fill('0'), ...tl];
    if (groups.length !== 8) return null;
    let n = 0n;
    for (const g of groups) n = (n << 16n) | BigInt(Number.parseInt(g || '0', 16));
    return { v6: true, n };
  }
  const p = ip.split('.');
  if (p.length !== 4 || p.some((x) => !/^\d+$/.test(x) || Number(x) > 255)) return null;
  return { v6: false, n: p.reduce((a, x) => (a << 8n) | BigInt(Number(x)), 0n) };
}

function addressMatches(value: string, ip: string): boolean {
  const addr = ipToBigInt(ip);
  if (!addr) throw new Error(`Bad IP in test case: ${ip}`);
  const [net, bitsText] = value.split('/');
  const base = ipToBigInt(net!);
  if (!base || base.v6 !== addr.v6) return false;
  const width = addr.v6 ? 128n : 32n;
  const bits = bitsText === undefined ? width : BigInt(bitsText);
  const shift = width - bits;
  return addr.n >> shift === base.n >> shift;
}

export interface FlowResult {
  output: string;
  masq: boolean;
  matched: string[];
}

export function traceFlow(
  tables: Tables,
  localIPs: ReadonlySet<string>,
  flow: { sourceIP: string; destIP: string; destPort: number; protocol: string },
): FlowResult {
  const outputs: string[] = [];
  const matched: string[] = [];
  let masq = false;
  const src = flow.sourceIP;
  const proto = flow.protocol.toLowerCase();
  const dport = String(flow.destPort);
  let dst = flow.destIP;

  const ruleMatches = (r: TracedRule): boolean => {
    if (r.historyCheck) return false;
    for (const [key, [neg, val]] of r.matches) {
      let m: boolean;
      switch (key) {
        case 'src':
          m = addressMatches(val, src);
          break;
        case 'dst':
          m = addressMatches(val, dst);
          break;
        case 'srctype':
          m = val === (localIPs.has(src) ? 'LOCAL' : '');
          break;
        case 'dsttype':
          m = val === (localIPs.has(dst) ? 'LOCAL' : '');
          break;
        case 'proto':
          m = val === proto;
          break;
        default:
          m = val === dport;
      }
      if (m === neg) return false;
    }
    return true;
  };

  const runChain = (table: string, chain: string): boolean => {
    const rules = tables.get(table)?.get(chain);
    if (!rules) return false;
    for (const r of rules) {
      if (!r.jump || !ruleMatches(r)) continue;
      matched.push(r.raw);
      if (r.jump === 'KUBE-MARK-MASQ') {
        masq = true;
        continue;
      }
      if (r.jump === 'ACCEPT' || r.jump === 'REJECT' || r.jump === 'DROP') {
        outputs.push(r.jump);
        return true;
      }
      if (r.jump === 'DNAT') {
        outputs.push(r.dnat ?? '');
        return true;
      }
      if (runChain(table, r.jump) && !r.probabilistic) return true;
    }
    return false;
  };

  runChain('nat', tables.get('nat')?.has('PREROUTING') ? 'PREROUTING' : 'KUBE-SERVICES');
  if (outputs.length > 0) dst = outputs[0]!.split(':')[0]!;
  for (const chain of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL']) {
    runChain('filter', chain);
  }
  return { output: outputs.join(', '), masq, matched };
}

/** The node IPs every kube-proxy packet-flow test passes (testNodeIPs), plus loopback. */
export const TEST_LOCAL_IPS = new Set(['127.0.0.1', '::1', '192.168.0.2', '192.168.1.2', '192.168.99.11', '2001:db8::1', '2001:db8:1::2']);
