/**
 * A structural check of iptables-restore text, independent of kp-gen's planner: tables are
 * well formed, each chain is declared once per table, every `-A` names a declared chain, and
 * every `-j` target is a built-in target or a chain declared in the same table.
 */
const BUILTIN_TARGETS = new Set([
  'ACCEPT', 'DROP', 'RETURN', 'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'MARK', 'LOG', 'CONNMARK', 'NOTRACK',
]);
const BUILTIN_CHAINS = new Set(['INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'POSTROUTING']);
/**
 * Chains of another component that kube-proxy jumps to without declaring them: kubelet's nat
 * KUBE-MARK-DROP, the target of KUBE-FW and "has no local endpoints" rules up to 1.24.
 */
const KUBELET_CHAINS = new Map([['nat', new Set(['KUBE-MARK-DROP'])]]);

export interface ParsedTable {
  name: string;
  chains: string[];
  rules: { chain: string; line: string; target?: string }[];
}

export interface CheckOptions {
  /**
   * The text is iptables-save output (`--format save`), where libxt_nfacct's
   * `--nfacct-name  NAME` carries two spaces; that one double space is allowed.
   */
  saveFormat?: boolean;
}

export function parseRestore(text: string, opts: CheckOptions = {}): ParsedTable[] {
  const tables: ParsedTable[] = [];
  let current: ParsedTable | undefined;
  const lines = text.split('\n');
  if (lines[lines.length - 1] !== '') throw new Error('output does not end with a newline');
  lines.pop();
  lines.forEach((line, i) => {
    const where = `line ${i + 1}: ${line}`;
    const spaced = opts.saveFormat ? line.replaceAll('--nfacct-name  ', '--nfacct-name ') : line;
    if (line !== line.trim() || spaced.includes('  ')) throw new Error(`stray whitespace at ${where}`);
    if (line.startsWith('*')) {
      if (current) throw new Error(`table opened before COMMIT at ${where}`);
      current = { name: line.slice(1), chains: [], rules: [] };
      tables.push(current);
    } else if (line === 'COMMIT') {
      if (!current) throw new Error(`COMMIT outside a table at ${where}`);
      current = undefined;
    } else if (!current) {
      throw new Error(`content outside a table at ${where}`);
    } else if (line.startsWith(':')) {
      const m = /^:(\S+) (-|ACCEPT|DROP) \[0:0\]$/.exec(line);
      if (!m) throw new Error(`bad chain declaration at ${where}`);
      if (current.chains.includes(m[1]!)) throw new Error(`chain declared twice at ${where}`);
      current.chains.push(m[1]!);
    } else if (line.startsWith('-A ')) {
      const tokens = line.split(' ');
      const chain = tokens[1]!;
      const j = tokens.indexOf('-j');
      const rule: ParsedTable['rules'][number] = { chain, line };
      if (j >= 0) rule.target = tokens[j + 1];
      current.rules.push(rule);
    } else {
      throw new Error(`unexpected line at ${where}`);
    }
  });
  if (current) throw new Error('missing final COMMIT');
  return tables;
}

/** Returns the problems found; an empty list means the text is consistent. */
export function checkRestore(text: string, opts: CheckOptions = {}): string[] {
  const problems: string[] = [];
  for (const t of parseRestore(text, opts)) {
    const declared = new Set(t.chains);
    for (const r of t.rules) {
      if (!declared.has(r.chain) && !BUILTIN_CHAINS.has(r.chain)) problems.push(`${t.name}: rule in undeclared chain: ${r.line}`);
      if (r.target && !BUILTIN_TARGETS.has(r.target) && !declared.has(r.target) && !KUBELET_CHAINS.get(t.name)?.has(r.target)) {
        problems.push(`${t.name}: jump to undeclared chain: ${r.line}`);
      }
    }
  }
  return problems;
}
