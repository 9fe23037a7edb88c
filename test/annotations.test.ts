import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditedChange, cliPolicy } from '../src/app/audited.js';
import {
  addAnnotation,
  deleteAnnotation,
  editAnnotation,
  listAnnotations,
  type Annotator,
  type AuditedRun,
} from '../src/app/annotations.js';
import { addUser } from '../src/app/users.js';
import { ingestPaths } from '../src/evidence/ingest.js';
import { importHashList } from '../src/matching/import-list.js';
import { matchCase } from '../src/matching/match.js';
import { analyzeAndSave } from '../src/network/service.js';
import { buildCaseView } from '../src/report/case-view.js';
import { renderHtmlReport } from '../src/report/html-report.js';
import { writeReferrals } from '../src/report/referrals.js';
import { buildServer } from '../src/server/app.js';
import { AnnotationStore, type Target } from '../src/store/annotation-store.js';
import type { CaseStore } from '../src/store/case-store.js';
import type { InstalledCase } from '../src/store/installation-store.js';
import { ReviewStore } from '../src/store/review-store.js';
import { INSTALLATION_ROLES } from '../src/store/user-store.js';
import { Workspace } from '../src/store/workspace.js';
import { filet } from './helpers/cli.js';
import { STORE_TARGETS, tempDir } from './helpers/stores.js';
import { synthOperation } from './helpers/synth-cache.js';
import { loginTo } from './helpers/sessions.js';

/**
 * Notes, tags and bookmarks (issue 13 item 5) on a real synthetic case of two countries (an Argentine and
 * an Italian seized phone) in a workspace, on every store: the rules of the store, one audit entry per
 * change committed with it, the HTTP permission matrix (another case's lead gets the case's 404), and what
 * reaches the HTML report and each country's referral package.
 */
const PASSWORD = 'correct horse battery staple 7';

async function auditCount(store: CaseStore, action?: string): Promise<number> {
  return (await store.readAudit({ limit: 100_000 })).filter((e) => !action || e.action === action).length;
}

describe.each(STORE_TARGETS)('annotations on $name', (target) => {
  let ws: Workspace;
  let app: FastifyInstance;
  let alder: InstalledCase;
  let birch: InstalledCase;
  let store: CaseStore;
  const sessions: Record<string, { cookie: string; csrf: string }> = {};
  // Real ids of the case: an account, a group, a message of it, a media item.
  const t = {} as Record<'account' | 'chat' | 'message' | 'media', Target>;

  const run =
    (name: string): AuditedRun =>
    (action, args, change, summary) =>
      auditedChange(store, { ...cliPolicy(), actor: name }, action, args, change, summary);
  const ana: Annotator = { name: 'ana', lead: false };
  const lena: Annotator = { name: 'lena', lead: true };

  const call = (
    who: string,
    method: string,
    url: string,
    body?: unknown,
    caseId = alder.id,
  ): Promise<LightMyRequestResponse> =>
    app.inject({
      method: method as 'GET',
      url: `/api/cases/${caseId}${url}`,
      headers: { cookie: sessions[who]!.cookie, 'x-csrf-token': sessions[who]!.csrf },
      ...(body !== undefined ? { payload: body as object } : {}),
    });

  beforeAll(async () => {
    const dir = join(tempDir('filet-annotations-'), 'ws');
    ws = await Workspace.init(dir, { store: target.store });
    for (const name of ['ada', 'lena', 'omar', 'vera', 'aud', 'bea'])
      await addUser(
        ws.installation.scope,
        name,
        name === 'ada' ? 'admin' : 'member',
        PASSWORD,
        INSTALLATION_ROLES,
      );
    alder = await ws.createCase('Operation Alder', 'lena', 'ada');
    birch = await ws.createCase('Operation Birch', 'bea', 'ada');
    for (const [userName, role] of [
      ['omar', 'analyst'],
      ['vera', 'viewer'],
      ['aud', 'auditor'],
    ] as const)
      await ws.installation.setMember({
        caseId: alder.id,
        userName,
        role,
        addedAt: Date.now(),
        addedBy: 'lena',
      });
    const a = (await ws.openCase(alder.id))!;
    store = a.store;
    const op = await synthOperation(7, 'small');
    for (const d of op.devices.filter((x) => ['D05-ar-android', 'D02-it-android'].includes(x.label)))
      await ingestPaths(
        store,
        d.files.map((f) => join(op.dir, f)),
        { device: d.label, owner: d.owner, ownerName: d.ownerName, tz: d.tz, locale: d.locale },
      );
    await importHashList(store, join(op.dir, 'lists', 'known-vics.json'), { name: 'synthetic-known' });
    await matchCase(store, a.dir, {});
    await analyzeAndSave(store, {});

    const accounts = await store.accounts();
    const group = (await store.chats()).find((c) => c.kind === 'group')!;
    const message = await store.db.get<{ id: number }>(
      'SELECT MIN(id) AS id FROM messages WHERE case_id = ?',
      [store.caseId],
    );
    t.account = { kind: 'account', id: accounts[0]!.id };
    t.chat = { kind: 'chat', id: group.id };
    t.message = { kind: 'message', id: Number(message!.id) };
    t.media = { kind: 'media', id: (await store.media())[0]!.id };

    app = await buildServer({
      workspace: ws,
      evidenceRoot: tempDir('filet-annotations-share-'),
      allowedHosts: ['localhost:80'],
      loginPerIpPerMinute: 1000,
    });
    for (const name of ['lena', 'omar', 'vera', 'aud', 'bea']) {
      sessions[name] = await loginTo(app, name, PASSWORD);
    }
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    await ws?.close();
  });

  it('adds, edits and deletes a note, a tag and a bookmark on each kind of target, one audit entry each', async () => {
    const before = await auditCount(store);
    let changes = 0;
    for (const kind of ['account', 'chat', 'message', 'media'] as const) {
      const on = t[kind];
      const note = await addAnnotation(run('ana'), ana, {
        target: on,
        kind: 'note',
        text: `note on ${kind}`,
      });
      const tag = await addAnnotation(run('ana'), ana, { target: on, kind: 'tag', text: `  Seen  ${kind} ` });
      const mark = await addAnnotation(run('ana'), ana, { target: on, kind: 'bookmark' });
      changes += 3;
      expect([note.inReport, tag.inReport, mark.inReport]).toEqual([true, true, false]);
      expect(tag.text).toBe(`Seen ${kind}`);
      expect(mark.text).toBeNull();
      expect(note.shownOn).toEqual(on);

      const edited = await editAnnotation(run('ana'), ana, note.id, { text: `edited note on ${kind}` });
      const relabelled = await editAnnotation(run('ana'), ana, mark.id, {
        text: 'start here',
        inReport: true,
      });
      changes += 2;
      expect([edited.text, edited.editedBy]).toEqual([`edited note on ${kind}`, 'ana']);
      expect([relabelled.text, relabelled.inReport]).toEqual(['start here', true]);

      const listed = await listAnnotations(store, { target: on });
      expect(listed.map((x) => [x.id, x.kind, x.text])).toEqual([
        [note.id, 'note', `edited note on ${kind}`],
        [tag.id, 'tag', `Seen ${kind}`],
        [mark.id, 'bookmark', 'start here'],
      ]);
      for (const x of [note, tag, mark]) await deleteAnnotation(run('ana'), ana, x.id);
      changes += 3;
      expect(await listAnnotations(store, { target: on })).toEqual([]);
      // The deleted record stays, marked.
      const kept = await new AnnotationStore(store).get(note.id);
      expect([kept!.text, kept!.deletedBy, kept!.deletedAt !== null]).toEqual([
        `edited note on ${kind}`,
        'ana',
        true,
      ]);
    }
    const entries = (await store.readAudit({ limit: 100_000 })).slice(before);
    expect(entries).toHaveLength(changes);
    expect(entries.map((e) => e.action).filter((a) => a === 'annotation.add')).toHaveLength(12);
    expect(entries.map((e) => e.action).filter((a) => a === 'annotation.edit')).toHaveLength(8);
    expect(entries.map((e) => e.action).filter((a) => a === 'annotation.delete')).toHaveLength(12);
    // The entry proves the text by its hash; the auditor reading the log is not shown the note itself.
    const add = entries.find((e) => e.action === 'annotation.add')!;
    expect(JSON.stringify(add)).not.toContain('note on account');
    expect((add.result as { textSha256: string }).textSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await store.verifyAudit()).ok).toBe(true);
  });

  it('refuses bad input with a clear error and writes nothing', async () => {
    const rows = async () => (await new AnnotationStore(store).list()).length;
    const n = await rows();
    const refused: [Parameters<typeof addAnnotation>[2], RegExp][] = [
      [
        { target: { kind: 'account', id: 987654321 }, kind: 'note', text: 'x' },
        /no account 987654321 in this case/,
      ],
      [{ target: { kind: 'message', id: 987654321 }, kind: 'tag', text: 'x' }, /no message 987654321/],
      [{ target: t.account, kind: 'note', text: 'x'.repeat(4001) }, /at most 4000 characters/],
      [{ target: t.account, kind: 'note', text: '   ' }, /needs a text/],
      [{ target: t.account, kind: 'note', text: 'bell \u0007 here' }, /control characters/],
      [{ target: t.account, kind: 'tag', text: 'a/b' }, /only letters, digits, -, _ and spaces/],
      [{ target: t.account, kind: 'tag', text: 'x'.repeat(41) }, /longer than 40/],
      [{ target: t.account, kind: 'tag', text: '' }, /cannot be empty/],
      [{ target: t.account, kind: 'bookmark', text: 'two\nlines' }, /one line/],
    ];
    for (const [input, message] of refused)
      await expect(addAnnotation(run('ana'), ana, input)).rejects.toThrow(message);
    // A note may hold line breaks, tabs and any script.
    const ok = await addAnnotation(run('ana'), ana, {
      target: t.account,
      kind: 'note',
      text: 'línea 1\n\tзаметка',
    });
    // Tags are one per target whatever their case, with a message naming the one there.
    const tag = await addAnnotation(run('ana'), ana, { target: t.chat, kind: 'tag', text: 'Ring-Leader' });
    await expect(
      addAnnotation(
        run('omar'),
        { name: 'omar', lead: false },
        { target: t.chat, kind: 'tag', text: 'ring-leader' },
      ),
    ).rejects.toThrow(`chat:${t.chat.id} already has the tag "Ring-Leader" (annotation ${tag.id})`);
    expect(await rows()).toBe(n + 2);
    await deleteAnnotation(run('ana'), ana, ok.id);
    await deleteAnnotation(run('ana'), ana, tag.id);
    // Deleted: the tag can be given again.
    const again = await addAnnotation(run('ana'), ana, { target: t.chat, kind: 'tag', text: 'ring-leader' });
    await deleteAnnotation(run('ana'), ana, again.id);
  });

  it('lets only the author or a lead edit or delete', async () => {
    const note = await addAnnotation(run('ana'), ana, {
      target: t.account,
      kind: 'note',
      text: "ana's note",
    });
    const omar: Annotator = { name: 'omar', lead: false };
    await expect(editAnnotation(run('omar'), omar, note.id, { text: 'changed' })).rejects.toThrow(
      `only its author (ana) or a lead of the case may edit annotation ${note.id}`,
    );
    await expect(deleteAnnotation(run('omar'), omar, note.id)).rejects.toThrow(/only its author \(ana\)/);
    const byLead = await editAnnotation(run('lena'), lena, note.id, { text: 'corrected by the lead' });
    expect([byLead.by, byLead.editedBy, byLead.text]).toEqual(['ana', 'lena', 'corrected by the lead']);
    await deleteAnnotation(run('lena'), lena, note.id);
    await expect(editAnnotation(run('ana'), ana, note.id, { text: 'too late' })).rejects.toThrow(
      `annotation ${note.id} was deleted`,
    );
    // The refusals are in the log as refused, the changes once each.
    const mine = (await store.readAudit({ limit: 100_000 })).filter(
      (e) => (e.args as { annotation?: number }).annotation === note.id,
    );
    expect(mine.map((e) => [e.actor, e.action, (e.result as { ok: boolean }).ok])).toEqual([
      ['omar', 'annotation.edit', false],
      ['omar', 'annotation.delete', false],
      ['lena', 'annotation.edit', true],
      ['lena', 'annotation.delete', true],
      ['ana', 'annotation.edit', false],
    ]);
  });

  it('commits an annotation together with its audit entry, or neither (a refusing trigger)', async () => {
    const actor = `refused-${process.pid}`;
    const trigger = `filet_test_refuse_ann_${process.pid}`;
    const when = `NEW.actor = '${actor}' AND NEW.action LIKE 'annotation.%'`;
    if (target.name === 'sqlite')
      await store.db.exec(
        `CREATE TRIGGER ${trigger} BEFORE INSERT ON audit WHEN ${when} BEGIN SELECT RAISE(ABORT, 'audit refused by a test trigger'); END`,
      );
    else {
      await store.db.exec(
        `CREATE FUNCTION ${trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'audit refused by a test trigger'; END $$`,
      );
      await store.db.exec(
        `CREATE TRIGGER ${trigger} BEFORE INSERT ON audit FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION ${trigger}()`,
      );
    }
    const raw = async () =>
      (
        await store.db.all<{ id: number; text: string | null; deleted_at: number | null }>(
          'SELECT id, text, deleted_at FROM annotations WHERE case_id = ? ORDER BY id',
          [store.caseId],
        )
      ).map((r) => [Number(r.id), r.text, r.deleted_at === null ? null : Number(r.deleted_at)]);
    const refusedLead: Annotator = { name: actor, lead: true };
    try {
      const before = await raw();
      await expect(
        addAnnotation(run(actor), refusedLead, { target: t.media, kind: 'note', text: 'never stored' }),
      ).rejects.toThrow(/audit refused/);
      expect(await raw()).toEqual(before);
      const kept = await addAnnotation(run('ana'), ana, { target: t.media, kind: 'note', text: 'stored' });
      const withKept = await raw();
      await expect(editAnnotation(run(actor), refusedLead, kept.id, { text: 'never' })).rejects.toThrow(
        /audit refused/,
      );
      await expect(deleteAnnotation(run(actor), refusedLead, kept.id)).rejects.toThrow(/audit refused/);
      expect(await raw()).toEqual(withKept);
      await deleteAnnotation(run('ana'), ana, kept.id);
      expect((await store.verifyAudit()).ok).toBe(true);
    } finally {
      await store.db.exec(`DROP TRIGGER ${trigger}${target.name === 'postgres' ? ' ON audit' : ''}`);
      if (target.name === 'postgres') await store.db.exec(`DROP FUNCTION ${trigger}()`);
    }
  });

  it("shows an absorbed account's annotations on the surviving account, and on itself again after an undo", async () => {
    const accounts = (await store.accounts()).filter((a) => a.mergedInto === null);
    const [from, into] = [accounts.at(-1)!.id, accounts.at(-2)!.id];
    const note = await addAnnotation(run('ana'), ana, {
      target: { kind: 'account', id: from },
      kind: 'note',
      text: 'on the absorbed identity',
    });
    const tag = await addAnnotation(run('ana'), ana, {
      target: { kind: 'account', id: into },
      kind: 'tag',
      text: 'same-person',
    });
    const merge = await new ReviewStore(store).merge(from, into, 'test', 'one person', Date.now());
    try {
      const onSurvivor = await listAnnotations(store, { target: { kind: 'account', id: into } });
      expect(onSurvivor.map((a) => [a.id, a.target.id, a.shownOn.id])).toEqual([
        [note.id, from, into],
        [tag.id, into, into],
      ]);
      // Asked for the absorbed account, the answer is the person's: the same list.
      expect(
        (await listAnnotations(store, { target: { kind: 'account', id: from } })).map((a) => a.id),
      ).toEqual([note.id, tag.id]);
      // The same tag on the absorbed identity would be the person's second: refused.
      await expect(
        addAnnotation(run('ana'), ana, {
          target: { kind: 'account', id: from },
          kind: 'tag',
          text: 'Same-Person',
        }),
      ).rejects.toThrow(/already has the tag/);
      expect((await new AnnotationStore(store).tags()).find((x) => x.key === 'same-person')!.count).toBe(1);
    } finally {
      await new ReviewStore(store).unmerge(merge.id, 'test', Date.now());
    }
    expect(
      (await listAnnotations(store, { target: { kind: 'account', id: from } })).map((a) => a.id),
    ).toEqual([note.id]);
    await deleteAnnotation(run('ana'), ana, note.id);
    await deleteAnnotation(run('ana'), ana, tag.id);
  });

  it('answers the routes per role: lead and analyst write, viewer reads, auditor and another case get nothing', async () => {
    const body = { target: t.message, kind: 'note', text: 'posted over HTTP' };
    const lead = await call('lena', 'POST', '/annotations', body);
    expect(lead.statusCode, lead.body).toBe(201);
    expect(lead.json()).toMatchObject({ kind: 'note', text: 'posted over HTTP', by: 'lena', inReport: true });
    const analyst = await call('omar', 'POST', '/annotations', { ...body, kind: 'tag', text: 'Key Message' });
    expect(analyst.statusCode, analyst.body).toBe(201);
    expect((await call('vera', 'POST', '/annotations', body)).statusCode).toBe(403);
    expect((await call('aud', 'POST', '/annotations', body)).statusCode).toBe(403);
    const other = await call('bea', 'POST', '/annotations', body);
    expect([other.statusCode, other.json().message]).toEqual([404, 'no such case']);

    const list = `/annotations?target=message:${t.message.id}`;
    const viewer = await call('vera', 'GET', list);
    expect(viewer.statusCode).toBe(200);
    expect(viewer.json().items.map((a: { id: number }) => a.id)).toEqual([lead.json().id, analyst.json().id]);
    expect(viewer.json().total).toBe(2);
    expect((await call('aud', 'GET', list)).statusCode).toBe(403);
    expect((await call('aud', 'GET', '/annotations/tags')).statusCode).toBe(403);
    expect((await call('bea', 'GET', list)).json().message).toBe('no such case');
    expect((await call('bea', 'GET', '/annotations', undefined, birch.id)).json()).toMatchObject({
      total: 0,
    });
    const byTag = await call('vera', 'GET', '/annotations?tag=key%20message&kind=note');
    expect(byTag.json().items.map((a: { id: number }) => a.id)).toEqual([lead.json().id]);
    const tags = await call('omar', 'GET', '/annotations/tags');
    expect(tags.json().items).toContainEqual({
      name: 'Key Message',
      key: 'key message',
      count: 1,
      byKind: { account: 0, chat: 0, message: 1, media: 0 },
    });

    // Strict bodies, and the store's rules as 400 / 409.
    expect((await call('omar', 'POST', '/annotations', { ...body, colour: 'red' })).statusCode).toBe(400);
    expect(
      (await call('omar', 'POST', '/annotations', { ...body, target: { kind: 'evidence', id: 1 } }))
        .statusCode,
    ).toBe(400);
    const missing = await call('omar', 'POST', '/annotations', {
      ...body,
      target: { kind: 'media', id: 987654321 },
    });
    expect([missing.statusCode, missing.json().message]).toEqual([400, 'no media 987654321 in this case']);
    expect(
      (await call('omar', 'POST', '/annotations', { ...body, kind: 'tag', text: 'key message' })).statusCode,
    ).toBe(409);
    expect((await call('omar', 'PATCH', `/annotations/${lead.json().id}`, {})).statusCode).toBe(400);

    // Author or lead: the analyst may not change the lead's note; the lead may change the analyst's tag.
    const refused = await call('omar', 'PATCH', `/annotations/${lead.json().id}`, { text: 'mine now' });
    expect([refused.statusCode, refused.json().message]).toEqual([
      403,
      `only its author (lena) or a lead of the case may edit annotation ${lead.json().id}`,
    ]);
    expect((await call('omar', 'DELETE', `/annotations/${lead.json().id}`)).statusCode).toBe(403);
    const patched = await call('lena', 'PATCH', `/annotations/${analyst.json().id}`, { inReport: false });
    expect([patched.statusCode, patched.json().inReport, patched.json().editedBy]).toEqual([
      200,
      false,
      'lena',
    ]);
    expect(
      (await call('vera', 'PATCH', `/annotations/${analyst.json().id}`, { inReport: true })).statusCode,
    ).toBe(403);
    const gone = await call('omar', 'DELETE', `/annotations/${analyst.json().id}`);
    expect([gone.statusCode, gone.json().deletedBy]).toEqual([200, 'omar']);
    expect((await call('omar', 'DELETE', `/annotations/${analyst.json().id}`)).statusCode).toBe(404);
    expect((await call('lena', 'DELETE', `/annotations/${lead.json().id}`)).statusCode).toBe(200);
    expect((await call('vera', 'GET', list)).json().total).toBe(0);

    // Each change is in the case's log under the session's user; the refusals too.
    const log = (await store.readAudit({ limit: 100_000 })).filter((e) => e.action.startsWith('annotation.'));
    const last = log
      .slice(-10)
      .map((e) => [e.actor, e.action, (e.result as { status?: number }).status ?? 'ok']);
    // Refusals by the gate (role, case) and by the schema never reach the route: not in the case's log.
    expect(last).toEqual([
      ['lena', 'annotation.add', 'ok'],
      ['omar', 'annotation.add', 'ok'],
      ['omar', 'annotation.add', 400],
      ['omar', 'annotation.add', 409],
      ['omar', 'annotation.edit', 403],
      ['omar', 'annotation.delete', 403],
      ['lena', 'annotation.edit', 'ok'],
      ['omar', 'annotation.delete', 'ok'],
      ['omar', 'annotation.delete', 404],
      ['lena', 'annotation.delete', 'ok'],
    ]);
  });

  it('puts notes marked for the report in the HTML report, with author and time, and nothing else', async () => {
    const kept = await addAnnotation(run('ana'), ana, {
      target: t.chat,
      kind: 'note',
      text: 'Group note for the report 7f3a',
    });
    const unmarked = await addAnnotation(run('ana'), ana, {
      target: t.chat,
      kind: 'note',
      text: 'Working note, not for the report 9c1e',
      inReport: false,
    });
    const deleted = await addAnnotation(run('ana'), ana, {
      target: t.media,
      kind: 'note',
      text: 'Deleted note 4d2b',
    });
    await deleteAnnotation(run('ana'), ana, deleted.id);
    const tag = await addAnnotation(run('ana'), ana, { target: t.media, kind: 'tag', text: 'series-b' });
    const mark = await addAnnotation(run('ana'), ana, {
      target: t.message,
      kind: 'bookmark',
      text: 'bookmark label 5e6f',
    });
    const html = renderHtmlReport(await buildCaseView(store));
    const section = html.slice(
      html.indexOf('<section id="analyst-notes">'),
      html.indexOf('</section>', html.indexOf('<section id="analyst-notes">')),
    );
    expect(section).toContain('Group note for the report 7f3a');
    expect(section).toContain('ana, ');
    const sha = (await store.mediaById(t.media.id))!.sha256;
    expect(section).toContain(`sha256 ${sha}`);
    expect(section).toContain('series-b');
    expect(html).not.toContain('Working note, not for the report 9c1e');
    expect(html).not.toContain('Deleted note 4d2b');
    expect(html).not.toContain('bookmark label 5e6f');
    for (const a of [kept, unmarked, tag, mark]) await deleteAnnotation(run('ana'), ana, a.id);
  });

  it("puts a country's suspects' notes in that country's referral package only", async () => {
    const view = await buildCaseView(store);
    const countries = view.doc.countries as { country: string; suspectIds: number[]; groupIds: number[] }[];
    const [a, b] = ['IT', 'AR'].map((c) => countries.find((x) => x.country === c)!);
    expect(a!.suspectIds.length).toBeGreaterThan(0);
    expect(b!.suspectIds.length).toBeGreaterThan(0);
    const suspectA = a!.suspectIds[0]!;
    const suspectB = b!.suspectIds[0]!;
    // A message by A's suspect in one of A's groups: in A's package.
    let messageA: number | null = null;
    for await (const page of store.messages())
      for (const m of page)
        if (messageA === null && m.senderId === suspectA && a!.groupIds.includes(m.chatId)) messageA = m.id;
    expect(messageA).not.toBeNull();
    const notes = [
      await addAnnotation(run('ana'), ana, {
        target: { kind: 'account', id: suspectA },
        kind: 'note',
        text: 'Note on the IT suspect 11aa',
      }),
      await addAnnotation(run('ana'), ana, {
        target: { kind: 'account', id: suspectB },
        kind: 'note',
        text: 'Note on the AR suspect 22bb',
      }),
      await addAnnotation(run('ana'), ana, {
        target: { kind: 'message', id: messageA! },
        kind: 'note',
        text: 'Note on an IT message 33cc',
      }),
      await addAnnotation(run('ana'), ana, {
        target: { kind: 'account', id: suspectA },
        kind: 'tag',
        text: 'it-tag-44dd',
      }),
      await addAnnotation(run('ana'), ana, {
        target: { kind: 'account', id: suspectA },
        kind: 'note',
        text: 'Unmarked IT note 55ee',
        inReport: false,
      }),
    ];
    const out = tempDir('filet-annotations-referrals-');
    await writeReferrals(store, await buildCaseView(store), out);
    const read = (c: string, f: string) => readFileSync(join(out, c, f), 'utf8');
    const it = read('IT', 'evidence.json') + read('IT', 'summary.html');
    const ar = read('AR', 'evidence.json') + read('AR', 'summary.html');
    expect(it).toContain('Note on the IT suspect 11aa');
    expect(it).toContain('Note on an IT message 33cc');
    expect(it).toContain('it-tag-44dd');
    expect(it).not.toContain('Note on the AR suspect 22bb');
    expect(ar).toContain('Note on the AR suspect 22bb');
    for (const s of ['Note on the IT suspect 11aa', 'Note on an IT message 33cc', 'it-tag-44dd'])
      expect(ar).not.toContain(s);
    expect(it + ar).not.toContain('Unmarked IT note 55ee');
    const evidence = JSON.parse(read('IT', 'evidence.json')) as {
      annotations: { about: unknown; text: string }[];
    };
    expect(evidence.annotations.find((x) => x.text === 'Note on the IT suspect 11aa')!.about).toEqual({
      account: suspectA,
    });
    expect(evidence.annotations.find((x) => x.text === 'Note on an IT message 33cc')!.about).toMatchObject({
      message: messageA,
    });
    // The JSON export carries the marked ones, by the same rule.
    const doc = (await buildCaseView(store)).doc;
    expect(doc.annotations.map((x) => x.text).sort()).toEqual(
      [
        'Note on the IT suspect 11aa',
        'Note on the AR suspect 22bb',
        'Note on an IT message 33cc',
        'it-tag-44dd',
      ].sort(),
    );
    for (const n of notes) await deleteAnnotation(run('ana'), ana, n.id);
  });
});

describe('the annotate commands', () => {
  it('note, tag, bookmark, list and delete from the command line, as the actor', async () => {
    const op = await synthOperation(7, 'small');
    const dir = join(tempDir('filet-annotate-cli-'), 'case');
    expect(filet(['init', dir]).code).toBe(0);
    const device = op.devices.find((d) => d.label === 'D05-ar-android')!;
    const ing = filet([
      'ingest',
      dir,
      ...device.files.map((f) => join(op.dir, f)),
      '--device',
      device.label,
      '--no-match',
    ]);
    expect(ing.code, ing.stderr).toBe(0);
    const env = { FILET_USER: 'ana' };
    const note = filet(['note', dir, '--account', '1', 'first note', '--json'], env);
    expect(note.code, note.stderr).toBe(0);
    const id = JSON.parse(note.stdout).added[0].id as number;
    const tags = filet(['tag', dir, '--account', '1', 'alpha', 'Beta', 'ALPHA'], env);
    expect(tags.stdout).toContain('already has the tag "ALPHA": skipped');
    expect(filet(['bookmark', dir, '--group', '1', '--label', 'look here'], env).code).toBe(0);
    const bad = filet(['note', dir, '--account', '1', '--message', '2', 'x'], env);
    expect([bad.code, bad.stderr.trim()]).toEqual([2, 'filet: give one target, not --account and --message']);
    const list = JSON.parse(filet(['notes', dir, '--json'], env).stdout) as {
      items: { kind: string; text: string; by: string }[];
    };
    expect(list.items.map((a) => [a.kind, a.text, a.by])).toEqual([
      ['note', 'first note', 'ana'],
      ['tag', 'alpha', 'ana'],
      ['tag', 'Beta', 'ana'],
      ['bookmark', 'look here', 'ana'],
    ]);
    const other = filet(['note', dir, '--delete', String(id)], { FILET_USER: 'bob' });
    expect([other.code, other.stderr.trim()]).toEqual([
      2,
      `filet: only its author (ana) or a lead of the case may delete annotation ${id}`,
    ]);
    expect(filet(['annotate', 'delete', dir, String(id)], env).code).toBe(0);
    expect(JSON.parse(filet(['annotate', 'list', dir, '--kind', 'note', '--json'], env).stdout).total).toBe(
      0,
    );
    const tagList = JSON.parse(filet(['annotate', 'tags', dir, '--json'], env).stdout);
    expect(tagList.items.map((x: { name: string }) => x.name)).toEqual(['alpha', 'Beta']);
  }, 120_000);
});
