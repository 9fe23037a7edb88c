import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile, readFile, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yazl from 'yazl';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chatExportKind,
  chatExportReader,
  detectChatExport,
  parseChatExport,
  type ChatExportOptions,
} from '../src/evidence/chat-export/index.js';
import { parseBody } from '../src/evidence/chat-export/classify.js';
import type {
  ParsedAccount,
  ParsedEvent,
  ParsedGroup,
  ParsedMedia,
  ParsedMessage,
  ParsedRecord,
  ParsedUnclassified,
} from '../src/model/types.js';
import { UserError } from '../src/util/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'filet-chat-export-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
/** A benign stand-in for a picture: bytes that differ per name. */
const fakeImage = (name: string) => Buffer.from(`not-a-real-jpeg:${name}:${'x'.repeat(100)}`);

async function writeTxt(name: string, lines: string[], sub = ''): Promise<string> {
  const d = join(dir, sub);
  await import('node:fs/promises').then((fs) => fs.mkdir(d, { recursive: true }));
  const p = join(d, name);
  await writeFile(p, lines.join('\n') + '\n');
  return p;
}

async function writeZip(
  name: string,
  entries: { name: string; data: Buffer | string; compress?: boolean }[],
): Promise<string> {
  const zip = new yazl.ZipFile();
  for (const e of entries) {
    zip.addBuffer(Buffer.isBuffer(e.data) ? e.data : Buffer.from(e.data), e.name, {
      compress: e.compress ?? true,
    });
  }
  zip.end();
  const p = join(dir, name);
  await new Promise<void>((res, rej) => {
    zip.outputStream.pipe(createWriteStream(p)).on('close', res).on('error', rej);
  });
  return p;
}

interface Result {
  recs: ParsedRecord[];
  notes: Record<string, unknown>;
  messages: ParsedMessage[];
  events: ParsedEvent[];
  accounts: ParsedAccount[];
  groups: ParsedGroup[];
  media: ParsedMedia[];
  unclassified: ParsedUnclassified[];
}

async function read(path: string, opts: Partial<ChatExportOptions> = {}): Promise<Result> {
  const notes: Record<string, unknown> = {};
  const recs: ParsedRecord[] = [];
  for await (const r of parseChatExport(path, { deviceLabel: 'dev1', tz: 'UTC', ...opts }, notes))
    recs.push(r);
  const of = <T extends ParsedRecord>(t: T['type']) => recs.filter((r) => r.type === t) as T[];
  return {
    recs,
    notes,
    messages: of<ParsedMessage>('message'),
    events: of<ParsedEvent>('event'),
    accounts: of<ParsedAccount>('account'),
    groups: of<ParsedGroup>('group'),
    media: of<ParsedMedia>('media'),
    unclassified: of<ParsedUnclassified>('unclassified'),
  };
}

async function expectUserError(p: Promise<unknown>, ...parts: (string | RegExp)[]): Promise<UserError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UserError);
  for (const part of parts) expect((err as Error).message).toMatch(part);
  return err as UserError;
}
const drain = async (path: string, opts: Partial<ChatExportOptions> = {}) => read(path, opts);

// ---- one fixture per locale, Android and iOS ----

interface LocaleFixture {
  id: string;
  hint: string;
  order: 'd/m/y' | 'm/d/y';
  /** Android and iOS timestamps of 2023-03-14 21:0m. */
  android: (m: number) => string;
  ios: (m: number) => string;
  subject: string;
  created: (s: string) => string;
  added: string;
  subjectChange: (from: string, to: string) => string;
  left: string;
  attached: (file: string) => string;
  omitted: string;
  iosAttached: (file: string) => string;
  iosOmitted: string;
  iosOmittedKind: string;
  textFile: string;
}

const NNBSP = '\u202F';
const NBSP = '\u00A0';
const LRM = '\u200E';

const FIXTURES: LocaleFixture[] = [
  {
    id: 'en',
    hint: 'en-US',
    order: 'm/d/y',
    android: (m) => `3/14/23, 9:0${m}${NNBSP}PM`,
    ios: (m) => `[3/14/23, 9:0${m}:00${NNBSP}PM]`,
    subject: 'Garden Club',
    created: (s) => `Ana Example created group "${s}"`,
    added: 'Ana Example added Boris Example',
    subjectChange: (a, b) => `Ana Example changed the subject from "${a}" to "${b}"`,
    left: 'Boris Example left',
    attached: (f) => `${f} (file attached)`,
    omitted: '<Media omitted>',
    iosAttached: (f) => `<attached: ${f}>`,
    iosOmitted: 'image omitted',
    iosOmittedKind: 'image',
    textFile: 'WhatsApp Chat with %s.txt',
  },
  {
    id: 'en',
    hint: 'en-GB',
    order: 'd/m/y',
    android: (m) => `14/03/2023, 21:0${m}`,
    ios: (m) => `[14/03/2023, 21:0${m}:00]`,
    subject: 'Allotment Group',
    created: (s) => `Ana Example created group "${s}"`,
    added: 'Ana Example added Boris Example',
    subjectChange: (a, b) => `Ana Example changed the subject from "${a}" to "${b}"`,
    left: 'Boris Example left',
    attached: (f) => `${f} (file attached)`,
    omitted: '<Media omitted>',
    iosAttached: (f) => `<attached: ${f}>`,
    iosOmitted: 'video omitted',
    iosOmittedKind: 'video',
    textFile: 'WhatsApp Chat with %s.txt',
  },
  {
    id: 'fr',
    hint: 'fr',
    order: 'd/m/y',
    android: (m) => `14/03/2023 à 21:0${m}`,
    ios: (m) => `[14/03/2023 21:0${m}:00]`,
    subject: 'Club Jardin',
    created: (s) => `Ana Example a créé le groupe « ${s} »`,
    added: 'Ana Example a ajouté Boris Example',
    subjectChange: (a, b) => `Ana Example a changé le sujet de « ${a} » à « ${b} »`,
    left: 'Boris Example est parti',
    attached: (f) => `${f} (fichier joint)`,
    omitted: '<Médias omis>',
    iosAttached: (f) => `<pièce jointe : ${f}>`,
    iosOmitted: 'image absente',
    iosOmittedKind: 'image',
    textFile: 'Discussion WhatsApp avec %s.txt',
  },
  {
    id: 'es',
    hint: 'es',
    order: 'd/m/y',
    android: (m) => `14/3/23, 9:0${m}${NNBSP}p.${NBSP}m.`,
    ios: (m) => `[14/3/23, 9:0${m}:00${NNBSP}p.${NBSP}m.]`,
    subject: 'Club Jardín',
    created: (s) => `Ana Example creó el grupo "${s}"`,
    added: 'Ana Example añadió a Boris Example',
    subjectChange: (a, b) => `Ana Example cambió el nombre del grupo de "${a}" a "${b}".`,
    left: 'Boris Example salió del grupo',
    attached: (f) => `${f} (archivo adjunto)`,
    omitted: '<Multimedia omitido>',
    iosAttached: (f) => `<adjunto: ${f}>`,
    iosOmitted: 'imagen omitida',
    iosOmittedKind: 'image',
    textFile: 'Chat de WhatsApp con %s.txt',
  },
  {
    id: 'it',
    hint: 'it',
    order: 'd/m/y',
    android: (m) => `14/03/23, 21:0${m}`,
    ios: (m) => `[14/03/23, 21:0${m}:00]`,
    subject: 'Club Giardino',
    created: (s) => `Ana Example ha creato il gruppo "${s}"`,
    added: 'Ana Example ha aggiunto Boris Example',
    subjectChange: (a, b) => `Ana Example ha cambiato l’oggetto da "${a}" a "${b}"`,
    left: 'Boris Example è uscito',
    attached: (f) => `${f} (file allegato)`,
    omitted: '<Media omessi>',
    iosAttached: (f) => `<allegato: ${f}>`,
    iosOmitted: 'immagine omessa',
    iosOmittedKind: 'image',
    textFile: 'Chat WhatsApp con %s.txt',
  },
  {
    id: 'de',
    hint: 'de',
    order: 'd/m/y',
    android: (m) => `14.03.23, 21:0${m}`,
    ios: (m) => `[14.03.23, 21:0${m}:00]`,
    subject: 'Gartenklub',
    created: (s) => `Ana Example hat die Gruppe „${s}“ erstellt.`,
    added: 'Ana Example hat Boris Example hinzugefügt.',
    subjectChange: (a, b) => `Ana Example hat den Betreff von „${a}“ zu „${b}“ geändert.`,
    left: 'Boris Example hat die Gruppe verlassen.',
    attached: (f) => `${f} (Datei angehängt)`,
    omitted: '<Medien ausgeschlossen>',
    iosAttached: (f) => `<Anhang: ${f}>`,
    iosOmitted: 'Bild weggelassen',
    iosOmittedKind: 'image',
    textFile: 'WhatsApp Chat mit %s.txt',
  },
  {
    id: 'pt',
    hint: 'pt-BR',
    order: 'd/m/y',
    android: (m) => `14/03/2023 21:0${m}`,
    ios: (m) => `[14/03/2023, 21:0${m}:00]`,
    subject: 'Clube Jardim',
    created: (s) => `Ana Example criou o grupo "${s}"`,
    added: 'Ana Example adicionou Boris Example',
    subjectChange: (a, b) => `Ana Example mudou o nome do grupo de "${a}" para "${b}"`,
    left: 'Boris Example saiu',
    attached: (f) => `${f} (arquivo anexado)`,
    omitted: '<Mídia oculta>',
    iosAttached: (f) => `<anexado: ${f}>`,
    iosOmitted: 'imagem ocultada',
    iosOmittedKind: 'image',
    textFile: 'Conversa do WhatsApp com %s.txt',
  },
  {
    id: 'nl',
    hint: 'nl',
    order: 'd/m/y',
    android: (m) => `14-03-2023 21:0${m}`,
    ios: (m) => `[14-03-2023 21:0${m}:00]`,
    subject: 'Tuinclub',
    created: (s) => `Ana Example heeft groep "${s}" aangemaakt`,
    added: 'Ana Example heeft Boris Example toegevoegd',
    subjectChange: (a, b) => `Ana Example heeft de onderwerpnaam gewijzigd van "${a}" naar "${b}"`,
    left: 'Boris Example heeft de groep verlaten',
    attached: (f) => `${f} (bestand bijgevoegd)`,
    omitted: '<Media weggelaten>',
    iosAttached: (f) => `<bijlage: ${f}>`,
    iosOmitted: 'afbeelding weggelaten',
    iosOmittedKind: 'image',
    textFile: 'WhatsApp-chat met %s.txt',
  },
];

const at = (m: number) => Date.UTC(2023, 2, 14, 21, m);

describe('locales', () => {
  for (const f of FIXTURES) {
    const renamed = `${f.subject} 2`;
    it(`${f.hint} Android .txt with media beside it`, async () => {
      const img = 'IMG-20230314-WA0003.jpg';
      const lines = [
        `${f.android(0)} - ${f.created(f.subject)}`,
        `${f.android(1)} - ${f.added}`,
        `${f.android(2)} - Boris Example: hello`,
        `${f.android(3)} - Boris Example: ${f.attached(img)}`,
        `${f.android(4)} - Ana Example: ${f.omitted}`,
        `${f.android(5)} - ${f.subjectChange(f.subject, renamed)}`,
        `${f.android(6)} - ${f.left}`,
      ];
      const p = await writeTxt(f.textFile.replace('%s', f.subject), lines, `android-${f.hint}`);
      const bytes = fakeImage(f.hint);
      await writeFile(join(dir, `android-${f.hint}`, img), bytes);
      expect(await detectChatExport(p)).toBeGreaterThan(0.8);
      const r = await read(p, { locale: f.hint });
      expect(r.notes.language).toBe(f.id);
      expect((r.notes.dateOrder as { order: string }).order).toBe(f.order);
      expect(r.events.map((e) => e.eventType)).toEqual(['created', 'added', 'subject_changed', 'left']);
      expect(r.events[0]!.value).toBe(f.subject);
      expect(r.events[2]!.value).toBe(renamed);
      expect(r.events[1]!.actorKey).toBe('name:dev1:Ana Example');
      expect(r.events[1]!.targetKeys).toEqual(['name:dev1:Boris Example']);
      expect(r.events[3]!.actorKey).toBe('name:dev1:Boris Example');
      expect(r.groups).toEqual([
        expect.objectContaining({
          key: `export:dev1:${renamed}`,
          subject: renamed,
          createdAt: at(0),
          creatorKey: 'name:dev1:Ana Example',
        }),
      ]);
      expect(r.messages.map((m) => m.kind)).toEqual(['text', 'image', 'other']);
      expect(r.messages.map((m) => m.at)).toEqual([at(2), at(3), at(4)]);
      expect(r.messages[1]).toMatchObject({
        mediaStatus: 'present',
        mediaSha256: sha256(bytes),
        mediaName: img,
        text: null,
      });
      expect(r.messages[2]).toMatchObject({ mediaStatus: 'omitted', mediaSha256: null, text: null });
      expect(r.media).toEqual([
        expect.objectContaining({ sha256: sha256(bytes), fileRef: img, present: true, mime: 'image/jpeg' }),
      ]);
      expect(r.unclassified).toEqual([]);
    });

    it(`${f.hint} iOS .zip with _chat.txt and media`, async () => {
      const photo = '00000003-PHOTO-2023-03-14-21-03-00.jpg';
      const lines = [
        `${f.ios(0)} ${f.subject}: ${LRM}${f.created(f.subject)}`,
        `${f.ios(1)} ${f.subject}: ${LRM}${f.added}`,
        `${f.ios(2)} Boris Example: hello`,
        `${LRM}${f.ios(3)} Boris Example: ${LRM}${f.iosAttached(photo)}`,
        `${f.ios(4)} Ana Example: ${LRM}${f.iosOmitted}`,
        `${f.ios(5)} ${f.subject}: ${LRM}${f.subjectChange(f.subject, renamed)}`,
        `${f.ios(6)} ${LRM}${f.left}`,
      ];
      const bytes = fakeImage(`ios-${f.hint}`);
      const p = await writeZip(`WhatsApp Chat - ${f.subject} (${f.hint}).zip`, [
        { name: '_chat.txt', data: lines.join('\r\n') },
        { name: photo, data: bytes, compress: false },
      ]);
      expect(await chatExportKind(p)).toBe('chat-export-zip');
      expect(await detectChatExport(p)).toBeGreaterThan(0.8);
      const r = await read(p, { locale: f.hint });
      expect(r.notes.kind).toBe('chat-export-zip');
      expect(r.events.map((e) => e.eventType)).toEqual(['created', 'added', 'subject_changed', 'left']);
      expect(r.groups[0]!.key).toBe(`export:dev1:${renamed}`);
      expect(r.messages.map((m) => [m.kind, m.mediaStatus])).toEqual([
        ['text', null],
        ['image', 'present'],
        [f.iosOmittedKind, 'omitted'],
      ]);
      expect(r.messages[1]!.mediaSha256).toBe(sha256(bytes));
      expect(r.messages[1]!.loc).toEqual({ kind: 'line', line: 4, entry: '_chat.txt' });
      expect(r.media[0]).toMatchObject({
        sha256: sha256(bytes),
        fileRef: photo,
        loc: { kind: 'zip-entry', entry: photo },
      });
      expect(r.messages[0]!.at).toBe(at(2));
      expect(r.unclassified).toEqual([]);
    });
  }
});

describe('line quirks', () => {
  it('multi-line messages, direction marks and NBSP inside authors, non-chronological order kept', async () => {
    const p = await writeTxt('WhatsApp Chat with Quirks.txt', [
      '14/03/2023, 21:05 - Ana Example: first line',
      'second line',
      '',
      'fourth line',
      '14/03/2023, 21:01 - \u202A+34\u00A0600\u00A000\u00A000\u00A002\u202C: earlier but later in the file',
      '14/03/2023, 21:06 - ~\u202FCarla: hi from an unsaved contact',
      '14/03/2023, 21:07 - Boris Example: x',
    ]);
    const r = await read(p);
    expect(r.messages[0]!.text).toBe('first line\nsecond line\n\nfourth line');
    expect(r.messages.map((m) => m.senderKey)).toEqual([
      'name:dev1:Ana Example',
      'phone:+34600000002',
      'name:dev1:~ Carla',
      'name:dev1:Boris Example',
    ]);
    expect(r.messages.map((m) => m.loc.line)).toEqual([1, 5, 6, 7]);
    expect(r.notes.outOfOrder).toBe(1);
    const phone = r.accounts.find((a) => a.key === 'phone:+34600000002')!;
    expect(phone).toMatchObject({ phone: '+34600000002', jids: ['34600000002@s.whatsapp.net'] });
    expect(r.accounts.find((a) => a.key === 'name:dev1:~ Carla')!.displayNames).toEqual(['Carla']);
    // Several authors, no system line: a group named after the file.
    expect(r.messages[0]!.chatKey).toBe('export:dev1:Quirks');
  });

  it('12 h with p. m. and a. m., 2-digit years read as 20xx (recorded)', async () => {
    const p = await writeTxt('twelve.txt', [
      `13/1/24, 12:15${NNBSP}a.${NBSP}m. - Ana Example: after midnight`,
      `13/1/24, 12:15${NNBSP}p.${NBSP}m. - Ana Example: noon`,
      `13/1/24, 1:15 PM - Ana Example: afternoon`,
    ]);
    const r = await read(p);
    expect(r.messages.map((m) => m.at)).toEqual([
      Date.UTC(2024, 0, 13, 0, 15),
      Date.UTC(2024, 0, 13, 12, 15),
      Date.UTC(2024, 0, 13, 13, 15),
    ]);
    expect(r.notes.twoDigitYears).toMatch(/20xx/);
  });

  it('y/m/d dates, Finnish klo', async () => {
    const p = await writeTxt('ymd.txt', [
      '2023-03-04, 08:00 - Ana Example: ymd',
      '[2023/03/04, 08:01:30] Ana Example: ymd ios',
    ]);
    const r = await read(p);
    expect(r.notes.dateOrder).toMatchObject({ order: 'y/m/d', rule: 'year-first' });
    expect(r.messages.map((m) => m.at)).toEqual([Date.UTC(2023, 2, 4, 8, 0), Date.UTC(2023, 2, 4, 8, 1, 30)]);
    const fi = await read(await writeTxt('fi.txt', ['14.3.2023 klo 8.02 - Ana Example: finnish']));
    expect(fi.messages[0]!.at).toBe(Date.UTC(2023, 2, 14, 8, 2));
  });

  it('ambiguous order: the locale hint decides and the rule is recorded', async () => {
    const lines = ['03/04/2023, 10:00 - Ana Example: which day?', '05/06/2023, 10:00 - Ana Example: again'];
    const p = await writeTxt('ambiguous.txt', lines);
    const us = await read(p, { locale: 'en-US' });
    expect(us.notes.dateOrder).toEqual({ order: 'm/d/y', rule: 'locale-hint:en-US' });
    expect(us.messages[0]!.at).toBe(Date.UTC(2023, 2, 4, 10));
    const fr = await read(p, { locale: 'fr' });
    expect(fr.notes.dateOrder).toEqual({ order: 'd/m/y', rule: 'locale-hint:fr' });
    expect(fr.messages[0]!.at).toBe(Date.UTC(2023, 3, 3, 10));
    const none = await read(p);
    expect(none.notes.dateOrder).toEqual({ order: 'd/m/y', rule: 'default' });
    // One unambiguous line anywhere in the file overrides the hint.
    const p2 = await writeTxt('ambiguous2.txt', [...lines, '05/13/2023, 10:00 - Ana Example: month first']);
    expect((await read(p2, { locale: 'fr' })).notes.dateOrder).toEqual({
      order: 'm/d/y',
      rule: 'second-field>12',
    });
  });

  it('DST-correct UTC conversion with Europe/Madrid', async () => {
    const p = await writeTxt('dst.txt', [
      '14/01/2023, 12:00 - Ana Example: winter',
      '14/07/2023, 12:00 - Ana Example: summer',
      '26/03/2023, 01:30 - Ana Example: before the change',
      '26/03/2023, 03:30 - Ana Example: after the change',
      '26/03/2023, 02:30 - Ana Example: inside the spring gap',
      '29/10/2023, 02:30 - Ana Example: inside the repeated autumn hour',
    ]);
    const r = await read(p, { tz: 'Europe/Madrid' });
    expect(r.messages.map((m) => m.at)).toEqual([
      Date.UTC(2023, 0, 14, 11),
      Date.UTC(2023, 6, 14, 10),
      Date.UTC(2023, 2, 26, 0, 30),
      Date.UTC(2023, 2, 26, 1, 30),
      Date.UTC(2023, 2, 26, 1, 30),
      Date.UTC(2023, 9, 29, 1, 30),
    ]);
    expect(r.messages.every((m) => m.tz === 'Europe/Madrid')).toBe(true);
    await expectUserError(drain(p, { tz: 'Mars/Olympus' }), /time zone/);
  });

  it('duplicate lines are both kept with #2', async () => {
    const line = '14/03/2023, 21:05 - Ana Example: same words';
    const p = await writeTxt('dups.txt', [line, line, '14/03/2023, 21:05 - Ana Example: other words']);
    const r = await read(p);
    expect(r.messages).toHaveLength(3);
    expect(r.messages[1]!.key).toBe(`${r.messages[0]!.key}#2`);
    const digest = sha256('same words').slice(0, 16);
    expect(r.messages[0]!.key).toBe(
      `dig:direct:name:dev1:Ana Example|owner:dev1:name:dev1:Ana Example:${Date.UTC(2023, 2, 14, 21, 5)}:${digest}`,
    );
  });
});

describe('system lines', () => {
  it('iOS 2024 lines authored by the group, "added you", owner number, subject with ": "', async () => {
    const p = await writeZip('WhatsApp Chat - My Group.zip', [
      {
        name: '_chat.txt',
        data: [
          '[14.08.2024, 21:00:11] My Group: Boris Example added you',
          '[14.08.2024, 21:00:12] My Group: You added Dora Example',
          '[14.08.2024, 21:01:00] Boris Example: Boris Example added you',
          '[14.08.2024, 21:02:00] Owner Name: hello',
          '[14.08.2024, 21:03:00] Boris Example changed the subject to "Plans: Q3"',
          '[14.08.2024, 21:04:00] Plans: Q3: Dora Example left',
        ].join('\n'),
      },
    ]);
    const r = await read(p, { owner: '+34 600 000 009', ownerName: 'Owner Name' });
    expect(r.events.map((e) => [e.eventType, e.actorKey, e.targetKeys])).toEqual([
      ['added', 'name:dev1:Boris Example', ['phone:+34600000009']],
      ['added', 'phone:+34600000009', ['name:dev1:Dora Example']],
      ['subject_changed', 'name:dev1:Boris Example', []],
      ['left', 'name:dev1:Dora Example', []],
    ]);
    // Boris writing a system-like phrase himself stays a message: only the subject's lines are system.
    expect(r.messages.map((m) => [m.senderKey, m.text])).toEqual([
      ['name:dev1:Boris Example', 'Boris Example added you'],
      ['phone:+34600000009', 'hello'],
    ]);
    expect(r.groups[0]!.key).toBe('export:dev1:Plans: Q3');
    expect(r.events[2]!.raw).toBe('[14.08.2024, 21:03:00] Boris Example changed the subject to "Plans: Q3"');
    expect(r.accounts.find((a) => a.key === 'phone:+34600000009')!.displayNames).toEqual(['Owner Name']);
  });

  it('Android subject containing ": " is not split as an author', async () => {
    const p = await writeTxt('colon.txt', [
      '01/02/2023, 10:00 - Ana Example created group "Club: Tuesday"',
      '01/02/2023, 10:01 - Ana Example: hi',
      '01/02/2023, 10:02 - Ana Example changed the subject from "Club: Tuesday" to "News: Daily"',
    ]);
    const r = await read(p);
    expect(r.events.map((e) => [e.eventType, e.value])).toEqual([
      ['created', 'Club: Tuesday'],
      ['subject_changed', 'News: Daily'],
    ]);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]!.chatKey).toBe('export:dev1:News: Daily');
  });

  it('every event family in English, and "You" without an owner number', async () => {
    const ts = '01/02/2023, 10:00 - ';
    const p = await writeTxt('events-en.txt', [
      `${ts}Messages and calls are end-to-end encrypted. No one outside of this chat can read them.`,
      `${ts}Ana Example created group "Quiet"`,
      `${ts}You added Boris Example, Carla Example and +34 600 000 003`,
      `${ts}Dora Example joined using this group's invite link`,
      `${ts}Ana Example removed Boris Example`,
      `${ts}Ana Example changed this group's icon`,
      `${ts}Ana Example changed the group description`,
      `${ts}Carla Example is now an admin`,
      `${ts}Carla Example is no longer an admin`,
      `${ts}Your security code with Dora Example changed. Tap to learn more.`,
      `${ts}Dora Example changed their phone number to a new number. Tap to message or add the new number.`,
      `${ts}Ana Example reset this group's invite link`,
      `${ts}Carla Example left`,
    ]);
    const r = await read(p);
    expect(r.events.map((e) => e.eventType)).toEqual([
      'encryption_notice',
      'created',
      'added',
      'joined_via_link',
      'removed',
      'icon_changed',
      'description_changed',
      'admin_promoted',
      'admin_demoted',
      'security_code_changed',
      'number_changed',
      'invite_link_reset',
      'left',
    ]);
    expect(r.events[2]!.actorKey).toBe('owner:dev1');
    expect(r.events[2]!.targetKeys).toEqual([
      'name:dev1:Boris Example',
      'name:dev1:Carla Example',
      'phone:+34600000003',
    ]);
    expect(r.events[7]!.targetKeys).toEqual(['name:dev1:Carla Example']);
    expect(r.unclassified).toEqual([]);
  });

  it('other languages: you-forms and newer phrasings', async () => {
    const ts = '01/02/2023, 10:00 - ';
    const p = await writeTxt('events-mixed.txt', [
      `${ts}Tú añadiste a Boris Example`,
      `${ts}Ana Example te añadió`,
      `${ts}Du hast Boris Example hinzugefügt.`,
      `${ts}Ana Example vous a ajouté`,
      `${ts}Hai aggiunto Boris Example`,
      `${ts}Você adicionou Boris Example`,
      `${ts}Jij hebt Boris Example toegevoegd`,
      `${ts}Ana Example cambió el asunto de "A" a "B".`,
      `${ts}Ana Example mudou o nome do grupo de "B" para "C"`,
    ]);
    const r = await read(p);
    expect(r.events.map((e) => [e.eventType, e.actorKey, e.targetKeys])).toEqual([
      ['added', 'owner:dev1', ['name:dev1:Boris Example']],
      ['added', 'name:dev1:Ana Example', ['owner:dev1']],
      ['added', 'owner:dev1', ['name:dev1:Boris Example']],
      ['added', 'name:dev1:Ana Example', ['owner:dev1']],
      ['added', 'owner:dev1', ['name:dev1:Boris Example']],
      ['added', 'owner:dev1', ['name:dev1:Boris Example']],
      ['added', 'owner:dev1', ['name:dev1:Boris Example']],
      ['subject_changed', 'name:dev1:Ana Example', []],
      ['subject_changed', 'name:dev1:Ana Example', []],
    ]);
    expect(r.events.slice(-2).map((e) => e.value)).toEqual(['B', 'C']);
    expect(r.groups[0]!.subject).toBe('C');
  });

  it('an unsupported language: reading goes on, unclassified lines are counted with examples', async () => {
    const p = await writeTxt('WhatsApp Chat with Ryhmä.txt', [
      '01/02/2023, 10:00 - Ana Example loi ryhmän ”Ryhmä”',
      '01/02/2023, 10:01 - Ana Example lisäsi sinut',
      '01/02/2023, 10:02 - Ana Example: moi',
      '01/02/2023, 10:03 - Boris Example: moi',
      '01/02/2023, 10:04 - Boris Example poistui',
    ]);
    const r = await read(p);
    expect(r.messages).toHaveLength(2);
    expect(r.unclassified).toHaveLength(3);
    expect(r.notes.unclassified).toEqual({
      count: 3,
      examples: [
        '01/02/2023, 10:00 - Ana Example loi ryhmän ”Ryhmä”',
        '01/02/2023, 10:01 - Ana Example lisäsi sinut',
        '01/02/2023, 10:04 - Boris Example poistui',
      ],
    });
    expect(r.unclassified[0]!.loc.line).toBe(1);
  });

  it('a one-to-one chat is keyed by the owner and the other person', async () => {
    const p = await writeTxt('WhatsApp Chat with Dora Example.txt', [
      '01/02/2023, 10:00 - Messages and calls are end-to-end encrypted.',
      '01/02/2023, 10:01 - Dora Example: hi',
      '01/02/2023, 10:02 - Owner Name: hello',
    ]);
    const r = await read(p, { ownerName: 'Owner Name', owner: '+34600000009' });
    expect(r.groups).toEqual([]);
    expect(r.messages.map((m) => [m.chatKey, m.chatKind, m.senderKey])).toEqual([
      ['direct:name:dev1:Dora Example|phone:+34600000009', 'direct', 'name:dev1:Dora Example'],
      ['direct:name:dev1:Dora Example|phone:+34600000009', 'direct', 'phone:+34600000009'],
    ]);
    const noOwner = await read(p);
    expect(noOwner.messages[1]!.senderKey).toBe('name:dev1:Owner Name');
    expect(noOwner.notes.ownerNameGuess).toBe('Owner Name');
    // Owner unknown: the device's placeholder stands for them, so no other phone's chat with Dora meets it.
    expect(noOwner.messages[0]!.chatKey).toBe('direct:name:dev1:Dora Example|owner:dev1');
  });
});

describe('attachments', () => {
  it('every placeholder form', () => {
    const cases: [string, string, string | null, string | null][] = [
      ['IMG-20210428-WA0001.jpg (file attached)', 'image', 'IMG-20210428-WA0001.jpg', 'attached'],
      ['IMG-20210428-WA0001.jpg (file attached)\na caption', 'image', 'IMG-20210428-WA0001.jpg', 'attached'],
      ['Report.pdf • 3 pages (file attached)', 'document', 'Report.pdf', 'attached'],
      ['Informe.pdf • 3 páginas (archivo adjunto)', 'document', 'Informe.pdf', 'attached'],
      ['Bericht.pdf • 3 Seiten (Datei angehängt)', 'document', 'Bericht.pdf', 'attached'],
      ['PTT-20210428-WA0002.opus (fichier joint)', 'audio', 'PTT-20210428-WA0002.opus', 'attached'],
      ['VID-20210428-WA0003.mp4 (file allegato)', 'video', 'VID-20210428-WA0003.mp4', 'attached'],
      ['STK-20210428-WA0004.webp (arquivo anexado)', 'sticker', 'STK-20210428-WA0004.webp', 'attached'],
      ['Contact.vcf (bestand bijgevoegd)', 'contact', 'Contact.vcf', 'attached'],
      [
        '<attached: 00000042-PHOTO-2020-06-07-15-13-20.jpg>',
        'image',
        '00000042-PHOTO-2020-06-07-15-13-20.jpg',
        'attached',
      ],
      [
        '<adjunto: 00000043-VIDEO-2020-06-07-15-13-20.mp4>',
        'video',
        '00000043-VIDEO-2020-06-07-15-13-20.mp4',
        'attached',
      ],
      [
        '<pièce jointe : 00000044-AUDIO-2020-06-07-15-13-20.opus>',
        'audio',
        '00000044-AUDIO-2020-06-07-15-13-20.opus',
        'attached',
      ],
      [
        '<allegato: 00000045-GIF-2020-06-07-15-13-20.mp4>',
        'gif',
        '00000045-GIF-2020-06-07-15-13-20.mp4',
        'attached',
      ],
      [
        '<Anhang: 00000046-STICKER-2020-06-07-15-13-20.webp>',
        'sticker',
        '00000046-STICKER-2020-06-07-15-13-20.webp',
        'attached',
      ],
      ['<anexado: 00000047-Contact.vcf>', 'contact', '00000047-Contact.vcf', 'attached'],
      [
        '<bijlage: 00000048-PHOTO-2020-06-07-15-13-20.jpg>',
        'image',
        '00000048-PHOTO-2020-06-07-15-13-20.jpg',
        'attached',
      ],
      ['Report.pdf • 3 pages <attached: 00000049-Report.pdf>', 'document', '00000049-Report.pdf', 'attached'],
      ['2015-08-04-PHOTO-00004762.jpg <attached>', 'image', '2015-08-04-PHOTO-00004762.jpg', 'attached'],
    ];
    const omitted: [string, string][] = [
      ['<Media omitted>', 'other'],
      ['<Médias omis>', 'other'],
      ['<Multimedia omitido>', 'other'],
      ['<Archivo omitido>', 'other'],
      ['<Mídia oculta>', 'other'],
      ['<Medien ausgeschlossen>', 'other'],
      ['<Medien ausgelassen>', 'other'],
      ['<Medien weggelassen>', 'other'],
      ['<Media omessi>', 'other'],
      ['<Media eliminati>', 'other'],
      ['<Media weggelaten>', 'other'],
      ['image omitted', 'image'],
      ['video omitted', 'video'],
      ['audio omitted', 'audio'],
      ['sticker omitted', 'sticker'],
      ['GIF omitted', 'gif'],
      ['document omitted', 'document'],
      ['Contact card omitted', 'contact'],
      ['imagen omitida', 'image'],
      ['image absente', 'image'],
      ['Bild weggelassen', 'image'],
      ['immagine omessa', 'image'],
      ['imagem ocultada', 'image'],
      ['afbeelding weggelaten', 'image'],
      ['vídeo omitido', 'video'],
      ['tarjeta de contacto omitida', 'contact'],
    ];
    for (const [text, kind, name, placeholder] of cases) {
      expect(parseBody(text), text).toMatchObject({ kind, mediaName: name, placeholder });
    }
    for (const [text, kind] of omitted) {
      expect(parseBody(text), text).toEqual({ kind, text: null, mediaName: null, placeholder: 'omitted' });
    }
    expect(parseBody('IMG-20210428-WA0001.jpg (file attached)\na caption').text).toBe('a caption');
    expect(parseBody('Report.pdf • 3 pages (file attached)').text).toBeNull();
    expect(parseBody('This message was deleted').kind).toBe('deleted');
    expect(parseBody('just words (file attached) in a sentence')).toMatchObject({ kind: 'document' });
    expect(parseBody('plain words')).toEqual({
      kind: 'text',
      text: 'plain words',
      mediaName: null,
      placeholder: null,
    });
  });

  it('a zip: documents and nested entries hashed, absent files marked omitted, one media record per file', async () => {
    const pdf = Buffer.from('%PDF-1.4 synthetic test document');
    const img = fakeImage('zip-nested');
    const p = await writeZip('WhatsApp Chat with Docs.zip', [
      {
        name: 'WhatsApp Chat with Docs.txt',
        data: [
          '01/02/2023, 10:00 - Ana Example: Report.pdf • 3 pages (file attached)',
          '01/02/2023, 10:01 - Boris Example: IMG-20230201-WA0001.jpg (file attached)',
          '01/02/2023, 10:02 - Boris Example: IMG-20230201-WA0001.jpg (file attached)',
          '01/02/2023, 10:03 - Boris Example: IMG-20230201-WA0009.jpg (file attached)',
        ].join('\n'),
      },
      { name: 'Report.pdf', data: pdf },
      { name: 'media/IMG-20230201-WA0001.jpg', data: img },
    ]);
    const r = await read(p);
    expect(r.messages.map((m) => [m.kind, m.mediaStatus, m.mediaSha256])).toEqual([
      ['document', 'present', sha256(pdf)],
      ['image', 'present', sha256(img)],
      ['image', 'present', sha256(img)],
      ['image', 'omitted', null],
    ]);
    expect(r.media.map((m) => [m.fileRef, m.mime, m.size])).toEqual([
      ['Report.pdf', 'application/pdf', pdf.length],
      ['media/IMG-20230201-WA0001.jpg', 'image/jpeg', img.length],
    ]);
    expect(r.media[0]!.md5).toBe(createHash('md5').update(pdf).digest('hex'));
    // The media record comes before the message that uses it.
    const iMedia = r.recs.indexOf(r.media[0]!);
    expect(iMedia).toBeLessThan(r.recs.indexOf(r.messages[0]!));
    expect(r.groups[0]!.key).toBe('export:dev1:Docs');
  });
});

describe('bad input', () => {
  it('invalid UTF-8 names the file and the line', async () => {
    const p = join(dir, 'bad-utf8.txt');
    await writeFile(
      p,
      Buffer.concat([
        Buffer.from('01/02/2023, 10:00 - Ana Example: fine\n01/02/2023, 10:01 - Ana Example: fine too\n'),
        Buffer.from('01/02/2023, 10:02 - Ana Example: bad '),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('\n'),
      ]),
    );
    const err = await expectUserError(drain(p), /invalid UTF-8/, /bad-utf8\.txt/, /line 3/);
    expect(err.where?.line).toBe(3);
  });

  it('a truncated zip names the file', async () => {
    const full = await writeZip('whole.zip', [
      { name: '_chat.txt', data: '01/02/2023, 10:00 - Ana Example: hi\n'.repeat(200) },
    ]);
    const bytes = await readFile(full);
    const cut = join(dir, 'truncated.zip');
    await writeFile(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    await expectUserError(drain(cut), /truncated\.zip/, /damaged or truncated/);
    expect(await detectChatExport(cut)).toBe(0);
  });

  it('a ../ entry is refused, naming the entry', async () => {
    const good = await writeZip('traversal-src.zip', [
      { name: '_chat.txt', data: '01/02/2023, 10:00 - Ana Example: hi\n' },
      { name: 'xx/evil.txt', data: 'payload' },
    ]);
    const bytes = await readFile(good);
    // yazl refuses such names, so the name is patched in place (local and central headers).
    const patched = Buffer.from(bytes.toString('latin1').replaceAll('xx/evil.txt', '../evil.txt'), 'latin1');
    const p = join(dir, 'traversal.zip');
    await writeFile(p, patched);
    const err = await expectUserError(drain(p), /unsafe zip entry/, /entry \.\.\/evil\.txt/);
    expect(err.where?.entry).toBe('../evil.txt');
  });

  it('a zip bomb is refused by ratio and by the size limits passed in', async () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024);
    const p = await writeZip('bomb.zip', [
      { name: '_chat.txt', data: '01/02/2023, 10:00 - Ana Example: hi\n' },
      { name: 'IMG-20230201-WA0001.jpg', data: zeros },
    ]);
    await expectUserError(drain(p), /compression ratio \d+:1 exceeds 200:1/, /IMG-20230201-WA0001\.jpg/);
    await expectUserError(
      drain(p, { limits: { maxEntryBytes: 1024 * 1024, maxTotalBytes: 100 * 1024 * 1024, maxRatio: 1e9 } }),
      /per-entry limit of 1048576/,
    );
    await expectUserError(
      drain(p, { limits: { maxEntryBytes: 1e9, maxTotalBytes: 4 * 1024 * 1024, maxRatio: 1e9 } }),
      /total limit/,
    );
  });

  it('a 50 MB file with no valid line is rejected quickly, without reading it whole', async () => {
    const p = join(dir, 'big-not-chat.txt');
    const fh = await open(p, 'w');
    const block = Buffer.from('lorem ipsum dolor sit amet, 10:00 - not a timestamp line\n'.repeat(20000));
    for (let written = 0; written < 50 * 1024 * 1024; written += block.length) await fh.write(block);
    await fh.close();
    const t0 = performance.now();
    expect(await detectChatExport(p)).toBe(0);
    expect(await chatExportReader.detect(p)).toBe(0);
    expect(performance.now() - t0).toBeLessThan(500);
    // Random bytes: binary, no lines at all.
    const bin = join(dir, 'random.bin');
    await writeFile(bin, Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 256)));
    expect(await detectChatExport(bin)).toBe(0);
  });
});

describe('names ending with a period and Dutch iOS attachments', () => {
  it('a name losing its final period at the end of a system line is still the owner or the author', async () => {
    const p = await writeTxt('WhatsApp Chat met Club.txt', [
      '14-08-2024, 21:00 - Ana M. heeft groep "Club" aangemaakt',
      '14-08-2024, 21:01 - Ana M. heeft Iker J. toegevoegd',
      '14-08-2024, 21:02 - Iker J.: hallo',
      '14-08-2024, 21:03 - Ana M.: hoi',
      '14-08-2024, 21:04 - Ana M. heeft Bo K. verwijderd',
      '14-08-2024, 21:05 - Bo K.: doei',
    ]);
    const r = await read(p, { owner: '+34600000009', ownerName: 'Iker J.', locale: 'nl' });
    expect(r.events.map((e) => [e.eventType, e.actorKey, e.targetKeys])).toEqual([
      ['created', 'name:dev1:Ana M.', []],
      ['added', 'name:dev1:Ana M.', ['phone:+34600000009']],
      ['removed', 'name:dev1:Ana M.', ['name:dev1:Bo K.']],
    ]);
    expect(r.accounts.map((a) => a.key).sort()).toEqual([
      'name:dev1:Ana M.',
      'name:dev1:Bo K.',
      'phone:+34600000009',
    ]);
  });

  it('every iOS placeholder the synth writes is read as an attachment or an omission', () => {
    for (const t of [
      '<bijgevoegd: 00000001-PHOTO-2017-01-02-10-11-12.jpg>',
      '<pièce jointe : 00000001-PHOTO-2017-01-02-10-11-12.jpg>',
      '<Anhang: 00000001-PHOTO-2017-01-02-10-11-12.jpg>',
    ])
      expect(parseBody(`\u200e${t}`)).toMatchObject({ kind: 'image', placeholder: 'attached' });
    for (const t of ['afbeelding weggelaten', 'imagem ocultada', 'image absente', 'immagine omessa'])
      expect(parseBody(t)).toMatchObject({ kind: 'image', placeholder: 'omitted' });
  });
});
