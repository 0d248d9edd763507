/**
 * Ruleset → iptables-restore text, in the canonical order:
 *   *filter / chain declarations / rules / COMMIT / *nat / ... / COMMIT
 * Every rule is printed by iptables/restore.ts (kube-proxy's LineBuffer spelling). The text is
 * produced lazily in chunks of about CHUNK_BYTES bytes of UTF-8, so that a caller can write
 * 300k rules chunk by chunk: neither one 30 MB string nor one write per line. A chunk boundary
 * is always a line end. The chain writers the
 * planner left (plan/ruleset.ts) run here, writing their rules straight into the chunk.
 */
import type { Rule } from '../iptables/rule.js';
import { UserError } from '../errors.js';
import { restoreText, UnprintableError } from '../iptables/restore.js';
import type { RuleSink, Ruleset } from '../plan/ruleset.js';
import { orderRuleset } from './canonical-order.js';

/** Target chunk size in bytes. */
const CHUNK_BYTES = 1 << 20;

/**
 * Collects lines into a chunk held in a Buffer, which is handed to the writer as it is: the
 * text of a large ruleset lives outside the JavaScript heap until it is written. Lines reach
 * the Buffer in batches of a few thousand characters (README "Performance").
 */
class ChunkWriter implements RuleSink {
  private buf: Buffer;
  private pos = 0;
  /** Lines not yet in the Buffer, joined with `+=`. */
  private pending = '';
  private chain = '';
  /** `-A CHAIN ` for the chain being written. */
  private prefix = '';

  constructor(private readonly size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  /** Bytes written so far, pending lines counted as one byte a character. */
  get length(): number {
    return this.pos + this.pending.length;
  }

  write(text: string): void {
    this.pending += text;
    if (this.pending.length >= BATCH_CHARS) this.flush();
  }

  private flush(): void {
    const text = this.pending;
    this.pending = '';
    // Room for the text in the worst case (3 bytes a UTF-16 unit), else a larger buffer.
    if (this.pos + text.length * 3 > this.buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + text.length * 3));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    this.pos += this.buf.write(text, this.pos, 'utf8');
  }

  startChain(name: string): void {
    this.chain = name;
    this.prefix = `-A ${name} `;
  }

  rule(rule: Rule): void {
    let text: string;
    try {
      text = restoreText(rule);
    } catch (e) {
      // A value from the input that no restore line can hold (a line break in a name).
      if (e instanceof UnprintableError) throw new UserError(`cannot write a rule of chain ${this.chain}: ${e.message}`);
      throw e;
    }
    // A rule without arguments is `-A CHAIN`, without a trailing space.
    this.write(text === '' ? `-A ${this.chain}\n` : this.prefix + text + '\n');
  }

  /** The chunk's bytes; the writer goes on in a new Buffer. */
  take(): Uint8Array {
    this.flush();
    const chunk = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.size);
    this.pos = 0;
    return chunk;
  }
}

/** How many characters of lines go into the Buffer at once. */
const BATCH_CHARS = 16 << 10;

export function* emitRestoreChunks(rs: Ruleset, chunkBytes = CHUNK_BYTES): Generator<Uint8Array, void, undefined> {
  // A chunk's buffer has room to spare for the line that crosses the mark.
  const out = new ChunkWriter(chunkBytes + (64 << 10));
  for (const table of orderRuleset(rs)) {
    out.write(`*${table.name}\n`);
    for (const chain of table.chains) {
      out.write(`:${chain.name} ${chain.builtin ? 'ACCEPT' : '-'} [0:0]\n`);
      if (out.length >= chunkBytes) yield out.take();
    }
    for (const chain of table.chains) {
      if (chain.deleted) {
        out.write(`-X ${chain.name}\n`);
        continue;
      }
      out.startChain(chain.name);
      for (const rule of chain.rules) {
        if (typeof rule === 'function') rule(out);
        else out.rule(rule);
        if (out.length >= chunkBytes) yield out.take();
      }
    }
    out.write('COMMIT\n');
  }
  yield out.take();
}

/** The whole text as one string (tests, small outputs). */
export function emitRestore(rs: Ruleset): string {
  return Buffer.concat([...emitRestoreChunks(rs)]).toString('utf8');
}
