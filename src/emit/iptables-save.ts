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
  // The pieces of a chunk are collected and joined once, in native code: no string per line
  // or per rule is built, and the chunk comes out as one flat string.
  let parts: string[] = [];
  let size = 0;
  const flush = (): void => {
    chunks.push(parts.join(''));
    parts = [];
    size = 0;
  };
  for (const table of orderRuleset(rs)) {
    parts.push(`*${table.name}\n`);
    for (const chain of table.chains) {
      const line = `:${chain.name} ${chain.builtin ? 'ACCEPT' : '-'} [0:0]\n`;
      parts.push(line);
      size += line.length;
      if (size >= chunkChars) flush();
    }
    for (const chain of table.chains) {
      const prefix = `-A ${chain.name}`;
      for (const rule of chain.rules) {
        parts.push(prefix);
        size += prefix.length + 1;
        for (const arg of rule.args) {
          parts.push(' ', arg);
          size += arg.length + 1;
        }
        parts.push('\n');
        if (size >= chunkChars) flush();
      }
    }
    parts.push('COMMIT\n');
  }
  flush();
  return chunks;
}

/** The whole text as one string (tests, small outputs). */
export function emitRestore(rs: Ruleset): string {
  return emitRestoreChunks(rs).join('');
}
