/**
 * Ingest of an iTunes / Finder backup folder. The evidence item is the backup; its identity is the SHA-256
 * of `Manifest.db` as stored (the ciphertext for an encrypted backup): the one file that lists, and for
 * encrypted backups keys, every other file. WhatsApp's files are copied (decrypted) into a private working
 * copy `<work>/<domain>/<relativePath>` and read there with the iOS ChatStorage reader; media are later
 * served from that copy (`notes.mediaFolder.evidenceRoot`), re-hashed against the SHA-256 the database
 * records. A copy is needed because an encrypted backup cannot be read again without the password, which
 * filet never stores.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ParsedRecord, ReaderNotes, ReaderOptions } from '../../model/types.js';
import { sha256File } from '../../hashing/digests.js';
import { UserError } from '../../util/errors.js';
import { READERS } from '../registry.js';
import { toE164 } from '../wa-db/jids.js';
import { IosBackup, looksLikeBackupFolder, type CopiedFile } from './backup.js';
import { isDict, parsePlist, type PlistValue } from '../plist.js';

export { looksLikeBackupFolder };

export interface WhatsAppInstance {
  app: 'WhatsApp' | 'WhatsApp Business';
  domain: string;
  prefs: string;
}

export const WHATSAPP_INSTANCES: WhatsAppInstance[] = [
  {
    app: 'WhatsApp',
    domain: 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared',
    prefs: 'Library/Preferences/group.net.whatsapp.WhatsApp.shared.plist',
  },
  {
    app: 'WhatsApp Business',
    domain: 'AppDomainGroup-group.net.whatsapp.WhatsAppSMB.shared',
    prefs: 'Library/Preferences/group.net.whatsapp.WhatsAppSMB.shared.plist',
  },
];

const str = (v: PlistValue | undefined) => (typeof v === 'string' ? v : null);

export interface BackupOwner {
  phone: string;
  name: string | null;
  source: string;
}

/**
 * An opened backup, checked (format, password, WhatsApp present) before anything is written. Each WhatsApp
 * instance in it (WhatsApp, WhatsApp Business) is read as its own evidence item with its own owner: the first
 * is identified by the backup's Manifest.db (as before), each other one by its ChatStorage.sqlite as stored
 * in the backup (`identityOf`), the backup's Manifest.db being recorded as the container either way.
 */
export class BackupIngest {
  /** The WhatsApp instances present, WhatsApp first. */
  readonly instances: WhatsAppInstance[];
  readonly instance: WhatsAppInstance;

  private constructor(
    readonly folder: string,
    readonly backup: IosBackup,
    readonly identity: { sha256: string; size: number },
  ) {
    const present = WHATSAPP_INSTANCES.filter((i) => backup.entry(`${i.domain}/ChatStorage.sqlite`));
    if (!present.length) {
      backup.close();
      throw new UserError(
        'the backup holds no WhatsApp ChatStorage.sqlite (domains AppDomainGroup-group.net.whatsapp.WhatsApp.shared ' +
          'and …WhatsAppSMB.shared are absent or empty). WhatsApp may not be installed, or its own iCloud backup ' +
          'encryption can leave ChatStorage out of a device backup: acquire the device by another method',
        { file: folder },
      );
    }
    this.instances = present;
    this.instance = present[0]!;
  }

  /**
   * The backup as the container of its instances' items, when it holds more than one: `filet verify`
   * re-hashes its Manifest.db for each of them (custody.ts).
   */
  containerNote(path: string): Record<string, unknown> | null {
    if (this.instances.length < 2) return null;
    return {
      path,
      kind: 'ios-backup',
      sha256: this.identity.sha256,
      size: this.identity.size,
      identity: 'SHA-256 of Manifest.db as stored in the backup folder',
    };
  }

  /** The evidence identity of an instance (see the class comment). */
  async identityOf(inst: WhatsAppInstance): Promise<{ sha256: string; size: number }> {
    if (inst === this.instance) return this.identity;
    return this.backup.storedDigest(`${inst.domain}/ChatStorage.sqlite`);
  }

  static async open(folder: string, password: string | undefined): Promise<BackupIngest> {
    const backup = IosBackup.open(folder, { password });
    try {
      const id = await sha256File(join(folder, 'Manifest.db'));
      return new BackupIngest(folder, backup, { sha256: id.sha256, size: id.size });
    } catch (err) {
      backup.close();
      throw err;
    }
  }

  close(): void {
    this.backup.close();
  }

  /** What Info.plist says about the device (recorded in the notes; no password, no keys). */
  deviceNotes(): Record<string, unknown> {
    const i = this.backup.info ?? {};
    const m = this.backup.manifest;
    const s = this.backup.status;
    const lockdown = isDict(m.Lockdown) ? m.Lockdown : {};
    return {
      udid: str(i['Unique Identifier']) ?? str(i['Target Identifier']) ?? str(lockdown.UniqueDeviceID),
      deviceName: str(i['Device Name']) ?? str(lockdown.DeviceName),
      productType: str(i['Product Type']) ?? str(lockdown.ProductType),
      iosVersion: str(i['Product Version']) ?? str(lockdown.ProductVersion),
      buildVersion: str(i['Build Version']) ?? str(lockdown.BuildVersion),
      lastBackupDate: i['Last Backup Date'] instanceof Date ? i['Last Backup Date'].toISOString() : null,
      encrypted: this.backup.encrypted,
      manifestVersion: str(m.Version),
      statusIsFullBackup: s ? s.IsFullBackup === true : null,
      identity: 'SHA-256 of Manifest.db as stored in the backup folder',
    };
  }

  /** The owner from WhatsApp's preferences plist: OwnJabberID, else LastOwnJabberID; FullUserName. */
  private owner(copied: CopiedFile[], inst: WhatsAppInstance): BackupOwner | null {
    const path = `${inst.domain}/${inst.prefs}`;
    if (!this.backup.entry(path)) return null;
    const c = copied.find((f) => f.path === path);
    if (!c) return null;
    let plist: PlistValue;
    try {
      plist = parsePlist(this.backup.readBuffer(path), path);
    } catch {
      return null;
    }
    if (!isDict(plist)) return null;
    for (const key of ['OwnJabberID', 'LastOwnJabberID']) {
      const jid = str(plist[key]);
      const phone = jid ? toE164(jid.replace(/@.*$/, '')) : null;
      if (phone)
        return {
          phone,
          name: str(plist.FullUserName),
          source: `device file ${path} (fileID ${c.fileID}), key ${key}`,
        };
    }
    return null;
  }

  /**
   * Copies ChatStorage.sqlite (+ -wal, -shm), the preferences plist and Message/Media/** into `work`,
   * then reads the copy. Every file copied is listed in `notes.backup.filesRead`.
   */
  async *read(
    work: string,
    options: ReaderOptions,
    notes: ReaderNotes,
    inst: WhatsAppInstance = this.instance,
  ): AsyncGenerator<ParsedRecord> {
    const d = inst.domain;
    const root = join(work, d);
    const wanted = this.backup
      .list(d)
      .filter((e) => e.flags === 1)
      .filter(
        (e) =>
          ['ChatStorage.sqlite', 'ChatStorage.sqlite-wal', 'ChatStorage.sqlite-shm', inst.prefs].includes(
            e.relativePath,
          ) || e.relativePath.startsWith('Message/Media/'),
      );
    const copied: CopiedFile[] = [];
    const refused: Array<{ path: string; reason: string }> = [];
    for (const e of wanted) {
      const parts = e.relativePath.split('/');
      if (parts.some((p) => p === '' || p === '.' || p === '..') || e.relativePath.includes('\\')) {
        refused.push({ path: e.path, reason: 'not a plain relative path' });
        continue;
      }
      const dest = join(root, ...parts);
      mkdirSync(dirname(dest), { recursive: true });
      try {
        copied.push(await this.backup.copyTo(e.path, dest));
      } catch (err) {
        // The database itself must be readable; a media file that cannot be copied stays hash-only.
        if (!e.relativePath.startsWith('Message/')) throw err;
        rmSync(dest, { force: true });
        refused.push({ path: e.path, reason: (err as Error).message });
      }
    }
    const owner = options.owner ? null : this.owner(copied, inst);
    notes.backup = {
      ...this.deviceNotes(),
      app: inst.app,
      domain: d,
      otherWhatsAppInstances: this.instances
        .filter((o) => o !== inst)
        .map((o) => `${o.app} (${o.domain}): read as its own evidence item`),
      workingCopy: root,
      filesRead: copied.map((c) => ({
        path: c.path,
        fileID: c.fileID,
        size: c.size,
        sha256: c.sha256,
        ...(this.backup.encrypted ? { storedSha256: c.storedSha256 } : {}),
      })),
      filesRefused: refused,
    };
    if (owner?.name)
      notes.ownerName = { name: owner.name, source: owner.source.replace(/key \w+$/, 'key FullUserName') };
    // The registry's reader: run in a worker under the SQLite budget (wa-db/budget.ts).
    const reader = READERS.find((r) => r.kind === 'ios-chatstorage')!;
    yield* reader.read(
      join(root, 'ChatStorage.sqlite'),
      { ...options, owner: options.owner ?? owner?.phone },
      notes,
    );
    if (owner && notes.owner) (notes.owner as { source: string }).source = owner.source;
  }

  /** The recorded identity still describes the folder (Manifest.db unchanged). */
  async unchanged(): Promise<boolean> {
    return (await sha256File(join(this.folder, 'Manifest.db'))).sha256 === this.identity.sha256;
  }
}
