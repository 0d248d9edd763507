/**
 * Multi-document YAML → documents. Block-style YAML as kubectl and js-yaml write it is read
 * by yaml-block.ts, several times faster than js-yaml; any other text goes to js-yaml.
 *
 * js-yaml is the slowest stage of kp-gen on a large input (about 2.5 s for the 26 MB of a
 * 10k-Service cluster, where everything else takes about 1.5 s), so a large multi-document
 * file is cut at a document marker near its middle and the second half is parsed on a worker
 * thread while this thread parses the first. The caller stays synchronous: it blocks on the
 * worker's answer (Atomics.wait + receiveMessageOnPort).
 *
 * Cutting at a line `---` is exact: YAML forbids a document marker at the start of a line
 * inside any scalar, and anchors do not cross documents. Files with directives (`%YAML`) or
 * document-end markers (`...`) are parsed in one piece, as is everything under
 * PARALLEL_MIN_CHARS. If the worker cannot be used, the second half is parsed here.
 */
import { createRequire } from 'node:module';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import yaml from 'js-yaml';
import { InputError } from '../errors.js';
import { parseBlockYAML } from './yaml-block.js';

/** Below this many characters, starting a worker costs more than it saves. */
export const PARALLEL_MIN_CHARS = 4 * 1024 * 1024;

/** How long to wait for the worker before parsing its half here instead. */
const WORKER_TIMEOUT_MS = 120_000;

/**
 * js-yaml's default schema without the implicit timestamp type: an unquoted date stays a
 * string, as it does when kubectl turns YAML into JSON, and no plain scalar has to be tried
 * against the timestamp pattern, which makes large inputs parse about 20% faster. Merge keys
 * (`<<`) and the explicit tags (`!!timestamp`, `!!binary`, `!!set`, …) still work.
 * WORKER_SOURCE builds the same schema (yaml.test.ts checks both agree).
 */
export const MANIFEST_SCHEMA = (() => {
  // js-yaml exports its built-in types at run time; @types/js-yaml does not declare them.
  const t = (yaml as unknown as { types: Record<'merge' | 'timestamp' | 'binary' | 'omap' | 'pairs' | 'set', yaml.Type> }).types;
  return yaml.CORE_SCHEMA.extend({ implicit: [t.merge], explicit: [t.timestamp, t.binary, t.omap, t.pairs, t.set] });
})();

/** The worker, as source (CommonJS), so it runs the same from dist/ and under vitest. */
const WORKER_SOURCE = `
const { workerData } = require('node:worker_threads');
const yaml = require(workerData.jsYaml);
const t = yaml.types;
const schema = yaml.CORE_SCHEMA.extend({ implicit: [t.merge], explicit: [t.timestamp, t.binary, t.omap, t.pairs, t.set] });
const done = new Int32Array(workerData.done);
function plainJSON(v) {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) { for (const x of v) if (!plainJSON(x)) return false; return true; }
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    for (const k in v) if (!plainJSON(v[k])) return false;
    return true;
  }
  return false;
}
let answer;
try {
  const docs = yaml.loadAll(workerData.text, undefined, { schema });
  // As JSON text when that loses nothing: one flat string crosses threads far faster than a
  // structured clone of the documents, and JSON.parse rebuilds them quickly. Values JSON cannot
  // hold (.inf, !!timestamp, !!binary, ...) fall back to the structured clone.
  answer = plainJSON(docs) ? { kind: 'json', json: JSON.stringify(docs) } : { kind: 'docs', docs };
} catch (e) {
  answer = e instanceof yaml.YAMLException
    ? { kind: 'syntax', reason: e.reason, line: e.mark.line, column: e.mark.column }
    : { kind: 'failed', message: String(e) };
}
try {
  workerData.port.postMessage(answer);
} catch (e) {
  workerData.port.postMessage({ kind: 'failed', message: String(e) });
}
Atomics.store(done, 0, 1);
Atomics.notify(done, 0);
`;

type WorkerAnswer =
  | { kind: 'docs'; docs: unknown[] }
  | { kind: 'json'; json: string }
  | { kind: 'syntax'; reason: string; line: number; column: number }
  | { kind: 'failed'; message: string };

export interface LoadYAMLOptions {
  /** Use a worker from this many characters on (default PARALLEL_MIN_CHARS). */
  parallelMinChars?: number;
  /** Try the block-style reader (yaml-block.ts) first (default true; false for tests). */
  fastPath?: boolean;
  /** Told how the text was parsed (for tests). */
  report?: (how: 'fast path' | 'one piece' | 'two threads' | 'worker failed') => void;
}

/**
 * Parse every document of `text` (the file named `file`, for messages). The block-style
 * reader answers for the whole text or not at all; when it does not, js-yaml parses the text
 * (in two pieces if it is large), so every error message comes from js-yaml.
 */
export function loadYAMLDocuments(text: string, file: string, opts: LoadYAMLOptions = {}): unknown[] {
  const report = opts.report ?? (() => undefined);
  const fast = opts.fastPath === false ? undefined : parseBlockYAML(text);
  if (fast) {
    report('fast path');
    return fast;
  }
  const cut = text.length >= (opts.parallelMinChars ?? PARALLEL_MIN_CHARS) ? cutPoint(text) : -1;
  const job = cut < 0 ? undefined : startWorker(text.slice(cut));
  if (!job) {
    report('one piece');
    return loadHere(text, file, 0);
  }
  let first: unknown[];
  try {
    first = loadHere(text.slice(0, cut), file, 0);
  } catch (e) {
    job.stop();
    throw e; // the earlier error wins, as it would in one piece
  }
  const answer = job.wait();
  const lineOffset = countLines(text, cut);
  if (answer?.kind === 'docs' || answer?.kind === 'json') {
    report('two threads');
    return first.concat(answer.kind === 'json' ? (JSON.parse(answer.json) as unknown[]) : answer.docs);
  }
  if (answer?.kind === 'syntax') throw syntaxError(file, answer.line + lineOffset, answer.column, answer.reason);
  report('worker failed');
  return first.concat(loadHere(text.slice(cut), file, lineOffset));
}

function loadHere(text: string, file: string, lineOffset: number): unknown[] {
  try {
    return yaml.loadAll(text, undefined, { filename: file, schema: MANIFEST_SCHEMA });
  } catch (e) {
    if (e instanceof yaml.YAMLException) throw syntaxError(file, e.mark.line + lineOffset, e.mark.column, e.reason);
    throw e;
  }
}

/** `line` and `column` 0-based, as js-yaml gives them. */
function syntaxError(file: string, line: number, column: number, reason: string): InputError {
  return new InputError({ file, line: line + 1, column: column + 1 }, `invalid YAML: ${reason}`);
}

/**
 * Where to cut: the start of a `---` line at or after the middle, or -1 when the text should
 * stay in one piece.
 */
export function cutPoint(text: string): number {
  if (text.startsWith('%') || text.includes('\n%') || /^\.\.\.(?:[ \t\r\n]|$)/m.test(text)) return -1;
  const marker = /\n---(?:[ \t\r\n]|$)/g;
  marker.lastIndex = text.length >> 1;
  const m = marker.exec(text);
  return m ? m.index + 1 : -1;
}

function countLines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

interface Job {
  /** Blocks until the worker answers; undefined if it did not (time-out, failure). */
  wait: () => WorkerAnswer | undefined;
  stop: () => void;
}

function startWorker(text: string): Job | undefined {
  let worker: Worker;
  const done = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  try {
    const jsYaml = createRequire(import.meta.url).resolve('js-yaml');
    worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { text, jsYaml, done: done.buffer, port: port2 },
      transferList: [port2],
    });
  } catch {
    port1.close();
    return undefined;
  }
  worker.unref();
  worker.on('error', () => {
    // Reported through wait() as no answer; the half is then parsed on this thread.
  });
  const stop = (): void => {
    port1.close();
    void worker.terminate().catch(() => undefined);
  };
  return {
    stop,
    wait: () => {
      const deadline = Date.now() + WORKER_TIMEOUT_MS;
      let answer: WorkerAnswer | undefined;
      while (answer === undefined && Date.now() < deadline) {
        const got = receiveMessageOnPort(port1);
        if (got) answer = got.message as WorkerAnswer;
        else Atomics.wait(done, 0, 0, 50);
      }
      stop();
      return answer;
    },
  };
}
