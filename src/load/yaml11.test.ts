/**
 * Plain scalars as kubectl reads them: go-yaml v2's resolve rules (goyaml.v2/resolve.go, and
 * the cases of its decode_test.go), transcribed as input → value. Every case goes through both
 * YAML readers, the block-style reader and js-yaml with MANIFEST_SCHEMA, which must agree.
 */
import { describe, expect, it } from 'vitest';
import { loadYAMLDocuments } from './yaml.js';
import { resolvePlainScalar } from './yaml11.js';

/** [plain scalar, value kubectl reads]. */
const CASES: [string, unknown][] = [
  // go-yaml's decode_test.go, with untyped targets.
  ['hi', 'hi'],
  ['true', true],
  ['10', 10],
  ['0b10', 2],
  ['0xA', 10],
  ['4294967296', 4294967296],
  ['0.1', 0.1],
  ['.1', 0.1],
  ['.Inf', Infinity],
  ['-.Inf', -Infinity],
  ['-10', -10],
  ['-.1', -0.1],
  ['6.8523e+5', 685230],
  ['685.230_15e+03', 685230.15],
  ['685_230.15', 685230.15],
  ['-.inf', -Infinity],
  ['y', true],
  ['NO', false],
  ['True', true],
  ['on', true],
  ['685230', 685230],
  ['+685_230', 685230],
  ['02472256', 685230],
  ['0x_0A_74_AE', 685230],
  ['0b1010_0111_0100_1010_1110', 685230],
  ['-0b101010', -42],
  ['9223372036854775807', 9223372036854775807],
  ['-9223372036854775808', -9223372036854775808],
  ['18446744073709551615', 18446744073709551615],
  ['~', null],
  ['null', null],
  ['-b_c', '-b_c'],
  ['+b_c', '+b_c'],
  ['50cent_of_dollar', '50cent_of_dollar'],
  ['<foo>', '<foo>'],
  ['1:1', '1:1'],
  ['1.2.3.4', '1.2.3.4'],
  ['2015-01-01', '2015-01-01'],
  ['2015-02-24T18:19:39Z', '2015-02-24T18:19:39Z'],
  ['2015-02-24 18:19:39', '2015-02-24 18:19:39'],
  ['3s', '3s'],
  ['123456e1', 1234560],
  ['123456E1', 1234560],
  // The rest of resolve.go's table and branches.
  ...['Y', 'yes', 'Yes', 'YES', 'TRUE', 'On', 'ON'].map((w): [string, unknown] => [w, true]),
  ...['n', 'N', 'no', 'No', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((w): [string, unknown] => [w, false]),
  ...['Null', 'NULL'].map((w): [string, unknown] => [w, null]),
  ...['.inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((w): [string, unknown] => [w, Infinity]),
  ...['.nan', '.NaN', '.NAN'].map((w): [string, unknown] => [w, Number.NaN]),
  // Only the words, as written.
  ...['yES', 'nO', 'tRUE', 'oN', 'nULL', 'o', 'O', 'Nan', 'NaN', 'inf', 'Infinity', 'yess', 'nah', '~x', '.x', '.'].map((w): [string, unknown] => [w, w]),
  // Integers as Go's ParseInt(s, 0, 64) reads them, after every `_` is dropped.
  ['0120', 80],
  ['0', 0],
  ['00', 0],
  ['-0', 0],
  ['+0', 0],
  ['017', 15],
  ['0o17', 15],
  ['0O17', 15],
  ['0x1F', 31],
  ['0X1f', 31],
  ['-0x1F', -31],
  ['+0x1F', 31],
  ['0b101', 5],
  ['0B101', 5],
  ['1_000', 1000],
  ['1__0_0_0', 1000],
  ['1_', 1],
  ['0x_1F', 31],
  // Not an integer, then a float by yamlStyleFloat: 9 is no octal digit.
  ['09', 9],
  ['0129', 129],
  ['08080', 8080],
  ['1e3', 1000],
  ['1E3', 1000],
  ['1.', 1],
  ['+1.5', 1.5],
  ['-1.5e-3', -0.0015],
  ['+.5', 0.5],
  ['-0.0', 0],
  ['.5e3', 500],
  // Strings after all.
  ['0x', '0x'],
  ['0xg', '0xg'],
  ['0b102', '0b102'],
  ['0o8', '0o8'],
  ['1e', '1e'],
  ['1e400', '1e400'],
  ['.5e400', '.5e400'],
  ['.5_0', '.5_0'],
  ['0x1p3', '0x1p3'],
  ['1:20', '1:20'],
  ['190:20:30.15', '190:20:30.15'],
  ['10.96.0.10', '10.96.0.10'],
  ['1.2.3', '1.2.3'],
  ['+', '+'],
  ['-x', '-x'],
  ['+x', '+x'],
  ['1-2', '1-2'],
  ['v1', 'v1'],
  ['TCP', 'TCP'],
  ['_1', '_1'],
  ['=', '='],
];

/** The value of `v:` in `text`, read by one reader; which reader answered. */
function read(text: string, fastPath: boolean): { value: unknown; how: string } {
  let how = '';
  const [doc] = loadYAMLDocuments(text, 'x.yaml', { fastPath, report: (h) => (how = h) });
  return { value: (doc as { v: unknown }).v, how };
}

describe('plain scalars as kubectl reads them (go-yaml v2)', () => {
  it.each(CASES)('%s', (scalar, want) => {
    expect(resolvePlainScalar(scalar)).toStrictEqual(want);
    const text = `v: ${scalar}\n`;
    const fast = read(text, true);
    const slow = read(text, false);
    expect(fast.how).toBe('fast path');
    expect(slow.how).toBe('js-yaml');
    expect(fast.value).toStrictEqual(want);
    expect(slow.value).toStrictEqual(want);
    // In a flow sequence and as a sequence entry too.
    expect(read(`v: [${scalar}]\n`, true).value).toStrictEqual([want]);
    expect(read(`v:\n- ${scalar}\n`, false).value).toStrictEqual([want]);
  });

  it('quoted scalars stay strings', () => {
    for (const q of ['"80"', "'0120'", '"yes"', "'~'", '"1_000"']) {
      expect(read(`v: ${q}\n`, true).value).toBe(q.slice(1, -1));
      expect(read(`v: ${q}\n`, false).value).toBe(q.slice(1, -1));
    }
  });

  it('keys that resolve to something else become its text, as sigs.k8s.io/yaml writes them into JSON', () => {
    for (const [key, text] of [['y', 'true'], ['off', 'false'], ['0120', '80'], ['1_000', '1000'], ['0x1F', '31'], ['1.5', '1.5']]) {
      const yamlText = `${key}: a\nb: c\n`;
      const [fast] = loadYAMLDocuments(yamlText, 'x.yaml');
      const [slow] = loadYAMLDocuments(yamlText, 'x.yaml', { fastPath: false });
      expect(fast).toStrictEqual({ [text!]: 'a', b: 'c' });
      expect(slow).toStrictEqual(fast);
    }
  });

  it('a manifest with YAML 1.1 numbers and words reads as kubectl would send it', () => {
    const text = 'apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  publishNotReadyAddresses: yes\n  ports:\n  - port: 0120\n    targetPort: 8_080\n    nodePort: 0x7531\n';
    for (const fastPath of [true, false]) {
      const [doc] = loadYAMLDocuments(text, 'x.yaml', { fastPath });
      expect((doc as { spec: unknown }).spec).toStrictEqual({ publishNotReadyAddresses: true, ports: [{ port: 80, targetPort: 8080, nodePort: 30001 }] });
    }
  });
});
