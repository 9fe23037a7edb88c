import { join } from 'node:path';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaseStore } from '../src/store/case-store.js';
import { browserMissing } from './helpers/browser.js';
import { inCase } from './helpers/case-url.js';
import { hasText, serveDemoForBrowser, SHOTS, visible, type BrowserServed } from './helpers/ui.js';

/**
 * The UI's languages in a real browser (Debian's chromium, headless) against the real server on a synthetic
 * demo case: the login screen follows the browser's languages; a user's choice in the header switches every
 * string and date, is stored with the account (a reload and another browser show it), and the page talks to
 * nobody but the server. Expected words and date parts are written here by hand. Screenshots: test-results/.
 */
const PASSWORD = 'e2e-languages-password';

// German short month names as a German reader expects them (CLDR); September is "Sept." or "Sep.".
const DE_MONTHS = [
  'Jan\\.',
  'Feb\\.',
  'März',
  'Apr\\.',
  'Mai',
  'Juni',
  'Juli',
  'Aug\\.',
  'Sept?\\.',
  'Okt\\.',
  'Nov\\.',
  'Dez\\.',
];

const missing = browserMissing('e2e-languages.test.ts');

describe.skipIf(missing !== null)('the UI in the user’s language, in a real browser', () => {
  let store: CaseStore;
  let base = '';
  let browser: Browser;
  const requests: string[] = [];

  let served: BrowserServed;

  beforeAll(async () => {
    served = await serveDemoForBrowser('filet-e2e-lang-', [['lang-lead', 'lead']], PASSWORD);
    ({ store, base, browser } = served);
  }, 300_000);

  afterAll(async () => served?.close());

  /** A fresh browser (own cookies) whose languages are `locale`, every request recorded. */
  async function open(locale: string): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, locale });
    const page = await ctx.newPage();
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => requests.push(`pageerror:${e.message}`));
    await page.goto(base + '/');
    return { ctx, page };
  }

  async function signIn(page: Page, userLabel: string, passwordLabel: string, submit: string) {
    await page.getByLabel(userLabel).fill('lang-lead');
    await page.getByLabel(passwordLabel).fill(PASSWORD);
    await page.getByRole('button', { name: submit }).click();
  }

  const htmlLang = (page: Page) => page.locator('html').getAttribute('lang');

  it('before login, the browser’s languages pick the login screen’s language', async () => {
    const { ctx, page } = await open('fr-FR');
    await visible(page.getByRole('heading', { name: 'Connexion' }));
    await visible(page.getByLabel('Nom d’utilisateur'));
    expect(await htmlLang(page)).toBe('fr');
    await page.screenshot({ path: join(SHOTS, 'i18n-login-fr.png') });
    await ctx.close();

    // A language the UI does not have falls back to English.
    const other = await open('ja-JP');
    await visible(other.page.getByRole('heading', { name: 'Sign in' }));
    expect(await htmlLang(other.page)).toBe('en');
    await other.ctx.close();
  });

  it('switching to Spanish re-renders in Spanish, survives a reload and follows the user; German dates read the German way', async () => {
    const { ctx, page } = await open('en-US');
    await signIn(page, 'User name', 'Password', 'Sign in');
    const heading = page.getByRole('heading', { level: 2 });
    await hasText(heading, 'Overview');
    const language = page.getByTestId('language');
    expect(await language.inputValue()).toBe('en');
    expect(await language.locator('option').allTextContents()).toEqual([
      'English',
      'Español',
      'Français',
      'Deutsch',
      'Italiano',
      'Português',
    ]);

    await language.selectOption('es');
    await hasText(heading, 'Resumen');
    await visible(page.getByRole('link', { name: 'Sospechosos' }));
    await visible(page.getByRole('navigation', { name: 'Principal' }));
    expect(await htmlLang(page)).toBe('es');
    await page.screenshot({ path: join(SHOTS, 'i18n-overview-es.png'), fullPage: true });
    // Stored with the account on the server, not in the browser.
    const session = await page.request.get(base + '/api/session');
    expect((await session.json()).user.language).toBe('es');

    await page.reload();
    await hasText(page.getByRole('heading', { level: 2 }), 'Resumen');
    expect(await page.getByTestId('language').inputValue()).toBe('es');

    // Another browser whose own language is English: after login the account's Spanish wins.
    const second = await open('en-US');
    await signIn(second.page, 'User name', 'Password', 'Sign in');
    await hasText(second.page.getByRole('heading', { level: 2 }), 'Resumen');
    await second.ctx.close();

    // German: words and the analysis date, formatted the German way (day. month year, 24-hour clock, UTC).
    await page.getByTestId('language').selectOption('de');
    await hasText(page.getByRole('heading', { level: 2 }), 'Übersicht');
    expect(await htmlLang(page)).toBe('de');
    const overview = (await (await page.request.get(base + inCase(store.caseId, '/overview'))).json()) as {
      analysedAt: string;
    };
    const at = new Date(overview.analysedAt);
    const pad = (n: number) => String(n).padStart(2, '0');
    const german = new RegExp(
      `^Analysiert ${at.getUTCDate()}\\. ${DE_MONTHS[at.getUTCMonth()]} ${at.getUTCFullYear()}, ` +
        `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} UTC$`,
    );
    const analysed = page.locator('p.muted', { hasText: 'Analysiert' });
    await visible(analysed);
    expect((await analysed.first().textContent())!.trim()).toMatch(german);
    await page.screenshot({ path: join(SHOTS, 'i18n-overview-de.png'), fullPage: true });

    // And back to English for the other tests of this account.
    await page.getByTestId('language').selectOption('en');
    await hasText(page.getByRole('heading', { level: 2 }), 'Overview');
    await ctx.close();
  });

  it('made no request to any host but the server', () => {
    const origin = new URL(base).origin;
    expect(requests.length).toBeGreaterThan(10);
    const foreign = requests.filter((u) => u.startsWith('pageerror:') || new URL(u).origin !== origin);
    expect(foreign).toEqual([]);
  });
});
