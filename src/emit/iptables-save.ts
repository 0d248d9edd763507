/**
 * Ruleset → iptables-restore text, in the canonical order:
 *   *filter / chain declarations / rules / COMMIT / *nat / ... / COMMIT
 * Every rule is printed by iptables/restore.ts (kube-proxy's LineBuffer spelling). The text is
 * produced lazily in chunks of about CHUNK_CHARS characters, so that a caller can write 300k
 * rules chunk by chunk: neither one 30 MB string nor one write per line. The chain writers the
 * planner left (plan/ruleset.ts) run here, writing their rules straight into the chunk.
 */
import type { Rule } from '../iptables/rule.js';
import { restoreText } from '../iptables/restore.js';
import type { RuleSink, Ruleset } from '../plan/ruleset.js';
import { orderRuleset } from './canonical-order.js';

/** Target chunk size in characters (UTF-16 code units). */
export const CHUNK_CHARS = 1 << 20;

/**
 * Collects `-A CHAIN text` lines into one chunk string. The chunk is built with `+=`: V8
 * joins the pieces lazily and copies them once, when the chunk is written, which is several
 * times cheaper than collecting lines in an array and joining it.
 */
class ChunkWriter implements RuleSink {
  text = '';
  private chain = '';
  /** `-A CHAIN ` for the chain being written. */
  private prefix = '';

  startChain(name: string): void {
    this.chain = name;
    this.prefix = `-A ${name} `;
  }

  rule(rule: Rule): void {
    const text = restoreText(rule);
    // A rule without arguments is `-A CHAIN`, without a trailing space.
    this.text += text === '' ? `-A ${this.chain}\n` : this.prefix + text + '\n';
  }

  take(): string {
    const t = this.text;
    this.text = '';
    return t;
  }
}

export function* emitRestoreChunks(rs: Ruleset, chunkChars = CHUNK_CHARS): Generator<string, void, undefined> {
  const out = new ChunkWriter();
  for (const table of orderRuleset(rs)) {
    out.text += `*${table.name}\n`;
    for (const chain of table.chains) {
      out.text += `:${chain.name} ${chain.builtin ? 'ACCEPT' : '-'} [0:0]\n`;
      if (out.text.length >= chunkChars) yield out.take();
    }
    for (const chain of table.chains) {
      out.startChain(chain.name);
      for (const rule of chain.rules) {
        if (typeof rule === 'function') rule(out);
        else out.rule(rule);
        if (out.text.length >= chunkChars) yield out.take();
      }
    }
    out.text += 'COMMIT\n';
  }
  yield out.take();
}

/** The whole text as one string (tests, small outputs). */
export function emitRestore(rs: Ruleset): string {
  return [...emitRestoreChunks(rs)].join('');
}
