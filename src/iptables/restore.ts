/**
 * The restore form: a rule as kube-proxy writes it for iptables-restore, its words in the order
 * written, joined by single spaces (kube-proxy's LineBuffer). The text after `-A CHAIN `.
 *
 * A word is written in double quotes when it holds a space (kube-proxy quotes its comments that
 * do); a `"` or `\` inside is then escaped, as iptables-restore reads it. Whatever a value holds
 * can therefore neither end its quotes nor its line: a line break, which iptables-restore could
 * not read inside a word, is refused.
 */
import type { Arg, Rule } from './rule.js';

/** A word that cannot be written in a restore line. */
export class UnprintableError extends Error {
  override readonly name = 'UnprintableError';
}

/** Whether iptables-restore reads `word` back as it is: no space, quote or backslash, not empty. */
function isPlain(word: string): boolean {
  if (word.length === 0) return false;
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c <= 32 || c === 34 || c === 92 || c === 127) return false;
  }
  return true;
}

/** One word as iptables-restore reads it back. */
export function quoteWord(word: string): string {
  if (isPlain(word)) return word;
  if (/[\n\r\0]/.test(word)) throw new UnprintableError(`${JSON.stringify(word)} cannot be written in an iptables-restore line`);
  return `"${word.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

function argText(a: Arg): string {
  switch (a.kind) {
    case 'match':
      return '-m ' + a.module;
    case 'header':
      return (a.negated ? '! ' : '') + (a.flag === '-f' ? a.flag : a.flag + ' ' + quoteWord(a.value));
    case 'option': {
      let s = a.negated ? '! ' + a.name : a.name;
      for (const v of a.values) s += ' ' + quoteWord(v);
      return s;
    }
  }
}

/** The comment match as kube-proxy writes it. */
export function commentText(comment: string): string {
  return '-m comment --comment ' + quoteWord(comment);
}

/** The rule's text after `-A CHAIN ` (empty for a rule with no words at all). */
export function restoreText(rule: Rule): string {
  let s = '';
  const at = rule.comment === undefined ? -1 : (rule.commentAt ?? 0);
  const args = rule.args;
  for (let i = 0; i < args.length; i++) {
    if (i === at) s = s === '' ? commentText(rule.comment!) : s + ' ' + commentText(rule.comment!);
    s = s === '' ? argText(args[i]!) : s + ' ' + argText(args[i]!);
  }
  if (at >= args.length) s = s === '' ? commentText(rule.comment!) : s + ' ' + commentText(rule.comment!);
  const t = rule.target;
  if (t) {
    s = (s === '' ? '' : s + ' ') + (t.goto ? '-g ' : '-j ') + t.name;
    for (const o of t.options) s += ' ' + argText(o);
  }
  return s;
}
