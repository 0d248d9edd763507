/**
 * Whatever text reaches a rule, no printer lets it end its quoted word or its line: the restore
 * printer (restore.ts, used by the rules output and --format restore), the save printer
 * (save.ts, --format save) and the compare key (canonical.ts, used by diff) either refuse the
 * text or print it so that reading the line back gives the very same words.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalKey } from './canonical.js';
import { readRule } from './read.js';
import { restoreText, UnprintableError } from './restore.js';
import { header, jump, match, option, rule, type Rule } from './rule.js';
import { saveText } from './save.js';
import { shapeOf } from './shape.js';
import { tokenize } from './tokenize.js';
import { ValueError } from './values.js';

const LINE_BREAK = /[\n\r\0]/;

/** Text with the characters an attacker would use, often: quotes, backslashes, breaks, spaces, `-j`. */
const hostile = fc.oneof(
  fc.string({ unit: fc.constantFrom('"', '\\', "'", ' ', '\t', '\n', '\r', '\0', '-', 'j', 'A', '#', '\x1b', 'a', '/', ':') }),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('x" -j RETURN\n-I INPUT 1 -j ACCEPT\n#', 'x\\" -j ACCEPT', '\\', '"', '', ' ', 'a\rb'),
);

function commentRule(text: string): Rule {
  return rule(text, [match('tcp'), header('-p', 'tcp'), header('-d', '10.96.0.1'), option('--dport', '80')], jump('KUBE-SVC-X'));
}

describe('hostile text through every printer', () => {
  it('restore form: refused when it holds a line break or NUL, else read back word for word', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        for (const r of [commentRule(text), rule(undefined, [match('comment'), option('--comment', text), header('-i', text)], jump('ACCEPT'))]) {
          let line: string;
          try {
            line = restoreText(r);
          } catch (e) {
            expect(e).toBeInstanceOf(UnprintableError);
            expect(text).toMatch(LINE_BREAK);
            continue;
          }
          expect(line).not.toMatch(LINE_BREAK);
          // iptables' getopt takes the word after an option as its value whatever it looks like;
          // kp-gen's own dump reader reads an unquoted `-…` word as an option (no name can start so).
          if (text.startsWith('-')) continue;
          const back = readRule(line).rule;
          // The reader takes the (first) comment out of the words, wherever it stood.
          expect(back.comment).toBe(text);
          expect(back.args).toEqual(r.args.filter((a) => !(a.kind === 'match' && a.module === 'comment') && !(a.kind === 'option' && a.name === '--comment')));
          expect(back.target?.name).toBe(r.target!.name);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('save form: refused when it holds a line break or NUL, else the comment is one word read back as written', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        let line: string;
        try {
          line = saveText(commentRule(text), 4, new Set(['KUBE-SVC-X']));
        } catch (e) {
          expect(e).toBeInstanceOf(ValueError);
          expect(text).toMatch(LINE_BREAK);
          return;
        }
        expect(line).not.toMatch(LINE_BREAK);
        const words = tokenize(line);
        const at = words.findIndex((w) => w.text === '--comment' && !w.quoted);
        expect(words[at + 1]!.text).toBe(text);
        expect(words.slice(-2).map((w) => w.text)).toEqual(['-j', 'KUBE-SVC-X']);
      }),
      { numRuns: 2000 },
    );
  });

  it('compare key (diff): one line, whatever a dump\'s interface name holds', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        let key: string;
        try {
          key = canonicalKey(shapeOf(rule(undefined, [header('-i', text)], jump('ACCEPT'))));
        } catch (e) {
          expect(e).toBeInstanceOf(UnprintableError);
          expect(text).toMatch(LINE_BREAK);
          return;
        }
        expect(key).not.toMatch(LINE_BREAK);
      }),
      { numRuns: 500 },
    );
  });
});
