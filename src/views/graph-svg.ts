/**
 * DOT → SVG in-process, with Graphviz compiled to WebAssembly (@viz-js/viz: Graphviz's own
 * layout engines, maintained, one self-contained module with no system binary and nothing to
 * fetch at run time). Loaded only by `kp-gen graph --format svg`.
 */
import { UserError } from '../errors.js';

export async function dotToSVG(dot: string): Promise<string> {
  const { instance } = await import('@viz-js/viz');
  const viz = await instance();
  const result = viz.render(dot, { format: 'svg', engine: 'dot' });
  if (result.status !== 'success') {
    // The DOT is kp-gen's own: a failure to lay it out is a bug, not the user's input.
    throw new UserError(`Graphviz could not lay out the graph: ${result.errors.map((e) => e.message).join('; ')}`);
  }
  return result.output.endsWith('\n') ? result.output : `${result.output}\n`;
}
