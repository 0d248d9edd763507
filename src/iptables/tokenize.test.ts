import { describe, expect, it } from 'vitest';
import { tokenize } from './tokenize.js';

describe('tokenize', () => {
  it('splits on whitespace and groups double quotes', () => {
    expect(tokenize('-A X  -m comment --comment "a b c" -j Y').map((t) => t.text)).toEqual([
      '-A', 'X', '-m', 'comment', '--comment', 'a b c', '-j', 'Y',
    ]);
  });
  it('resolves backslash escapes inside quotes, as iptables-save writes them', () => {
    const t = tokenize(String.raw`--comment "a \"q\" \'s\' \\"`);
    expect(t[1]).toEqual({ text: `a "q" 's' \\`, quoted: true });
  });
  it('keeps single quotes literally, as iptables-restore does', () => {
    expect(tokenize("--comment 'x'")[1]).toEqual({ text: "'x'", quoted: false });
  });
  it('marks quoted words, even when they look like options', () => {
    expect(tokenize('--comment "-x"')[1]).toEqual({ text: '-x', quoted: true });
  });
  it('refuses an unterminated quote', () => {
    expect(() => tokenize('--comment "abc')).toThrow(/unterminated/);
  });
});
