import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkEvidence } from '../src/evidence/custody.js';
import { readEvidenceMedia } from '../src/evidence/media-reader.js';
import { closeDiscovery, discover } from '../src/evidence/discovery/index.js';
import { ingestDiscovered } from '../src/evidence/discovery/ingest.js';
import { ingestPaths } from '../src/evidence/ingest.js';
import { initCase } from '../src/store/case-dir.js';
import { caseFacts } from './helpers/case-facts.js';
import { filet } from './helpers/cli.js';
import { tarBuffer, tarGz, treeEntries, zipTree } from './helpers/containers.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { synthOperation, type DeviceInfo } from './helpers/synth-cache.js';

let op: { dir: string; devices: DeviceInfo[] };
let device: DeviceInfo;
let deviceDir: string;

beforeAll(async () => {
  op = await synthOperation(7);
  // An Android device with a new-schema database and media (devices.json / truth.json say which).
  const truth = JSON.parse(readFileSync(join(op.dir, 'truth.json'), 'utf8')) as {
    devices: Array<{ label: string; database?: string; databaseMediaPresent?: number }>;
  };
  const t = truth.devices.find((d) => d.database === 'new' && (d.databaseMediaPresent ?? 0) > 0)!;
  device = op.devices.find((d) => d.label === t.label)!;
  deviceDir = join(op.dir, 'devices', device.label);
});

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

/** Every file below a folder with its SHA-256: the evidence must be byte-identical after an ingest. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      if (statSync(join(dir, r)).isDirectory()) walk(r);
      else out[r] = sha(join(dir, r));
    }
  };
  walk('');
  return out;
}

describe.each(STORE_TARGETS)('ingest from a container on $name', ({ store: storeArg }) => {
  it('a zip of the device folder gives the same case as the bare database with --owner', async () => {
    const work = tempDir();
    const zip = join(work, `${device.label}.zip`);
    const digits = device.owner.slice(1);
    await zipTree(deviceDir, zip, '', [
      {
        name: 'shared_prefs/com.whatsapp_preferences_light.xml',
        data: `<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    <string name="registration_jid">${digits}@s.whatsapp.net</string>\n</map>\n`,
      },
    ]);
    const zipSha = sha(zip);
    const dbSha = sha(join(deviceDir, 'databases', 'msgstore.db'));

    const a = await initCase(join(work, 'case-a'), { store: storeArg });
    const b = await initCase(join(work, 'case-b'), { store: storeArg });
    try {
      const d = await discover([zip]);
      let outcomes;
      try {
        expect(d.devices.map((x) => x.label)).toEqual([device.label]);
        expect(d.devices[0]!.instances[0]!.owner?.number).toBe(device.owner);
        outcomes = await ingestDiscovered(a.store, d, { workDir: a.dir });
      } finally {
        await closeDiscovery(d);
      }
      expect(outcomes.map((o) => o.status)).toEqual(['ingested']);
      await ingestPaths(b.store, [join(deviceDir, 'databases', 'msgstore.db')], {
        device: device.label,
        owner: device.owner,
      });
      const fa = await caseFacts(a.store);
      const fb = await caseFacts(b.store);
      expect(fa.messages).toBeGreaterThan(0);
      expect(fa.mediaSha256.length).toBeGreaterThan(0);
      expect(fa).toEqual(fb);

      const [ev] = await a.store.listEvidence();
      expect(ev!.path).toBe(zip);
      expect(ev!.deviceLabel).toBe(device.label);
      expect(ev!.notes.container).toMatchObject({ path: zip, kind: 'zip', sha256: zipSha });
      expect(ev!.notes.owner).toMatchObject({
        number: device.owner,
        source: `device file ${zip}!/shared_prefs/com.whatsapp_preferences_light.xml (key registration_jid)`,
      });
      expect((ev!.notes.discovery as { owner: unknown }).owner).toMatchObject({
        number: device.owner,
        source: 'device file (key registration_jid)',
      });
      const inner = ev!.notes.innerArtifacts as Array<{
        path: string;
        sha256: string;
        size: number;
        role: string;
      }>;
      expect(inner[0]).toMatchObject({
        path: 'databases/msgstore.db',
        sha256: dbSha,
        role: 'android-msgstore',
      });
      const mediaFiles = readdirSync(join(deviceDir, 'Media'), {
        recursive: true,
        withFileTypes: true,
      }).filter((e) => e.isFile());
      expect(inner.filter((x) => x.role === 'media').length).toBe(mediaFiles.length);
      const check = await checkEvidence(ev!);
      expect(check).toMatchObject({ status: 'ok', expected: zipSha, actual: zipSha });
      // The staged copies (database and every media file) are re-hashed too: the viewer reads them.
      expect(check.inner.checked).toBe(1 + mediaFiles.length);
      // Media of a container's device are read back (for thumbnails/reveal) from their staged copies.
      const present = (await a.store.media()).filter((m) => m.present && m.fileRef);
      expect(present.length).toBeGreaterThan(0);
      for (const m of present) {
        const bytes = await readEvidenceMedia(ev!, m.fileRef!);
        expect(createHash('sha256').update(bytes).digest('hex')).toBe(m.sha256);
      }
      // A staged picture replaced afterwards: verify names it (the media gate's re-hash refuses to serve it).
      const picture = present[0]!;
      const stagedMedia = (
        ev!.notes.innerArtifacts as Array<{ role: string; location: string; sha256: string }>
      ).find((x) => x.role === 'media' && x.sha256 === picture.sha256)!;
      const originalBytes = readFileSync(stagedMedia.location);
      writeFileSync(stagedMedia.location, 'SYNTHETIC replaced bytes');
      const tampered = await checkEvidence(ev!);
      expect(tampered.status).toBe('changed');
      expect(tampered.actual).toBe(zipSha);
      expect(tampered.inner.failed.map((f) => f.location)).toEqual([stagedMedia.location]);
      writeFileSync(stagedMedia.location, originalBytes);
      // The bare database is the same bytes: already in case B.
      const again = await ingestPaths(a.store, [join(deviceDir, 'databases', 'msgstore.db')], {});
      expect(again[0]!.status).toBe('already-ingested');
    } finally {
      await a.store.close();
      await b.store.close();
    }
  });

  it.each(['tar', 'tar.gz'] as const)(
    'a .%s of the phone (Android paths under data/) gives the same case as the bare database with --owner',
    async (kind) => {
      const work = tempDir();
      const digits = device.owner.slice(1);
      const entries = [
        ...treeEntries(deviceDir, 'data/data/com.whatsapp/'),
        {
          name: 'data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences_light.xml',
          data: `<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n    <string name="registration_jid">${digits}@s.whatsapp.net</string>\n</map>\n`,
        },
        { name: 'system/build.prop', data: 'ro.product.model=SYNTHETIC\n' },
      ];
      const file = join(work, `${device.label}.${kind}`);
      writeFileSync(file, kind === 'tar' ? tarBuffer(entries) : tarGz(entries));
      const a = await initCase(join(work, 'case-a'), { store: storeArg });
      const b = await initCase(join(work, 'case-b'), { store: storeArg });
      try {
        const d = await discover([file]);
        try {
          expect(d.devices.map((x) => x.label)).toEqual([device.label]);
          expect(d.devices[0]!.instances[0]!.owner?.number).toBe(device.owner);
          const outcomes = await ingestDiscovered(a.store, d, { workDir: a.dir });
          expect(outcomes.map((o) => o.status)).toEqual(['ingested']);
        } finally {
          await closeDiscovery(d);
        }
        await ingestPaths(b.store, [join(deviceDir, 'databases', 'msgstore.db')], {
          device: device.label,
          owner: device.owner,
        });
        const fa = await caseFacts(a.store);
        expect(fa.presentMedia).toBeGreaterThan(0);
        expect(fa).toEqual(await caseFacts(b.store));
        const [ev] = await a.store.listEvidence();
        expect(ev!.notes.container).toMatchObject({ path: file, kind, sha256: sha(file) });
        expect((await checkEvidence(ev!)).status).toBe('ok');
      } finally {
        await a.store.close();
        await b.store.close();
      }
    },
  );

  it('reads a device folder through private copies: WAL rows are read, the evidence is byte-identical after', async () => {
    const work = tempDir();
    const evidence = join(work, 'seized', device.label);
    mkdirSync(join(evidence, 'databases'), { recursive: true });
    // A database in WAL mode whose last change lives only in the -wal file (SYNTHETIC text).
    const scratch = join(work, 'scratch.db');
    copyFileSync(join(deviceDir, 'databases', 'msgstore.db'), scratch);
    const w = new Database(scratch);
    w.pragma('journal_mode = WAL');
    w.pragma('wal_autocheckpoint = 0');
    w.prepare(
      "UPDATE message SET text_data = 'SYNTHETIC WAL-ONLY TEXT' WHERE _id = (SELECT MIN(_id) FROM message WHERE text_data IS NOT NULL)",
    ).run();
    copyFileSync(scratch, join(evidence, 'databases', 'msgstore.db'));
    copyFileSync(`${scratch}-wal`, join(evidence, 'databases', 'msgstore.db-wal'));
    w.close();
    const before = snapshot(join(work, 'seized'));
    expect(Object.keys(before)).toEqual([
      `${device.label}/databases/msgstore.db`,
      `${device.label}/databases/msgstore.db-wal`,
    ]);

    const c = await initCase(join(work, 'case'), { store: storeArg });
    try {
      const d = await discover([join(work, 'seized')]);
      try {
        await ingestDiscovered(c.store, d, { workDir: c.dir, owner: device.owner });
      } finally {
        await closeDiscovery(d);
      }
      const texts: string[] = [];
      for await (const page of c.store.messages()) for (const m of page) if (m.text) texts.push(m.text);
      expect(texts).toContain('SYNTHETIC WAL-ONLY TEXT');
      const [ev] = await c.store.listEvidence();
      const inner = ev!.notes.innerArtifacts as Array<{ path: string; sha256: string }>;
      expect(inner.map((x) => x.sha256)).toContain(before[`${device.label}/databases/msgstore.db-wal`]);
      expect(ev!.notes.owner).toMatchObject({ number: device.owner, source: 'command line (--owner)' });
      // verify re-hashes the database and its WAL where they lie; a WAL changed afterwards is named.
      const ok = await checkEvidence(ev!);
      expect(ok).toMatchObject({ status: 'ok', inner: { checked: 2, failed: [] } });
      expect(snapshot(join(work, 'seized'))).toEqual(before);
      const walPath = join(evidence, 'databases', 'msgstore.db-wal');
      const original = readFileSync(walPath);
      writeFileSync(walPath, Buffer.concat([original, Buffer.from('x')]));
      const bad = await checkEvidence(ev!);
      expect(bad.status).toBe('changed');
      expect(bad.inner.failed).toEqual([
        expect.objectContaining({
          location: walPath,
          status: 'changed',
          expected: before[`${device.label}/databases/msgstore.db-wal`],
        }),
      ]);
      expect(bad.error).toMatch(/1 inner artifact\(s\) differ from ingest: .*msgstore\.db-wal \(changed/);
      writeFileSync(walPath, original);
    } finally {
      await c.store.close();
    }
    expect(snapshot(join(work, 'seized'))).toEqual(before);
  });
});

describe('a whole operation packed as .tar.gz', () => {
  it('gives the same case as the operation folder (exports inside the container included)', async () => {
    const work = tempDir();
    const tgz = join(work, 'op.tar.gz');
    writeFileSync(
      tgz,
      tarGz([
        ...treeEntries(join(op.dir, 'devices'), 'devices/'),
        ...treeEntries(join(op.dir, 'exports'), 'exports/'),
      ]),
    );
    const facts = [];
    for (const src of [op.dir, tgz]) {
      const c = await initCase(join(work, `case-${facts.length}`), { store: 'sqlite' });
      try {
        const d = await discover([src]);
        try {
          const out = await ingestDiscovered(c.store, d, { workDir: c.dir });
          expect(out.every((o) => o.status === 'ingested')).toBe(true);
        } finally {
          await closeDiscovery(d);
        }
        const evs = await c.store.listEvidence();
        expect(evs.every((e) => e.path === src || e.path.startsWith(`${src}/`))).toBe(true);
        for (const e of evs) expect((await checkEvidence(e)).status).toBe('ok');
        facts.push(await caseFacts(c.store));
      } finally {
        await c.store.close();
      }
    }
    expect(facts[0]!.messages).toBeGreaterThan(0);
    expect(facts[1]).toEqual(facts[0]);
  });
});

describe('filet ingest CASE OPERATION_FOLDER', () => {
  it('ingests every device of a synth operation as its own device in one command', () => {
    const work = tempDir();
    const caseDir = join(work, 'case');
    expect(filet(['init', caseDir]).code).toBe(0);
    const caseBefore = snapshot(caseDir);
    const dry = filet(['ingest', caseDir, op.dir, '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    expect(snapshot(caseDir)).toEqual(caseBefore); // a dry run writes nothing
    const plan = JSON.parse(dry.stdout) as {
      devices: Array<{ label: string; instances: Array<{ artifacts: Array<{ path: string }> }> }>;
    };
    const withFiles = op.devices.filter((d) => d.files.length);
    expect(plan.devices.map((d) => d.label)).toEqual(withFiles.map((d) => d.label).sort());
    for (const d of plan.devices)
      expect(d.instances.flatMap((i) => i.artifacts.map((a) => a.path)).sort()).toEqual(
        [...withFiles.find((x) => x.label === d.label)!.files].sort(),
      );

    const r = filet(['ingest', caseDir, op.dir, '--json'], { FILET_PROGRESS: 'json' });
    expect(r.code, r.stderr).toBe(0);
    // A progress bar per device (artifacts read of those found) and one per artifact (records read).
    const lines = r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { progress: string; done: number; total: number });
    const last = new Map(lines.map((l) => [l.progress, l]));
    for (const d of withFiles) {
      expect(last.get(`device ${d.label}`), d.label).toEqual({
        progress: `device ${d.label}`,
        done: d.files.length,
        total: d.files.length,
      });
      for (const f of d.files) {
        const art = last.get(`  ${d.label} ${basename(f)} records`);
        expect(art, f).toBeDefined();
        expect(art!.done).toBeGreaterThan(0);
      }
    }
    const res = JSON.parse(r.stdout) as {
      devices: string[];
      outcomes: Array<{
        device: string;
        status: string;
        stats: { messages: { new: number; duplicate: number } };
      }>;
    };
    expect(res.devices).toEqual(withFiles.map((d) => d.label).sort());
    expect(res.outcomes.every((o) => o.status === 'ingested')).toBe(true);
    // Messages read per device equal those read when each device's files (devices.json) are ingested one
    // by one under their label, as before this command existed.
    const perDevice = (rows: Array<{ device: string; n: number }>) => {
      const m: Record<string, number> = {};
      for (const x of rows) m[x.device] = (m[x.device] ?? 0) + x.n;
      return m;
    };
    const got = perDevice(
      res.outcomes.map((o) => ({ device: o.device, n: o.stats.messages.new + o.stats.messages.duplicate })),
    );
    const ref = join(work, 'ref');
    expect(filet(['init', ref]).code).toBe(0);
    const rows: Array<{ device: string; n: number }> = [];
    for (const d of withFiles) {
      const x = filet(['ingest', ref, ...d.files.map((f) => join(op.dir, f)), '--device', d.label, '--json']);
      expect(x.code, x.stderr).toBe(0);
      for (const o of JSON.parse(x.stdout) as Array<{
        stats: { messages: { new: number; duplicate: number } };
      }>)
        rows.push({ device: d.label, n: o.stats.messages.new + o.stats.messages.duplicate });
    }
    expect(got).toEqual(perDevice(rows));
  });

  it('a tree without WhatsApp is a clear error listing what was searched', () => {
    const work = tempDir();
    mkdirSync(join(work, 'tree', 'docs'), { recursive: true });
    copyFileSync(join(op.dir, 'devices.json'), join(work, 'tree', 'docs', 'notes.json'));
    expect(filet(['init', join(work, 'case')]).code).toBe(0);
    const r = filet(['ingest', join(work, 'case'), join(work, 'tree')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no WhatsApp artifact found\. Searched: .*tree \(folder\)/);
    expect(r.stderr).toMatch(/1 × not a WhatsApp artifact/);
    const audit = JSON.parse(filet(['audit', 'show', join(work, 'case'), '--json']).stdout) as Array<{
      action: string;
      result: { ok: boolean };
    }>;
    expect(audit.filter((e) => e.action === 'ingest').map((e) => e.result.ok)).toEqual([false]);
  });
});
