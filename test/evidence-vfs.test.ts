import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePlist } from '../src/evidence/plist.js';
import { openEvidenceFs, type EvidenceFs } from '../src/evidence/vfs/index.js';
import { rawZip, tarBuffer, tarGz } from './helpers/containers.js';
import { tempDir } from './helpers/stores.js';

const sha = (s: string | Buffer) => createHash('sha256').update(s).digest('hex');

async function names(fs: EvidenceFs): Promise<string[]> {
  const out: string[] = [];
  for await (const e of fs.entries()) out.push(e.path);
  return out.sort();
}

async function text(fs: EvidenceFs, path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of (await fs.open(path)) as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

/** The same quirks, as a zip and as a tar (SYNTHETIC content). */
const QUIRKS = {
  plain: { name: 'phone/notes.txt', data: 'SYNTHETIC plain entry' },
  absolute: { name: '/private/var/mobile/x.txt', data: 'SYNTHETIC absolute' },
  traversal: { name: '../../etc/evil.txt', data: 'SYNTHETIC traversal' },
  macos: { name: '__MACOSX/phone/._notes.txt', data: 'SYNTHETIC resource fork' },
  dup1: { name: 'phone/dup.txt', data: 'SYNTHETIC first copy' },
  dup2: { name: 'phone/dup.txt', data: 'SYNTHETIC second copy' },
};

function checkQuirks(fs: EvidenceFs, listed: string[], dupIndexes: [number, number]) {
  expect(listed).toContain('phone/notes.txt');
  expect(listed).toContain('private/var/mobile/x.txt');
  expect(listed.some((n) => n.includes('evil'))).toBe(false);
  expect(listed.some((n) => n.includes('__MACOSX'))).toBe(false);
  expect(listed.some((n) => n.includes('link'))).toBe(false);
  expect(listed).toContain(`phone/dup.txt#dup${dupIndexes[0]}`);
  expect(listed).toContain(`phone/dup.txt#dup${dupIndexes[1]}`);
  expect(listed).not.toContain('phone/dup.txt');
  const reasons = fs.refused.map((r) => `${r.name}: ${r.reason}`).join('\n');
  expect(reasons).toMatch(/evil\.txt: .*\.\./);
  expect(reasons).toMatch(/__MACOSX.*ignored/);
  expect(reasons).toMatch(/link.*symbolic link/);
  expect(reasons).toMatch(/phone\/dup\.txt: the same name 2 times/);
}

describe('evidence file system: zip', () => {
  it('strips absolute names, refuses .. and symlink entries, ignores __MACOSX, keeps duplicates apart', async () => {
    const dir = tempDir();
    const zip = join(dir, 'phone.zip');
    writeFileSync(
      zip,
      rawZip([
        QUIRKS.plain,
        QUIRKS.absolute,
        QUIRKS.traversal,
        QUIRKS.macos,
        { name: 'phone/link', data: '/etc/passwd', mode: 0o120777 },
        QUIRKS.dup1,
        QUIRKS.dup2,
      ]),
    );
    const fs = await openEvidenceFs(zip);
    try {
      expect(fs.kind).toBe('zip');
      checkQuirks(fs, await names(fs), [6, 7]);
      expect(await text(fs, 'private/var/mobile/x.txt')).toBe('SYNTHETIC absolute');
      await expect(fs.open('phone/dup.txt')).rejects.toThrow(/2 entries named phone\/dup\.txt.*#6 and #7/);
      expect(await text(fs, 'phone/dup.txt#dup7')).toBe('SYNTHETIC second copy');
      const out = join(dir, 'copy.txt');
      const r = await fs.copyTo('phone/notes.txt', out);
      expect(r).toEqual({ sha256: sha('SYNTHETIC plain entry'), size: 21 });
      expect(readFileSync(out, 'utf8')).toBe('SYNTHETIC plain entry');
    } finally {
      await fs.close();
    }
  });

  it('says so when the zip is password-protected or AES-encrypted', async () => {
    const dir = tempDir();
    for (const [name, spec] of [
      // ZipCrypto: 12 header bytes precede the (stored) data.
      [
        'zipcrypto.zip',
        { name: 'msgstore.db', data: Buffer.alloc(13, 9), uncompressedSize: 1, flags: 0x801 },
      ],
      [
        'aes.zip',
        { name: 'msgstore.db', data: Buffer.alloc(40, 9), uncompressedSize: 1, flags: 0x801, method: 99 },
      ],
    ] as const) {
      writeFileSync(join(dir, name), rawZip([{ name: 'readme.txt', data: 'SYNTHETIC' }, spec]));
      await expect(openEvidenceFs(join(dir, name))).rejects.toThrow(/password-protected or AES-encrypted/);
    }
  });
});

describe('evidence file system: tar and tar.gz', () => {
  const entries = [
    QUIRKS.plain,
    QUIRKS.absolute,
    QUIRKS.traversal,
    QUIRKS.macos,
    { name: 'phone/link', type: '2', linkname: '/etc/passwd' },
    QUIRKS.dup1,
    QUIRKS.dup2,
    { name: `phone/${'long-folder-name/'.repeat(8)}deep.txt`, data: 'SYNTHETIC pax long name' },
  ];

  it('lists and reads a .tar the same way (pax long names, offsets)', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'phone.tar'), tarBuffer(entries));
    const fs = await openEvidenceFs(join(dir, 'phone.tar'));
    expect(fs.kind).toBe('tar');
    const listed = await names(fs);
    checkQuirks(fs, listed, [6, 7]);
    expect(listed).toContain(`phone/${'long-folder-name/'.repeat(8)}deep.txt`);
    expect(await text(fs, `phone/${'long-folder-name/'.repeat(8)}deep.txt`)).toBe('SYNTHETIC pax long name');
    expect(await text(fs, 'phone/dup.txt#dup6')).toBe('SYNTHETIC first copy');
    await expect(fs.stat('phone/dup.txt')).rejects.toThrow(/ambiguous/);
  });

  it('streams a .tar.gz and copies several entries in one pass with their SHA-256', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'phone.tar.gz'), tarGz(entries));
    const fs = await openEvidenceFs(join(dir, 'phone.tar.gz'));
    expect(fs.kind).toBe('tar.gz');
    checkQuirks(fs, await names(fs), [6, 7]);
    expect(await text(fs, 'private/var/mobile/x.txt')).toBe('SYNTHETIC absolute');
    const got = await fs.copyMany(
      new Map([
        ['phone/notes.txt', join(dir, 'out', 'a')],
        ['phone/dup.txt#dup7', join(dir, 'out', 'b')],
      ]),
    );
    expect(got.get('phone/notes.txt')!.sha256).toBe(sha('SYNTHETIC plain entry'));
    expect(got.get('phone/dup.txt#dup7')!.sha256).toBe(sha('SYNTHETIC second copy'));
    expect(readFileSync(join(dir, 'out', 'b'), 'utf8')).toBe('SYNTHETIC second copy');
  });

  it('refuses a truncated tar (an entry cut short) and a damaged header, naming the problem', async () => {
    const dir = tempDir();
    const full = tarBuffer([{ name: 'phone/big.bin', data: Buffer.alloc(5000, 7) }]);
    writeFileSync(join(dir, 'cut.tar'), full.subarray(0, 512 + 2000));
    await expect(names(await openEvidenceFs(join(dir, 'cut.tar')))).rejects.toThrow(
      /truncated tar: entry phone\/big\.bin should hold 5000 bytes, the archive ends after 2000/,
    );
    writeFileSync(join(dir, 'cut.tar.gz'), tarGz([{ name: 'a', data: 'x' }]).subarray(0, 20));
    await expect(names(await openEvidenceFs(join(dir, 'cut.tar.gz')))).rejects.toThrow(/truncated|damaged/);
    const bad = Buffer.from(full);
    bad[10] = 0x41; // header no longer adds up
    writeFileSync(join(dir, 'bad.tar'), bad);
    await expect(names(await openEvidenceFs(join(dir, 'bad.tar')))).rejects.toThrow(
      /header checksum wrong at byte 0/,
    );
  });
});

describe('evidence file system: folder', () => {
  it('never follows a symbolic link (a link loop does not hang) and refuses paths through one', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'phone', 'databases'), { recursive: true });
    writeFileSync(join(dir, 'phone', 'databases', 'a.txt'), 'SYNTHETIC');
    symlinkSync('/etc/passwd', join(dir, 'phone', 'passwd-link'));
    symlinkSync(join(dir, 'phone'), join(dir, 'phone', 'databases', 'loop'));
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    const fs = await openEvidenceFs(dir);
    expect(fs.kind).toBe('folder');
    expect(await names(fs)).toEqual(['phone/databases/a.txt']);
    expect(fs.refused.map((r) => r.name).sort()).toEqual([
      'a',
      'b',
      'phone/databases/loop',
      'phone/passwd-link',
    ]);
    await expect(fs.open('phone/databases/loop/databases/a.txt')).rejects.toThrow(/symbolic link/);
    await expect(fs.open('../etc/passwd')).rejects.toThrow(/not a plain relative path/);
    expect((await fs.copyTo('phone/databases/a.txt', join(tempDir(), 'x'))).sha256).toBe(sha('SYNTHETIC'));
  });
});

describe('binary plist', () => {
  it('reads a hand-built bplist00 dictionary (OwnJabberID, FullUserName)', () => {
    // Objects: 0 dict{1:3, 2:4}, 1 "OwnJabberID", 2 "FullUserName", 3 "34600000001@s.whatsapp.net", 4 "Test"
    const objs = [
      Buffer.from([0xd2, 1, 2, 3, 4]),
      Buffer.concat([Buffer.from([0x5b]), Buffer.from('OwnJabberID')]),
      Buffer.concat([Buffer.from([0x5c]), Buffer.from('FullUserName')]),
      Buffer.concat([Buffer.from([0x5f, 0x10, 26]), Buffer.from('34600000001@s.whatsapp.net')]),
      Buffer.concat([Buffer.from([0x54]), Buffer.from('Test')]),
    ];
    const head = Buffer.from('bplist00');
    const offsets: number[] = [];
    let pos = head.length;
    for (const o of objs) {
      offsets.push(pos);
      pos += o.length;
    }
    const table = Buffer.from(offsets);
    const trailer = Buffer.alloc(32);
    trailer[6] = 1;
    trailer[7] = 1;
    trailer.writeBigUInt64BE(5n, 8);
    trailer.writeBigUInt64BE(0n, 16);
    trailer.writeBigUInt64BE(BigInt(pos), 24);
    const buf = Buffer.concat([head, ...objs, table, trailer]);
    expect(parsePlist(buf)).toEqual({
      OwnJabberID: '34600000001@s.whatsapp.net',
      FullUserName: 'Test',
    });
    const loop = Buffer.from(buf);
    loop[head.length + 1] = 0; // the dictionary's first key refers to the dictionary itself
    expect(() => parsePlist(loop)).toThrow(/cyclic reference/);
  });
});
