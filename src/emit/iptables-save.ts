/**
 * Ruleset → iptables-restore text, in the canonical order:
 *   *filter / chain declarations / rules / COMMIT / *nat / ... / COMMIT
 * Every line is its tokens joined by single spaces (kube-proxy's LineBuffer). The text is
 * produced lazily in chunks of about CHUNK_CHARS characters, so that a caller can write 300k
 * rules chunk by chunk: neither one 30 MB string nor one write per line.
 */
import type { Ruleset } from '../plan/ruleset.js';
import { orderRuleset } from './canonical-order.js';

/** Target chunk size in characters (UTF-16 code units). */
export const CHUNK_CHARS = 1 << 20;

export function* emitRestoreChunks(rs: Ruleset, chunkChars = CHUNK_CHARS): Generator<string, void, undefined> {
  // Lines are collected and joined once per chunk, so a chunk is one flat string and the
  // lines die young (with `+=`, every line would stay alive in a tree of cons strings).
  let lines: string[] = [];
  let size = 0;
  for (const table of orderRuleset(rs)) {
    lines.push(`*${table.name}\n`);
    for (const chain of table.chains) {
      const line = `:${chain.name} ${chain.builtin ? 'ACCEPT' : '-'} [0:0]\n`;
      lines.push(line);
      size += line.length;
      if (size >= chunkChars) {
        yield lines.join('');
        lines = [];
        size = 0;
      }
    }
    for (const chain of table.chains) {
      const prefix = `-A ${chain.name}`;
      const prefixSpace = `${prefix} `;
      for (const rule of chain.rules) {
        if (rule.text !== '') {
          lines.push(prefixSpace, rule.text, '\n');
          size += prefixSpace.length + rule.text.length + 1;
        } else {
          lines.push(prefix, '\n');
          size += prefix.length + 1;
        }
        if (size >= chunkChars) {
          yield lines.join('');
          lines = [];
          size = 0;
        }
      }
    }
    lines.push('COMMIT\n');
  }
  yield lines.join('');
}

/** The whole text as one string (tests, small outputs). */
export function emitRestore(rs: Ruleset): string {
  return [...emitRestoreChunks(rs)].join('');
}
