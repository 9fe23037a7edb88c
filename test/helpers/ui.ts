import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { addUser } from '../../src/cli/commands/user.js';
import { runDemo } from '../../src/demo.js';
import { buildServer } from '../../src/server/app.js';
import { openCase } from '../../src/store/case-dir.js';
import type { CaseStore } from '../../src/store/case-store.js';
import type { CaseRole } from '../../src/store/user-store.js';
import { launchChromium } from './browser.js';
import { REPO } from './cli.js';
import { tempDir } from './stores.js';

/** What the browser tests share: the built UI, screenshots, waits, and a signed-in page that records requests. */
export const DIST = join(REPO, 'web', 'dist', 'index.html');
export const SHOTS = join(REPO, 'test-results');

// vitest's expect has no Playwright matchers: these wait the way Playwright's web-first assertions do.
export const visible = (l: Locator, timeout = 30_000) => l.first().waitFor({ state: 'visible', timeout });
export const gone = (l: Locator) => expect.poll(() => l.count(), { timeout: 10_000 }).toBe(0);
export const hasText = (l: Locator, text: string, timeout = 30_000) =>
  expect.poll(async () => (await l.first().textContent({ timeout })) ?? '', { timeout }).toContain(text);

function newestIn(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestIn(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * Builds web/dist when missing or older than its sources (a stale bundle lacks new screens and strings);
 * the reason it could not, or null. On CI an unbuildable UI fails the run, never a silent skip.
 */
export function ensureBuilt(): string | null {
  mkdirSync(SHOTS, { recursive: true });
  if (existsSync(DIST) && statSync(DIST).mtimeMs >= newestIn(join(REPO, 'web', 'src'))) return null;
  try {
    execFileSync('npm', ['run', 'build:web'], { cwd: REPO, stdio: 'pipe' });
  } catch (e) {
    return `npm run build:web failed: ${(e as Error).message}`;
  }
  return existsSync(DIST) ? null : 'npm run build:web produced no web/dist/index.html';
}

/** A case served on a loopback port to a headless Chromium: what every browser test starts from. */
export interface BrowserServed {
  store: CaseStore;
  app: FastifyInstance;
  base: string;
  browser: Browser;
  close(): Promise<void>;
}

/** Builds the UI if needed, adds `users` (name, role) to the case at `caseDir`, serves it, opens Chromium. */
export async function serveForBrowser(
  caseDir: string,
  users: [string, CaseRole][],
  password: string,
): Promise<BrowserServed> {
  const buildError = ensureBuilt();
  if (buildError) throw new Error(buildError);
  const store = (await openCase(caseDir)).store;
  for (const [name, role] of users) await addUser(store, name, role, password);
  const app = await buildServer({ caseDir, caseStore: store });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium();
  return {
    store,
    app,
    base,
    browser,
    close: async () => {
      await browser.close();
      await app.close();
      await store.close();
    },
  };
}

/** The synthetic demo case (seed 7, small), served as serveForBrowser serves it. */
export async function serveDemoForBrowser(
  prefix: string,
  users: [string, CaseRole][],
  password: string,
): Promise<BrowserServed> {
  const dir = tempDir(prefix);
  await runDemo({ dir, seed: 7, scale: 'small', quiet: true });
  return serveForBrowser(join(dir, 'case'), users, password);
}

/** A fresh browser context (own cookies), signed in at `base`; every request of its pages goes to `requests`. */
export async function signIn(
  browser: Browser,
  base: string,
  user: string,
  password: string,
  requests: string[],
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 }, acceptDownloads: true });
  const page = await ctx.newPage();
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => requests.push(`pageerror:${e.message}`));
  await page.goto(base + '/');
  await page.getByLabel('User name').fill(user);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await visible(page.getByRole('navigation', { name: 'Main' }));
  return { ctx, page };
}

/** Requests that went anywhere but the server (or page errors): none is the rule. */
export function foreignRequests(requests: string[], base: string): string[] {
  const origin = new URL(base).origin;
  return requests.filter(
    (u) => u.startsWith('pageerror:') || (!u.startsWith('data:') && new URL(u).origin !== origin),
  );
}

/** Every file of a zip as text, by name (a referral package: its evidence.json, summary.html, …). */
export async function zipTexts(path: string): Promise<Map<string, string>> {
  const yauzl = (await import('yauzl')).default;
  return new Promise((resolvePromise, reject) => {
    const out = new Map<string, string>();
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error(`cannot open ${path}`));
      zip.on('entry', (entry: { fileName: string }) => {
        if (entry.fileName.endsWith('/')) return zip.readEntry();
        zip.openReadStream(entry as never, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolvePromise(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}
