import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse/sync';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../src/demo.js';
import { buildCaseExport, type CaseExport } from '../src/report/export-json.js';
import { openCase } from '../src/store/case-dir.js';
import { browserMissing, launchChromium } from './helpers/browser.js';
import { REPO, filet } from './helpers/cli.js';
import { tempDir } from './helpers/stores.js';

/**
 * The analysis outputs on a real demo case (synth → ingest → match → analyze): graph exports parsed by a
 * real XML parser (Chromium's DOMParser), i2 CSV tables parsed by csv-parse, referral packages checked
 * record by record and tampered with, and the HTML report opened in headless Chromium.
 */
const hasChromium = browserMissing('report.test.ts') === null;
const itBrowser = it.skipIf(!hasChromium);

const HOSTILE_SUBJECT =
  '<script>window.__pwned = 1</script><img src="https://example.invalid/x.png"> "club", ok';
const FORMULA_NAME = '=HYPERLINK("https://example.invalid","x")';

let root: string;
let caseDir: string;
let doc: CaseExport;
let browser: Browser | undefined;
let expectedLinks = 0;

beforeAll(async () => {
  root = tempDir('filet-report-');
  const s = await runDemo({ dir: root, seed: 7, scale: 'small', quiet: true });
  caseDir = s.caseDir;
  expect(existsSync(s.report)).toBe(true);
  expect(existsSync(join(s.referrals, 'unresolved', 'MANIFEST.sha256'))).toBe(true);
  // Attacker-controlled strings, written into the real case: a group subject and a display name.
  const db = new Database(join(caseDir, 'case.sqlite'));
  const flagged = db
    .prepare('SELECT chat_id FROM analysis_groups WHERE flagged = 1 ORDER BY chat_id LIMIT 1')
    .get() as { chat_id: number };
  db.prepare('UPDATE chats SET subject = ? WHERE id = ?').run(HOSTILE_SUBJECT, flagged.chat_id);
  db.prepare("UPDATE events SET value = ? WHERE chat_id = ? AND type IN ('subject_changed','created')").run(
    HOSTILE_SUBJECT,
    flagged.chat_id,
  );
  const named = db.prepare('SELECT account_id FROM account_names ORDER BY account_id LIMIT 1').get() as {
    account_id: number;
  };
  db.prepare('UPDATE account_names SET name = ? WHERE account_id = ?').run(FORMULA_NAME, named.account_id);
  db.close();

  const { store } = await openCase(caseDir);
  try {
    doc = await buildCaseExport(store);
    // Group links counted independently: pairs of groups with a common member or a common media SHA-256.
    const keys = new Set<string>();
    const pairs = (ids: number[]) => {
      const u = [...new Set(ids)].sort((a, b) => a - b);
      for (let i = 0; i < u.length; i++) for (let j = i + 1; j < u.length; j++) keys.add(`${u[i]}:${u[j]}`);
    };
    const byAccount = new Map<number, number[]>();
    for (const g of doc.groups)
      for (const m of g.members)
        (byAccount.get(m.account) ?? byAccount.set(m.account, []).get(m.account)!).push(g.id);
    for (const ids of byAccount.values()) pairs(ids);
    const groupIds = new Set(doc.groups.map((g) => g.id));
    const bySha = new Map<string, number[]>();
    for await (const page of store.messages())
      for (const m of page)
        if (m.mediaSha256 && groupIds.has(m.chatId))
          (bySha.get(m.mediaSha256) ?? bySha.set(m.mediaSha256, []).get(m.mediaSha256)!).push(m.chatId);
    for (const ids of bySha.values()) pairs(ids);
    expectedLinks = keys.size;
  } finally {
    await store.close();
  }
  if (hasChromium) browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

// Runs in the browser (the test's own TypeScript has no DOM types), so it is passed as source text.
const PARSE_XML = `(xml) => {
  const d = new DOMParser().parseFromString(xml, 'application/xml');
  const err = d.getElementsByTagName('parsererror')[0];
  if (err) return { error: err.textContent, nodes: 0, edges: 0, root: '', labels: [] };
  const nodes = [...d.getElementsByTagName('node')];
  return {
    error: null,
    root: d.documentElement.localName,
    nodes: nodes.length,
    edges: d.getElementsByTagName('edge').length,
    labels: nodes.map((n) => n.getAttribute('label') ??
      [...n.children].find((c) => c.getAttribute('key') === 'n_label')?.textContent ?? ''),
  };
}`;

async function parseXml(file: string) {
  const page = await browser!.newPage();
  try {
    return (await page.evaluate(`(${PARSE_XML})(${JSON.stringify(readFileSync(file, 'utf8'))})`)) as {
      error: string | null;
      root: string;
      nodes: number;
      edges: number;
      labels: string[];
    };
  } finally {
    await page.close();
  }
}

describe('filet export graphml / gexf / csv', () => {
  itBrowser('writes GraphML and GEXF that parse as XML with one node per account and group', async () => {
    const memberships = doc.groups.reduce((n, g) => n + g.members.length, 0);
    for (const format of ['graphml', 'gexf']) {
      const out = join(root, `net.${format}`);
      const r = filet(['export', caseDir, '--format', format, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const x = await parseXml(out);
      expect(x.error).toBeNull();
      expect(x.root).toBe(format);
      expect(x.nodes).toBe(doc.accounts.length + doc.groups.length);
      expect(x.edges).toBe(memberships + expectedLinks);
      // The hostile subject survives as text, not markup.
      expect(x.labels).toContain(HOSTILE_SUBJECT);
    }
  });

  it('writes the i2 tables: headers, RFC 4180 quoting, formula cells neutralised', () => {
    const out = join(root, 'i2');
    const r = filet(['export', caseDir, '--format', 'csv', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const read = (f: string) => {
      const text = readFileSync(join(out, f), 'utf8');
      expect(text).toContain('\r\n');
      return parse(text, { bom: true, relaxColumnCount: false }) as string[][];
    };
    const groups = read('groups.csv');
    expect(groups[0]!.slice(0, 3)).toEqual(['group_id', 'label', 'type']);
    expect(groups.length - 1).toBe(doc.groups.length);
    expect(groups.map((g) => g[1])).toContain(HOSTILE_SUBJECT);
    expect(readFileSync(join(out, 'groups.csv'), 'utf8')).toContain(
      `"${HOSTILE_SUBJECT.replace(/"/g, '""')}"`,
    );
    const accounts = read('accounts.csv');
    expect(accounts[0]).toEqual([
      'account_id',
      'label',
      'type',
      'phone',
      'jids',
      'display_names',
      'country',
      'roles',
      'score',
      'merged_into',
      'synthetic',
    ]);
    expect(accounts.length - 1).toBe(doc.accounts.length);
    const cells = accounts.flat();
    expect(cells.some((c) => c.startsWith(`'${FORMULA_NAME}`))).toBe(true);
    // Only phone numbers may start with a formula character: they are data, written unaltered.
    expect(cells.filter((c) => /^[=+\-@]/.test(c) && !/^\+\d{6,15}$/.test(c))).toEqual([]);
    const phones = doc.accounts.map((a) => a.phone ?? '');
    expect(accounts.slice(1).map((a) => a[3])).toEqual(phones);
    expect(phones.filter(Boolean).length).toBeGreaterThan(100);
    const raw = readFileSync(join(out, 'accounts.csv'), 'utf8');
    for (const p of phones.filter(Boolean)) expect(raw).toContain(`,"${p}",`);
    const media = read('media.csv');
    expect(media[0]![0]).toBe('sha256');
    expect(media.length - 1).toBe(doc.media.length);
    expect(read('memberships.csv')[0]).toEqual([
      'account_id',
      'group_id',
      'link_type',
      'admin',
      'active',
      'first_at',
      'last_at',
    ]);
    expect(read('postings.csv')[0]!.slice(0, 4)).toEqual(['account_id', 'group_id', 'link_type', 'messages']);
    expect(read('group_links.csv').length - 1).toBe(expectedLinks);
    // Link ends are entity identities.
    const ids = new Set(accounts.slice(1).map((a) => a[0]));
    expect(
      read('memberships.csv')
        .slice(1)
        .every((m) => ids.has(m[0]!)),
    ).toBe(true);
  });
});

describe('filet referrals', () => {
  let out: string;
  beforeAll(() => {
    out = join(root, 'referrals');
    const r = filet(['referrals', caseDir, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('writes one package per country with suspects and one unresolved, each complete and scoped', () => {
    const countries = (
      doc.countries as { country: string; suspects: number; suspectIds: number[]; groupIds: number[] }[]
    ).filter((c) => c.suspects > 0 || c.country === 'unresolved');
    expect(readdirSync(out).sort()).toEqual(
      [...new Set([...countries.map((c) => c.country), 'unresolved'])].sort(),
    );
    for (const c of countries) {
      const dir = join(out, c.country);
      for (const f of [
        'summary.html',
        'suspects.csv',
        'evidence.json',
        'hashes.vics.json',
        'MANIFEST.sha256',
        'SYNTHETIC.txt',
      ])
        expect(existsSync(join(dir, f)), `${c.country}/${f}`).toBe(true);
      const ev = JSON.parse(readFileSync(join(dir, 'evidence.json'), 'utf8'));
      expect(ev.synthetic).toBe(true);
      const ids = new Set<number>(ev.accounts.map((a: { id: number }) => a.id));
      expect([...ids].sort()).toEqual([...c.suspectIds].sort());
      for (const a of ev.accounts) expect(a.country ?? 'unresolved').toBe(c.country);
      const groups = new Set(c.groupIds);
      for (const g of ev.groups) expect(groups.has(g.id)).toBe(true);
      for (const m of ev.messages) {
        expect(ids.has(m.sender)).toBe(true);
        expect(groups.has(m.group)).toBe(true);
        expect(m.provenance.length).toBeGreaterThan(0);
      }
      for (const m of ev.memberships) expect(ids.has(m.account) && groups.has(m.group)).toBe(true);
      const evidence = new Set(ev.evidence.map((e: { id: number }) => e.id));
      for (const m of ev.messages)
        for (const p of m.provenance) expect(evidence.has(p.evidenceId)).toBe(true);
      const vics = JSON.parse(readFileSync(join(dir, 'hashes.vics.json'), 'utf8'));
      // VICS records need an MD5: media known by SHA-256 only stay in evidence.json.
      expect(vics.value.length).toBe(ev.media.filter((m: { md5: string | null }) => m.md5).length);
      expect(vics.value.map((v: { Comments: string }) => v.Comments.slice(-64)).sort()).toEqual(
        ev.media
          .filter((m: { md5: string | null }) => m.md5)
          .map((m: { sha256: string }) => m.sha256)
          .sort(),
      );
      for (const v of vics.value)
        expect(v.Comments).toMatch(/^SYNTHETIC: (known material; category|novel media)/);
      const html = readFileSync(join(dir, 'summary.html'), 'utf8');
      expect(html).toContain('SYNTHETIC');
      expect(html).not.toContain('<script');
      expect(html).not.toMatch(/<img\b/);
    }
  });

  it('verify passes, then names a changed, an extra and a missing file (exit 3)', () => {
    expect(filet(['referrals', 'verify', out]).code).toBe(0);
    const file = join(out, 'ES', 'suspects.csv');
    const bytes = readFileSync(file);
    bytes[bytes.length - 3] ^= 1;
    writeFileSync(file, bytes);
    let r = filet(['referrals', 'verify', out, '--json']);
    expect(r.code).toBe(3);
    const es = (v: { checks: { dir: string; changed: string[]; extra: string[]; missing: string[] }[] }) =>
      v.checks.find((c) => c.dir === 'ES')!;
    expect(es(JSON.parse(r.stdout)).changed).toEqual(['suspects.csv']);
    writeFileSync(join(out, 'ES', 'notes.txt'), 'added later\n');
    rmSync(join(out, 'ES', 'hashes.vics.json'));
    r = filet(['referrals', 'verify', out, '--json']);
    expect(r.code).toBe(3);
    const v = es(JSON.parse(r.stdout));
    expect(v.extra).toEqual(['notes.txt']);
    expect(v.missing).toEqual(['hashes.vics.json']);
    // One package can be checked alone; the untouched ones still pass.
    expect(filet(['referrals', 'verify', join(out, 'unresolved')]).code).toBe(0);
    appendFileSync(join(out, 'unresolved', 'summary.html'), ' ');
    expect(filet(['referrals', 'verify', join(out, 'unresolved')]).code).toBe(3);
  });
});

describe('filet report', () => {
  let file: string;
  beforeAll(() => {
    file = join(root, 'report.html');
    const r = filet(['report', caseDir, '--out', file]);
    expect(r.code, r.stderr).toBe(0);
  });

  it('is one self-contained file: CSP, no script, no external URL', () => {
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']/i);
    expect(html).not.toContain('@import');
    expect(html).not.toMatch(/url\(/);
    // The only URLs are SVG namespace declarations and the escaped hostile subject.
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<&]+/g)].map((m) => m[0]);
    expect(
      urls.filter((u) => u !== 'http://www.w3.org/2000/svg' && !u.startsWith('https://example.invalid')),
    ).toEqual([]);
  });

  itBrowser(
    'opens in headless Chromium without errors or requests, with every section; a <script> subject stays text',
    async () => {
      const page = await browser!.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => requests.push(r.url()));
      const url = pathToFileURL(file).href;
      await page.goto(url);
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
      for (const id of [
        'overview',
        'network',
        'timeline',
        'countries',
        'suspects',
        'flagged-groups',
        'evidence',
        'synthetic',
      ])
        expect(await page.locator(`#${id}`).count(), id).toBe(1);
      expect(await page.locator('h2').allTextContents()).toEqual(
        expect.arrayContaining([
          'Overview',
          'Network',
          'Activity timeline',
          'Suspects per country',
          'Ranked suspects',
          'Flagged groups',
          'Evidence',
        ]),
      );
      expect(await page.locator('#synthetic').textContent()).toContain('SYNTHETIC');
      expect(await page.evaluate(() => (globalThis as { __pwned?: number }).__pwned)).toBeUndefined();
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('img').count()).toBe(0);
      expect(await page.locator('#flagged-groups').textContent()).toContain(HOSTILE_SUBJECT);
      expect(await page.locator('#network svg circle').count()).toBeGreaterThanOrEqual(doc.groups.length);
      expect(await page.locator('#evidence tbody tr').count()).toBe(doc.evidence.length);
      for (const e of doc.evidence) expect(await page.locator('#evidence').textContent()).toContain(e.sha256);
      mkdirSync(join(REPO, 'test-results'), { recursive: true });
      await page.screenshot({ path: join(REPO, 'test-results', 'report.png'), fullPage: true });
      await page.close();
    },
  );
});
