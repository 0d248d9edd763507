/**
 * Ruleset → iptables-restore text, in the canonical order:
 *   *filter / chain declarations / rules / COMMIT / *nat / ... / COMMIT
 * Every line is its tokens joined by single spaces (kube-proxy's LineBuffer). The text comes
 * as chunks of about CHUNK_CHARS characters, so that 300k rules are neither one huge string
 * nor 300k small writes: the caller writes chunk by chunk.
 */
import type { Ruleset } from '../plan/ruleset.js';
import { orderRuleset } from './canonical-order.js';

/** Target chunk size in characters (UTF-16 code units). */
export const CHUNK_CHARS = 1 << 20;

export function emitRestoreChunks(rs: Ruleset, chunkChars = CHUNK_CHARS): string[] {
  const chunks: string[] = [];
  // Lines are collected and joined once per chunk: the chunk is one flat string and the
  // lines die young, where `+=` would keep every line alive in a tree of cons strings.
  let lines: string[] = [];
  let size = 0;
  const add = (line: string): void => {
    lines.push(line);
    size += line.length;
    if (size >= chunkChars) {
      chunks.push(lines.join(''));
      lines = [];
      size = 0;
    }
  };
  for (const table of orderRuleset(rs)) {
    add(`*${table.name}\n`);
    for (const chain of table.chains) add(`:${chain.name} ${chain.builtin ? 'ACCEPT' : '-'} [0:0]\n`);
    for (const chain of table.chains) {
      const prefix = `-A ${chain.name}`;
      for (const rule of chain.rules) add(rule.args.length > 0 ? `${prefix} ${rule.args.join(' ')}\n` : `${prefix}\n`);
    }
    add('COMMIT\n');
  }
  if (lines.length > 0) chunks.push(lines.join(''));
  return chunks;
}

/** The whole text as one string (tests, small outputs). */
export function emitRestore(rs: Ruleset): string {
  return emitRestoreChunks(rs).join('');
}
