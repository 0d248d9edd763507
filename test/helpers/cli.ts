/** Run the CLI in-process, capturing its streams. */
import { runCli } from '../../src/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** `stdoutIsTTY`/`stderrIsTTY` pretend a stream is a terminal (colour decisions); `env` the environment. */
export async function runKpGen(
  argv: readonly string[],
  stdin = '',
  opts: { stdoutIsTTY?: boolean; stderrIsTTY?: boolean; env?: Record<string, string> } = {},
): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: async (chunk) => {
      const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    readStdin: () => stdin,
    stdoutIsTTY: opts.stdoutIsTTY === true,
    stderrIsTTY: opts.stderrIsTTY === true,
    ...(opts.env ? { env: opts.env } : {}),
  });
  return { code, stdout, stderr };
}
