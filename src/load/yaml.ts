/**
 * Multi-document YAML → documents. Block-style YAML as kubectl and js-yaml write it is read
 * by yaml-block.ts, several times faster than js-yaml; any other text goes to js-yaml, whole,
 * so every value outside that reader's subset and every syntax error come from js-yaml.
 */
import yaml from 'js-yaml';
import { InputError } from '../errors.js';
import { parseBlockYAML } from './yaml-block.js';
import { YAML11_TYPES } from './yaml11.js';
import { checkAliasExpansion } from './yaml-aliases.js';

/**
 * Plain scalars resolved as kubectl resolves them (YAML 1.1 through go-yaml v2, yaml11.ts):
 * `0120` is 80, `yes` is true, `1_000` is 1000, an unquoted date stays a string. Merge keys
 * (`<<`) and the explicit tags (`!!timestamp`, `!!binary`, `!!set`, …) still work.
 */
export const MANIFEST_SCHEMA = (() => {
  // js-yaml exports its built-in types at run time; @types/js-yaml does not declare them.
  const t = (yaml as unknown as { types: Record<'merge' | 'timestamp' | 'binary' | 'omap' | 'pairs' | 'set', yaml.Type> }).types;
  return yaml.FAILSAFE_SCHEMA.extend({ implicit: [...YAML11_TYPES, t.merge], explicit: [t.timestamp, t.binary, t.omap, t.pairs, t.set] });
})();

/** Something that may be an anchor (`&name` after a space, a line start, `[`, `{`, `,` or `:`). */
const ANCHOR = /(?:^|[\s[{,:])&[^\s,[\]{}]/;

export interface LoadYAMLOptions {
  /** Try the block-style reader (yaml-block.ts) first (default true; false for tests). */
  fastPath?: boolean;
  /** Told which reader parsed the text (for tests). */
  report?: (how: 'fast path' | 'js-yaml') => void;
}

/**
 * Parse every document of `text` (the file named `file`, for messages). The block-style
 * reader answers for the whole text or not at all; when it does not, js-yaml parses the text.
 */
export function loadYAMLDocuments(text: string, file: string, opts: LoadYAMLOptions = {}): unknown[] {
  const report = opts.report ?? (() => undefined);
  const fast = opts.fastPath === false ? undefined : parseBlockYAML(text);
  if (fast) {
    report('fast path');
    return fast;
  }
  report('js-yaml');
  try {
    const docs = yaml.loadAll(text, undefined, { filename: file, schema: MANIFEST_SCHEMA });
    // Only anchors make aliases: text with no `&` starting a word (an anchor) cannot hold a bomb.
    if (ANCHOR.test(text)) docs.forEach((d, i) => checkAliasExpansion(d, file, i + 1));
    return docs;
  } catch (e) {
    // js-yaml's line and column are 0-based.
    if (e instanceof yaml.YAMLException) {
      throw new InputError({ file, line: e.mark.line + 1, column: e.mark.column + 1 }, `invalid YAML: ${e.reason}`);
    }
    throw e;
  }
}
