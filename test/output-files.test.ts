/**
 * What kp-gen may write, run as the real binary: `-o` replaces only a regular file or creates a
 * new one, never through a link, over a device, a fifo, a directory or one of the run's inputs;
 * the temporary file is unpredictable and removed when a signal ends the run; `-o -` is stdout;
 * a closed or full stdout gives an honest exit code (README "Output files", "Exit codes").
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  watch,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BENCH_FLAGS, generateCluster, toJSONList } from '../bench/cluster.mjs';
import { writeFileAtomic } from '../src/io.js';

const BIN = join(__dirname, '..', 'bin', 'kp-gen.js');
const EXAMPLES = join(__dirname, '..', 'examples');
const DUMPS = join(__dirname, 'diff', 'data');

function kpGen(args: string[], opts: { cwd?: string; stdout?: number } = {}): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0' },
    stdio: ['ignore', opts.stdout ?? 'pipe', 'pipe'],
  });
  return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr };
}

const dirs: string[] = [];
function scratch(): string {
  const d = mkdtempSync(join(tmpdir(), 'kp-gen-out-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const isRoot = process.getuid?.() === 0;
const expected = kpGen([EXAMPLES]).stdout;

describe('-o FILE', () => {
  it('refuses a fifo, leaving it a fifo', () => {
    const dir = scratch();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const r = kpGen(['-o', fifo, EXAMPLES]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`-o ${fifo}: is a fifo`);
    expect(r.stderr).toContain(`redirect stdout: > ${fifo}`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe']);
  });

  it.runIf(isRoot)('refuses a device node (as root, -o /dev/full used to replace the device)', () => {
    const dir = scratch();
    const dev = join(dir, 'full');
    expect(spawnSync('mknod', [dev, 'c', '1', '7']).status).toBe(0); // the same device as /dev/full
    const r = kpGen(['-o', dev, EXAMPLES]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`-o ${dev}: is a character device`);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir)).toEqual(['full']);
  });

  it('refuses /dev/full itself without touching it', () => {
    const before = lstatSync('/dev/full');
    const r = kpGen(['-o', '/dev/full', EXAMPLES]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('-o /dev/full: is a character device');
    const after = lstatSync('/dev/full');
    expect(after.isCharacterDevice()).toBe(true);
    expect(after.ino).toBe(before.ino);
  });

  it('refuses a symbolic link (to a file, or dangling), leaving link and target alone', () => {
    const dir = scratch();
    const target = join(dir, 'precious.txt');
    writeFileSync(target, 'keep me\n');
    const link = join(dir, 'rules.txt');
    symlinkSync(target, link);
    const r = kpGen(['-o', link, EXAMPLES]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`-o ${link}: is a symbolic link`);
    expect(r.stderr).toContain(`give the link's target (${target}) instead`);
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
    expect(readlinkSync(link)).toBe(target);

    const dangling = join(dir, 'new.txt');
    symlinkSync(join(dir, 'nowhere', 'x'), dangling);
    const d = kpGen(['-o', dangling, EXAMPLES]);
    expect(d.code).toBe(1);
    expect(d.stderr).toContain('is a symbolic link');
    expect(readdirSync(dir).sort()).toEqual(['new.txt', 'precious.txt', 'rules.txt']);
  });

  it('refuses a directory', () => {
    const dir = scratch();
    const r = kpGen(['-o', dir, EXAMPLES]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`-o ${dir}: is a directory`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses to overwrite an input: the same file, a hard link to it, a manifest inside an input directory', () => {
    const dir = scratch();
    const input = join(dir, 'x.yaml');
    const text = readFileSync(join(EXAMPLES, 'shop.yaml'), 'utf8');
    writeFileSync(input, text);
    linkSync(input, join(dir, 'hard.yaml'));
    for (const [out, args] of [
      [input, [input]],
      [join(dir, 'hard.yaml'), [input]],
      [input, [dir]],
      ['x.yaml', ['./x.yaml']],
    ] as const) {
      const r = kpGen(['-o', out, ...args], { cwd: dir });
      expect(r.code, `${out} ${args.join(' ')}`).toBe(1);
      expect(r.stderr).toContain('is also an input');
      expect(readFileSync(input, 'utf8')).toBe(text);
    }
    // A new name inside the input directory is not an input yet.
    rmSync(join(dir, 'hard.yaml'));
    const fresh = kpGen(['-o', join(dir, 'rules.txt'), dir]);
    expect(fresh.code, fresh.stderr).toBe(0);
  });

  it('keeps the mode of the file it replaces; a new file gets the default mode', () => {
    const dir = scratch();
    const out = join(dir, 'rules.txt');
    writeFileSync(out, 'old\n');
    chmodSync(out, 0o640);
    expect(kpGen(['-o', out, EXAMPLES]).code).toBe(0);
    expect(statSync(out).mode & 0o777).toBe(0o640);
    expect(readFileSync(out, 'utf8')).toBe(expected);
    const fresh = join(dir, 'fresh.txt');
    expect(kpGen(['-o', fresh, EXAMPLES]).code).toBe(0);
    const umask = process.umask();
    expect(statSync(fresh).mode & 0o777).toBe(0o666 & ~umask);
  });

  it('-o - writes to stdout, and no file named -', () => {
    const dir = scratch();
    const r = kpGen(['-o', '-', EXAMPLES], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(expected);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.each(['json', 'yaml', 'wide'])('-o %s is a usage error with a hint (-o is a file; --format picks the form)', (word) => {
    const dir = scratch();
    const r = kpGen(['-o', word, EXAMPLES], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `error: -o ${word}: -o names the output file, not a format\nhint: pick the form with --format restore|save; to write a file named ${word}, write -o ./${word}\n`,
    );
    expect(readdirSync(dir)).toEqual([]);
    expect(kpGen(['-o', `./${word}`, EXAMPLES], { cwd: dir }).code).toBe(0);
    expect(readdirSync(dir)).toEqual([word]);
  });
});

describe('a full file system', () => {
  const canMount = isRoot && (() => {
    const probe = mkdtempSync(join(tmpdir(), 'kp-gen-mnt-'));
    dirs.push(probe);
    const ok = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]).status === 0;
    if (ok) spawnSync('umount', [probe]);
    return ok;
  })();

  it.runIf(canMount)('-o on a full disk: a clear error, exit 1, the old file intact, no temporary file left', () => {
    const dir = scratch();
    const mnt = join(dir, 'small');
    mkdirSync(mnt);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mnt]).status).toBe(0);
    try {
      const input = join(dir, 'cluster.json');
      writeFileSync(input, toJSONList(generateCluster(200)));
      const out = join(mnt, 'rules.txt');
      writeFileSync(out, 'old\n');
      const r = kpGen([...BENCH_FLAGS, '-q', '-o', out, input]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(`error: cannot write ${out}: no space left on device\n`);
      expect(readFileSync(out, 'utf8')).toBe('old\n');
      expect(readdirSync(mnt)).toEqual(['rules.txt']);
    } finally {
      spawnSync('umount', [mnt]);
    }
  });
});

describe('the temporary file', () => {
  it('has an unpredictable name beside the target, different on each write, and is gone afterwards', async () => {
    const dir = scratch();
    const out = join(dir, 'rules.txt');
    const seen: string[] = [];
    const watcher = watch(dir, (_event, name) => {
      if (name && name !== 'rules.txt' && !seen.includes(name)) seen.push(name);
    });
    try {
      await writeFileAtomic(out, 'one\n');
      await writeFileAtomic(out, 'two\n');
      await new Promise((r) => setTimeout(r, 100));
    } finally {
      watcher.close();
    }
    expect(seen).toHaveLength(2);
    for (const name of seen) expect(name).toMatch(/^\.rules\.txt\.[0-9a-f]{16}\.tmp$/);
    expect(seen.some((n) => n.includes(String(process.pid)))).toBe(false);
    expect(readdirSync(dir)).toEqual(['rules.txt']);
    expect(readFileSync(out, 'utf8')).toBe('two\n');
  });

  it('never writes through a symbolic link planted at the target while it writes', async () => {
    const dir = scratch();
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'keep\n');
    const out = join(dir, 'rules.txt');
    // The link appears after the first check, before the rename: the rename refuses it.
    function* chunks(): Generator<string> {
      yield 'a\n';
      symlinkSync(victim, out);
      yield 'b\n';
    }
    await expect(writeFileAtomic(out, chunks())).rejects.toThrow(`-o ${out}: is a symbolic link`);
    expect(readFileSync(victim, 'utf8')).toBe('keep\n');
    expect(readdirSync(dir).sort()).toEqual(['rules.txt', 'victim']);
  });

  describe('is removed when a signal ends the run', () => {
    const dir = scratch();
    const input = join(dir, 'cluster.json');
    writeFileSync(input, toJSONList(generateCluster(5000)));
    it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('%s', async (signal) => {
      const out = join(dir, `rules-${signal}.txt`);
      const child = spawn(process.execPath, [BIN, ...BENCH_FLAGS, '-q', '-o', out, input], { stdio: 'ignore' });
      const temp = new RegExp(`^\\.rules-${signal}\\.txt\\.[0-9a-f]+\\.tmp$`);
      // Wait for the temporary file to appear, then send the signal.
      const deadline = Date.now() + 20_000;
      let sent = false;
      while (Date.now() < deadline && child.exitCode === null) {
        if (readdirSync(dir).some((f) => temp.test(f))) {
          child.kill(signal);
          sent = true;
          break;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
      const [code, sig] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve([child.exitCode, child.signalCode]);
        else child.once('exit', (c, s) => resolve([c, s]));
      });
      expect(sent).toBe(true);
      expect(sig ?? code).toBe(signal);
      expect(readdirSync(dir).filter((f) => f.startsWith(`.rules-${signal}`) || f === `rules-${signal}.txt`)).toEqual([]);
    }, 30_000);
  });
});

describe('stdout', () => {
  it.each([
    ['the main command', [EXAMPLES]],
    ['diff of two equal dumps (0 would say "same" about output nobody saw)', ['diff', join(DUMPS, 'cluster.rules'), join(DUMPS, 'cluster.rules')]],
    ['diff of two different dumps', ['diff', join(DUMPS, 'cluster.rules'), join(DUMPS, 'cluster-changed.nft.save')]],
    ['--help', ['--help']],
  ])('closed before the output is written (| head): %s exits 141, quietly', async (_what, args) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    child.stdout.destroy(); // the reader is gone before kp-gen writes anything
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
    expect(stderr.replace(/^note: .*\n/gm, '')).toBe('');
    expect(code).toBe(141);
  });

  it('full (ENOSPC): a clear error, exit 1; for diff, exit 2 (trouble)', () => {
    const full = openSync('/dev/full', 'w');
    try {
      const r = kpGen([EXAMPLES], { stdout: full });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('error: cannot write to standard output: no space left on device\n');
      const d = kpGen(['diff', join(DUMPS, 'cluster.rules'), join(DUMPS, 'cluster.rules')], { stdout: full });
      expect(d.code).toBe(2);
      expect(d.stderr).toContain('error: cannot write to standard output: no space left on device\n');
    } finally {
      closeSync(full);
    }
  });
});
