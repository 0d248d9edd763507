import { describe, expect, it } from 'vitest';
import { runCli } from './main.js';
import { errorLines, internalErrorLines, noteText, terminalSafe, warningText } from './report.js';

process.env.FORCE_COLOR = '0';

/** Any character a terminal acts on: C0 and C1 controls (tab apart), DEL, bidi overrides. */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

describe('terminalSafe', () => {
  it.each([
    ['plain text, tabs\tand üñíçødé', 'plain text, tabs\tand üñíçødé'],
    ['\x1b[31mred\x1b[0m', '\\x1b[31mred\\x1b[0m'],
    ['a\nb\r\nc', 'a\\nb\\r\\nc'],
    ['\x00\x07\x7f\x9b', '\\x00\\x07\\x7f\\x9b'],
    ['abc\u202edcba', 'abc\\u202edcba'],
  ])('%j → %s', (text, safe) => {
    expect(terminalSafe(text)).toBe(safe);
  });

  it('every diagnostic path is one line per line it means, with no control character', () => {
    const hostile = 'x\x1b]0;pwned\x07\ny\rz\u202e';
    for (const out of [errorLines(hostile, hostile), noteText(hostile), warningText(hostile), internalErrorLines(new Error(hostile))]) {
      expect(out.replace(/\n/g, '')).not.toMatch(RAW_CONTROL);
    }
    expect(errorLines(hostile).split('\n')).toHaveLength(2);
    expect(warningText(hostile).split('\n')).toHaveLength(2);
  });

  it('a manifest cannot put a control character on the terminal through kp-gen', async () => {
    let stderr = '';
    let stdout = '';
    const manifests = [
      'apiVersion: v1\nkind: Service\nmetadata: {name: "web\\e[2J\\r", namespace: "shop\\e]0;x\\a"}\nspec: {clusterIP: 10.96.0.1, ports: [{port: 80}]}\n',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {clusterIP: 10.96.0.1, externalIPs: ["1.2.3.4\\e[2J"], ports: [{port: 80}]}\n',
      'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: "\\e[2JLoadBalancer\\n", ports: [{port: 80}]}\n',
    ];
    for (const m of manifests) {
      await runCli(['-'], {
        stdout: async (s) => void (stdout += typeof s === 'string' ? s : Buffer.from(s).toString()),
        stderr: (s) => void (stderr += s),
        readStdin: () => m,
      });
    }
    expect(stderr).toContain('\\x1b');
    expect(stderr.replace(/\n/g, '')).not.toMatch(RAW_CONTROL);
    expect(stdout).not.toMatch(RAW_CONTROL);
  });
});
