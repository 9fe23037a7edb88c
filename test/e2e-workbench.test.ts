import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AccountRow,
  GroupMessage,
  GroupRow,
  Page as ApiPage,
  SuspectFile,
  SuspectTimeline,
  TriageQueue,
  TriageSeriesDetail,
} from '../src/api/contract.js';
import type { CaseStore } from '../src/store/case-store.js';
import { browserMissing } from './helpers/browser.js';
import { inCase } from './helpers/case-url.js';
import {
  type BrowserServed,
  foreignRequests,
  gone,
  hasText,
  serveDemoForBrowser,
  SHOTS,
  signIn,
  visible,
  zipTexts,
} from './helpers/ui.js';

/**
 * The analyst's workbench screens in a real browser (Debian's chromium, headless) against the real server
 * on a served synthetic demo case. Screenshots go to test-results/.
 */
const PASSWORD = 'e2e-password-long';
const missing = browserMissing('e2e-workbench.test.ts');

describe.skipIf(missing !== null)('the analyst workbench in a real browser', () => {
  let served: BrowserServed;
  let store: CaseStore;
  let base = '';
  let browser: Browser;
  const requests: string[] = [];

  beforeAll(async () => {
    served = await serveDemoForBrowser(
      'filet-e2e-workbench-',
      [
        ['wb-analyst', 'analyst'],
        ['wb-lead', 'lead'],
      ],
      PASSWORD,
    );
    ({ store, base, browser } = served);
  }, 300_000);

  afterAll(async () => served?.close());

  async function api<T>(page: Page, path: string): Promise<T> {
    const r = await page.request.get(base + inCase(store.caseId, path));
    expect(r.status(), path).toBe(200);
    return (await r.json()) as T;
  }

  it('reads a group as a conversation, window by window, and opens a reason at its message', async () => {
    const { ctx, page } = await signIn(browser, base, 'wb-analyst', PASSWORD, requests);
    const groups = await api<ApiPage<GroupRow>>(page, '/groups?sort=messages&limit=1');
    const big = groups.items[0]!;
    expect(big.messages).toBeGreaterThan(80); // more than one window
    await page.goto(`${base}/#/c/${store.caseId}/groups/${big.id}`);
    await page.getByTestId('read-conversation').click();
    const messages = page.locator('li.conv-message');
    await visible(messages);
    await hasText(page.getByTestId('conv-size'), `${big.messages} messages`);
    expect(await messages.count()).toBeLessThanOrEqual(80);
    // Days are separated; the chat's system lines stand inline.
    await visible(page.locator('li.conv-day'));
    await visible(page.locator('li.conv-event'));
    // Known material is never drawn: no image of any kind inside a known card.
    expect(await page.locator('.conversation article[data-status="known"] img').count()).toBe(0);
    const first = await messages.count();
    await page.getByTestId('conv-later').click();
    await expect.poll(() => messages.count(), { timeout: 30_000 }).toBeGreaterThan(first);
    expect(await page.locator('.conversation article[data-status="known"] img').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'e2e-conversation.png'), fullPage: true });

    // A suspect's reason names messages: each opens the conversation at that message, marked.
    const top = (await api<ApiPage<AccountRow>>(page, '/accounts?limit=1')).items[0]!;
    const file = await api<SuspectFile>(page, `/accounts/${top.id}`);
    const withMessages = file.roles.find((r) => r.messageIds.length > 0)!;
    const msg = withMessages.messageIds[0]!;
    await page.goto(`${base}/#/c/${store.caseId}/accounts/${top.id}`);
    const link = page.locator(`a.ref[href$="/messages/${msg}"]`).first();
    await link.waitFor({ state: 'attached' });
    // The facts behind a reason are folded under "what is behind it".
    await link.locator('xpath=ancestor::details[1]/summary').click();
    await link.click();
    const focus = page.locator(`li.conv-message[aria-current="true"]`);
    await visible(focus);
    expect(await focus.getAttribute('data-message-id')).toBe(String(msg));
    await gone(page.locator('.conversation article[data-status="known"] img'));
    await page.screenshot({ path: join(SHOTS, 'e2e-conversation-focus.png') });
    expect(foreignRequests(requests, base)).toEqual([]);
    await ctx.close();
  }, 180_000);

  it('searches the case, sees the hit marked, and opens it in its conversation', async () => {
    const { ctx, page } = await signIn(browser, base, 'wb-analyst', PASSWORD, requests);
    // A word of a real message of the case (the store's own row, not the search code's output).
    const group = (await api<ApiPage<GroupRow>>(page, '/groups?sort=messages&limit=1')).items[0]!;
    const msgs = await api<ApiPage<GroupMessage>>(page, `/groups/${group.id}/messages?limit=200`);
    const withWord = msgs.items.find((m) => /\b[A-Za-z]{6,}\b/.test(m.text ?? ''))!;
    const word = /\b([A-Za-z]{6,})\b/.exec(withWord.text!)![1]!;
    await page.getByRole('link', { name: 'Search' }).click();
    await page.getByTestId('search-q').fill(word.toUpperCase()); // case does not matter
    await page.getByTestId('search-go').click();
    await hasText(page.getByTestId('search-total'), 'messages found');
    const hits = page.locator('li.search-hit');
    await visible(hits);
    expect((await hits.first().locator('mark').first().textContent())?.toLowerCase()).toBe(
      word.toLowerCase(),
    );
    // Narrowed to the group of the message: the message itself is among the hits.
    await page.getByTestId('search-group').selectOption(String(group.id));
    await page.getByTestId('search-go').click();
    const hit = page.locator(`li.search-hit[data-message-id="${withWord.id}"]`);
    await visible(hit);
    await page.screenshot({ path: join(SHOTS, 'e2e-search.png'), fullPage: true });
    await hit.getByTestId('search-hit-open').click();
    const focus = page.locator('li.conv-message[aria-current="true"]');
    await visible(focus);
    expect(await focus.getAttribute('data-message-id')).toBe(String(withWord.id));
    // The search was recorded in the case's audit log.
    const audit = await store.readAudit();
    expect(
      audit.some((e) => e.action === 'search' && JSON.stringify(e.args).includes(word.toUpperCase())),
    ).toBe(true);
    expect(foreignRequests(requests, base)).toEqual([]);
    await ctx.close();
  }, 180_000);

  it('shows the priority formula; producers rank first; a lead re-weights and resets, audited', async () => {
    const { ctx, page } = await signIn(browser, base, 'wb-lead', PASSWORD, requests);
    await hasText(page.getByTestId('priority-rule'), 'Producers of novel media rank above everyone else');
    // The top of the list is a producer (the demo's producers lead it).
    const firstRow = page.locator('#top-h').locator('xpath=..').locator('tbody tr').first();
    await hasText(firstRow, 'producer');
    await page.getByRole('button', { name: 'Change weights' }).click();
    await page.getByLabel('Producer of novel media').fill('0.3');
    await page.getByLabel('Severity of the material').fill('0.38');
    await page.getByRole('button', { name: 'Save and re-rank' }).click();
    await hasText(page.getByTestId('priority-rule'), 'NOT guaranteed');
    await page.screenshot({ path: join(SHOTS, 'e2e-priority.png'), fullPage: true });
    await page.getByRole('button', { name: 'Back to the defaults' }).click();
    await hasText(page.getByTestId('priority-rule'), 'rank above everyone else');
    const log = (await store.readAudit()).map((e) => e.action);
    expect(log).toContain('priority.set');
    expect(log).toContain('priority.reset');
    expect(foreignRequests(requests, base)).toEqual([]);
    await ctx.close();
  }, 180_000);

  it("draws a suspect's timeline, a lane per chat, known material as a mark only", async () => {
    const { ctx, page } = await signIn(browser, base, 'wb-analyst', PASSWORD, requests);
    const top = (await api<ApiPage<AccountRow>>(page, '/accounts?limit=1')).items[0]!;
    const t = await api<SuspectTimeline>(page, `/accounts/${top.id}/timeline`);
    await page.goto(`${base}/#/c/${store.caseId}/accounts/${top.id}`);
    const chart = page.getByTestId('timeline-chart');
    await visible(chart);
    expect(await chart.locator('g[data-lane]').count()).toBe(Math.min(25, t.lanes.length));
    const posts = t.lanes.reduce((n, l) => n + Math.min(1, l.media.length), 0);
    expect(posts).toBeGreaterThan(0); // the top suspect posted media
    // No picture of any kind in the chart.
    expect(await chart.locator('image').count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'e2e-timeline.png'), fullPage: false });
    // A media mark opens its message in the conversation.
    const mark = chart.locator('rect.tl-media').first();
    const target = await mark.locator('xpath=..').getAttribute('href');
    await mark.click({ force: true });
    await visible(page.locator('li.conv-message[aria-current="true"]'));
    expect(page.url()).toContain(target!.replace(/^#/, ''));
    expect(foreignRequests(requests, base)).toEqual([]);
    await ctx.close();
  }, 180_000);

  it('works through the triage queue: opens the most urgent series and categorises it as a whole', async () => {
    const { ctx, page } = await signIn(browser, base, 'wb-analyst', PASSWORD, requests);
    const queue = await api<TriageQueue>(page, '/triage?pending=true&limit=20');
    expect(queue.items.length).toBeGreaterThan(0);
    // The queue is in urgency order, each with its reasons.
    const urgencies = queue.items.map((s) => s.urgency);
    expect([...urgencies].sort((a, b) => b - a)).toEqual(urgencies);
    const first = queue.items[0]!;
    expect(first.reasons.length).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Triage' }).click();
    const card = page.locator(`li.triage-series[data-series="${first.id}"]`);
    await visible(card);
    await card.getByTestId('triage-open').click();
    // Novel media are blurred thumbnails only; nothing known is drawn.
    await visible(card.locator('img.blurred'));
    expect(await card.locator('article[data-status="known"] img').count()).toBe(0);
    await card.getByTestId('triage-category').selectOption('cam');
    await page.screenshot({ path: join(SHOTS, 'e2e-triage.png'), fullPage: true });
    await card.getByTestId('triage-submit').click();
    // Reviewed as a whole, the series leaves the queue of what is still to review.
    await gone(card);
    const detail = await api<TriageSeriesDetail>(page, `/triage/series/${first.id}`);
    expect(detail.items.map((i) => i.review?.category)).toEqual(detail.items.map(() => 'cam'));
    expect(detail.reviewed).toBe('all');
    const audit = (await store.readAudit()).filter((e) => e.action === 'triage.series.review');
    expect(audit.length).toBe(1);
    expect(foreignRequests(requests, base)).toEqual([]);
    await ctx.close();
  }, 180_000);

  it("writes a note on a suspect that reaches the downloaded report and their country's referral package", async () => {
    const { ctx, page } = await signIn(browser, base, 'wb-lead', PASSWORD, requests);
    const top = (await api<ApiPage<AccountRow>>(page, '/accounts?limit=1')).items[0]!;
    expect(top.country).toMatch(/^[A-Z]{2}$/);
    const kept = `SYNTHETIC note for the referral ${Date.now()}`;
    const left = `SYNTHETIC note kept inside the case ${Date.now()}`;
    await page.goto(`${base}/#/c/${store.caseId}/accounts/${top.id}`);
    const form = page.getByTestId('annotation-form');
    await visible(form);
    // Each note is one POST; its answer (not only the list shown after) is checked, with its body on failure.
    const add = async (text: string) => {
      await form.getByLabel('Text').fill(text);
      const [res] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith('/annotations') && r.request().method() === 'POST'),
        form.getByRole('button', { name: 'Add' }).click(),
      ]);
      expect(res.status(), await res.text()).toBe(201);
      await visible(page.locator('.note-text', { hasText: text }));
    };
    await add(kept);
    await form.getByLabel('Include in the report and referral packages').uncheck();
    await add(left);
    await page.screenshot({ path: join(SHOTS, 'e2e-note.png') });

    await page.getByRole('link', { name: 'Exports' }).click();
    const [report] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'HTML report' }).click(),
    ]);
    const reportFile = join(SHOTS, 'e2e-note-report.html');
    await report.saveAs(reportFile);
    const html = readFileSync(reportFile, 'utf8');
    expect(html).toContain(kept);
    expect(html).not.toContain(left);

    const [pkg] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Referral package for ${top.country}` }).click(),
    ]);
    const pkgFile = join(SHOTS, `e2e-note-referral-${top.country}.zip`);
    await pkg.saveAs(pkgFile);
    const texts = [...(await zipTexts(pkgFile)).values()].join('\n');
    expect(texts).toContain(kept);
    expect(texts).not.toContain(left);
    expect(foreignRequests(requests, base)).toEqual([]);
    await ctx.close();
  }, 180_000);

  it('adds a keyword list and sees who and which groups it finds, each hit opening its conversation', async () => {
    const { ctx, page } = await signIn(browser, base, 'wb-lead', PASSWORD, requests);
    const group = (await api<ApiPage<GroupRow>>(page, '/groups?sort=messages&limit=1')).items[0]!;
    const msgs = await api<ApiPage<GroupMessage>>(page, `/groups/${group.id}/messages?limit=200`);
    const withWord = msgs.items.find((m) => /\b[A-Za-z]{6,}\b/.test(m.text ?? ''))!;
    const word = /\b([A-Za-z]{6,})\b/.exec(withWord.text!)![1]!;
    await page.getByRole('link', { name: 'Keywords' }).click();
    const form = page.getByTestId('keyword-form');
    await visible(form);
    await form.getByLabel('Name').fill('SYNTHETIC e2e list');
    await form.getByLabel('Terms, one a line').fill(`${word}\n"no such phrase anywhere"`);
    await form.getByRole('button', { name: 'Add the list' }).click();
    await visible(page.locator('tr[data-list="SYNTHETIC e2e list"]'));
    await hasText(page.getByTestId('keyword-total'), 'messages matched');
    const person = page.locator('tr[data-account]').first();
    await visible(person);
    await page.screenshot({ path: join(SHOTS, 'e2e-keywords.png'), fullPage: true });
    await person.locator('a.ref').first().click();
    await visible(page.locator('li.conv-message[aria-current="true"]'));
    expect((await store.readAudit()).some((e) => e.action === 'keywords.import')).toBe(true);
    expect(foreignRequests(requests, base)).toEqual([]);
    await ctx.close();
  }, 180_000);
});
