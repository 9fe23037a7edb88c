import { createHash } from 'node:crypto';
import {
  cpSync,
  createWriteStream,
  mkdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { addUser } from '../src/cli/commands/user.js';
import { ingestPaths } from '../src/evidence/ingest.js';
import { importHashList } from '../src/matching/import-list.js';
import { matchCase } from '../src/matching/match.js';
import { buildServer } from '../src/server/app.js';
import { initCase, openCase } from '../src/store/case-dir.js';
import type { CaseStore } from '../src/store/case-store.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { synthOperation } from './helpers/synth-cache.js';
import { inCase } from './helpers/case-url.js';

/**
 * Issue 9, findings 2, 3 and 4, against a real served case on each engine: "novel" means compared with
 * every list now in the case; the bytes served are the bytes recorded at ingest, read only at the place
 * ingest recorded, never through a link or an ambiguous zip entry; and the server's view follows changes
 * made by another process at once.
 */
const PASSWORD = 'correct-horse-battery';
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** A benign generated picture (noise and a square), different per seed. */
async function picture(seed: number): Promise<Buffer> {
  const w = 320;
  const h = 240;
  const px = Buffer.alloc(w * h * 3);
  let x = seed * 2654435761;
  for (let i = 0; i < px.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    px[i] = (x >>> 16) & 0xff;
  }
  for (let yy = 40; yy < 120; yy++)
    for (let xx = 40 + seed * 10; xx < 140 + seed * 10; xx++)
      px.fill(seed * 40, (yy * w + xx) * 3, (yy * w + xx) * 3 + 3);
  return sharp(px, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

async function writeZip(path: string, entries: { name: string; data: Buffer | string }[]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const e of entries) zip.addBuffer(Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data), e.name);
  zip.end();
  await new Promise<void>((res, rej) => {
    zip.outputStream.pipe(createWriteStream(path)).on('close', res).on('error', rej);
  });
}

interface MediaItem {
  id: number;
  sha256: string;
  status: string;
  present: boolean;
  mime: string | null;
}

describe.each(STORE_TARGETS)('served media on $name', (target) => {
  let app: FastifyInstance;
  let store: CaseStore;
  let caseDir = '';
  let work = '';
  const cookies: Record<string, { cookie: string; csrf: string }> = {};

  const media = async (): Promise<MediaItem[]> =>
    (await call('GET', '/media?limit=500')).json<{ items: MediaItem[] }>().items;
  const call = (method: 'GET' | 'POST', url: string, body?: unknown) =>
    app.inject({
      method,
      url: inCase(store.caseId, url),
      headers: { cookie: cookies.analyst!.cookie, 'x-csrf-token': cookies.analyst!.csrf },
      ...(body !== undefined ? { payload: body as object } : {}),
    });
  const reveal = (id: number) => call('POST', `/media/${id}/reveal`, { reason: 'test' });
  const novelImages = async () =>
    (await media()).filter((m) => m.status === 'novel' && m.present && m.mime?.startsWith('image/'));
  /** A novel image no earlier test has tampered with. */
  const used = new Set<number>();
  const freshNovel = async () => {
    const n = (await novelImages()).find((m) => !used.has(m.id))!;
    used.add(n.id);
    return n;
  };
  /** A CSV list naming one SHA-256 (a hand-made list, as a partner agency might send). */
  const listOf = (sha: string, name: string) => {
    const f = join(work, `${name}.csv`);
    writeFileSync(f, `sha256,category,label\n${sha},1,SYNTHETIC test entry\n`);
    return f;
  };
  /** Where a media item's file sits in the copied device folder. */
  const fileOf = async (id: number) => {
    const m = (await store.media()).find((x) => x.id === id)!;
    const ev = (await store.listEvidence()).find((e) => e.id === m.fileEvidenceId)!;
    const root = (ev.notes.mediaFolder as { evidenceRoot: string }).evidenceRoot;
    return { root, rel: m.fileRef!, path: join(root, m.fileRef!) };
  };

  beforeAll(async () => {
    const op = await synthOperation(7, 'small');
    work = tempDir('filet-media-trust-');
    // Copies of two Android devices' folders, so the test can tamper with them as an attacker would.
    for (const label of ['D05-ar-android', 'D06-ar-android'])
      cpSync(join(op.dir, 'devices', label), join(work, label), { recursive: true });
    caseDir = join(work, 'case');
    ({ store } = await initCase(caseDir, { store: target.name === 'postgres' ? target.store : undefined }));
    const d05 = op.devices.find((d) => d.label === 'D05-ar-android')!;
    await ingestPaths(store, [join(work, 'D05-ar-android', 'databases', 'msgstore.db')], {
      device: d05.label,
      owner: d05.owner,
      tz: d05.tz,
    });
    await importHashList(store, join(op.dir, 'lists', 'known-vics.json'), { name: 'synthetic-known' });
    await matchCase(store, caseDir, {});
    for (const r of ['lead', 'analyst']) await addUser(store, `${r}-user`, r as 'lead', PASSWORD);
    app = await buildServer({ caseDir, caseStore: store, allowedHosts: ['localhost:80'] });
    for (const r of ['lead', 'analyst']) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { username: `${r}-user`, password: PASSWORD },
      });
      expect(res.statusCode, res.body).toBe(200);
      cookies[r] = {
        cookie: String(res.headers['set-cookie']).split(';')[0]!,
        csrf: res.json<{ csrfToken: string }>().csrfToken,
      };
    }
    expect((await novelImages()).length).toBeGreaterThanOrEqual(5);
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    await store?.close();
  });

  it('a served novel image is the file recorded at ingest, typed from its bytes', async () => {
    const n = await freshNovel();
    const r = await reveal(n.id);
    expect(r.statusCode, r.body).toBe(200);
    expect(sha256(r.rawPayload)).toBe(n.sha256);
    expect(r.headers['content-type']).toBe(`image/${(await sharp(r.rawPayload).metadata()).format}`);
  });

  it('finding 2: media ingested after the last match are "unmatched", never shown', async () => {
    const before = new Set((await media()).map((m) => m.sha256));
    await ingestPaths(store, [join(work, 'D06-ar-android', 'databases', 'msgstore.db')], {
      device: 'D06-ar-android',
      tz: 'America/Argentina/Buenos_Aires',
    });
    const fresh = (await media()).filter((m) => !before.has(m.sha256) && m.present);
    expect(fresh.length).toBeGreaterThan(0);
    for (const m of fresh) expect(m.status, `media ${m.id}`).toBe('unmatched');
    const img = fresh.find((m) => m.mime?.startsWith('image/'))!;
    expect((await reveal(img.id)).statusCode).toBe(403);
    expect((await call('GET', `/media/${img.id}/thumbnail`)).statusCode).toBe(403);
    // Matching against the current lists makes them novel (or known) again.
    await matchCase(store, caseDir, {});
    const after = (await media()).find((m) => m.id === img.id)!;
    expect(['novel', 'known']).toContain(after.status);
  });

  it('finding 2: after a list import, media not yet compared with it are "unmatched"', async () => {
    const n = await freshNovel();
    await importHashList(store, listOf(n.sha256, 'partner-list'), { name: 'partner-list' });
    const now = await media();
    expect(now.find((m) => m.id === n.id)!.status).toBe('unmatched');
    // Every other item that was novel is unmatched too: none of them was compared with the new list.
    expect(now.filter((m) => m.status === 'novel')).toEqual([]);
    const r = await reveal(n.id);
    expect(r.statusCode).toBe(403);
    await matchCase(store, caseDir, {});
    expect((await media()).find((m) => m.id === n.id)!.status).toBe('known');
    const k = await reveal(n.id);
    expect(k.statusCode).toBe(403);
    expect(k.json().message).toMatch(/known material/);
  });

  it('finding 4: a list imported and matched by another process is enforced at once', async () => {
    const n = await freshNovel();
    expect((await media()).find((m) => m.id === n.id)!.status).toBe('novel'); // the view is built now
    const other = await openCase(caseDir, { store: target.name === 'postgres' ? target.store : undefined });
    try {
      await importHashList(other.store, listOf(n.sha256, 'second-list'), { name: 'second-list' });
      await matchCase(other.store, caseDir, {});
    } finally {
      await other.store.close();
    }
    expect((await media()).find((m) => m.id === n.id)!.status).toBe('known');
    expect((await reveal(n.id)).statusCode).toBe(403);
    expect((await call('GET', `/media/${n.id}/thumbnail`)).statusCode).toBe(403);
  });

  it('finding 3: a symbolic link in the seized media folder is refused and the refusal audited', async () => {
    const n = await freshNovel();
    const f = await fileOf(n.id);
    rmSync(f.path);
    // The case's own store (password hashes) — or /etc/passwd — must never come out through a reveal.
    symlinkSync(target.name === 'sqlite' ? join(caseDir, 'case.sqlite') : '/etc/passwd', f.path);
    const auditBefore = (await store.readAudit()).length;
    const r = await reveal(n.id);
    expect(r.statusCode).toBe(403);
    expect(r.body).not.toMatch(/SQLite format|root:/);
    expect(r.json().message).toMatch(/symbolic link/);
    expect((await call('GET', `/media/${n.id}/thumbnail`)).statusCode).toBe(403);
    const entries = (await store.readAudit()).slice(auditBefore);
    expect(
      entries.some((e) => e.action === 'media.reveal' && (e.result as { ok: boolean }).ok === false),
    ).toBe(true);
  });

  it('finding 3: a folder link on the way to the file is refused', async () => {
    const n = await freshNovel();
    const f = await fileOf(n.id);
    const folder = dirname(f.path);
    const moved = `${folder}.real`;
    renameSync(folder, moved);
    symlinkSync(moved, folder);
    const r = await reveal(n.id);
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toMatch(/symbolic link/);
    unlinkSync(folder);
    renameSync(moved, folder);
    expect((await reveal(n.id)).statusCode).toBe(200);
  });

  it('finding 3: a different file where an older search looked first is not served', async () => {
    const n = await freshNovel();
    const f = await fileOf(n.id);
    // The previous lookup tried <root>/databases/<ref> before <root>/<ref>.
    const decoy = join(f.root, 'databases', f.rel);
    mkdirSync(dirname(decoy), { recursive: true });
    writeFileSync(decoy, await picture(5));
    const r = await reveal(n.id);
    expect(r.statusCode, r.body).toBe(200);
    expect(sha256(r.rawPayload)).toBe(n.sha256);
  });

  it('finding 3: a file changed since ingest is refused (its SHA-256 differs), audited', async () => {
    const n = await freshNovel();
    const f = await fileOf(n.id);
    writeFileSync(f.path, await picture(6));
    const r = await reveal(n.id);
    expect(r.statusCode).toBe(409);
    expect(r.json().message).toMatch(/SHA-256/);
    const last = (await store.readAudit()).at(-1)!;
    expect(last.action).toBe('media.reveal');
    expect(last.result).toMatchObject({ ok: false, status: 409 });
  });

  it('finding 3: an export zip holding the same entry name twice is refused, not "the last one"', async () => {
    const first = await picture(1);
    const second = await picture(2);
    const zip = join(work, 'WhatsApp Chat with Duplicate test.zip');
    await writeZip(zip, [
      {
        name: '_chat.txt',
        data: '[3/14/23, 9:00:00 PM] Ana Example: <attached: 00000001-PHOTO-2023-03-14-21-00-00.jpg>\n',
      },
      { name: '00000001-PHOTO-2023-03-14-21-00-00.jpg', data: first },
      { name: '00000001-PHOTO-2023-03-14-21-00-00.jpg', data: second },
    ]);
    await ingestPaths(store, [zip], { device: 'export-dup', locale: 'en-US' });
    await matchCase(store, caseDir, {});
    const all = await media();
    const item = all.find((m) => m.sha256 === sha256(first) || m.sha256 === sha256(second));
    expect(item, 'the duplicated entry was ingested as a media item').toBeDefined();
    const r = await reveal(item!.id);
    expect(r.statusCode).toBe(403);
    expect(r.json().message).toMatch(/ambiguous/);
    expect(r.rawPayload.includes(second)).toBe(false);
  });

  it('finding 11: bytes that are not an allowed image are never served, whatever the evidence calls them', async () => {
    const page = Buffer.from('<html><script>alert("SYNTHETIC")</script></html>');
    const zip = join(work, 'WhatsApp Chat with Type test.zip');
    await writeZip(zip, [
      {
        name: '_chat.txt',
        data: '[3/14/23, 9:01:00 PM] Ana Example: <attached: 00000002-PHOTO-2023-03-14-21-01-00.jpg>\n',
      },
      { name: '00000002-PHOTO-2023-03-14-21-01-00.jpg', data: page },
    ]);
    await ingestPaths(store, [zip], { device: 'export-type', locale: 'en-US' });
    await matchCase(store, caseDir, {});
    const item = (await media()).find((m) => m.sha256 === sha256(page));
    expect(item, 'the attachment was ingested as a media item').toBeDefined();
    for (const r of [await reveal(item!.id), await call('GET', `/media/${item!.id}/thumbnail`)]) {
      expect([403, 415]).toContain(r.statusCode);
      expect(r.body).not.toContain('<script');
      expect(r.headers['content-type']).toMatch(/json/);
    }
  });
});
