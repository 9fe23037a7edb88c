/**
 * Project VIC "VICS" JSON reader: v1 (`odata.metadata` … `#Media`) and v2 (`@odata.context` …
 * `#Media` hash sets or `#Cases` with `value[*].Media[*]`). The file is read as a token stream
 * (stream-json, packed values) and only one Media record is held at a time, so a multi-GB list is read
 * in bounded memory. A case's own fields seen before its `Media` array travel in `extra.case`.
 */
import { createReadStream } from 'node:fs';
import { parser } from 'stream-json';
import { UserError } from '../../util/errors.js';
import { checkHex, head, mapCategory } from './common.js';
import type { HashListEntry, HashListFormat, InvalidRecord, ReadListOptions } from './types.js';

interface Token {
  name: string;
  value?: unknown;
}

const BOOLEAN_FIELDS = new Set([
  'IsPrecategorized',
  'VictimIdentified',
  'OffenderIdentified',
  'IsDistributed',
  'IsSuspected',
  'SelfGenerated',
  'Deleted',
]);
/** Fields mapped onto HashListEntry; everything else goes to `extra`. */
const MAPPED = new Set(['MediaID', 'MD5', 'SHA1', 'SHA256', 'PhotoDNA', 'Category']);

/** Builds one JSON value from packed tokens; `consume` returns true when the value is complete. */
class ValueBuilder {
  value: unknown = undefined;
  private stack: (Record<string, unknown> | unknown[])[] = [];
  private keys: (string | null)[] = [];

  consume(tok: Token): boolean {
    switch (tok.name) {
      case 'startObject':
        this.open({});
        return false;
      case 'startArray':
        this.open([]);
        return false;
      case 'endObject':
      case 'endArray': {
        const done = this.stack.pop();
        this.keys.pop();
        return this.add(done);
      }
      case 'keyValue':
        this.keys[this.keys.length - 1] = tok.value as string;
        return false;
      case 'stringValue':
        return this.add(tok.value);
      case 'numberValue':
        return this.add(Number(tok.value));
      case 'nullValue':
        return this.add(null);
      case 'trueValue':
        return this.add(true);
      case 'falseValue':
        return this.add(false);
      default:
        return false; // streamed chunks: not produced with packed values
    }
  }

  private open(c: Record<string, unknown> | unknown[]): void {
    this.stack.push(c);
    this.keys.push(null);
  }

  private add(v: unknown): boolean {
    const top = this.stack[this.stack.length - 1];
    if (!top) {
      this.value = v;
      return true;
    }
    if (Array.isArray(top)) top.push(v);
    else top[this.keys[this.keys.length - 1] ?? ''] = v;
    return false;
  }
}

function normalizeBooleans(obj: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(obj)) {
    if (BOOLEAN_FIELDS.has(k) && typeof v === 'string' && /^(true|false)$/i.test(v.trim())) {
      obj[k] = v.trim().toLowerCase() === 'true';
    } else if (Array.isArray(v)) {
      for (const item of v)
        if (item && typeof item === 'object' && !Array.isArray(item))
          normalizeBooleans(item as Record<string, unknown>);
    }
  }
}

function pdqFrom(media: Record<string, unknown>): unknown {
  for (const [k, v] of Object.entries(media)) if (k.toLowerCase() === 'pdq' && v) return v;
  const tags = media.Tags;
  const list = Array.isArray(tags) ? tags : typeof tags === 'string' ? tags.split(/[,;|]/) : [];
  for (const t of list) {
    const m = typeof t === 'string' ? /^\s*pdq:\s*(\S+)\s*$/i.exec(t) : null;
    if (m) return m[1];
  }
  return null;
}

/** Turns one Media object into an entry, or an InvalidRecord naming what is wrong with it. */
export function vicsMediaToEntry(
  media: Record<string, unknown>,
  recordNo: number,
  opts: ReadListOptions,
  caseFields?: Record<string, unknown>,
): HashListEntry | InvalidRecord {
  if (typeof media !== 'object' || media === null || Array.isArray(media)) {
    return { recordNo, problem: 'Media record is not a JSON object' };
  }
  normalizeBooleans(media);
  const hashes: Record<string, string | null> = {};
  const problems: string[] = [];
  for (const [kind, field] of [
    ['md5', media.MD5],
    ['sha1', media.SHA1],
    ['sha256', media.SHA256],
    ['pdq', pdqFrom(media)],
  ] as const) {
    const r = checkHex(kind, field);
    if ('problem' in r) problems.push(r.problem);
    else hashes[kind] = r.value;
  }
  const cat = mapCategory(media.Category, opts.categoryScheme);
  if ('problem' in cat) problems.push(cat.problem);
  const photoDna = typeof media.PhotoDNA === 'string' && media.PhotoDNA.trim() ? media.PhotoDNA.trim() : null;
  if (!problems.length && !hashes.md5 && !hashes.sha1 && !hashes.sha256 && !hashes.pdq && !photoDna) {
    problems.push('record has no MD5, SHA1, SHA256, PDQ or PhotoDNA');
  }
  const id = media.MediaID;
  if (problems.length) {
    const where = id !== undefined && id !== null ? ` (MediaID ${String(id)})` : '';
    return { recordNo, problem: `record ${recordNo}${where}: ${problems.join('; ')}` };
  }
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(media)) if (!MAPPED.has(k) && k.toLowerCase() !== 'pdq') extra[k] = v;
  if (caseFields && Object.keys(caseFields).length) extra.case = caseFields;
  return {
    recordNo,
    entryId: id === undefined || id === null ? null : String(id),
    md5: hashes.md5 ?? null,
    sha1: hashes.sha1 ?? null,
    sha256: hashes.sha256 ?? null,
    pdq: hashes.pdq ?? null,
    photoDna,
    category: 'problem' in cat ? null : cat.category,
    categoryLabel: 'problem' in cat ? null : cat.label,
    label: null,
    extra,
  };
}

type Where = 'start' | 'root' | 'value' | 'element' | 'media' | 'end';

async function* readVics(file: string, opts: ReadListOptions): AsyncGenerator<HashListEntry | InvalidRecord> {
  let bytes = 0;
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  input.on('data', (c) => (bytes += c.length));
  const tokens = input.pipe(parser.asStream({ packValues: true, streamValues: false }));
  input.on('error', (e) => tokens.destroy(e));

  let where: Where = 'start';
  let context: string | null = null;
  let rootKey: string | null = null;
  let elementKey: string | null = null;
  let element: Record<string, unknown> = {};
  let isCase = false;
  let builder: ValueBuilder | null = null;
  let role: 'root' | 'element' | 'media' = 'root';
  let recordNo = 0;
  let expectMediaArray = false;

  const fail = (msg: string): never => {
    throw new UserError(`${msg} (after record ${recordNo}, near byte ${bytes})`, {
      file,
      record: recordNo + 1,
    });
  };

  try {
    for await (const tok of tokens as AsyncIterable<Token>) {
      if (builder) {
        if (!builder.consume(tok)) continue;
        const v = builder.value;
        builder = null;
        if (role === 'element') element[elementKey ?? ''] = v;
        else if (role === 'media')
          yield vicsMediaToEntry(v as Record<string, unknown>, ++recordNo, opts, element);
        continue;
      }
      const n = tok.name;
      const isStart = n === 'startObject' || n === 'startArray';
      switch (where) {
        case 'start':
          if (n !== 'startObject') fail('not a VICS JSON file: the top level is not an object');
          where = 'root';
          break;
        case 'root':
          if (n === 'keyValue') rootKey = tok.value as string;
          else if (n === 'endObject') where = 'end';
          else if (n === 'startArray' && rootKey === 'value') {
            if (!context) fail('no "odata.metadata" or "@odata.context" before "value": not a VICS file');
            where = 'value';
          } else if (isStart) {
            builder = new ValueBuilder();
            role = 'root';
            builder.consume(tok);
          } else if (n === 'stringValue' && (rootKey === 'odata.metadata' || rootKey === '@odata.context')) {
            context = tok.value as string;
            if (!/#(Media|Cases)\b/.test(context)) fail(`unsupported VICS model ${JSON.stringify(context)}`);
          }
          break;
        case 'value':
          if (n === 'endArray') where = 'root';
          else if (n === 'startObject') {
            where = 'element';
            element = {};
            isCase = /#Cases\b/.test(context ?? '');
          } else if (isStart) {
            builder = new ValueBuilder();
            role = 'media';
            builder.consume(tok);
          } else yield { recordNo: ++recordNo, problem: `record ${recordNo}: not a JSON object` };
          break;
        case 'element':
          if (n === 'keyValue') {
            elementKey = tok.value as string;
            expectMediaArray = isCase && elementKey === 'Media';
          } else if (n === 'endObject') {
            where = 'value';
            if (!isCase) yield vicsMediaToEntry(element, ++recordNo, opts);
          } else if (n === 'startArray' && expectMediaArray) {
            where = 'media';
          } else if (isStart) {
            builder = new ValueBuilder();
            role = 'element';
            builder.consume(tok);
          } else {
            const b = new ValueBuilder();
            b.consume(tok);
            element[elementKey ?? ''] = b.value;
          }
          break;
        case 'media':
          if (n === 'endArray') where = 'element';
          else {
            builder = new ValueBuilder();
            role = 'media';
            if (builder.consume(tok)) {
              yield vicsMediaToEntry(builder.value as Record<string, unknown>, ++recordNo, opts, element);
              builder = null;
            }
          }
          break;
        case 'end':
          fail('unexpected data after the end of the top-level object');
      }
    }
  } catch (e) {
    if (e instanceof UserError) throw e;
    fail(`malformed or truncated JSON: ${(e as Error).message}`);
  } finally {
    input.destroy();
  }
  if (where !== 'end') fail('truncated JSON: the file ends before the top-level object is closed');
}

export const vicsFormat: HashListFormat = {
  name: 'vics',
  async detect(file) {
    const text = (await head(file)).trimStart();
    if (!text.startsWith('{')) return 0;
    if (/"(odata\.metadata|@odata\.context)"\s*:\s*"[^"]*ProjectVic[^"]*#(Media|Cases)"/i.test(text))
      return 1;
    if (/"(odata\.metadata|@odata\.context)"/.test(text)) return 0.7;
    return 0;
  },
  read: readVics,
};
