import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { sha256File } from '../hashing/digests.js';

/**
 * `MANIFEST.sha256`: one `sha256sum`-compatible line per file of a folder (`<hex>  <path>`, paths relative
 * with `/`, sorted), so a recipient can check a package with `sha256sum -c MANIFEST.sha256` and no filet.
 */
export const MANIFEST = 'MANIFEST.sha256';

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * `audit` adds a comment line (`sha256sum -c` and `shasum -c` skip lines starting with #) naming the case
 * and its audit head when the package was written: a copy of the head outside the case (docs/audit.md).
 */
export async function writeManifest(
  dir: string,
  audit?: { caseId: string; auditHead: string | null },
): Promise<number> {
  const lines: string[] = [];
  const comments = audit ? [`# filet case ${audit.caseId} audit head ${audit.auditHead ?? 'none'}`] : [];
  for (const f of filesUnder(dir)) {
    if (f === MANIFEST) continue;
    lines.push(`${(await sha256File(join(dir, f))).sha256}  ${f}`);
  }
  writeFileSync(join(dir, MANIFEST), [...comments, ...lines].join('\n') + '\n');
  return lines.length;
}

export interface ManifestCheck {
  /** The folder holding the manifest, relative to the folder verified ('.' for itself). */
  dir: string;
  ok: boolean;
  files: number;
  missing: string[];
  changed: string[];
  extra: string[];
  errors: string[];
}

export async function checkManifest(dir: string): Promise<Omit<ManifestCheck, 'dir'>> {
  const r = {
    ok: false,
    files: 0,
    missing: [] as string[],
    changed: [] as string[],
    extra: [] as string[],
    errors: [] as string[],
  };
  const listed = new Map<string, string>();
  const text = readFileSync(join(dir, MANIFEST), 'utf8');
  text.split('\n').forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) return r.errors.push(`${MANIFEST} line ${i + 1}: not "<sha256>  <file>"`);
    const path = m[2]!;
    if (path.startsWith('/') || path.split('/').includes('..'))
      return r.errors.push(`${MANIFEST} line ${i + 1}: path outside the folder: ${path}`);
    if (listed.has(path)) return r.errors.push(`${MANIFEST} line ${i + 1}: ${path} listed twice`);
    listed.set(path, m[1]!);
  });
  for (const [path, hex] of listed) {
    const p = join(dir, path);
    if (!existsSync(p) || !statSync(p).isFile()) r.missing.push(path);
    else if ((await sha256File(p)).sha256 !== hex) r.changed.push(path);
  }
  for (const f of filesUnder(dir)) if (f !== MANIFEST && !listed.has(f)) r.extra.push(f);
  r.files = listed.size;
  r.ok = !r.missing.length && !r.changed.length && !r.extra.length && !r.errors.length;
  return r;
}

/**
 * Checks `dir` if it holds a manifest, else every sub-folder of it (a referrals folder): anything there
 * that no manifest covers — a stray file or a folder without a manifest — is reported as extra.
 */
export async function verifyManifests(
  dir: string,
): Promise<{ ok: boolean; checks: ManifestCheck[]; extra: string[] }> {
  if (existsSync(join(dir, MANIFEST))) {
    const c = { dir: '.', ...(await checkManifest(dir)) };
    return { ok: c.ok, checks: [c], extra: [] };
  }
  const checks: ManifestCheck[] = [];
  const extra: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory() && existsSync(join(p, MANIFEST)))
      checks.push({ dir: e.name, ...(await checkManifest(p)) });
    else extra.push(e.isDirectory() ? `${e.name}/` : e.name);
  }
  if (!checks.length) extra.push(`(no ${MANIFEST} found)`);
  return { ok: !extra.length && checks.every((c) => c.ok), checks, extra };
}
