import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { closeDiscovery, discover, type Discovery } from '../src/evidence/discovery/index.js';
import { bplistOfStrings, rawZip, tarGz, treeEntries, zipTree } from './helpers/containers.js';
import { tempDir } from './helpers/stores.js';
import { synthOperation, type DeviceInfo } from './helpers/synth-cache.js';

let op: { dir: string; devices: DeviceInfo[] };

beforeAll(async () => {
  op = await synthOperation(7);
});

/** label → sorted artifact paths, as discovery grouped them. */
function byDevice(d: Discovery): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const dev of d.devices)
    out[dev.label] = dev.instances.flatMap((i) => i.artifacts.map((a) => a.path)).sort();
  return out;
}

/** The ground truth: devices.json lists each device's files. */
function expected(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const d of op.devices) if (d.files.length) out[d.label] = [...d.files].sort();
  return out;
}

function write(path: string, data: string | Buffer) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

const prefs = (entries: Record<string, string>) =>
  `<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n${Object.entries(entries)
    .map(([k, v]) => `    <string name="${k}">${v}</string>`)
    .join('\n')}\n</map>\n`;

describe('artifact discovery', () => {
  it('finds every device of a synth operation folder, grouped as devices.json lists them', async () => {
    const d = await discover([op.dir]);
    try {
      expect(byDevice(d)).toEqual(expected());
      expect(d.ignored.map((i) => i.path)).toContain('truth.json');
      for (const dev of d.devices)
        for (const i of dev.instances)
          for (const a of i.artifacts)
            if (a.kind === 'android-msgstore')
              expect(a.mediaBases).toEqual(
                existsSync(join(op.dir, 'devices', dev.label, 'Media')) ? [`devices/${dev.label}`] : [],
              );
    } finally {
      await closeDiscovery(d);
    }
  });

  it('finds the same devices and artifacts in a .zip and a .tar.gz of the operation', async () => {
    const dir = tempDir();
    const extra = treeEntries(join(op.dir, 'exports'), 'exports/');
    await zipTree(join(op.dir, 'devices'), join(dir, 'op.zip'), 'devices/', extra);
    writeFileSync(
      join(dir, 'op.tar.gz'),
      tarGz([...treeEntries(join(op.dir, 'devices'), 'devices/'), ...extra]),
    );
    for (const c of ['op.zip', 'op.tar.gz']) {
      const d = await discover([join(dir, c)]);
      try {
        expect(byDevice(d), c).toEqual(expected());
        expect(d.devices.every((x) => x.source === join(dir, c))).toBe(true);
      } finally {
        await closeDiscovery(d);
      }
    }
  });

  it('counts FBE views once, keeps Business and consumer apart with their own owners, claims a renamed database by its tables', async () => {
    const android = op.devices.filter(
      (d) => d.platform === 'android' && d.files.some((f) => f.endsWith('msgstore.db')),
    );
    const ios = op.devices.find((d) => d.files.some((f) => f.endsWith('ChatStorage.sqlite')))!;
    const [a, b] = android;
    const root = join(tempDir(), 'seized');
    const dump = join(root, 'phone-7', 'Dump');
    const consumerDb = join(
      op.dir,
      a!.files.find((f) => f.endsWith('msgstore.db'))!,
    );
    const businessDb = join(
      op.dir,
      b!.files.find((f) => f.endsWith('msgstore.db'))!,
    );
    for (const view of ['data/data', 'data/user/0', 'data_mirror/data_ce/null/0']) {
      write(join(dump, view, 'com.whatsapp', 'databases', 'msgstore.db'), '');
      copyFileSync(consumerDb, join(dump, view, 'com.whatsapp', 'databases', 'msgstore.db'));
    }
    write(
      join(dump, 'data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences_light.xml'),
      prefs({ registration_jid: '34600000011@s.whatsapp.net', push_name: 'Test A' }),
    );
    // A second registration file naming another number: reported as a conflict, the first in order wins.
    write(
      join(dump, 'data/data/com.whatsapp/shared_prefs/registration.RegisterPhone.xml'),
      prefs({
        'com.whatsapp.registration.RegisterPhone.country_code': '34',
        'com.whatsapp.registration.RegisterPhone.phone_number': '600000099',
      }),
    );
    write(join(dump, 'data/data/com.whatsapp.w4b/databases/msgstore.db'), '');
    copyFileSync(businessDb, join(dump, 'data/data/com.whatsapp.w4b/databases/msgstore.db'));
    write(
      join(dump, 'data/data/com.whatsapp.w4b/shared_prefs/com.whatsapp.w4b_preferences_light.xml'),
      prefs({ cc: '34', ph: '600000022' }),
    );
    // A second user (work profile / dual messenger) is its own account.
    write(join(dump, 'data/user/95/com.whatsapp/databases/msgstore.db'), '');
    copyFileSync(businessDb, join(dump, 'data/user/95/com.whatsapp/databases/msgstore.db'));
    // A renamed iOS database, found by its table signature only (its device: the folder holding it).
    write(join(root, 'tablet-2', 'file0042.bin'), '');
    copyFileSync(
      join(
        op.dir,
        ios.files.find((f) => f.endsWith('ChatStorage.sqlite'))!,
      ),
      join(root, 'tablet-2', 'file0042.bin'),
    );
    write(join(dump, 'data/data/com.whatsapp/databases/msgstore.db.crypt15'), 'SYNTHETIC not a real backup');

    const d = await discover([root]);
    try {
      expect(d.devices.map((x) => x.label)).toEqual(['phone-7', 'tablet-2']);
      const phone = d.devices[0]!;
      expect(phone.instances.map((i) => i.id).sort()).toEqual([
        'android-business',
        'android-consumer',
        'android-consumer-user95',
      ]);
      const consumer = phone.instances.find((i) => i.id === 'android-consumer')!;
      expect(consumer.artifacts.length).toBe(1);
      expect(consumer.artifacts[0]!.duplicateViews.length).toBe(2);
      expect(consumer.owner).toMatchObject({
        number: '+34600000011',
        key: 'registration_jid',
        name: 'Test A',
        file: 'phone-7/Dump/data/data/com.whatsapp/shared_prefs/com.whatsapp_preferences_light.xml',
      });
      expect(consumer.ownerConflicts.map((c) => [c.number, c.key])).toEqual([
        ['+34600000011', 'registration_jid'],
        ['+34600000099', 'com.whatsapp.registration.RegisterPhone.country_code + …phone_number'],
      ]);
      const business = phone.instances.find((i) => i.id === 'android-business')!;
      expect(business.ownerConflicts).toEqual([]);
      expect(business.owner).toMatchObject({ number: '+34600000022', key: 'cc + ph' });
      expect(business.app).toBe('business');
      expect(phone.instances.find((i) => i.id === 'android-consumer-user95')!.user).toBe(95);
      const tablet = d.devices[1]!;
      expect(tablet.instances[0]!.artifacts[0]!.matchedBy).toMatch(/^table signature/);
      expect(tablet.instances[0]!.artifacts[0]!.kind).toBe('ios-chatstorage');
      // The encrypted backup beside the plain database is reported with the instance, not read.
      expect(consumer.alsoFound.map((x) => [x.path, x.what])).toEqual([
        [
          'phone-7/Dump/data/data/com.whatsapp/databases/msgstore.db.crypt15',
          'encrypted backup of this instance',
        ],
      ]);
    } finally {
      await closeDiscovery(d);
    }
  });

  it('reads the iOS owner from the app group binary plist (OwnJabberID)', async () => {
    const ios = op.devices.find((d) => d.files.some((f) => f.endsWith('ChatStorage.sqlite')))!;
    const group = join(
      tempDir(),
      'iphone-3',
      'filesystem1',
      'private/var/mobile/Containers/Shared/AppGroup/0A1B2C3D-SYNTHETIC',
    );
    write(join(group, 'ChatStorage.sqlite'), '');
    copyFileSync(
      join(
        op.dir,
        ios.files.find((f) => f.endsWith('ChatStorage.sqlite'))!,
      ),
      join(group, 'ChatStorage.sqlite'),
    );
    write(
      join(group, 'Library/Preferences/group.net.whatsapp.WhatsApp.shared.plist'),
      bplistOfStrings({ OwnJabberID: '34600000033@s.whatsapp.net', FullUserName: 'Test C' }),
    );
    // The phone's folder: the label is its name, the iOS path below it is removed.
    const d = await discover([group.slice(0, group.indexOf('/filesystem1'))]);
    try {
      expect(d.devices.map((x) => x.label)).toEqual(['iphone-3']);
      expect(d.devices[0]!.instances[0]!.owner).toMatchObject({
        number: '+34600000033',
        key: 'OwnJabberID',
        name: 'Test C',
      });
    } finally {
      await closeDiscovery(d);
    }
  });

  it('never picks "the first one" of two databases stored under one name in a zip', async () => {
    const dbs = op.devices
      .filter((d) => d.files.some((f) => f.endsWith('msgstore.db')))
      .slice(0, 2)
      .map((d) =>
        readFileSync(
          join(
            op.dir,
            d.files.find((f) => f.endsWith('msgstore.db'))!,
          ),
        ),
      );
    const zip = join(tempDir(), 'phone-9.zip');
    writeFileSync(
      zip,
      rawZip([
        { name: 'databases/msgstore.db', data: dbs[0]! },
        { name: 'databases/msgstore.db', data: dbs[1]! },
      ]),
    );
    const d = await discover([zip]);
    try {
      expect(d.devices.map((x) => x.label)).toEqual(['phone-9']);
      const arts = d.devices[0]!.instances.flatMap((i) => i.artifacts);
      expect(arts.map((a) => a.path).sort()).toEqual([
        'databases/msgstore.db#dup1',
        'databases/msgstore.db#dup2',
      ]);
      expect(arts.every((a) => a.matchedBy.startsWith('table signature'))).toBe(true);
      expect(d.devices[0]!.instances[0]!.notes.join(' ')).toMatch(/hold different databases/);
      expect(d.ignored.find((i) => i.path === 'databases/msgstore.db')?.reason).toMatch(
        /the same name 2 times/,
      );
    } finally {
      await closeDiscovery(d);
    }
  });
});
