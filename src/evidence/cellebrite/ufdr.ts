/**
 * A Cellebrite UFDR (a zip holding `report.xml` at its root, the files under `files/<Category>/…`) seen as
 * the device tree the report describes: every `<taggedFiles><file fs path>` is an entry at its device path
 * (normalised: `data/data/com.whatsapp/databases/msgstore.db`) whose bytes are the zip member named by its
 * `Local Path` (backslashes read as `/`).
 * - A Local Path absent from the zip is read from another listed file with the same MD5 (as IPED does),
 *   the MD5 checked on reading; without such a twin the file is refused with the reason.
 * - Files the report marks deleted (recovered bytes) are refused: filet reads the current state.
 * - Two files at one device path are an error naming both (report lines and Local Paths): which one is the
 *   device's cannot be decided.
 * - Every read is checked against the MD5 / SHA256 the report lists for the file.
 * - A protected report (first bytes `2D 06 52 6D`) is refused: it must be exported again without protection.
 * The WhatsApp UserAccount models of `<decodedData>` become owner findings (file report.xml, model id).
 */
import { basename } from 'node:path';
import { UserError } from '../../util/errors.js';
import {
  normaliseEntryName,
  streamHead,
  type ContainerDescription,
  type RefusedEntry,
  type VfsEntry,
} from '../vfs/index.js';
import { openZipFs, type ZipFs } from '../vfs/zip.js';
import { DescribedFs, type MappedEntry } from './described-fs.js';
import {
  PROTECTED_REPORT_MAGIC,
  accountNumber,
  parseReport,
  type ParsedReport,
  type TaggedFile,
} from './report.js';

async function head(zip: ZipFs, member: string, n: number): Promise<Buffer> {
  return streamHead(await zip.open(member), n);
}

/** The report's member name at the zip's root (`report.xml` or `Report.xml`), null when there is none. */
async function reportMember(zip: ZipFs): Promise<string | null> {
  const found: string[] = [];
  for await (const e of zip.entries()) if (/^report\.xml(#dup\d+)?$/i.test(e.path)) found.push(e.path);
  if (found.length > 1)
    throw new UserError(
      `the UFDR holds ${found.length} reports at its root (${found.join(', ')}): ambiguous, refused`,
      { file: zip.origin },
    );
  return found[0] ?? null;
}

/** Whether the file is a zip with a report.xml at its root (by content, whatever its name). */
export async function looksLikeUfdr(path: string): Promise<boolean> {
  let zip: ZipFs | null = null;
  try {
    zip = await openZipFs(path);
    for await (const e of zip.entries()) if (/^report\.xml(#dup\d+)?$/i.test(e.path)) return true;
    return false;
  } catch {
    return false;
  } finally {
    await zip?.close();
  }
}

const isDeleted = (f: TaggedFile) => f.deleted !== '' && f.deleted !== 'intact' && f.deleted !== 'false';

export async function openUfdr(path: string): Promise<DescribedFs> {
  const zip = await openZipFs(path);
  try {
    return await build(path, zip);
  } catch (err) {
    await zip.close();
    throw err;
  }
}

async function build(path: string, zip: ZipFs): Promise<DescribedFs> {
  const member = await reportMember(zip);
  if (!member) throw new UserError('not a UFDR: no report.xml at the root of the zip', { file: path });
  if ((await head(zip, member, 4)).equals(PROTECTED_REPORT_MAGIC))
    throw new UserError(
      `${member} is protected (encrypted by Physical Analyzer, first bytes 2D 06 52 6D): filet cannot read it; ` +
        'export the UFDR again with protection off',
      { file: path, entry: member },
    );
  const stream = await zip.open(member);
  let report: ParsedReport;
  try {
    report = await parseReport(stream, { file: path, entry: member });
  } finally {
    stream.destroy();
  }
  if (!report.files.length)
    throw new UserError(
      `${member} lists no files (<taggedFiles><file …>): filet rebuilds the device tree from them; export the UFDR with the files included`,
      { file: path, entry: member },
    );

  const members = new Map<string, VfsEntry>();
  for await (const e of zip.entries()) members.set(e.path, e);
  const memberOf = (f: TaggedFile): string | null => {
    if (!f.localPath) return null;
    const n = normaliseEntryName(f.localPath);
    return 'path' in n && members.has(n.path) ? n.path : null;
  };
  // MD5 → members that hold it, for Local Paths the zip does not have.
  const byMd5 = new Map<string, string[]>();
  for (const f of report.files) {
    const m = memberOf(f);
    if (m && f.md5) (byMd5.get(f.md5) ?? byMd5.set(f.md5, []).get(f.md5)!).push(m);
  }

  const refused: RefusedEntry[] = [];
  const mapped: Array<{ path: string; index: number; entry: MappedEntry; file: TaggedFile }> = [];
  const twins: Array<{ path: string; localPath: string; readFrom: string; md5: string }> = [];
  const used = new Set<string>([member]);
  for (const [i, f] of report.files.entries()) {
    const where = `${member} line ${f.line}`;
    const n = normaliseEntryName(f.path);
    if ('refused' in n) {
      refused.push({ name: f.path, reason: `${where}: device path ${n.refused}` });
      continue;
    }
    if (isDeleted(f)) {
      refused.push({
        name: n.path,
        reason: `${where}: marked "${f.deleted}" in the report (recovered bytes): not read`,
      });
      continue;
    }
    if (!f.localPath) {
      refused.push({
        name: n.path,
        reason: `${where}: the report gives no Local Path (the file is not in the UFDR)`,
      });
      continue;
    }
    const local = normaliseEntryName(f.localPath);
    if ('refused' in local) {
      refused.push({ name: n.path, reason: `${where}: Local Path "${f.localPath}" ${local.refused}` });
      continue;
    }
    let readFrom = memberOf(f);
    if (!readFrom) {
      const twin = f.md5 ? (byMd5.get(f.md5) ?? []).slice().sort()[0] : undefined;
      if (!twin) {
        refused.push({
          name: n.path,
          reason:
            `${where}: Local Path ${f.localPath} is not in the UFDR` +
            (f.md5
              ? ', and no other listed file has its MD5'
              : ' and the report lists no MD5 to find a copy by'),
        });
        continue;
      }
      readFrom = twin;
      twins.push({ path: n.path, localPath: f.localPath, readFrom: twin, md5: f.md5! });
    }
    const size = members.get(readFrom)!.size;
    if (f.size !== null && f.size !== size) {
      refused.push({
        name: n.path,
        reason: `${where}: the report gives ${f.size} bytes, ${readFrom} holds ${size}`,
      });
      continue;
    }
    used.add(readFrom);
    mapped.push({
      path: n.path,
      index: i + 1,
      file: f,
      entry: {
        member: readFrom,
        size,
        mtime: members.get(readFrom)!.mtime,
        expected: { md5: f.md5, sha256: f.sha256, sha1: f.sha1 },
        expectedFrom: `${member} (line ${f.line})`,
      },
    });
  }
  // One device path, two different files: the device's cannot be told (a file listed twice is one file).
  const byPath = new Map<string, (typeof mapped)[number]>();
  const kept: typeof mapped = [];
  for (const m of mapped) {
    const prev = byPath.get(m.path);
    if (!prev) {
      byPath.set(m.path, m);
      kept.push(m);
      continue;
    }
    if (prev.entry.member === m.entry.member && (prev.file.md5 ?? null) === (m.file.md5 ?? null)) continue;
    throw new UserError(
      `${member} lists two different files at the device path /${m.path}: line ${prev.file.line} ` +
        `(fs "${prev.file.fs}", Local Path ${prev.file.localPath}) and line ${m.file.line} (fs "${m.file.fs}", ` +
        `Local Path ${m.file.localPath}): ambiguous, refused — filet cannot tell which is the device's`,
      { file: path, entry: member },
    );
  }

  const accounts: ContainerDescription['accounts'] = [];
  for (const a of report.accounts) {
    const hit = a.identifiers.map((x) => ({ ...x, number: accountNumber(x.value) })).find((x) => x.number);
    if (!hit) continue;
    accounts.push({
      number: hit.number!,
      app: /business|w4b|smb/i.test(a.source) ? 'business' : 'consumer',
      ...(a.name ? { name: a.name } : {}),
      file: member,
      key: `decodedData UserAccount model id ${a.modelId || '(none)'} (line ${a.line}), ${hit.where}`,
      from: 'Cellebrite report',
    });
  }
  const label =
    Object.entries(report.caseInformation).find(
      ([k, v]) => v && /evidence number|device name/i.test(k),
    )?.[1] || undefined;
  const fsNames = [...new Set(report.files.map((f) => f.fs))];
  const described: ContainerDescription = {
    label: label ?? basename(path).replace(/\.ufdr$/i, ''),
    metadata: {
      vendor: 'Cellebrite',
      format: 'UFDR',
      report: member,
      ...pick(report.project, ['reportversion', 'extractiontype', 'name', 'id']),
      ...(Object.keys(report.deviceInfo).length ? { deviceInfo: report.deviceInfo } : {}),
      ...(Object.keys(report.caseInformation).length ? { caseInformation: report.caseInformation } : {}),
      fileSystems: fsNames,
      taggedFiles: report.files.length,
      read: kept.length,
      refused: refused.length,
      ...(twins.length ? { readThroughMd5Twin: twins } : {}),
      membersNotInReport: [...members.keys()].filter((m) => !used.has(m)).length,
    },
    companions: [],
    accounts,
  };
  return new DescribedFs('ufdr', path, zip, kept, refused, described);
}

function pick(o: Record<string, string>, keys: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (o[k]) out[k === 'name' ? 'projectName' : k === 'id' ? 'projectId' : k] = o[k];
  return out;
}
