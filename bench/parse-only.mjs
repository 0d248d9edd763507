/**
 * The benchmark's yardstick: a process that only reads and parses an input the way kp-gen's
 * loader does (JSON.parse for JSON, js-yaml's loadAll for YAML) and then exits. kp-gen's cost
 * is reported as a ratio to this one's, measured in the same run on the same file.
 *
 *   node bench/parse-only.mjs FILE
 */
import yaml from 'js-yaml';
// kp-gen's own file reader (an ASCII fast path): reading is part of parsing the input.
import { readText } from '../dist/load/files.js';

const file = process.argv[2];
if (!file) {
  process.stderr.write('usage: node bench/parse-only.mjs FILE\n');
  process.exit(2);
}
const text = readText(file);
// The schema kp-gen's loader uses (src/load/files.ts).
const t = yaml.types;
const schema = yaml.CORE_SCHEMA.extend({ implicit: [t.merge], explicit: [t.timestamp, t.binary, t.omap, t.pairs, t.set] });
const docs = file.endsWith('.json') ? [JSON.parse(text)] : yaml.loadAll(text, undefined, { schema });
// Keep the result alive until here so the parse cannot be optimised away.
if (docs.length === 0) process.exitCode = 1;
