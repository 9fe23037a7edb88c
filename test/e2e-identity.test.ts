import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseStore } from '../src/store/case-store.js';
import { ReviewStore } from '../src/store/review-store.js';
import { browserMissing } from './helpers/browser.js';
import { REPO } from './helpers/cli.js';
import { makeIdentityCase } from './helpers/identity-case.js';
import { tempDir } from './helpers/stores.js';
import { serveForBrowser, type BrowserServed } from './helpers/ui.js';

/**
 * The Identity screen in a real browser (Debian's chromium, headless) against the real server, on a case of
 * two hand-written exports whose ingest merged one pair automatically, with three suggestions and one contradiction
 * (test/helpers/identity-case.ts): an analyst rejects one suggestion and accepts another; contradicted
 * pairs offer no button; a viewer sees the screen without any. The web app is built first, so the test
 * never runs a stale bundle. Screenshots go to test-results/.
 */
const SHOTS = join(REPO, 'test-results');
const PASSWORD = 'e2e-identity-password';

const visible = (l: Locator, timeout = 30_000) => l.first().waitFor({ state: 'visible', timeout });
const gone = (l: Locator) => expect.poll(() => l.count(), { timeout: 10_000 }).toBe(0);

const missing = browserMissing('e2e-identity.test.ts');

describe.skipIf(missing !== null)('Identity screen in a real browser', () => {
  let dir = '';
  let store: CaseStore;
  let base = '';
  let browser: Browser;
  const errors: string[] = [];

  let served: BrowserServed;

  beforeAll(async () => {
    dir = tempDir('filet-e2e-identity-');
    const caseDir = join(dir, 'case');
    makeIdentityCase(dir, caseDir);
    served = await serveForBrowser(
      caseDir,
      [
        ['e2e-analyst', 'analyst'],
        ['e2e-viewer', 'viewer'],
      ],
      PASSWORD,
    );
    ({ store, base, browser } = served);
  }, 300_000);

  afterAll(async () => served?.close());

  async function signIn(user: string): Promise<Page> {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base + '/');
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('navigation', { name: 'Main' }));
    await page.getByRole('link', { name: 'Identity' }).click();
    await visible(page.getByRole('heading', { level: 2, name: 'Identity' }));
    return page;
  }

  const row = (page: Page, from: string, into: string) =>
    page.locator(`[data-testid=id-suggestions] tr[data-from="${from}"][data-into="${into}"]`);

  it('an analyst checks the reasons, rejects one suggestion and accepts another', async () => {
    const page = await signIn('e2e-analyst');
    // Camila was merged at ingest; at the default threshold nothing else is automatic, and the panel
    // never offers a button.
    const auto = page.getByTestId('id-unambiguous');
    expect(await auto.locator('tr[data-from="name:A:Camila L."]').count()).toBe(0);
    expect(await auto.getByRole('button').count()).toBe(0);
    // Every reason names its two facts (each opening its conversation at that message) and its chat.
    const dora = row(page, 'name:A:Dora', 'phone:+447700900123');
    await visible(dora);
    expect(await dora.locator('ul.reasons li').count()).toBe(1);
    const link = dora.locator('ul.reasons li a[href*="/messages/"]').first();
    expect(await link.getAttribute('href')).toMatch(/^#\/c\/[\w-]+\/messages\/\d+$/);
    // Contradictions offer no button.
    const contradiction = page.getByTestId('id-contradiction');
    await visible(contradiction);
    expect(await contradiction.textContent()).toContain('name:A:Eva');
    expect(await contradiction.getByRole('button').count()).toBe(0);
    // The contradicted pairs are listed among the suggestions, without Accept or Reject.
    const eva = row(page, 'name:A:Eva', 'phone:+33611111111');
    await visible(eva);
    expect(await eva.getByRole('button').count()).toBe(0);
    expect(await eva.textContent()).toContain('part of a contradiction');
    await page.screenshot({ path: join(SHOTS, 'e2e-identity-before.png'), fullPage: true });

    const boris = row(page, 'name:A:Boris', 'phone:+491512222222');
    await boris.getByLabel('Note (optional, recorded)').fill('different voice');
    await boris.getByRole('button', { name: 'Reject name:A:Boris → phone:+491512222222' }).click();
    await visible(page.getByRole('status').filter({ hasText: 'are kept apart' }));
    await gone(row(page, 'name:A:Boris', 'phone:+491512222222'));

    await dora.getByLabel('Note (optional, recorded)').fill('same gloves');
    await dora.getByRole('button', { name: 'Accept name:A:Dora → phone:+447700900123' }).click();
    await visible(page.getByRole('status').filter({ hasText: 'Merged (merge #' }));
    await gone(row(page, 'name:A:Dora', 'phone:+447700900123'));

    // The merge ingest made is listed with its evidence, and undone from here.
    const automatic = page.getByTestId('id-automatic');
    await visible(automatic);
    expect(await automatic.locator('tr[data-merge]').count()).toBe(1);
    expect(await automatic.textContent()).toContain(
      'automatic: 4 facts seen from two devices pair name:A:Camila L.',
    );
    await automatic.getByRole('button', { name: /^Undo merge #\d+$/ }).click();
    await visible(page.getByRole('status').filter({ hasText: 'undone; the pair is kept apart' }));
    await gone(page.getByTestId('id-automatic'));
    await page.screenshot({ path: join(SHOTS, 'e2e-identity-after.png'), fullPage: true });

    const review = new ReviewStore(store);
    expect((await review.rejections()).map((r) => [r.from, r.into, r.by, r.reason])).toEqual([
      ['name:A:Boris', 'phone:+491512222222', 'e2e-analyst', 'different voice'],
    ]);
    // Camila's merge at ingest, then the analyst's.
    const merges = await review.merges();
    expect(merges.map((m) => m.by)).toEqual(['filet (automatic identity resolution)', 'e2e-analyst']);
    expect(merges[0]!.undoneBy).toBe('e2e-analyst');
    expect(merges[1]!.reason).toMatch(/^accepted suggestion: 1 fact\(s\) .*name:A:Dora.*; same gloves$/);
    const actions = (await store.readAudit()).map((e) => `${e.actor} ${e.action}`);
    expect(actions).toContain('e2e-analyst identity.reject');
    expect(actions).toContain('e2e-analyst identity.accept');
    expect(actions).toContain('e2e-analyst identity.unmerge');
    await page.context().close();
  });

  it('a viewer sees the suggestions and no Accept or Reject', async () => {
    const page = await signIn('e2e-viewer');
    await visible(page.getByTestId('id-suggestions').locator('tr[data-from="name:A:Eva"]'));
    expect(await page.getByRole('button', { name: /^(Accept|Reject) / }).count()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'e2e-identity-viewer.png'), fullPage: true });
    await page.context().close();
    expect(errors).toEqual([]);
  });
});
