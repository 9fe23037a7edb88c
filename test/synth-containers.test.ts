/**
 * `filet synth --containers` writes some devices as labs deliver them (an iTunes backup, a full-file-system
 * zip, a crypt15 backup in shared storage with its key), and `filet ingest` reads each as a user would —
 * without --owner where the container names the owner — into the same case as the bare database with
 * --owner. Ground truth is devices.json (the generator's own owners), not filet's reading.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ingestPaths } from '../src/evidence/ingest.js';
import { writeBinaryPlist } from '../src/evidence/plist.js';
import { openCase, initCase } from '../src/store/case-dir.js';
import { synthesize } from '../src/synth/index.js';
import type { DeviceEntry } from '../src/synth/truth.js';
import { caseFacts } from './helpers/case-facts.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';

let op: string;
let devices: DeviceEntry[];

function digestTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const n of readdirSync(join(root, rel)).sort()) {
      const r = rel ? `${rel}/${n}` : n;
      if (statSync(join(root, r)).isDirectory()) walk(r);
      else
        out[r] = createHash('sha256')
          .update(readFileSync(join(root, r)))
          .digest('hex');
    }
  };
  walk('');
  return out;
}

beforeAll(async () => {
  op = join(tempDir('filet-synth-containers-'), 'op');
  await synthesize({ out: op, seed: 7, scale: 'small', containers: true });
  devices = JSON.parse(readFileSync(join(op, 'devices.json'), 'utf8')) as DeviceEntry[];
}, 120_000);

describe('filet synth --containers', () => {
  it('writes an iTunes backup, a full-file-system zip and a crypt15 with its key, byte-identical per seed', async () => {
    const kinds = devices.flatMap((d) => (d.containers ?? []).map((c) => c.kind)).sort();
    expect(kinds).toEqual([
      'android-crypt15',
      'android-full-file-system-zip',
      'cellebrite-ffs',
      'cellebrite-ufdr',
      'graykey',
      'ios-backup',
    ]);
    const again = join(tempDir('filet-synth-containers-'), 'op');
    await synthesize({ out: again, seed: 7, scale: 'small', containers: true });
    expect(digestTree(join(again, 'containers'))).toEqual(digestTree(join(op, 'containers')));
    // Real layouts: the backup has its manifest, the zip WhatsApp's private folder, the crypt15 its header.
    const backup = devices.flatMap((d) => d.containers ?? []).find((c) => c.kind === 'ios-backup')!;
    expect(readdirSync(join(op, backup.path))).toEqual(
      expect.arrayContaining(['Manifest.db', 'Manifest.plist']),
    );
    const crypt = devices.flatMap((d) => d.containers ?? []).find((c) => c.kind === 'android-crypt15')!;
    expect(crypt.path).toMatch(
      /sdcard\/Android\/media\/com\.whatsapp\/WhatsApp\/Databases\/msgstore\.db\.crypt15$/,
    );
    expect(statSync(join(op, crypt.keyFile!)).size).toBe(59);
    expect(readdirSync(join(op, 'containers'))).toContain('SYNTHETIC');
  }, 120_000);
});

describe.each(STORE_TARGETS)('ingesting the synth containers on $name', ({ store }) => {
  it.each([
    'ios-backup',
    'android-full-file-system-zip',
    'android-crypt15',
    'cellebrite-ufdr',
    'cellebrite-ffs',
    'graykey',
  ])(
    "%s: the owner is the device's own where it names one, and the case equals the bare database with --owner",
    async (kind) => {
      const d = devices.find((x) => x.containers?.some((c) => c.kind === kind))!;
      const c = d.containers!.find((x) => x.kind === kind)!;
      const work = tempDir();
      const viaContainer = join(work, 'container');
      const viaBare = join(work, 'bare');
      for (const dir of [viaContainer, viaBare]) (await initCase(dir, { store })).store.close();
      const args = ['ingest', viaContainer, join(op, c.path), '--tz', d.tz, '--locale', d.locale, '--json'];
      if (c.keyFile) args.push('--key-file', join(op, c.keyFile));
      // A zip is named after its device; the others are labelled by the examiner (a UFDR, an FFS and a
      // GrayKey zip would be named by their case information or UDID).
      if (kind !== 'android-full-file-system-zip') args.push('--device', d.label);
      if (!c.ownerInEvidence) args.push('--owner', d.owner);
      const r = filet(args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);

      const bare = await openCase(viaBare);
      const db = d.files.find((f) => f.startsWith('devices/'))!;
      await ingestPaths(bare.store, [join(op, db)], {
        owner: d.owner,
        device: d.label,
        tz: d.tz,
        locale: d.locale,
      });
      const fromContainer = await openCase(viaContainer);
      try {
        const [ev] = await fromContainer.store.listEvidence();
        expect(ev!.deviceLabel).toBe(d.label);
        const owner = ev!.notes.owner as { number: string; source: string };
        expect(owner.number).toBe(d.owner);
        if (c.ownerInEvidence) expect(owner.source).toMatch(/^(device file|Cellebrite report) /);
        const a = await caseFacts(fromContainer.store);
        const b = await caseFacts(bare.store);
        expect(a.messages).toBeGreaterThan(0);
        expect(a).toEqual(b);
      } finally {
        await fromContainer.store.close();
        await bare.store.close();
      }
    },
    120_000,
  );
});

describe.each(STORE_TARGETS)('WhatsApp Desktop on macOS on $name', ({ store }) => {
  it('a Mac home folder: the group container is read like iOS, the owner from its preferences plist', async () => {
    const d = devices.find(
      (x) => x.platform === 'ios' && x.files.some((f) => f.endsWith('ChatStorage.sqlite')),
    )!;
    const work = tempDir();
    const group = join(work, 'macbook-7', 'Users', 'synthetic', 'Library', 'Group Containers');
    const container = join(group, 'group.net.whatsapp.WhatsApp.shared');
    cpSync(join(op, 'devices', d.label), container, { recursive: true });
    mkdirSync(join(container, 'Library', 'Preferences'), { recursive: true });
    writeFileSync(
      join(container, 'Library', 'Preferences', 'group.net.whatsapp.WhatsApp.shared.plist'),
      writeBinaryPlist({ OwnJabberID: `${d.owner.slice(1)}@s.whatsapp.net`, FullUserName: d.ownerName }),
    );
    const viaMac = join(work, 'mac');
    const viaBare = join(work, 'bare');
    for (const dir of [viaMac, viaBare]) (await initCase(dir, { store })).store.close();
    const r = filet([
      'ingest',
      viaMac,
      join(work, 'macbook-7'),
      '--tz',
      d.tz,
      '--locale',
      d.locale,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const bare = await openCase(viaBare);
    await ingestPaths(
      bare.store,
      [
        join(
          op,
          d.files.find((f) => f.endsWith('ChatStorage.sqlite'))!,
        ),
      ],
      {
        owner: d.owner,
        device: 'macbook-7',
        tz: d.tz,
        locale: d.locale,
      },
    );
    const mac = await openCase(viaMac);
    try {
      const [ev] = await mac.store.listEvidence();
      expect(ev!.deviceLabel).toBe('macbook-7');
      expect((ev!.notes.owner as { number: string }).number).toBe(d.owner);
      expect(await caseFacts(mac.store)).toEqual(await caseFacts(bare.store));
    } finally {
      await mac.store.close();
      await bare.store.close();
    }
  }, 120_000);
});
