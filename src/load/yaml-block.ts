/**
 * A fast reader for the block-style YAML that `kubectl get -o yaml` and js-yaml's `dump` write,
 * used before js-yaml (src/load/yaml.ts). js-yaml is general and careful, and so takes about
 * 2 s for the 26 MB of a 10k-Service cluster; this reader handles only a small subset of YAML,
 * line by line, and reads the same file several times faster.
 *
 * The contract is all-or-nothing, per file: either every document of the text is in the subset
 * and the result deep-equals (values, types and key order) what
 * `yaml.loadAll(text, undefined, { schema: MANIFEST_SCHEMA })` returns, or the answer is
 * "not mine" and the caller parses the whole text with js-yaml, which stays the only source
 * of values outside the subset and of every error message (with its line and column). So
 * whenever a construct is not certain to read exactly as js-yaml reads it, the reader bails:
 * a bail only costs speed, a wrong value would be a bug.
 *
 * The subset:
 * - documents separated by `---` lines (nothing but spaces or a comment after the marker),
 *   each one a block mapping, a block sequence or a one-line scalar starting at column 0;
 *   empty documents; full-line and trailing (` #`) comments; blank lines; CRLF line ends;
 * - block mappings whose keys are one-line plain or quoted scalars that read as strings, and
 *   block sequences, nested in each other, including `- key: value` (a mapping inside a
 *   sequence entry), `- - x` and a sequence at its parent key's indentation (`key:\n- a`);
 * - plain scalars, resolved as kubectl resolves them (yaml11.ts, which js-yaml's schema uses
 *   too: `0120` is 80, `yes` is true), single- and double-quoted scalars
 *   with every js-yaml escape, and all three over several lines (folded, as go-yaml writes
 *   long strings) when the lines are indented deeper than the collection;
 * - flow collections that end on the line they start on (`{}`, `[a, b]`, `{k: v}`);
 * - literal and folded block scalars (`|`, `>`, with `-`/`+` chomping and an indentation
 *   indicator) as the value of a mapping key or of a sequence entry.
 *
 * Everything else bails: anchors, aliases, tags, merge keys, directives, `...`, explicit keys
 * (`? `), flow collections over several lines or with comments, block scalars on a line of
 * their own, scalar continuation lines that start with an indicator or hold `: `, duplicate
 * keys, `__proto__`, keys that read as something other than a string (`80:`, `yes:`, `~:`),
 * tabs anywhere,
 * characters js-yaml refuses or treats specially (control characters, lone surrogates, a BOM,
 * U+0085, U+2028, U+2029), a lone CR, nesting deeper than MAX_DEPTH, documents whose top node
 * is indented, and a few js-yaml quirks (`---x`, an empty `-` entry before a shallower one).
 */
import { resolvePlainScalar } from './yaml11.js';

/** Why the reader left a text to js-yaml, and where (for tests and diagnostics). */
export interface BlockYAMLBail {
  reason: string;
  /** 1-based line in the text as given. */
  line: number;
}

export type BlockYAMLResult = { ok: true; docs: unknown[] } | { ok: false; bail: BlockYAMLBail };

/** The documents of `text`, or undefined when some part of it is outside the subset. */
export function parseBlockYAML(text: string): unknown[] | undefined {
  const r = readBlockYAML(text);
  return r.ok ? r.docs : undefined;
}

/** As parseBlockYAML, but says why it bailed. */
export function readBlockYAML(text: string): BlockYAMLResult {
  const pre = precheck(text);
  if (typeof pre !== 'string') return { ok: false, bail: pre };
  const reader = new Reader(pre);
  try {
    return { ok: true, docs: reader.stream() ?? contentless(text) };
  } catch (e) {
    if (e instanceof Bail) return { ok: false, bail: { reason: e.reason, line: lineOf(pre, e.at) } };
    throw e;
  }
}

/**
 * js-yaml stops with an error at the first nesting level past 100; well below that, so the
 * reader never returns what js-yaml would refuse.
 */
const MAX_DEPTH = 64;

/** keyCache has this many entries, plus one. */
const KEY_CACHE_MASK = 4095;

/** Thrown inside the reader, caught in readBlockYAML: not an Error, it needs no stack. */
class Bail {
  constructor(
    readonly reason: string,
    readonly at: number,
  ) {}
}

function bail(reason: string, at: number): never {
  throw new Bail(reason, at);
}

/**
 * Characters that js-yaml rejects (control characters other than tab, LF and CR; U+FFFE,
 * U+FFFF), treats as line breaks in some modes (U+0085, U+2028, U+2029), or strips (a BOM),
 * and the tab, whose meaning depends on where it stands.
 */
// eslint-disable-next-line no-control-regex
const AWKWARD_CHARS = /[\x00-\x08\x09\x0B\x0C\x0E-\x1F\x7F-\x9F\uFEFF\uFFFE\uFFFF\u2028\u2029]/;
/** A surrogate that is not half of a pair (the `u` flag matches pairs as one character). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** The text with CRLF turned into LF, or why it is not for this reader. */
function precheck(text: string): string | BlockYAMLBail {
  const awkward = AWKWARD_CHARS.exec(text);
  if (awkward) return { reason: `character U+${awkward[0].charCodeAt(0).toString(16).padStart(4, '0')}`, line: lineOf(text, awkward.index) };
  const lone = LONE_SURROGATE.exec(text);
  if (lone) return { reason: 'lone surrogate', line: lineOf(text, lone.index) };
  if (text.includes('\r')) {
    // js-yaml reads CRLF exactly as LF everywhere the subset goes (line ends, trimming,
    // block scalar contents); a CR on its own is a line break to it, and rare enough to leave.
    const cr = /\r(?!\n)/.exec(text);
    if (cr) return { reason: 'CR without LF', line: lineOf(text, cr.index) };
    return text.replace(/\r\n/g, '\n');
  }
  return text;
}

function lineOf(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const SPACE = 0x20;
const LF = 0x0a;
const HASH = 0x23;
const DASH = 0x2d;
const COLON = 0x3a;
const DQUOTE = 0x22;
const SQUOTE = 0x27;

/**
 * The documents js-yaml reads from a text with no content and no `---` (as given, before
 * CRLF is turned into LF): one empty document, unless the text (with the LF js-yaml adds
 * when the last line has none) is at most one character longer than its first run of
 * spaces, in which case none.
 */
function contentless(s: string): unknown[] {
  const last = s.charCodeAt(s.length - 1);
  const length = s.length === 0 || last === LF || last === 0x0d ? s.length : s.length + 1;
  let spaces = 0;
  while (s.charCodeAt(spaces) === SPACE) spaces++;
  return spaces < length - 1 ? [null] : [];
}

/**
 * Reads the text line by line. `ls`..`le` is the current line (without its LF), `ind` its
 * indentation and `cs` where its content starts. Blank and comment lines are skipped when
 * the reader moves to a line (`seek`); at the end of the text and on a `---` line `ind` is
 * -1, below every collection's indentation, so every open collection ends there.
 */
class Reader {
  private readonly s: string;
  private readonly n: number;
  private ls = 0;
  private le = 0;
  private ind = 0;
  private cs = 0;
  private atEnd = false;
  private atMarker = false;
  private depth = 0;

  constructor(s: string) {
    this.s = s;
    this.n = s.length;
  }

  /** Every document of the text, in order; undefined if it has no content and no `---`. */
  stream(): unknown[] | undefined {
    this.seek(0);
    if (this.atEnd && !this.atMarker) return undefined;
    const docs: unknown[] = [];
    // A `---` before the first document only opens it; without one the first document starts
    // at the first content line.
    if (this.atMarker) this.seek(this.le + 1);
    for (;;) {
      docs.push(this.document());
      if (!this.atMarker) return docs;
      this.seek(this.le + 1);
    }
  }

  /** One document's top node, from the current line to the next `---` or the end. */
  private document(): unknown {
    if (this.atEnd) return null;
    if (this.ind !== 0) bail('indented top-level node', this.cs);
    const value = this.node(-1);
    if (!this.atEnd) bail('content after the top-level node', this.cs);
    return value;
  }

  /**
   * Moves to the first content line at or after `from` (a line start). Blank and comment
   * lines are skipped; a `---` line sets atMarker (and atEnd), the end of the text atEnd.
   */
  private seek(from: number): void {
    const s = this.s;
    const n = this.n;
    while (from < n) {
      let le = s.indexOf('\n', from);
      if (le === -1) le = n;
      let i = from;
      while (i < le && s.charCodeAt(i) === SPACE) i++;
      if (i === le || s.charCodeAt(i) === HASH) {
        from = le + 1;
        continue;
      }
      this.ls = from;
      this.le = le;
      if (i === from) {
        const c = s.charCodeAt(i);
        if ((c === DASH || c === 0x2e) && s.charCodeAt(i + 1) === c && s.charCodeAt(i + 2) === c) {
          // js-yaml takes `---x` for a marker and `x` at the start of a document, and for a
          // plain scalar inside one; `...` is a document end marker.
          if (i + 3 < le && s.charCodeAt(i + 3) !== SPACE) {
            if (c === DASH) bail('text right after ---', i);
            this.ind = 0;
            this.cs = i;
            this.atEnd = false;
            this.atMarker = false;
            return;
          }
          if (c === 0x2e) bail('document end marker', i);
          // A document marker: only spaces or a comment may follow it here.
          let j = i + 3;
          while (j < le && s.charCodeAt(j) === SPACE) j++;
          if (j < le && s.charCodeAt(j) !== HASH) bail('content on a --- line', j);
          this.ind = -1;
          this.cs = i;
          this.atEnd = true;
          this.atMarker = true;
          return;
        }
      }
      this.ind = i - from;
      this.cs = i;
      this.atEnd = false;
      this.atMarker = false;
      return;
    }
    this.ls = this.le = this.cs = n;
    this.ind = -1;
    this.atEnd = true;
    this.atMarker = false;
  }

  /** Moves past the current line. */
  private nextLine(): void {
    this.seek(this.le + 1);
  }

  /** Whether the current line is a sequence entry (`-` then a space or the line end). */
  private atDash(): boolean {
    const c = this.cs;
    return this.s.charCodeAt(c) === DASH && (c + 1 === this.le || this.s.charCodeAt(c + 1) === SPACE);
  }

  /**
   * The node starting at `p` on the current line (its first content, or what follows a
   * sequence entry's `- `), inside a collection indented `parent` (-1 at the top). Leaves the
   * reader on the first content line after the node.
   */
  private node(parent: number, p = this.cs): unknown {
    const s = this.s;
    const col = p - this.ls;
    if (s.charCodeAt(p) === DASH && (p + 1 === this.le || s.charCodeAt(p + 1) === SPACE)) return this.sequence(col, p);
    if (this.keyAt(p)) return this.mapping(col, p);
    const c = s.charCodeAt(p);
    if (c === 0x7c || c === 0x3e) {
      // After `- ` a block scalar belongs to the entry; on a line of its own (the value of
      // `key:` on the next line, or a top-level node) js-yaml measures its indentation from
      // elsewhere: left to js-yaml.
      if (p === this.cs) bail('block scalar on a line of its own', p);
      return this.blockScalar(p, parent);
    }
    return this.scalar(p, parent);
  }

  /** A block sequence whose first `-` is at `p`, in column `col`. */
  private sequence(col: number, p: number): unknown[] {
    if (++this.depth > MAX_DEPTH) bail('nesting too deep', p);
    const s = this.s;
    const out: unknown[] = [];
    for (;;) {
      let q = p + 1;
      while (q < this.le && s.charCodeAt(q) === SPACE) q++;
      if (q === this.le || s.charCodeAt(q) === HASH) {
        // `-` alone: the entry is the node on the next lines, if they are indented deeper.
        this.nextLine();
        if (this.ind > col) out.push(this.node(col));
        else if (this.ind >= 0 && this.ind < col && this.atDash()) {
          // After an empty entry js-yaml reads on without checking the indentation, so that
          // a shallower `- ` joins this sequence.
          bail('empty sequence entry before a shallower one', this.cs);
        } else out.push(null);
      } else {
        out.push(this.node(col, q));
      }
      if (this.ind === col && this.atDash()) {
        p = this.cs;
        continue;
      }
      if (this.ind > col) bail('bad indentation after a sequence entry', this.cs);
      break;
    }
    this.depth--;
    return out;
  }

  /**
   * A block mapping in column `col` whose first key starts at `p`; keyAt(p) has just read
   * that key.
   */
  private mapping(col: number, p: number): Record<string, unknown> {
    if (++this.depth > MAX_DEPTH) bail('nesting too deep', p);
    const s = this.s;
    const out: Record<string, unknown> = {};
    for (let first = true; ; first = false) {
      if (!first && !this.keyAt(p)) bail('not a mapping key', p);
      const key = this.key;
      if (key === '__proto__') bail('__proto__ key', p);
      if (Object.prototype.hasOwnProperty.call(out, key)) bail('duplicate key', p);
      let q = this.afterKey;
      while (q < this.le && s.charCodeAt(q) === SPACE) q++;
      let value: unknown;
      if (q === this.le || s.charCodeAt(q) === HASH) {
        // `key:` alone: the value is on the next lines, indented deeper, or a sequence at
        // this mapping's own indentation; otherwise it is empty (null).
        this.nextLine();
        if (this.ind > col) value = this.node(col);
        else if (this.ind === col && this.atDash()) value = this.sequence(col, this.cs);
        else value = null;
      } else {
        value = this.inlineValue(q, col);
      }
      out[key] = value;
      if (this.ind === col) {
        p = this.cs;
        continue;
      }
      if (this.ind > col) bail('bad indentation after a mapping entry', this.cs);
      break;
    }
    this.depth--;
    return out;
  }

  // Set by keyAt.
  private key = '';
  private afterKey = 0;
  /**
   * Plain keys read so far, by a hash of their text: manifests repeat the same few keys, and
   * the key read before is cheaper to reuse than a new slice (README#performance).
   */
  private readonly keyCache: string[] = new Array<string>(KEY_CACHE_MASK + 1).fill('');

  /**
   * Whether a mapping key starts at `p`: a one-line plain or quoted scalar followed by `:`
   * and a space or the line end. On success `key` is the key and `afterKey` the position after
   * the colon. A key that would not read as a string bails.
   */
  private keyAt(p: number): boolean {
    const s = this.s;
    const le = this.le;
    const c = s.charCodeAt(p);
    if (c === DQUOTE || c === SQUOTE) {
      // A quoted scalar that goes on to the next line is no key (js-yaml: an error).
      const text = c === DQUOTE ? this.doubleQuoted(p) : this.singleQuoted(p);
      if (text === undefined) return false;
      let q = this.tokenEnd;
      while (q < le && s.charCodeAt(q) === SPACE) q++;
      if (s.charCodeAt(q) !== COLON || (q + 1 < le && s.charCodeAt(q + 1) !== SPACE)) return false;
      this.key = text;
      this.afterKey = q + 1;
      return true;
    }
    if (!plainStart(s, p, le)) return false;
    // Scan for `: ` (or `:` at the line end); a comment or the line end first means no key.
    // The hash of the characters passed finds the key in keyCache.
    let h = c;
    let i = p + 1;
    for (;;) {
      if (i >= le) return false;
      const ch = s.charCodeAt(i);
      if (ch === COLON && (i + 1 === le || s.charCodeAt(i + 1) === SPACE)) break;
      if (ch === HASH && s.charCodeAt(i - 1) === SPACE) return false;
      h = (Math.imul(h, 31) + ch) | 0;
      i++;
    }
    this.afterKey = i + 1;
    const slot = (h ^ (h >>> 15)) & KEY_CACHE_MASK;
    const cached = this.keyCache[slot]!;
    if (cached.length === i - p && s.startsWith(cached, p)) {
      this.key = cached;
      return true;
    }
    let end = i;
    while (s.charCodeAt(end - 1) === SPACE) end--;
    const text = s.slice(p, end);
    if (typeof plainValue(text, p) !== 'string') bail('key that does not read as a string', p);
    this.key = text;
    if (end === i) this.keyCache[slot] = text;
    return true;
  }

  /**
   * The value after `key: ` at `p` on the current line, in a mapping indented `parent`: a
   * scalar, a flow collection or a block scalar.
   */
  private inlineValue(p: number, parent: number): unknown {
    const c = this.s.charCodeAt(p);
    if (c === 0x7c || c === 0x3e) return this.blockScalar(p, parent);
    return this.scalar(p, parent);
  }

  /**
   * A plain or quoted scalar, or a one-line flow collection, at `p` in a collection indented
   * `parent` (-1 at the top); then moves to the next content line.
   */
  private scalar(p: number, parent: number): unknown {
    const s = this.s;
    const c = s.charCodeAt(p);
    let value: unknown;
    if (c === DQUOTE || c === SQUOTE || c === 0x7b || c === 0x5b) {
      if (c === DQUOTE) value = this.doubleQuoted(p, parent);
      else if (c === SQUOTE) value = this.singleQuoted(p, parent);
      else value = this.flowCollection(p);
      this.endOfLine(this.tokenEnd);
      this.nextLine();
    } else {
      value = this.plainScalar(p, parent);
    }
    // A deeper line after the scalar is an error; the collection that reads on checks that
    // (a line deeper than its column bails), except at the top:
    if (parent < 0 && !this.atEnd) bail('content after a top-level scalar', this.cs);
    return value;
  }

  /** A plain scalar at `p` in a collection indented `parent`; then to the next content line. */
  private plainScalar(p: number, parent: number): unknown {
    const s = this.s;
    const le = this.le;
    if (!plainStart(s, p, le)) bail('not a plain scalar', p);
    let i = p + 1;
    for (; i < le; i++) {
      const ch = s.charCodeAt(i);
      if (ch === COLON && (i + 1 === le || s.charCodeAt(i + 1) === SPACE)) bail('mapping in a scalar position', i);
      if (ch === HASH && s.charCodeAt(i - 1) === SPACE) break;
    }
    let end = i;
    while (s.charCodeAt(end - 1) === SPACE) end--;
    let text = s.slice(p, end);
    this.nextLine();
    // Unless a comment ended it, the scalar goes on over lines deeper than `parent` (not at
    // the top, where any line would continue it): rarely, so only then back to its line.
    if (this.ind > parent && i === le && parent >= 0) {
      this.le = le;
      text = this.plainContinued(text, parent);
      this.nextLine();
    }
    return plainValue(text, p);
  }


  /**
   * A flow collection (`[a, b]`, `{k: v}`, nested) that ends on the line it starts on, at `p`.
   * As in js-yaml: a trailing comma is allowed, an entry of a flow mapping without `:` has
   * the value null, an empty value after `:` is null, and `k: v` in a flow sequence is a
   * mapping of one pair. Comments and line breaks inside bail.
   */
  private flowCollection(p: number): unknown[] | Record<string, unknown> {
    if (++this.depth > MAX_DEPTH) bail('nesting too deep', p);
    const s = this.s;
    const isMapping = s.charCodeAt(p) === 0x7b;
    const close = isMapping ? 0x7d : 0x5d;
    const map: Record<string, unknown> = {};
    const seq: unknown[] = [];
    let q = p + 1;
    for (let wantEntry = true; ; ) {
      q = this.flowSpace(q);
      const c = s.charCodeAt(q);
      if (c === close) break;
      if (!wantEntry) bail('missing comma in a flow collection', q);
      const start = q;
      const node = this.flowNode(q);
      q = this.flowSpace(this.tokenEnd);
      if (s.charCodeAt(q) === COLON) {
        q = this.flowSpace(q + 1);
        const v = s.charCodeAt(q);
        let value: unknown = null;
        if (v !== 0x2c && v !== close) {
          value = this.flowNode(q);
          q = this.flowSpace(this.tokenEnd);
        }
        if (isMapping) this.flowPair(map, node, value, start);
        else seq.push(this.flowPair({}, node, value, start));
      } else if (isMapping) {
        this.flowPair(map, node, null, start);
      } else {
        seq.push(node);
      }
      wantEntry = s.charCodeAt(q) === 0x2c;
      if (wantEntry) q++;
    }
    this.tokenEnd = q + 1;
    this.depth--;
    return isMapping ? map : seq;
  }

  /** Adds key → value to a flow mapping, with the checks of a block mapping's keys. */
  private flowPair(out: Record<string, unknown>, key: unknown, value: unknown, at: number): Record<string, unknown> {
    if (typeof key !== 'string') bail('flow key that does not read as a string', at);
    if (key === '__proto__') bail('__proto__ key', at);
    if (Object.prototype.hasOwnProperty.call(out, key)) bail('duplicate key', at);
    out[key] = value;
    return out;
  }

  /** Skips spaces inside a flow collection; the line may not end there, nor a comment start. */
  private flowSpace(q: number): number {
    const s = this.s;
    while (q < this.le && s.charCodeAt(q) === SPACE) q++;
    if (q >= this.le) bail('multi-line flow collection', q);
    if (s.charCodeAt(q) === HASH) bail('comment in a flow collection', q);
    return q;
  }

  /**
   * One node inside a flow collection at `q`: a nested collection, a quoted scalar, or a plain
   * scalar, which there also ends at `,`, `[`, `]`, `{`, `}` and at `:` before one of them.
   */
  private flowNode(q: number): unknown {
    const s = this.s;
    const le = this.le;
    const c = s.charCodeAt(q);
    if (c === 0x7b || c === 0x5b) return this.flowCollection(q);
    if (c === DQUOTE || c === SQUOTE) {
      const text = c === DQUOTE ? this.doubleQuoted(q) : this.singleQuoted(q);
      if (text === undefined) bail('multi-line flow collection', q);
      return text;
    }
    if (!plainStart(s, q, le) || ((c === DASH || c === 0x3f || c === COLON) && isFlowIndicator(s.charCodeAt(q + 1)))) {
      bail('no node in a flow collection', q);
    }
    let i = q + 1;
    for (; i < le; i++) {
      const ch = s.charCodeAt(i);
      if (isFlowIndicator(ch)) break;
      if (ch === COLON) {
        const next = s.charCodeAt(i + 1);
        if (i + 1 === le || next === SPACE || isFlowIndicator(next)) break;
      }
      if (ch === HASH && s.charCodeAt(i - 1) === SPACE) break;
    }
    this.tokenEnd = i;
    let end = i;
    while (s.charCodeAt(end - 1) === SPACE) end--;
    return plainValue(s.slice(q, end), q);
  }

  /** Only spaces, then optionally a comment (after a space), may follow `p` on this line. */
  private endOfLine(p: number): void {
    const s = this.s;
    let q = p;
    while (q < this.le && s.charCodeAt(q) === SPACE) q++;
    if (q < this.le && (s.charCodeAt(q) !== HASH || q === p)) bail('unexpected text after a scalar', q);
  }

  // Set by singleQuoted, doubleQuoted, flowCollection and flowNode: where the token ends.
  private tokenEnd = 0;

  /**
   * A single-quoted scalar starting at `p`. With `parent` undefined it must end on this line
   * (else undefined: not a key); otherwise it may go on over lines indented deeper than
   * `parent`, which fold as in YAML (one line break is a space, n + 1 are n line feeds, the
   * spaces around a break go).
   */
  private singleQuoted(p: number, parent?: number): string | undefined {
    const s = this.s;
    let out = '';
    let from = p + 1;
    let end = from; // after the last non-space character since `from`
    for (let i = from; ; ) {
      if (i >= this.le) {
        if (parent === undefined) return undefined;
        out += s.slice(from, end) + this.foldQuoted(parent, p);
        i = from = end = this.foldAt;
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === SQUOTE) {
        out += s.slice(from, i);
        if (s.charCodeAt(i + 1) !== SQUOTE) {
          this.tokenEnd = i + 1;
          return out;
        }
        // `''` is one quote.
        out += "'";
        i += 2;
        from = end = i;
        continue;
      }
      i++;
      if (c !== SPACE) end = i;
    }
  }

  /** A double-quoted scalar starting at `p`, with its escapes; lines as in singleQuoted. */
  private doubleQuoted(p: number, parent?: number): string | undefined {
    const s = this.s;
    let out = '';
    let from = p + 1;
    let end = from; // after the last non-space character since `from`
    for (let i = from; ; ) {
      if (i >= this.le) {
        if (parent === undefined) return undefined;
        out += s.slice(from, end) + this.foldQuoted(parent, p);
        i = from = end = this.foldAt;
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === DQUOTE) {
        this.tokenEnd = i + 1;
        return out + s.slice(from, i);
      }
      if (c !== 0x5c) {
        i++;
        if (c !== SPACE) end = i;
        continue;
      }
      out += s.slice(from, i);
      if (i + 1 >= this.le) {
        // An escaped line break joins the lines with nothing between them. js-yaml drops the
        // blank lines that may follow it, which YAML keeps: left to js-yaml.
        if (parent === undefined) return undefined;
        const at = this.peekLine();
        if (at < 0 || parent < 0 || at - this.peekLs <= parent || this.peekBreaks !== 1) bail('escaped line break in a double-quoted scalar', i);
        this.takeLine(at);
        i = from = end = at;
        continue;
      }
      const e = s.charCodeAt(i + 1);
      const simple = SIMPLE_ESCAPES.get(e);
      if (simple !== undefined) {
        out += simple;
        i += 2;
      } else {
        const digits = e === 0x78 ? 2 : e === 0x75 ? 4 : e === 0x55 ? 8 : 0;
        if (digits === 0) bail('unknown escape in a double-quoted scalar', i);
        const hex = s.slice(i + 2, i + 2 + digits);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) bail('bad hexadecimal escape', i);
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) bail('escape beyond Unicode', i);
        out += String.fromCodePoint(code);
        i += 2 + digits;
      }
      from = end = i;
    }
  }

  /**
   * At the end of a line inside a quoted scalar (starting at `p`): moves to the next line with
   * content, which must be indented deeper than `parent`, sets foldAt to its first non-space
   * character, and returns what the line breaks fold into.
   */
  private foldQuoted(parent: number, p: number): string {
    const at = this.peekLine();
    if (at < 0 || parent < 0 || at - this.peekLs <= parent) bail('quoted scalar continued at a shallower line', p);
    return this.takeLine(at);
  }

  // Set by peekLine and foldQuoted.
  private peekLs = 0;
  private peekLe = 0;
  private peekBreaks = 0;
  private foldAt = 0;

  /**
   * The first non-space character of the next line after the current one that has one (-1 at
   * the end of the text), with that line's bounds in peekLs/peekLe and the number of line
   * breaks crossed in peekBreaks. Does not move the reader.
   */
  private peekLine(): number {
    const s = this.s;
    const n = this.n;
    let breaks = 0;
    for (let from = this.le + 1; from <= n; ) {
      breaks++;
      let le = s.indexOf('\n', from);
      if (le === -1) le = n;
      let i = from;
      while (i < le && s.charCodeAt(i) === SPACE) i++;
      if (i < le) {
        this.peekLs = from;
        this.peekLe = le;
        this.peekBreaks = breaks;
        return i;
      }
      from = le + 1;
    }
    return -1;
  }

  /** Makes the line peekLine found the current one; returns the folded line breaks. */
  private takeLine(at: number): string {
    this.ls = this.peekLs;
    this.le = this.peekLe;
    this.foldAt = at;
    return this.peekBreaks === 1 ? ' ' : '\n'.repeat(this.peekBreaks - 1);
  }

  /**
   * The lines that continue a plain scalar (`first`, which ended at the end of the current
   * line) in a collection indented `parent`: lines indented deeper than `parent`, up to a
   * comment line or a shallower line. To stay clear of what would be an error or a surprise
   * to js-yaml, a continuation line may not start with an indicator nor hold `: `.
   */
  private plainContinued(first: string, parent: number): string {
    const s = this.s;
    let out = first;
    for (;;) {
      const at = this.peekLine();
      if (at < 0 || at - this.peekLs <= parent || s.charCodeAt(at) === HASH) return out;
      if (!plainStart(s, at, this.peekLe) || s.charCodeAt(at) === DASH || s.charCodeAt(at) === 0x3f || s.charCodeAt(at) === COLON) {
        bail('plain scalar continued with an indicator', at);
      }
      const le = this.peekLe;
      let i = at + 1;
      for (; i < le; i++) {
        const ch = s.charCodeAt(i);
        if (ch === COLON && (i + 1 === le || s.charCodeAt(i + 1) === SPACE)) bail('mapping in a plain scalar continuation', i);
        if (ch === HASH && s.charCodeAt(i - 1) === SPACE) break;
      }
      let end = i;
      while (s.charCodeAt(end - 1) === SPACE) end--;
      out += this.takeLine(at) + s.slice(at, end);
      if (i < le) return out; // a comment ends the scalar
    }
  }

  /**
   * A block scalar, literal (`|`, `|-`, `|+`, `|2`, ...) or folded (`>`, ...), whose header is
   * at `p`, the value of an entry of a collection indented `parent`. Its lines are those
   * indented deeper than `parent` (or by the indicator), blank lines included; then the reader
   * moves on to the first content line after them.
   */
  private blockScalar(p: number, parent: number): string {
    const s = this.s;
    const n = this.n;
    const folded = s.charCodeAt(p) === 0x3e;
    let chomp: '' | '-' | '+' = '';
    let explicit = 0;
    let q = p + 1;
    for (let k = 0; k < 2; k++) {
      const c = s.charCodeAt(q);
      if ((c === DASH || c === 0x2b) && chomp === '') {
        chomp = c === DASH ? '-' : '+';
        q++;
      } else if (c >= 0x31 && c <= 0x39 && explicit === 0) {
        explicit = c - 0x30;
        q++;
      }
    }
    // Only spaces, then optionally a comment after a space, may follow the header.
    if (q < this.le && s.charCodeAt(q) !== SPACE) bail('block scalar header', q);
    this.endOfLine(q);

    // With an indicator the content indentation is `parent` plus the indicator; without one
    // it is that of the first non-blank line. Blank lines before that line may not be
    // indented deeper than it (YAML calls that an error; js-yaml reads it differently).
    let indent = explicit > 0 ? parent + explicit : -1;
    let out = '';
    let blank = 0; // blank lines since the last content line (or the header)
    let sawContent = false;
    let maxLeadingBlank = 0;
    let moreIndented = false; // the last content line started with a space (folded only)
    let from = this.le + 1;
    while (from < n) {
      let le = s.indexOf('\n', from);
      if (le === -1) le = n;
      let sp = from;
      const limit = indent < 0 ? le : Math.min(le, from + indent);
      while (sp < limit && s.charCodeAt(sp) === SPACE) sp++;
      if (sp === le) {
        // Nothing after the indentation: a blank line (spaces past the indentation would be
        // content, which `limit` keeps).
        if (indent < 0) maxLeadingBlank = Math.max(maxLeadingBlank, sp - from);
        blank++;
        from = le + 1;
        continue;
      }
      if (indent < 0) {
        if (sp - from <= parent) break; // no content line: an empty scalar
        indent = sp - from;
        if (maxLeadingBlank > indent) bail('leading blank line indented past the block scalar', from);
      } else if (sp - from < indent) {
        break;
      }
      // Line breaks: all kept in a literal scalar. In a folded one, one between two lines that
      // are not more indented becomes a space (the breaks of blank lines between them stay),
      // and those next to a more-indented line (one starting with a space) are all kept.
      let breaks = sawContent ? blank + 1 : blank;
      if (folded) {
        const more = s.charCodeAt(from + indent) === SPACE;
        if (!more && !moreIndented && sawContent) breaks = blank;
        moreIndented = more;
      }
      out += (breaks === 0 && folded && sawContent ? ' ' : '\n'.repeat(breaks)) + s.slice(from + indent, le);
      sawContent = true;
      blank = 0;
      from = le + 1;
    }
    if (chomp === '+') out += '\n'.repeat(sawContent ? blank + 1 : blank);
    else if (chomp === '' && sawContent) out += '\n';
    this.seek(from);
    return out;
  }
}

/**
 * Whether a plain scalar may start at `p`: not at an indicator, and `-`, `?` and `:` only
 * when something other than a space follows them.
 */
function plainStart(s: string, p: number, le: number): boolean {
  const c = s.charCodeAt(p);
  switch (c) {
    case 0x2d: // -
    case 0x3f: // ?
    case 0x3a: // :
      return p + 1 < le && s.charCodeAt(p + 1) !== SPACE;
    case 0x2c: // ,
    case 0x5b: // [
    case 0x5d: // ]
    case 0x7b: // {
    case 0x7d: // }
    case 0x23: // #
    case 0x26: // &
    case 0x2a: // *
    case 0x21: // !
    case 0x7c: // |
    case 0x3e: // >
    case 0x27: // '
    case 0x22: // "
    case 0x25: // %
    case 0x40: // @
    case 0x60: // `
    case SPACE:
      return false;
    default:
      return p < le;
  }
}

function isFlowIndicator(c: number): boolean {
  return c === 0x2c || c === 0x5b || c === 0x5d || c === 0x7b || c === 0x7d;
}

/** js-yaml's one-character escapes in double-quoted scalars (YAML 1.2, 5.7). */
const SIMPLE_ESCAPES = new Map<number, string>([
  [0x30, '\x00'], // 0
  [0x61, '\x07'], // a
  [0x62, '\x08'], // b
  [0x74, '\x09'], // t
  [0x6e, '\x0a'], // n
  [0x76, '\x0b'], // v
  [0x66, '\x0c'], // f
  [0x72, '\x0d'], // r
  [0x65, '\x1b'], // e
  [0x20, ' '], // space
  [0x22, '"'],
  [0x2f, '/'],
  [0x5c, '\\'],
  [0x4e, '\x85'], // N
  [0x5f, '\xa0'], // _
  [0x4c, '\u2028'], // L
  [0x50, '\u2029'], // P
]);

/**
 * A plain scalar's value as kubectl reads it (yaml11.ts: the same function js-yaml's schema
 * uses, so both readers agree); bails on `<<`, a merge key.
 */
function plainValue(t: string, at: number): unknown {
  if (t === '<<') bail('merge key', at);
  return resolvePlainScalar(t);
}
