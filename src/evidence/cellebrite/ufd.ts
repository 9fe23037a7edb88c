/**
 * Cellebrite's descriptions of a full file system extraction:
 * - `EXTRACTION_FFS.ufd`, an INI file beside the dump: `[General]` (tool, version, extraction type, dates),
 *   `[DeviceInfo]` (Vendor, Model, IMEI, OS…), `[Crime Case]` (the lab's "Device Name / Evidence Number"),
 *   `[Dumps]` naming the zip, and `[SHA256]` / `[SHA1]` / `[MD5]` sections giving each dump file's digest;
 * - `EvidenceCollection.ufdx`, an XML index whose `<Extraction Path="…">` elements name the .ufd files of
 *   the extractions of one evidence item (paths relative to the .ufdx).
 * Paths they give are resolved inside their own folder only: an absolute path, `..`, a symbolic link on the
 * way or a missing file is an error naming the file and line.
 */
import { lstat, open, readdir } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { SaxesParser } from 'saxes';
import { UserError } from '../../util/errors.js';

export interface IniValue {
  value: string;
  line: number;
}

export interface Ufd {
  path: string;
  /** Section (lower-cased) → key (as written) → value. */
  sections: Map<string, { line: number; values: Map<string, IniValue> }>;
}

async function readSmall(path: string, max: number): Promise<Buffer | null> {
  const st = await lstat(path).catch(() => null);
  if (!st?.isFile() || st.size > max) return null;
  const fh = await open(path, 'r');
  try {
    return await fh.readFile();
  } finally {
    await fh.close();
  }
}

/** INI text as Windows tools write it: UTF-8 (with or without BOM) or UTF-16 LE with BOM. */
function decodeText(buf: Buffer): string {
  if (buf[0] === 0xff && buf[1] === 0xfe) return buf.subarray(2).toString('utf16le');
  return buf.toString('utf8').replace(/^\uFEFF/, '');
}

export function parseIni(text: string): Ufd['sections'] {
  const sections: Ufd['sections'] = new Map();
  let current: { line: number; values: Map<string, IniValue> } | null = null;
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const sec = /^\[(.+)\]$/.exec(line);
    if (sec) {
      const name = sec[1]!.trim().toLowerCase();
      current = sections.get(name) ?? { line: i + 1, values: new Map() };
      sections.set(name, current);
      continue;
    }
    if (!current) continue;
    const eq = line.indexOf('=');
    const key = eq >= 0 ? line.slice(0, eq).trim() : line;
    const value = eq >= 0 ? line.slice(eq + 1).trim() : '';
    if (!current.values.has(key)) current.values.set(key, { value, line: i + 1 });
  }
  return sections;
}

/** A small INI file with a `[Dumps]` or `[DeviceInfo]` section (by content, whatever its name). */
export async function looksLikeUfd(path: string): Promise<boolean> {
  const buf = await readSmall(path, 1 << 20).catch(() => null);
  if (!buf || (buf.includes(0x00) && !(buf[0] === 0xff && buf[1] === 0xfe))) return false;
  const text = decodeText(buf);
  const first = text.split(/\r?\n/).find((l) => l.trim() && !/^[;#]/.test(l.trim()));
  if (!first || !/^\s*\[[^\]]+\]\s*$/.test(first)) return false;
  const s = parseIni(text);
  return s.has('dumps') || s.has('deviceinfo');
}

export async function readUfd(path: string): Promise<Ufd> {
  const buf = await readSmall(path, 1 << 20);
  if (!buf) throw new UserError('not a readable .ufd file (a regular file under 1 MB)', { file: path });
  return { path: resolve(path), sections: parseIni(decodeText(buf)) };
}

export function section(ufd: Ufd, name: string): Record<string, string> {
  return Object.fromEntries([...(ufd.sections.get(name)?.values ?? [])].map(([k, v]) => [k, v.value]));
}

/**
 * `rel` (as a .ufd or .ufdx writes it, `\` or `/` separated) inside `base`: refused when absolute, with
 * `..`, through a symbolic link, or not a regular file.
 */
export async function resolveInside(
  base: string,
  rel: string,
  where: { file: string; line: number },
): Promise<string> {
  const p = rel.replace(/\\/g, '/');
  if (/^([A-Za-z]:)?\//.test(p))
    throw new UserError(
      `"${rel}" is an absolute path: only paths inside the extraction's folder are followed`,
      where,
    );
  const parts = p.split('/').filter((x) => x && x !== '.');
  if (!parts.length || parts.includes('..'))
    throw new UserError(`"${rel}" leaves the extraction's folder (\`..\`) or is empty: refused`, where);
  let cur = resolve(base);
  for (const part of parts) {
    cur = join(cur, part);
    const st = await lstat(cur).catch(() => null);
    if (!st) throw new UserError(`"${rel}" does not exist beside it (${cur})`, where);
    if (st.isSymbolicLink())
      throw new UserError(`"${rel}" goes through a symbolic link (${cur}): refused`, where);
  }
  if (!(await lstat(cur)).isFile()) throw new UserError(`"${rel}" is not a regular file (${cur})`, where);
  return cur;
}

export interface Ufdx {
  path: string;
  /** Attributes of the root, `<Evidence>` and `<Device>` elements (vendor, model, evidence id…). */
  attributes: Record<string, string>;
  extractions: Array<{ path: string; line: number; type?: string }>;
}

export async function looksLikeUfdx(path: string): Promise<boolean> {
  const buf = await readSmall(path, 16 << 20).catch(() => null);
  if (!buf) return false;
  return /^\s*(<\?xml[^>]*\?>\s*)?(<!--[\s\S]*?-->\s*)*<\s*([\w.-]+:)?EvidenceCollection\b/i.test(
    decodeText(buf.subarray(0, 4096)),
  );
}

export async function readUfdx(path: string): Promise<Ufdx> {
  const buf = await readSmall(path, 16 << 20);
  if (!buf) throw new UserError('not a readable .ufdx file (a regular file under 16 MB)', { file: path });
  const out: Ufdx = { path: resolve(path), attributes: {}, extractions: [] };
  const parser = new SaxesParser<{ xmlns: false; position: true }>({ xmlns: false, position: true });
  const local = (n: string) => n.slice(n.indexOf(':') + 1).toLowerCase();
  let depth = 0;
  parser.on('opentag', (tag) => {
    depth++;
    const name = local(tag.name);
    const attrs = Object.fromEntries(Object.entries(tag.attributes).map(([k, v]) => [local(k), v]));
    if (depth === 1 || name === 'evidence' || name === 'device')
      for (const [k, v] of Object.entries(tag.attributes)) if (!(k in out.attributes)) out.attributes[k] = v;
    if (name === 'extraction' && attrs.path !== undefined)
      out.extractions.push({
        path: attrs.path,
        line: parser.line,
        ...(attrs.type ? { type: attrs.type } : {}),
      });
  });
  parser.on('closetag', () => void depth--);
  parser.on('error', (err) => {
    throw new UserError(`not well-formed XML: ${err.message.replace(/^\d+:\d+: /, '')}`, {
      file: path,
      line: parser.line,
    });
  });
  parser.write(decodeText(buf)).close();
  if (!out.extractions.length)
    throw new UserError('the .ufdx names no extraction (<Extraction Path="…">)', { file: path });
  return out;
}

/** The .ufd files a .ufdx lists, resolved inside its folder. */
export async function ufdxExtractions(ufdx: Ufdx): Promise<string[]> {
  const out: string[] = [];
  for (const x of ufdx.extractions) {
    const p = await resolveInside(dirname(ufdx.path), x.path, { file: ufdx.path, line: x.line });
    if (!(await looksLikeUfd(p)))
      throw new UserError(`"${x.path}" is not a Cellebrite .ufd file (an INI file with [Dumps])`, {
        file: ufdx.path,
        line: x.line,
      });
    out.push(p);
  }
  return out;
}

/** The one zip a .ufd's `[Dumps]` names, resolved beside it. */
export async function ufdDump(
  ufd: Ufd,
): Promise<{ zip: string; name: string; line: number; others: string[] }> {
  const dumps = ufd.sections.get('dumps');
  if (!dumps)
    throw new UserError('the .ufd has no [Dumps] section: which file holds the extraction is not said', {
      file: ufd.path,
    });
  const all = [...dumps.values].map(([k, v]) => ({ name: v.value || k, line: v.line }));
  const zips = all.filter((d) => /\.zip$/i.test(d.name));
  if (!zips.length)
    throw new UserError(
      `[Dumps] names no .zip (${all.map((d) => d.name).join(', ') || 'nothing'}): filet reads full file system zips`,
      { file: ufd.path, line: dumps.line },
    );
  if (zips.length > 1)
    throw new UserError(
      `[Dumps] names ${zips.length} zips (${zips.map((d) => d.name).join(', ')}): a dump split over several zips is not read yet; give each zip on its own`,
      { file: ufd.path, line: zips[1]!.line },
    );
  const d = zips[0]!;
  return {
    zip: await resolveInside(dirname(ufd.path), d.name, { file: ufd.path, line: d.line }),
    name: d.name,
    line: d.line,
    others: all.filter((x) => x !== d).map((x) => x.name),
  };
}

/** The .ufd beside a zip whose [Dumps] names it; null when none; an error when several do. */
export async function ufdNamingZip(zipPath: string): Promise<string | null> {
  const dir = dirname(resolve(zipPath));
  const name = basename(zipPath).toLowerCase();
  const hits: string[] = [];
  for (const f of await readdir(dir).catch(() => [] as string[])) {
    if (!/\.ufd$/i.test(f)) continue;
    const p = join(dir, f);
    if (!(await looksLikeUfd(p))) continue;
    const ufd = await readUfd(p);
    const dumps = [...(ufd.sections.get('dumps')?.values ?? [])].map(([k, v]) =>
      (v.value || k).replace(/\\/g, '/'),
    );
    if (dumps.some((d) => d.toLowerCase() === name)) hits.push(p);
  }
  if (hits.length > 1)
    throw new UserError(
      `${hits.length} .ufd files name this zip as their dump (${hits.join(', ')}): ambiguous, refused`,
      {
        file: zipPath,
      },
    );
  return hits[0] ?? null;
}

/** Every .ufdx in the .ufd's folder or up to two folders above that lists this .ufd. */
export async function ufdxListing(ufdPath: string): Promise<Ufdx[]> {
  const target = resolve(ufdPath);
  const dirs = [...new Set([dirname(target), dirname(dirname(target)), dirname(dirname(dirname(target)))])];
  const out: Ufdx[] = [];
  for (const dir of dirs)
    for (const f of await readdir(dir).catch(() => [] as string[])) {
      if (!/\.ufdx$/i.test(f)) continue;
      const p = join(dir, f);
      if (!(await looksLikeUfdx(p))) continue;
      const x = await readUfdx(p).catch(() => null);
      if (!x) continue;
      for (const e of x.extractions) {
        const abs = await resolveInside(dirname(x.path), e.path, { file: x.path, line: e.line }).catch(
          () => null,
        );
        if (abs === target) {
          out.push(x);
          break;
        }
      }
    }
  return out;
}
