import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import sharp from 'sharp';
import yauzl from 'yauzl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pdqFromImage } from '../src/hashing/decode.js';
import { hammingHex } from '../src/hashing/pdq.js';
import { synthesize, type SynthSummary } from '../src/synth/index.js';
import { buildOperation, memberAt } from '../src/synth/operation.js';
import type { Truth } from '../src/synth/truth.js';
import { UserError } from '../src/util/errors.js';

interface DeviceJson {
  databases?: string[];
  label: string;
  owner: string;
  ownerName: string;
  locale: string;
  platform: 'android' | 'ios';
  tz: string;
  files: string[];
  savedContacts: Record<string, string>;
}

const tmp = mkdtempSync(join(tmpdir(), 'filet-synth-'));
const dirA = join(tmp, 'a');
const dirB = join(tmp, 'b');
const dirC = join(tmp, 'c');
let summary: SynthSummary;
let truth: Truth;
let devices: DeviceJson[];

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(root, p));
    }
  };
  walk(root);
  return out.sort();
}

function hashes(root: string): Record<string, string> {
  return Object.fromEntries(
    listFiles(root).map((f) => [
      f,
      createHash('sha256')
        .update(readFileSync(join(root, f)))
        .digest('hex'),
    ]),
  );
}

/** The author of an authored line (a number, the owner's or a saved name), or null for a system line. */
function authorOf(rest: string, names: Set<string>): string | null {
  const num = /^(\+\d[\d ]*\d): /.exec(rest);
  if (num) return num[1];
  for (const n of names) if (rest.startsWith(`${n}: `)) return n;
  return null;
}

const STAMP: Record<string, RegExp> = {
  'android:en-US': /^\d{1,2}\/\d{1,2}\/\d{2}, \d{1,2}:\d{2} [AP]M - /,
  'android:de': /^\d{2}\.\d{2}\.\d{2}, \d{2}:\d{2} - /,
  'android:nl': /^\d{2}-\d{2}-\d{4}, \d{2}:\d{2} - /,
  android: /^\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2} - /,
  'ios:en-US': /^\[\d{1,2}\/\d{1,2}\/\d{2}, \d{1,2}:\d{2}:\d{2}\u202f[AP]M\] /,
  'ios:de': /^\[\d{2}\.\d{2}\.\d{2}, \d{2}:\d{2}:\d{2}\] /,
  'ios:nl': /^\[\d{2}-\d{2}-\d{4}, \d{2}:\d{2}:\d{2}\] /,
  'ios:es': /^\[\d{1,2}\/\d{1,2}\/\d{2}, \d{2}:\d{2}:\d{2}\] /,
  'ios:it': /^\[\d{2}\/\d{2}\/\d{2}, \d{2}:\d{2}:\d{2}\] /,
  ios: /^\[\d{2}\/\d{2}\/\d{4}, \d{2}:\d{2}:\d{2}\] /,
};

function readZip(path: string): Promise<{ entries: Map<string, Buffer>; comment: string }> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true, decodeStrings: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const entries = new Map<string, Buffer>();
      zip.on('entry', (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e2, stream) => {
          if (e2 || !stream) return reject(e2);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            entries.set(entry.fileName, Buffer.concat(chunks));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve({ entries, comment: zip.comment }));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

beforeAll(async () => {
  summary = await synthesize({ out: dirA, seed: 11, scale: 'small' });
  await synthesize({ out: dirB, seed: 11, scale: 'small' });
  await synthesize({ out: dirC, seed: 12, scale: 'small' });
  truth = JSON.parse(readFileSync(join(dirA, 'truth.json'), 'utf8')) as Truth;
  devices = JSON.parse(readFileSync(join(dirA, 'devices.json'), 'utf8')) as DeviceJson[];
  // Export tests look at the chat exports; device databases are checked on their own.
  for (const d of devices) {
    d.databases = d.files.filter((f) => !f.endsWith('.zip'));
    d.files = d.files.filter((f) => f.endsWith('.zip'));
  }
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('filet synth: determinism', () => {
  it('gives byte-identical files for one seed and different files for another', () => {
    const a = hashes(dirA);
    expect(Object.keys(a).length).toBeGreaterThan(20);
    expect(hashes(dirB)).toEqual(a);
    const c = hashes(dirC);
    expect(c['truth.json']).not.toBe(a['truth.json']);
    const shared = Object.keys(a).filter((f) => f.endsWith('.zip') && c[f] === a[f]);
    expect(shared).toEqual([]);
  });

  it('fixes generatedAt from the seed, not the clock', () => {
    expect(truth.synthetic).toBe(true);
    expect(truth.seed).toBe(11);
    expect(truth.generatedAt).toBe(new Date(Date.UTC(2017, 5, 2) + 11_000).toISOString());
  });
});

describe('filet synth: shape of the small operation', () => {
  it('has about 20 groups, 300 accounts, at least 6 countries, harmless groups that are not flagged', () => {
    expect(truth.groups.length).toBeGreaterThanOrEqual(18);
    expect(truth.groups.length).toBeLessThanOrEqual(25);
    expect(truth.accounts.length).toBe(300);
    const countries = new Set(truth.accounts.map((a) => a.country));
    for (const c of ['ES', 'IT', 'DE', 'CR', 'CL']) expect(countries.has(c)).toBe(true);
    expect(countries.size).toBeGreaterThanOrEqual(6);
    const harmless = truth.groups.filter((g) => g.harmless);
    expect(harmless.length).toBeGreaterThanOrEqual(3);
    expect(harmless.every((g) => !g.flagged)).toBe(true);
    expect(truth.groups.filter((g) => g.flagged).length).toBeGreaterThanOrEqual(10);
    expect(summary.groups).toBe(truth.groups.length);
  });

  it('gives every account a number valid for its country, in fictitious zero-padded blocks', () => {
    for (const a of truth.accounts) {
      const p = parsePhoneNumberFromString(a.phone);
      expect(p?.isValid(), a.phone).toBe(true);
      expect(p?.country).toBe(a.country);
      expect(p?.nationalNumber).toMatch(/00/);
    }
    expect(new Set(truth.accounts.map((a) => a.phone)).size).toBe(truth.accounts.length);
  });

  it('uses old-style and new-style group JIDs, with unique subjects', () => {
    for (const g of truth.groups) {
      const old = /^(\d+)-(\d+)@g\.us$/.exec(g.jid);
      if (old) {
        expect(`+${old[1]}`).toBe(g.creator);
        expect(Number(old[2])).toBe(Math.floor(g.createdAt / 1000));
      } else expect(g.jid).toMatch(/^120363\d{12}@g\.us$/);
    }
    expect(truth.groups.some((g) => g.jid.startsWith('120363'))).toBe(true);
    expect(truth.groups.some((g) => !g.jid.startsWith('120363'))).toBe(true);
    const keys = truth.groups.map((g) => g.exportKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(truth.groups.some((g) => g.subjects.some((s) => s.subject.includes(': ')))).toBe(true);
  });

  it('has 8–12 devices covering every locale and both platforms', () => {
    expect(devices.length).toBeGreaterThanOrEqual(8);
    expect(devices.length).toBeLessThanOrEqual(12);
    expect(new Set(devices.map((d) => d.locale))).toEqual(
      new Set(['en-US', 'en-GB', 'es', 'it', 'de', 'fr', 'pt-BR', 'nl']),
    );
    expect(new Set(devices.map((d) => d.platform))).toEqual(new Set(['android', 'ios']));
    expect(devices.some((d) => Object.keys(d.savedContacts).length > 0)).toBe(true);
  });
});

describe('filet synth: markers, lists, exports', () => {
  it('puts a SYNTHETIC marker at the root and in every folder, in zip comments and in image EXIF', async () => {
    const dirs = new Set(listFiles(dirA).map((f) => f.split('/').slice(0, -1).join('/')));
    for (const d of dirs) expect(readFileSync(join(dirA, d, 'SYNTHETIC'), 'utf8')).toMatch(/^SYNTHETIC DATA/);
    const zip = await readZip(join(dirA, devices.find((d) => d.files.length)!.files[0]));
    expect(zip.comment).toMatch(/^SYNTHETIC/);
  });

  it('writes a VICS JSON list and CSVs of known originals only', () => {
    const vics = JSON.parse(readFileSync(join(dirA, 'lists/known-vics.json'), 'utf8'));
    expect(vics['odata.metadata']).toBe('http://github.com/ICMEC/ProjectVic/DataModels/1.3.xml#Media');
    const known = truth.media.filter((m) => m.known);
    expect(known.length).toBeGreaterThan(3);
    expect(vics.value.length).toBe(known.length);
    const byMd5 = new Map(truth.media.map((m) => [m.md5.toUpperCase(), m]));
    for (const v of vics.value) {
      const m = byMd5.get(v.MD5)!;
      expect(m.known).toBe(true);
      expect(m.parentSha256).toBeNull();
      expect(v.SHA1).toBe(m.sha1.toUpperCase());
      expect(v.MediaSize).toBe(m.size);
      expect([1, 2, 3]).toContain(v.Category);
      expect(v.Comments).toBe('SYNTHETIC');
      expect(v.PDQ).toBeUndefined();
    }
    const csv = readFileSync(join(dirA, 'lists/known.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe('md5,sha1,sha256,category,id,label');
    expect(csv.length - 1).toBe(known.length);
    const sha = readFileSync(join(dirA, 'lists/known-sha256.csv'), 'utf8').trim().split('\n').slice(1);
    expect(new Set(sha.map((l) => l.split(',')[0]))).toEqual(new Set(known.map((m) => m.sha256)));
    // Re-sent copies of known originals are not themselves on the list.
    const copies = truth.media.filter((m) => m.derivedFromKnown);
    expect(copies.length).toBeGreaterThan(0);
    expect(copies.every((m) => !m.known)).toBe(true);
  });

  it('writes zips that open, with lines in each platform and locale format', async () => {
    const accounts = new Map(truth.accounts.map((a) => [a.phone, a]));
    const intl = new Map(
      truth.accounts.map((a) => [parsePhoneNumberFromString(a.phone)!.formatInternational(), a.phone]),
    );
    const mediaBySha = new Map(truth.media.map((m) => [m.sha256, m]));
    let attachments = 0;
    let omitted = 0;
    let systemLines = 0;
    for (const d of devices) {
      const re = STAMP[`${d.platform}:${d.locale}`] ?? STAMP[d.platform];
      const names = new Set([d.ownerName, ...Object.keys(d.savedContacts)]);
      for (const file of d.files) {
        const { entries } = await readZip(join(dirA, file));
        const txtName = [...entries.keys()].find((n) => n.endsWith('.txt'))!;
        if (d.platform === 'ios') {
          expect(file).toMatch(/WhatsApp Chat - .+\.zip$/);
          expect(txtName).toBe('_chat.txt');
        } else
          expect(txtName).toBe(
            file
              .split('/')
              .pop()!
              .replace(/\.zip$/, '.txt'),
          );
        const lines = entries.get(txtName)!.toString('utf8').trimEnd().split('\n');
        expect(lines[0]).toMatch(re);
        const mediaEntries = [...entries.keys()].filter((n) => n !== txtName);
        for (const m of mediaEntries) {
          expect(m).toMatch(
            d.platform === 'ios' ? /^\d{8}-PHOTO-\d{4}(-\d{2}){5}\.jpg$/ : /^IMG-\d{8}-WA\d{4}\.jpg$/,
          );
          const sha = createHash('sha256').update(entries.get(m)!).digest('hex');
          expect(mediaBySha.has(sha)).toBe(true);
          expect(truth.exportedMediaSha256).toContain(sha);
          const text = lines.filter((l) => l.includes(m));
          expect(text.length).toBe(1);
          attachments++;
        }
        for (const line of lines) {
          const head = re.exec(line);
          if (!head) continue; // continuation of a multi-line message
          const rest = line.slice(head[0].length);
          const author = authorOf(rest, names);
          if (!author) {
            if (d.platform === 'ios') expect(rest.startsWith('\u200e'), line).toBe(true);
            systemLines++;
            continue;
          }
          if (author.startsWith('+')) expect(accounts.has(intl.get(author) ?? ''), author).toBe(true);
          if (/omitted|omitido|omessi|ausgeschlossen|omis>|oculta|weggelaten|omessa|absente/.test(rest))
            omitted++;
        }
      }
    }
    expect(attachments).toBeGreaterThan(10);
    expect(omitted).toBeGreaterThan(0);
    expect(systemLines).toBeGreaterThan(50);
  });

  it('re-encodes shared copies WhatsApp-style (longest side ≤ 1600) and tags every image as synthetic', async () => {
    const d = devices.find((x) => x.files.length > 0)!;
    let checked = 0;
    for (const file of d.files) {
      const { entries } = await readZip(join(dirA, file));
      for (const [name, buf] of entries) {
        if (!name.endsWith('.jpg')) continue;
        const sha = createHash('sha256').update(buf).digest('hex');
        const m = truth.media.find((x) => x.sha256 === sha)!;
        const meta = await sharp(buf).metadata();
        expect(meta.format).toBe('jpeg');
        expect(buf.includes(Buffer.from('SYNTHETIC'))).toBe(true);
        if (m.parentSha256) expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(1600);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('filet synth: truth consistency', () => {
  const op = buildOperation({ seed: 11, scale: 'small' });

  it('every message sender was a member of the group at that time', () => {
    const groups = new Map(op.groups.map((g) => [g.jid, g]));
    expect(op.messages.length).toBeGreaterThan(1000);
    for (const m of op.messages) expect(memberAt(groups.get(m.group)!, m.sender, m.at), m.id).toBe(true);
    for (const m of op.messages) expect(m.id).toMatch(/^[0-9A-F]{16,20}$/);
    expect(new Set(op.messages.map((m) => m.id)).size).toBe(op.messages.length);
  });

  it('producers are first posters of novel pictures that others re-shared; copies have parents', () => {
    const roles = new Map(truth.accounts.map((a) => [a.phone, a.roles]));
    const originals = truth.media.filter((m) => !m.harmless && m.parentSha256 === null);
    expect(originals.length).toBeGreaterThan(10);
    // Known originals never make a producer by themselves: their first posters distribute.
    for (const m of originals.filter((x) => x.known))
      expect(roles.get(m.firstPostedBy)).toContain('distributor');
    const producers = truth.accounts.filter((a) => a.roles.includes('producer'));
    expect(producers.length).toBeGreaterThan(0);
    for (const p of producers)
      expect(originals.some((m) => m.novel && m.firstPostedBy === p.phone && m.postCount >= 1)).toBe(true);
    const copies = truth.media.filter((m) => m.parentSha256 !== null);
    expect(copies.length).toBeGreaterThan(5);
    const shas = new Set(truth.media.map((m) => m.sha256));
    for (const m of copies) expect(shas.has(m.parentSha256!)).toBe(true);
    expect(truth.media.some((m) => m.novel)).toBe(true);
    // Harmless groups circulate harmless media only.
    const harmlessGroups = new Set(truth.groups.filter((g) => g.harmless).map((g) => g.jid));
    for (const m of op.messages) {
      if (m.mediaId === null || !harmlessGroups.has(m.group)) continue;
      expect(op.media[m.mediaId - 1].harmless).toBe(true);
    }
  });

  it('counts in truth match the exports: a group one phone exports shows exportedMessageCount messages', async () => {
    const exporters = new Map<string, Array<{ d: DeviceJson; file: string }>>();
    for (const d of devices) {
      const jids = truth.devices.find((x) => x.label === d.label)!.exportedGroups;
      d.files.forEach((file, i) => exporters.set(jids[i], [...(exporters.get(jids[i]) ?? []), { d, file }]));
    }
    let checked = 0;
    for (const [jid, list] of exporters) {
      if (list.length !== 1) continue;
      const { d, file } = list[0];
      const g = truth.groups.find((x) => x.jid === jid)!;
      expect(file).toContain(g.exportKey.slice('export:'.length));
      const { entries } = await readZip(join(dirA, file));
      const txt = [...entries.entries()].find(([n]) => n.endsWith('.txt'))![1].toString('utf8');
      const re = STAMP[`${d.platform}:${d.locale}`] ?? STAMP[d.platform];
      const names = new Set([d.ownerName, ...Object.keys(d.savedContacts)]);
      const authored = txt.split('\n').filter((l) => {
        const head = re.exec(l);
        return head && authorOf(l.slice(head[0].length), names) !== null;
      });
      expect(authored.length).toBe(g.exportedMessageCount);
      expect(g.exportedMessageCount).toBeLessThanOrEqual(g.messageCount);
      checked++;
    }
    expect(checked).toBeGreaterThan(0);
  });

  it('saved contacts only appear in groups no other device holds, on phones without a database', () => {
    const holders = new Map<string, number>();
    for (const d of truth.devices)
      for (const j of d.database ? d.groups : d.exportedGroups) holders.set(j, (holders.get(j) ?? 0) + 1);
    for (const d of truth.devices) {
      if (Object.keys(d.savedContacts).length) expect(d.database).toBeNull();
      for (const phone of Object.values(d.savedContacts)) {
        const held = truth.groups.filter(
          (g) => holders.has(g.jid) && g.members.some((m) => m.phone === phone),
        );
        expect(held.length).toBeGreaterThan(0);
        for (const g of held) {
          expect(holders.get(g.jid)).toBe(1);
          expect(d.exportedGroups).toContain(g.jid);
        }
      }
    }
  });

  it('seized phones yield every source kind: Android new/legacy/transitional msgstore, iOS ChatStorage, exports, both', () => {
    const kinds = new Set(
      truth.devices.map((d) => `${d.database ?? 'none'}+${d.chatExports ? 'exports' : ''}`),
    );
    for (const db of ['new', 'legacy', 'both', 'ios'])
      expect(
        [...kinds].some((k) => k.startsWith(`${db}+`)),
        db,
      ).toBe(true);
    expect(kinds.has('none+exports')).toBe(true);
    expect([...kinds].some((k) => !k.startsWith('none') && k.endsWith('exports'))).toBe(true);
    for (const d of devices) {
      const t = truth.devices.find((x) => x.label === d.label)!;
      if (!t.database) expect(d.databases).toEqual([]);
      else {
        expect(d.databases).toHaveLength(1);
        expect(d.databases![0]).toMatch(
          t.database === 'ios' ? /ChatStorage\.sqlite$/ : /databases\/msgstore\.db$/,
        );
        expect(statSync(join(dirA, d.databases![0])).size).toBeGreaterThan(0);
      }
      expect(d.files).toHaveLength(t.exportedGroups.length);
    }
  });

  it('edited copies (crop, border, mirror) stay within PDQ 31 of their parent on the plain hash or a dihedral view', async () => {
    const bySha = new Map(truth.media.map((m) => [m.sha256, m]));
    const pictures = new Map<string, Buffer>();
    for (const d of devices)
      for (const file of d.files)
        for (const [name, buf] of (await readZip(join(dirA, file))).entries)
          if (name.endsWith('.jpg')) pictures.set(createHash('sha256').update(buf).digest('hex'), buf);
    let checked = 0;
    for (const [sha, buf] of pictures) {
      const m = bySha.get(sha)!;
      const parent = m.parentSha256 && pictures.get(m.parentSha256);
      if (!parent) continue;
      const c = await pdqFromImage(buf, { dihedral: true });
      const p = await pdqFromImage(parent);
      const views = [c.hash, ...Object.values(c.dihedral!).filter((v): v is string => !!v)];
      const d = Math.min(...views.map((v) => hammingHex(v, p.hash)));
      expect(d).toBe(m.pdqDistanceToParent);
      if (m.transform !== 'reencode') expect(d, `${m.transform} ${sha}`).toBeLessThanOrEqual(31);
      checked++;
    }
    // Every copy in truth, re-encodes of usable-quality pictures included.
    for (const m of truth.media.filter((x) => x.parentSha256)) {
      const parent = bySha.get(m.parentSha256!)!;
      if (m.transform !== 'reencode' || parent.pdqQuality >= 50)
        expect(m.pdqDistanceToParent!).toBeLessThanOrEqual(31);
    }
    expect(checked).toBeGreaterThan(0);
  });
});

describe('filet synth: output folder', () => {
  it('refuses a non-empty folder that is not a synth output, and replaces a previous output', async () => {
    const other = join(tmp, 'other');
    rmSync(other, { recursive: true, force: true });
    await import('node:fs').then((fs) => fs.mkdirSync(other));
    writeFileSync(join(other, 'notes.txt'), 'keep me');
    await expect(synthesize({ out: other, seed: 1, scale: 'small' })).rejects.toBeInstanceOf(UserError);
    expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('keep me');
    const again = await synthesize({ out: dirC, seed: 11, scale: 'small' });
    expect(again.messages).toBe(summary.messages);
    expect(hashes(dirC)).toEqual(hashes(dirA));
  });
});
