/**
 * The main job: load → decode → normalize → plan → emit. Returns the text and the warnings;
 * writing them is main.ts's business.
 */
import { buildProxierConfig } from './config.js';
import { formatWarning, InputError, UserError, type Warning } from './errors.js';
import { decodeManifests } from './load/decode.js';
import { loadFiles } from './load/files.js';
import { emitRestoreChunks } from './emit/iptables-save.js';
import { normalize } from './model/normalize.js';
import type { RunOptions } from './options.js';
import { planRules } from './plan/planner.js';

export interface RunResult {
  /**
   * The iptables-restore text in chunks of about 1 MiB, produced as they are read and to be
   * written one after the other: a large cluster's 30 MB are then neither one string in
   * memory nor one write per line. Each call emits the text anew.
   */
  chunks: () => Iterable<string>;
  /** The whole text as one string (for callers that want one; emitted on each read). */
  readonly text: string;
  /** Objects and fields skipped as kube-proxy would skip them. */
  warnings: Warning[];
}

export interface RunIO {
  readStdin: () => string;
}

export function generate(opts: RunOptions, io: RunIO): RunResult {
  const cfg = buildProxierConfig(opts);
  if (opts.paths.length === 0) {
    throw new UserError('no input: give manifest files or directories (or - for stdin)', 'try: kp-gen examples/');
  }
  // Nested calls, not locals: the parsed documents and the manifests can be collected as soon
  // as the next stage has read them, which lowers the peak memory of a large input.
  const { ports, warnings } = normalize(decodeManifests(loadFiles(opts.paths, io.readStdin)), {
    ipFamily: cfg.ipFamily,
    nodeName: cfg.nodeName,
    readNodeHints: cfg.preferSameTrafficDistribution,
  });
  if (opts.strict && warnings.length > 0) {
    if (warnings.length === 1) {
      const w = warnings[0]!;
      throw new InputError(w.location, `${w.message} (fatal under --strict)`);
    }
    throw new UserError(
      `${warnings.length} problems, fatal under --strict:\n${warnings.map((w) => `  ${formatWarning(w)}`).join('\n')}`,
    );
  }
  const ruleset = planRules(ports, cfg, { includeJumps: opts.includeJumps });
  return {
    chunks: () => emitRestoreChunks(ruleset),
    warnings,
    get text() {
      return [...emitRestoreChunks(ruleset)].join('');
    },
  };
}
