/**
 * Plain (unquoted) scalars resolved as kubectl and the API server read them: sigs.k8s.io/yaml
 * parses YAML with go-yaml v2 (YAML 1.1 rules) into untyped values and turns them into JSON.
 * go-yaml v2's `resolve` (goyaml.v2/resolve.go), for a scalar without a tag:
 *
 * - these words only, as written: `y Y yes Yes YES true True TRUE on On ON` are true,
 *   `n N no No NO false False FALSE off Off OFF` are false, `~ null Null NULL` and the empty
 *   scalar are null; `.inf .Inf .INF` with an optional sign and `.nan .NaN .NAN` are floats;
 * - starting with `.`: a decimal fraction (`.5`, `.5e3`);
 * - starting with a digit or a sign: every `_` is dropped, then an integer as Go writes one
 *   (`0x1F`, `0o17`, `0b101`, `0120` octal = 80, decimal), else a decimal float
 *   (`1.5`, `1e3`, `09` = 9, since 9 is no octal digit); timestamps stay the strings they are
 *   when decoded into untyped values, and sexagesimal `1:20` is a string (go-yaml dropped it);
 * - anything else is a string. A quoted scalar is always a string (`port: "80"`).
 *
 * sigs.k8s.io/yaml then writes JSON: a boolean or number key becomes its text (`y:` is the key
 * "true"), which js-yaml's own key conversion gives too. Infinity and NaN cannot be written as
 * JSON (kubectl refuses them); here they stay numbers, which every field kp-gen reads refuses.
 *
 * Both YAML readers use this one function: js-yaml through MANIFEST_SCHEMA's implicit types
 * (yaml.ts), the block reader (yaml-block.ts) directly.
 */
import yaml from 'js-yaml';

const WORDS = new Map<string, boolean | null | number>([
  ...['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON'].map((w) => [w, true] as const),
  ...['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF'].map((w) => [w, false] as const),
  ...['~', 'null', 'Null', 'NULL'].map((w) => [w, null] as const),
  ...['.nan', '.NaN', '.NAN'].map((w) => [w, Number.NaN] as const),
  ...['.inf', '.Inf', '.INF', '+.inf', '+.Inf', '+.INF'].map((w) => [w, Number.POSITIVE_INFINITY] as const),
  ...['-.inf', '-.Inf', '-.INF'].map((w) => [w, Number.NEGATIVE_INFINITY] as const),
]);

/** An integer as Go's strconv.ParseInt(s, 0, 64) reads one (base from the prefix), underscores already dropped. */
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)$/;
/** go-yaml's yamlStyleFloat. */
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** A fraction starting with `.`, as Go's ParseFloat reads one (no underscores there). */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;

/** The value of the Go integer literal matched by GO_INT. */
function goInt(sign: string, body: string): number {
  let big: bigint;
  const p = body.charCodeAt(1) | 0x20; // the prefix letter, lower-cased
  if (body.length > 1 && body.charCodeAt(0) === 0x30 && (p === 0x78 || p === 0x62 || p === 0x6f)) big = BigInt(`0${body[1]!.toLowerCase()}${body.slice(2)}`);
  else if (body.length > 1 && body.charCodeAt(0) === 0x30) big = BigInt(`0o${body.slice(1)}`);
  else big = BigInt(body);
  const n = Number(sign === '-' ? -big : big);
  return n === 0 ? 0 : n;
}

/** A plain scalar's value, as go-yaml v2 resolves it for sigs.k8s.io/yaml (see above). */
export function resolvePlainScalar(t: string): unknown {
  if (t === '') return null;
  const c = t.charCodeAt(0);
  // y Y n N t T f F o O ~: only the words.
  if (c === 0x79 || c === 0x59 || c === 0x6e || c === 0x4e || c === 0x74 || c === 0x54 || c === 0x66 || c === 0x46 || c === 0x6f || c === 0x4f || c === 0x7e) {
    const w = WORDS.get(t);
    return w === undefined ? t : w;
  }
  if (c === 0x2e) {
    const w = WORDS.get(t);
    if (w !== undefined) return w;
    if (DOT_FLOAT.test(t)) {
      const n = Number(t);
      if (Number.isFinite(n)) return n;
    }
    return t;
  }
  if (c !== 0x2b && c !== 0x2d && (c < 0x30 || c > 0x39)) return t;
  // Two dots (an IP address, a version) make a string: a number has at most one.
  const dot = t.indexOf('.');
  if (dot !== -1 && t.indexOf('.', dot + 1) !== -1) return t;
  const w = WORDS.get(t);
  if (w !== undefined) return w;
  const plain = t.includes('_') ? t.replaceAll('_', '') : t;
  const m = GO_INT.exec(plain);
  if (m) return goInt(m[1]!, m[2]!);
  if (YAML_FLOAT.test(plain)) {
    const n = Number(plain);
    if (Number.isFinite(n)) return n === 0 ? 0 : n;
  }
  return t;
}

/**
 * js-yaml types resolving plain scalars by resolvePlainScalar, one per result type (js-yaml
 * tags each value with its type's tag, and quotes a string on output when a type would read
 * it as something else). Each resolves exactly the scalars that give its kind of value.
 */
function scalarType(tag: string, resolves: (v: unknown) => boolean, predicate: (v: unknown) => boolean, represent: (v: object) => string): yaml.Type {
  // js-yaml asks each type in turn about the same scalar, then constructs it: remember the last.
  let lastIn: string | undefined;
  let lastOut: unknown;
  const value = (data: string | null): unknown => {
    const t = data ?? '';
    if (t !== lastIn) {
      lastIn = t;
      lastOut = resolvePlainScalar(t);
    }
    return lastOut;
  };
  return new yaml.Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (data: string | null) => resolves(value(data)),
    construct: value,
    predicate,
    represent,
  });
}

const isInteger = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v);

/**
 * In js-yaml's order: the first type whose value it is claims a scalar, so `float` (which an
 * explicit `!!float 1` also reaches) comes after `int`.
 */
export const YAML11_TYPES: yaml.Type[] = [
  scalarType('null', (v) => v === null, (v) => v === null, () => 'null'),
  scalarType('bool', (v) => typeof v === 'boolean', (v) => typeof v === 'boolean', (v) => (v.valueOf() ? 'true' : 'false')),
  scalarType('int', isInteger, isInteger, (v) => String(v.valueOf())),
  scalarType('float', (v) => typeof v === 'number', (v) => typeof v === 'number' && !Number.isInteger(v), (v) => {
    const n = v.valueOf() as number;
    if (Number.isNaN(n)) return '.nan';
    if (!Number.isFinite(n)) return n > 0 ? '.inf' : '-.inf';
    return String(n);
  }),
];
