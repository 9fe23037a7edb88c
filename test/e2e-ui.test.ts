import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseStore } from '../src/store/case-store.js';
import { browserMissing } from './helpers/browser.js';
import {
  type BrowserServed,
  gone,
  hasText,
  serveDemoForBrowser,
  SHOTS,
  signIn as signInAt,
  visible,
} from './helpers/ui.js';
import { inCase } from './helpers/case-url.js';

/**
 * The investigator UI in a real browser (Debian's chromium, headless) against the real server on a demo case:
 * what an analyst and a lead do on a working day, the wellness rules on media, and that the page talks to
 * nobody but the server. Screenshots go to test-results/.
 */
const PASSWORD = 'e2e-password-long';

const missing = browserMissing('e2e-ui.test.ts');

describe.skipIf(missing !== null)('investigator UI in a real browser', () => {
  let store: CaseStore;
  let base = '';
  let browser: Browser;
  const requests: string[] = [];

  let served: BrowserServed;

  beforeAll(async () => {
    served = await serveDemoForBrowser(
      'filet-e2e-ui-',
      [
        ['e2e-lead', 'lead'],
        ['e2e-analyst', 'analyst'],
        ['e2e-viewer', 'viewer'],
      ],
      PASSWORD,
    );
    ({ store, base, browser } = served);
  }, 300_000);

  afterAll(async () => served?.close());

  const signIn = (user: string) => signInAt(browser, base, user, PASSWORD, requests);

  async function api<T>(page: Page, path: string): Promise<T> {
    const r = await page.request.get(base + inCase(store.caseId, path));
    expect(r.status(), path).toBe(200);
    return (await r.json()) as T;
  }

  it('an analyst reads the overview, filters the network to one country, opens a suspect and reveals a novel media item', async () => {
    const { ctx, page } = await signIn('e2e-analyst');
    await page.waitForSelector('text=Top suspects');
    const ov = await api<{
      counts: { evidence: number; groups: number; groupsFlagged: number; accounts: number };
      countries: { country: string; suspects: number }[];
      topSuspects: { id: number; label: string; country: string | null }[];
    }>(page, '/overview');
    expect(await page.getByTestId('count-Evidence items').textContent()).toContain(
      String(ov.counts.evidence),
    );
    expect(await page.getByTestId('count-Groups flagged / total').textContent()).toContain(
      `${ov.counts.groupsFlagged} / ${ov.counts.groups}`,
    );
    expect(await page.getByTestId('count-Accounts').textContent()).toContain(String(ov.counts.accounts));
    await visible(page.getByRole('link', { name: ov.topSuspects[0].label }));
    // Analysts may not read the audit log or download exports: those screens are not offered.
    await gone(page.getByRole('link', { name: 'Audit log' }));
    await gone(page.getByRole('link', { name: 'Exports' }));
    await page.screenshot({ path: join(SHOTS, 'e2e-overview.png'), fullPage: true });

    // The network, whole, then filtered to the country with the most suspects.
    await page.getByRole('link', { name: 'Network' }).click();
    const counts = page.getByTestId('network-counts');
    await hasText(counts, 'drawn in', 60_000);
    const all = await api<{ nodes: { count: number } }>(page, '/network');
    await hasText(counts, `${all.nodes.count} nodes`);
    await visible(page.locator('[data-testid=graph] canvas').first());
    await page.screenshot({ path: join(SHOTS, 'e2e-network.png') });
    const country = [...ov.countries]
      .filter((c) => /^[A-Z]{2}$/.test(c.country))
      .sort((a, b) => b.suspects - a.suspects)[0].country;
    const only = await api<{ nodes: { count: number; country: (string | null)[]; kind: string[] } }>(
      page,
      `/network?country=${country}`,
    );
    expect(only.nodes.count).toBeLessThan(all.nodes.count);
    await page.locator('select[name=country]').selectOption(country);
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await hasText(counts, `${only.nodes.count} nodes`, 60_000);
    await page.screenshot({ path: join(SHOTS, 'e2e-network-country.png') });

    // Find that country's top suspect in the graph, open the side panel, then the file.
    const suspect = ov.topSuspects.find((s) => s.country === country)!;
    await page.getByLabel('Find a node').fill(suspect.label.split(' ')[0]);
    await page.getByRole('button', { name: 'Find' }).click();
    const panel = page.getByTestId('side-panel');
    await visible(panel);
    await hasText(panel, country);
    await page.keyboard.press('Escape');
    await gone(panel);
    await page.getByRole('button', { name: 'Find' }).click();
    await panel.getByRole('link', { name: 'Open file' }).click();
    await hasText(page.getByRole('heading', { level: 2 }), suspect.label);
    await hasText(page.getByTestId('suspect-country'), country);
    await visible(page.locator('.reason').first());
    await page.screenshot({ path: join(SHOTS, 'e2e-suspect.png'), fullPage: true });

    // Known material: listed by hash, never an image element.
    await page.goto(`${base}/#/c/${store.caseId}/media`);
    await page.getByLabel('Match status').selectOption('known');
    await visible(page.locator('article[data-status=known]').first());
    expect(await page.locator('article[data-status=known] img').count()).toBe(0);
    await hasText(page.locator('article[data-status=known]').first(), 'not displayed');

    // Novel media: the server's blurred thumbnail; reveal only after a confirmation.
    await page.getByLabel('Match status').selectOption('novel');
    const first = page.locator('article[data-status=novel]:has(img.blurred)').first();
    await visible(first);
    const mediaId = Number(await first.getAttribute('data-media-id'));
    // Pinned by id: once revealed the card no longer holds a blurred image.
    const card = page.locator(`article[data-media-id="${mediaId}"]`);
    const thumb = card.locator('img.blurred');
    expect(await thumb.getAttribute('src')).toBe(inCase(store.caseId, `/media/${mediaId}/thumbnail`));
    await expect
      .poll(() =>
        thumb.evaluate((i) =>
          (i as { complete: boolean }).complete ? (i as { naturalWidth: number }).naturalWidth : 0,
        ),
      )
      .toBeGreaterThan(0);
    await card.getByRole('button', { name: 'Reveal' }).click();
    const dialog = card.getByRole('dialog');
    await visible(dialog);
    await dialog.getByLabel('Reason (optional, recorded)').fill('e2e: compare with a referral');
    await dialog.getByRole('button', { name: 'Reveal the image' }).click();
    const revealed = card.locator('img.revealed');
    await visible(revealed);
    expect(await revealed.getAttribute('src')).toMatch(/^blob:/);
    await page.screenshot({ path: join(SHOTS, 'e2e-media-revealed.png') });
    // Leaving the screen drops the revealed image; coming back shows the blurred preview again.
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('link', { name: 'Media' }).click();
    await visible(page.locator(`article[data-media-id="${mediaId}"] img.blurred`));
    expect(await page.locator('img.revealed').count()).toBe(0);
    await ctx.close();
  });

  it('a lead finds the reveal in the audit log and downloads a referral package', async () => {
    const { ctx, page } = await signIn('e2e-lead');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await hasText(page.getByTestId('audit-verification'), 'Hash chain verified');
    await page.getByLabel('Action').fill('media.reveal');
    const row = page.locator('tr[data-action="media.reveal"]').filter({ hasText: 'e2e-analyst' });
    await visible(row.first());
    await page.screenshot({ path: join(SHOTS, 'e2e-audit.png'), fullPage: true });

    await page.getByRole('link', { name: 'Exports' }).click();
    const button = page.getByRole('button', { name: /^Referral package for [A-Z]{2}$/ }).first();
    await visible(button);
    const country = /([A-Z]{2})$/.exec((await button.textContent()) ?? '')![1];
    const probe = await page.request.get(base + inCase(store.caseId, `/referrals/${country}`));
    if (probe.status() === 501) {
      // The server build has no referral generator yet: the UI must say so instead of saving an error as a file.
      console.warn('e2e-ui: /api/referrals answers 501 in this build; checked that the UI reports it');
      await button.click();
      await hasText(page.locator('p.error'), 'referral');
    } else {
      expect(probe.status()).toBe(200);
      const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
      const file = join(SHOTS, download.suggestedFilename());
      await download.saveAs(file);
      expect(readFileSync(file).subarray(0, 2).toString('latin1')).toBe('PK');
      await hasText(page.locator('p.ok'), 'Downloaded');
    }
    await page.screenshot({ path: join(SHOTS, 'e2e-exports.png') });
    await ctx.close();
  });

  it('a viewer is offered no reveal, no review and no exports', async () => {
    const { ctx, page } = await signIn('e2e-viewer');
    await page.getByRole('link', { name: 'Media' }).click();
    await visible(page.locator('article[data-status=novel]').first());
    expect(await page.getByRole('button', { name: 'Reveal' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Mark confirmed' }).count()).toBe(0);
    await gone(page.getByRole('link', { name: 'Exports' }));
    await ctx.close();
  });

  it('signing out, or losing the session, leads back to the login screen', async () => {
    const { ctx, page } = await signIn('e2e-analyst');
    await visible(page.getByRole('heading', { name: 'Overview' }));
    await ctx.clearCookies();
    // The next request the page makes is refused (401). It may be one the landing page still had in flight,
    // which ends the session before the click (the link is then gone): either way, the login screen.
    await page
      .getByRole('link', { name: 'Suspects' })
      .click({ timeout: 10_000 })
      .catch(() => undefined);
    await visible(page.getByLabel('User name'));
    await ctx.close();
  });

  it('the built UI makes no request to any host but the server', async () => {
    const { ctx, page } = await signIn('e2e-lead');
    for (const screen of [
      'overview',
      'network',
      'accounts',
      'groups',
      'media',
      'identity',
      'evidence',
      'audit',
      'exports',
    ]) {
      await page.goto(`${base}/#/c/${store.caseId}/${screen}`);
      await visible(page.getByRole('heading', { level: 2 }));
      // Let the screen's requests (lists, thumbnails, the graph) go out before moving on.
      await page.waitForTimeout(1500);
    }
    await ctx.close();
    const origin = new URL(base).origin;
    expect(requests.length).toBeGreaterThan(20);
    const foreign = requests.filter((u) => u.startsWith('pageerror:') || new URL(u).origin !== origin);
    expect(foreign).toEqual([]);
  });
});
