/**
 * DiffResult → text for people: grouped by Service port, then by chain, `-`/`+` lines like
 * diff -u. Colours come in as functions so the caller decides (a TTY, NO_COLOR, --color).
 */
import { renderSummary, summarize } from './summary.js';
import { terminalSafe } from '../util.js';
import type { DiffResult } from './types.js';

export interface DiffColors {
  removed: (s: string) => string;
  added: (s: string) => string;
  heading: (s: string) => string;
  dim: (s: string) => string;
}

export const NO_COLORS: DiffColors = { removed: (s) => s, added: (s) => s, heading: (s) => s, dim: (s) => s };

export function renderDiff(r: DiffResult, c: DiffColors = NO_COLORS): string {
  const out: string[] = [];
  for (const note of r.notes) out.push(c.dim(`note: ${terminalSafe(note)}`));
  if (r.equal) {
    out.push(`${r.a} and ${r.b}: kube-proxy rules are the same`);
    return `${out.join('\n')}\n`;
  }
  out.push(c.removed(`--- ${r.a}`), c.added(`+++ ${r.b}`));
  for (const g of r.groups) {
    out.push(c.heading(g.servicePort ?? '(not specific to a service port)'));
    for (const ch of g.chains) {
      const where = ch.only === null ? '' : c.dim(` (only in ${ch.only === 'a' ? r.a : r.b})`);
      out.push(`  ${ch.table} ${ch.chain}${where}`);
      // A dump's rule may hold any character but a line break: none reaches the terminal raw.
      for (const l of ch.lines) {
        if (l.op === '>') out.push(`    ${c.dim(`> ${terminalSafe(l.rule)}  (moved from rule ${l.from} to rule ${l.to})`)}`);
        else out.push(`    ${(l.op === '-' ? c.removed : c.added)(`${l.op} ${terminalSafe(l.rule)}`)}`);
      }
    }
  }
  out.push(totals(r));
  return `${out.join('\n')}\n`;
}

/** The last line: how many service ports differ, and by how many rules. */
export function totals(r: DiffResult): string {
  const ports = r.groups.filter((g) => g.servicePort !== null).length;
  const what: string[] = [];
  if (ports > 0) what.push(`${ports} service port${ports === 1 ? '' : 's'}`);
  if (r.groups.some((g) => g.servicePort === null)) what.push('node-wide rules');
  const rules = (n: number): string => `${n} rule${n === 1 ? '' : 's'}`;
  const verb = what.length === 1 && ports === 1 ? 'differs' : 'differ';
  const moved = r.moved > 0 ? `, ${rules(r.moved)} moved` : '';
  return `${what.join(' and ')} ${verb}: ${rules(r.removed)} only in ${r.a}, ${rules(r.added)} only in ${r.b}${moved}`;
}

/** The JSON form (README): the DiffResult without the internal compare keys. */
export function diffJSON(r: DiffResult, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ ...r, ...extra }, (k, v: unknown) => (k === 'key' ? undefined : v), 2)}\n`;
}

/** --stat: the headers, one line in words per service port (identical ones folded), the totals. */
export function renderStat(r: DiffResult, c: DiffColors = NO_COLORS): string {
  const out: string[] = [];
  for (const note of r.notes) out.push(c.dim(`note: ${note}`));
  if (r.equal) {
    out.push(`${r.a} and ${r.b}: kube-proxy rules are the same`);
    return `${out.join('\n')}\n`;
  }
  out.push(c.removed(`--- ${r.a}`), c.added(`+++ ${r.b}`));
  out.push(...renderSummary(summarize(r)));
  out.push(totals(r));
  return `${out.join('\n')}\n`;
}
