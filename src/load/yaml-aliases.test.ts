import { describe, expect, it } from 'vitest';
import { InputError } from '../errors.js';
import { loadFiles } from './files.js';
import { allowedAliasShare } from './yaml-aliases.js';

/** A "billion laughs" list of lists: each level nine aliases of the one before. */
function bomb(levels: number, top = 'items'): string {
  const names = 'abcdefghijklmnop';
  const lines = [`  a: &a [{kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}, {kind: ConfigMap}]`];
  for (let i = 1; i < levels; i++) {
    const n = names[i]!;
    const p = names[i - 1]!;
    lines.push(`  ${n}: &${n} {kind: List, items: [*${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}, *${p}]}`);
  }
  return `kind: List\napiVersion: v1\nx:\n${lines.join('\n')}\n${top}: [*${names[levels - 1]!}]\n`;
}

function problemOf(text: string): string {
  try {
    loadFiles(['-'], () => text);
  } catch (e) {
    if (e instanceof InputError) return e.message;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('YAML alias expansion limit', () => {
  it('refuses a small alias bomb at once, before anything walks it', () => {
    const text = bomb(9);
    expect(text.length).toBeLessThan(1000);
    expect(problemOf(text)).toMatch(/^-: document 1: invalid YAML: its aliases would expand \d+ nodes into 1\.77e\+9 \(an alias bomb\?\); kp-gen allows aliases to make at most 10% of a document$/);
  });

  it('refuses the bomb inside a large file too', () => {
    const filler = Array.from({ length: 2000 }, (_, i) => `---\nkind: ConfigMap\nmetadata: {name: c${i}}\ndata: {k: v}\n`).join('');
    expect(problemOf(filler + '---\n' + bomb(9))).toMatch(/^-: document 2001: invalid YAML: its aliases would expand/);
  });

  it('refuses an alias inside its own anchor (an infinite document)', () => {
    expect(problemOf('kind: List\napiVersion: v1\nitems: &a [{kind: List, items: *a}]\n')).toBe(
      '-: document 1: invalid YAML: an alias refers to a node that contains it (the document would be infinite)',
    );
  });

  it('accepts aliases as manifests use them: shared labels, ports, merge keys', () => {
    const svc = (i: number): string =>
      `- kind: Service\n  apiVersion: v1\n  metadata: {name: s${i}, labels: *labels}\n  spec:\n    <<: *spec\n    clusterIP: 10.96.0.${i}\n`;
    const text = `kind: List\napiVersion: v1\nitems:\n- kind: ConfigMap\n  metadata: {name: base, labels: &labels {app: web, tier: front}}\n  data: &spec {ports: [{port: 80}, {port: 443}]}\n` +
      Array.from({ length: 50 }, (_, i) => svc(i + 1)).join('');
    expect(loadFiles(['-'], () => text)).toHaveLength(51);
  });

  it('allows more aliases in small documents than in large ones, as go-yaml does', () => {
    expect(allowedAliasShare(1000)).toBe(0.99);
    expect(allowedAliasShare(2_200_000)).toBeCloseTo(0.545);
    expect(allowedAliasShare(10_000_000)).toBe(0.1);
  });
});
