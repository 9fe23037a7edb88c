/**
 * A Cellebrite Physical Analyzer `report.xml` (the index inside a UFDR), read as a stream with saxes:
 * reports run to hundreds of MB, so nothing but what filet uses is kept —
 * - `<taggedFiles><file fs path size id deleted>` with its `<metadata><item name="Local Path">` (the zip
 *   member holding the bytes) and hash items (MD5, SHA256, SHA1);
 * - `<decodedData><modelType><model type="UserAccount">` models whose Source is WhatsApp (or WhatsApp
 *   Business): the account's number from its fields (Username, UserID, Phone…) and entries
 *   (`PhoneNumber` / `UserID` models with Category and Value), its Name;
 * - top-level `<metadata section="Device Info">` items and `<caseInformation><field>` values.
 * The schema drifts between Physical Analyzer versions: element and attribute names are matched without
 * their namespace prefix and without regard to case; what filet relies on (a file's path, its Local Path)
 * is checked strictly. A report that is not well-formed XML is an error naming the line.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { UserError } from '../../util/errors.js';

export interface TaggedFile {
  fs: string;
  /** The device path as the report gives it (e.g. `/data/data/com.whatsapp/databases/msgstore.db`). */
  path: string;
  size: number | null;
  id: string | null;
  /** The report's `deleted` attribute (`Intact`, `Deleted`, …), lower-cased; '' when absent. */
  deleted: string;
  /** The Local Path item, as written (backslashes and all); null when the report gives none. */
  localPath: string | null;
  md5: string | null;
  sha256: string | null;
  sha1: string | null;
  /** Line of the `<file>` element in report.xml. */
  line: number;
}

export interface ReportAccount {
  modelId: string;
  source: string;
  name: string | null;
  /** Candidate identifiers in the order they are trusted: entries first, then the model's own fields. */
  identifiers: Array<{ value: string; where: string }>;
  line: number;
}

export interface ParsedReport {
  project: Record<string, string>;
  deviceInfo: Record<string, string>;
  caseInformation: Record<string, string>;
  files: TaggedFile[];
  accounts: ReportAccount[];
}

/** First bytes of a report.xml that Physical Analyzer wrote with "protection" on (it is encrypted). */
export const PROTECTED_REPORT_MAGIC = Buffer.from([0x2d, 0x06, 0x52, 0x6d]);

/**
 * A copy of a string that shares no memory with the parser's input: V8 keeps a whole input chunk alive for a
 * substring of it, and a report's files are kept until the end (measured: the heap grew as the report).
 */
const own = (s: string) => Buffer.from(s, 'utf8').toString('utf8');

const local = (name: string) => name.slice(name.indexOf(':') + 1).toLowerCase();

function attr(tag: SaxesTagPlain, name: string): string | undefined {
  for (const [k, v] of Object.entries(tag.attributes)) if (local(k) === name) return v;
  return undefined;
}

/** Account fields that may carry the WhatsApp number, in the order they are trusted. */
const ACCOUNT_FIELDS = ['username', 'userid', 'phonenumber', 'phone', 'identifier'];

interface ModelFrame {
  type: string;
  id: string;
  line: number;
  fields: Map<string, string>;
  entries: Array<{ type: string; category: string; value: string; id: string }>;
}

export async function parseReport(
  stream: Readable,
  where: { file: string; entry: string },
): Promise<ParsedReport> {
  const out: ParsedReport = { project: {}, deviceInfo: {}, caseInformation: {}, files: [], accounts: [] };
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  const stack: string[] = [];
  let file: TaggedFile | null = null;
  let item: { name: string; text: string } | null = null;
  let caseField: { name: string; text: string } | null = null;
  let metadataSection: string | null = null;
  // Models in decodedData: the outermost UserAccount collects its fields and nested entries.
  const models: ModelFrame[] = [];
  let account: ModelFrame | null = null;
  const fieldNames: string[] = [];
  let value: { text: string } | null = null;

  parser.on('opentag', (tag) => {
    const name = local(tag.name);
    const parent = stack[stack.length - 1];
    stack.push(name);
    if (stack.length === 1) {
      for (const [k, v] of Object.entries(tag.attributes)) out.project[local(k)] = v;
      return;
    }
    if (name === 'file' && parent === 'taggedfiles') {
      const path = attr(tag, 'path');
      if (path === undefined || path === '')
        throw new UserError('a <file> in <taggedFiles> has no path attribute', {
          ...where,
          line: parser.line,
        });
      const size = attr(tag, 'size');
      const id = attr(tag, 'id');
      file = {
        fs: own(attr(tag, 'fs') ?? ''),
        path: own(path),
        size: size !== undefined && /^\d+$/.test(size.trim()) ? Number(size.trim()) : null,
        id: id === undefined ? null : own(id),
        deleted: own((attr(tag, 'deleted') ?? '').trim().toLowerCase()),
        localPath: null,
        md5: null,
        sha256: null,
        sha1: null,
        line: parser.line,
      };
    } else if (name === 'metadata') {
      metadataSection = attr(tag, 'section') ?? null;
    } else if (name === 'item' && (file || (metadataSection && /device info/i.test(metadataSection)))) {
      item = { name: attr(tag, 'name') ?? '', text: '' };
    } else if (name === 'field' && parent === 'caseinformation') {
      caseField = { name: attr(tag, 'name') ?? '', text: '' };
    } else if (name === 'model') {
      const frame: ModelFrame = {
        type: attr(tag, 'type') ?? '',
        id: attr(tag, 'id') ?? '',
        line: parser.line,
        fields: new Map(),
        entries: [],
      };
      models.push(frame);
      if (!account && parent === 'modeltype' && frame.type.toLowerCase() === 'useraccount') account = frame;
    } else if (account && (name === 'field' || name === 'multifield')) {
      fieldNames.push((attr(tag, 'name') ?? '').toLowerCase());
    } else if (account && name === 'value') {
      value = { text: '' };
    }
  });
  const onText = (t: string) => {
    if (item) item.text += t;
    else if (caseField) caseField.text += t;
    else if (value) value.text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    const name = local(tag.name);
    stack.pop();
    if (name === 'item' && item) {
      const n = item.name.trim();
      const v = item.text.trim();
      if (file) {
        const key = n.toLowerCase();
        if (key === 'local path') file.localPath = own(v);
        else if (key === 'md5' && v) file.md5 = own(v.toLowerCase());
        else if ((key === 'sha256' || key === 'sha-256') && v) file.sha256 = own(v.toLowerCase());
        else if ((key === 'sha1' || key === 'sha-1') && v) file.sha1 = own(v.toLowerCase());
      } else if (n && !(n in out.deviceInfo)) out.deviceInfo[n] = v;
      item = null;
    } else if (name === 'metadata') {
      metadataSection = null;
    } else if (name === 'file' && file && stack[stack.length - 1] === 'taggedfiles') {
      out.files.push(file);
      file = null;
    } else if (name === 'field' && caseField && stack[stack.length - 1] === 'caseinformation') {
      if (caseField.name && !(caseField.name in out.caseInformation))
        out.caseInformation[caseField.name] = caseField.text.trim();
      caseField = null;
    } else if (name === 'value' && value && account) {
      const field = fieldNames[fieldNames.length - 1];
      const frame = models[models.length - 1];
      if (field && frame && !frame.fields.has(field)) frame.fields.set(field, value.text.trim());
      value = null;
    } else if (account && (name === 'field' || name === 'multifield')) {
      fieldNames.pop();
    } else if (name === 'model') {
      const frame = models.pop();
      if (!frame) return;
      if (frame === account) {
        finishAccount(frame, out);
        account = null;
      } else if (account) {
        const v = frame.fields.get('value');
        if (v)
          account.entries.push({
            type: frame.type,
            category: frame.fields.get('category') ?? '',
            value: v,
            id: frame.id,
          });
      }
    }
  });
  let failure: string | null = null;
  let failureLine = 0;
  parser.on('error', (err) => {
    // saxes calls this and would go on; the first error is the one to report.
    if (failure === null) {
      failure = err.message.replace(/^\d+:\d+: /, '');
      failureLine = parser.line;
    }
    throw new UserError(`report.xml is not well-formed XML: ${failure}`, { ...where, line: failureLine });
  });
  const decoder = new StringDecoder('utf8');
  let first = true;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let text = decoder.write(chunk);
    if (first && text) {
      text = text.replace(/^\uFEFF/, '');
      first = false;
    }
    parser.write(text);
  }
  parser.write(decoder.end());
  parser.close();
  if (!Object.keys(out.project).length)
    throw new UserError('report.xml holds no root element', { ...where, line: parser.line });
  return out;
}

function finishAccount(frame: ModelFrame, out: ParsedReport): void {
  const source = frame.fields.get('source') ?? frame.fields.get('servicetype') ?? '';
  if (!/whatsapp/i.test(source)) return;
  const identifiers: ReportAccount['identifiers'] = [];
  // Entries Physical Analyzer labelled as WhatsApp's or as a phone number first (e.g. "WhatsApp User Id").
  const ranked = [...frame.entries].sort(
    (a, b) =>
      Number(/whatsapp|phone|mobile/i.test(b.category)) - Number(/whatsapp|phone|mobile/i.test(a.category)),
  );
  for (const e of ranked)
    identifiers.push({
      value: e.value,
      where: `entry ${e.type}${e.category ? ` (${e.category})` : ''}${e.id ? ` id ${e.id}` : ''}`,
    });
  for (const f of ACCOUNT_FIELDS) {
    const v = frame.fields.get(f);
    if (v) identifiers.push({ value: v, where: `field ${f}` });
  }
  out.accounts.push({
    modelId: frame.id,
    source,
    name: frame.fields.get('name') || null,
    identifiers,
    line: frame.line,
  });
}

/** `34600012345@s.whatsapp.net`, `+34 600 012 345`, `0034600012345`… as E.164, or null when not a number. */
export function accountNumber(value: string): string | null {
  const v = value.trim().replace(/@.*$/, '');
  if (/[a-z]/i.test(v)) return null;
  let digits = v.replace(/[\s().-]/g, '');
  if (digits.startsWith('+')) digits = digits.slice(1);
  else if (digits.startsWith('00')) digits = digits.slice(2);
  return /^[1-9]\d{5,14}$/.test(digits) ? `+${digits}` : null;
}
