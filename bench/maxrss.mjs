/**
 * Preloaded (`node --import`) into every process the benchmark measures: at exit, writes the
 * process's peak resident set size (kB, from getrusage) to $KP_BENCH_RSS_FILE. Works where
 * /usr/bin/time is missing, and measures the node process itself, not a shell around it.
 */
import { writeFileSync } from 'node:fs';

const out = process.env.KP_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    writeFileSync(out, String(process.resourceUsage().maxRSS));
  });
}
