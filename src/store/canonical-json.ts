/**
 * Canonical JSON for the audit chain: the text that is stored is exactly the text that is MACed, and a
 * verifier can tell whether a stored text is canonical by parsing it and encoding it again.
 *
 * Rules: object keys sorted (by UTF-16 code units, the order of `Array.prototype.sort`), no whitespace,
 * numbers and strings exactly as `JSON.stringify` writes them. Values with no JSON form are refused rather
 * than silently changed: non-finite numbers, `undefined` where a value must be (an array element, the value
 * itself), functions, symbols, bigints, cycles. An object property whose value is `undefined` is absent,
 * as in `JSON.stringify` (an optional option that was not given).
 */
export function canonicalJson(value: unknown): string {
  return encode(value, '$', new Set());
}

function encode(v: unknown, path: string, seen: Set<object>): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(v))
        throw new TypeError(`${path}: ${String(v)} is not a finite number, JSON has no form for it`);
      return JSON.stringify(v);
    case 'string':
      return JSON.stringify(v);
    case 'undefined':
      throw new TypeError(`${path} is undefined, JSON has no form for it`);
    case 'object': {
      const withToJson = v as { toJSON?: () => unknown };
      if (typeof withToJson.toJSON === 'function') return encode(withToJson.toJSON(), path, seen);
      if (seen.has(v)) throw new TypeError(`${path}: the value contains itself`);
      seen.add(v);
      let out: string;
      if (Array.isArray(v)) {
        const parts: string[] = [];
        for (let i = 0; i < v.length; i++) parts.push(encode(v[i], `${path}[${i}]`, seen));
        out = `[${parts.join(',')}]`;
      } else {
        const o = v as Record<string, unknown>;
        const parts: string[] = [];
        for (const k of Object.keys(o).sort()) {
          if (o[k] === undefined) continue;
          parts.push(`${JSON.stringify(k)}:${encode(o[k], `${path}.${k}`, seen)}`);
        }
        out = `{${parts.join(',')}}`;
      }
      seen.delete(v);
      return out;
    }
    default:
      throw new TypeError(`${path}: a ${typeof v} has no JSON form`);
  }
}

// JSON strings may not hold raw control characters (U+0000–U+001F): the class below excludes them.
// eslint-disable-next-line no-control-regex
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const MAX_DEPTH = 512;

/**
 * Parses RFC 8259 JSON and refuses what `JSON.parse` lets through silently: an object with the same key
 * twice (JSON.parse keeps the last one, so two readers of the same text can see different values).
 * Throws a SyntaxError naming the position.
 */
export function parseStrictJson(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw new SyntaxError(`${what} at position ${i}`);
  };
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
      i++;
  };
  const str = (): string => {
    STRING.lastIndex = i;
    const m = STRING.exec(text);
    if (!m) fail('invalid string');
    i += m![0].length;
    return JSON.parse(m![0]) as string;
  };
  const value = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail('nested too deeply');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      const keys = new Set<string>();
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a key');
        const at = i;
        const k = str();
        if (keys.has(k)) {
          i = at;
          fail(`duplicate key ${JSON.stringify(k)}`);
        }
        keys.add(k);
        ws();
        if (text[i] !== ':') fail('expected ":"');
        i++;
        // defineProperty: a key "__proto__" is an ordinary key here, as in JSON.parse.
        Object.defineProperty(out, k, {
          value: value(depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return out;
        }
        fail('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return out;
        }
        fail('expected "," or "]"');
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const)
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return fail('unexpected character');
    i += m[0].length;
    return Number(m[0]);
  };
  const v = value(0);
  ws();
  if (i !== text.length) fail('unexpected text after the value');
  return v;
}
