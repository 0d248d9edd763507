/**
 * Per-rule packet counters from `iptables-save -c`, for `kp-gen lab status`: which rules the
 * lab's traffic went through. In the nat table only the first packet of each connection is
 * counted (later packets follow conntrack, not the rules), so there a count is a count of
 * connections.
 */
export interface CountedRule {
  table: string;
  chain: string;
  packets: number;
  bytes: number;
  /** The rule as iptables-save prints it, starting with `-A CHAIN`. */
  rule: string;
}

const COUNTED = /^\[(\d+):(\d+)\] (-A (\S+) .*)$/;

export function parseCounters(save: string): CountedRule[] {
  const out: CountedRule[] = [];
  let table = '';
  for (const line of save.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const m = COUNTED.exec(line);
    if (m) out.push({ table, chain: m[4]!, packets: Number(m[1]), bytes: Number(m[2]), rule: m[3]! });
  }
  return out;
}

/** Rules grouped by table, as an aligned `packets bytes rule` listing. */
export function formatCounters(rules: readonly CountedRule[], all: boolean): string {
  const shown = rules.filter((r) => all || r.packets > 0);
  if (shown.length === 0) return 'no rule has matched a packet yet\n';
  const pw = Math.max(7, ...shown.map((r) => String(r.packets).length));
  const bw = Math.max(5, ...shown.map((r) => String(r.bytes).length));
  let s = '';
  let table = '';
  for (const r of shown) {
    if (r.table !== table) {
      table = r.table;
      s += `${s ? '\n' : ''}${table} table:\n${'packets'.padStart(pw)}  ${'bytes'.padStart(bw)}  rule\n`;
    }
    s += `${String(r.packets).padStart(pw)}  ${String(r.bytes).padStart(bw)}  ${r.rule}\n`;
  }
  return s;
}
