/**
 * The module structure of the command line: cli.ts (the main command) imports the commands
 * (commands/index.ts), each command imports the generation flags (flags.ts), and nothing leads
 * back. Checked on the sources with a small regex walker over static imports (`import … from`,
 * `export … from`, type-only ones too); dynamic `import()`, which loads a command's run.ts
 * when it runs, is not an edge.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = __dirname;
const STATIC_IMPORT = /(?:^|\n)[ \t]*(?:import|export)\b[^'";]*?\bfrom\s*['"]([^'"]+)['"]|(?:^|\n)[ \t]*import\s*['"]([^'"]+)['"]/g;

/** Every non-test module under src/, by path relative to src/, with the src/ modules it imports. */
export function importGraph(root = SRC): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) {
        const text = readFileSync(full, 'utf8');
        const deps = new Set<string>();
        for (const m of text.matchAll(STATIC_IMPORT)) {
          const spec = m[1] ?? m[2]!;
          if (!spec.startsWith('.')) continue;
          deps.add(relative(root, resolve(dirname(full), spec)).replace(/\.js$/, '.ts'));
        }
        graph.set(relative(root, full), [...deps].sort());
      }
    }
  };
  walk(root);
  return graph;
}

/** The strongly connected components with more than one module, or a module importing itself (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indices.get(w)!));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!indices.has(v)) visit(v);
  return out;
}

/** Every module `from` reaches through static imports. */
function reachable(graph: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>();
  const todo = [from];
  while (todo.length > 0) {
    for (const w of graph.get(todo.pop()!) ?? []) {
      if (!seen.has(w)) {
        seen.add(w);
        todo.push(w);
      }
    }
  }
  return seen;
}

const isCommandLine = (m: string): boolean => m === 'cli.ts' || m === 'flags.ts' || m === 'main.ts' || m.startsWith('commands/');

describe('import graph of the command line', () => {
  const graph = importGraph();

  it('is read from the sources', () => {
    expect(graph.get('cli.ts')).toEqual(expect.arrayContaining(['commands/index.ts', 'flags.ts']));
    expect(graph.get('commands/diff/index.ts')).toContain('flags.ts');
  });

  it('has no cycle through cli.ts, flags.ts or commands/', () => {
    expect(cycles(graph).filter((c) => c.some(isCommandLine))).toEqual([]);
  });

  it('keeps flags.ts a leaf: it reaches neither cli.ts nor any command', () => {
    expect([...reachable(graph, 'flags.ts')].filter(isCommandLine)).toEqual([]);
  });

  it('keeps the commands from importing cli.ts or main.ts', () => {
    const offenders = [...graph.keys()]
      .filter((m) => m.startsWith('commands/'))
      .filter((m) => [...reachable(graph, m)].some((r) => r === 'cli.ts' || r === 'main.ts'));
    expect(offenders).toEqual([]);
  });

  it('finds a cycle when there is one (the walker works)', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
  });
});
