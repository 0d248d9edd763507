/**
 * The benchmark's yardstick: a process that only reads and parses an input with the parser
 * kp-gen uses (JSON.parse for JSON; for YAML, kp-gen's own loader from dist/, i.e. the
 * block-style reader of src/load/yaml-block.ts, with js-yaml as its fallback) and then
 * exits. kp-gen's cost is reported as a ratio to this one's, measured in the same run on the
 * same file. Needs `npm run build` (`npm run bench` does it).
 *
 *   node bench/parse-only.mjs FILE
 */
// kp-gen's own file reader (an ASCII fast path): reading is part of parsing the input.
import { readText } from '../dist/load/files.js';
import { loadYAMLDocuments } from '../dist/load/yaml.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/parse-only.mjs FILE\n');
  process.exit(2);
}
const text = readText(file);
const docs = file.endsWith('.json') ? [JSON.parse(text)] : loadYAMLDocuments(text, file);
// Keep the result alive until here so the parse cannot be optimised away.
if (docs.length === 0) process.exitCode = 1;
