import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crossCaseFollowUp } from '../src/app/cross-case.js';
import { ingestEvidence } from '../src/app/intake.js';
import { addUser } from '../src/app/users.js';
import { EvidenceShare } from '../src/evidence/share.js';
import { buildServer } from '../src/server/app.js';
import type { InstalledCase } from '../src/store/installation-store.js';
import { INSTALLATION_ROLES } from '../src/store/user-store.js';
import { Workspace } from '../src/store/workspace.js';
import { synthesize } from '../src/synth/index.js';
import type { DeviceEntry } from '../src/synth/truth.js';
import { browserMissing, launchChromium } from './helpers/browser.js';
import { REPO } from './helpers/cli.js';
import { tempDir } from './helpers/stores.js';

/**
 * Issue 12 in a real browser: on one workspace's server the administrator creates a case for a lead, the
 * lead registers a container from the evidence share (looking inside first) and adds an analyst, who then
 * reads the suspects; an analyst of another case sees, on a suspect also present in the new case, only
 * "also in a case led by …, ask them", and nothing of that case. Screenshots go to test-results/.
 */
const SHOTS = join(REPO, 'test-results');
const PASSWORD = 'e2e workspace password 7';
const visible = (l: Locator, timeout = 60_000) => l.first().waitFor({ state: 'visible', timeout });

const missing = browserMissing('e2e-workspace.test.ts');

describe.skipIf(missing !== null)('a workspace in a real browser', () => {
  let ws: Workspace;
  let app: FastifyInstance;
  let browser: Browser;
  let base = '';
  let shareRoot = '';
  let birch: InstalledCase;
  let ffs: { path: string; owner: string };
  const requests: string[] = [];

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    const work = tempDir('filet-e2e-ws-');
    shareRoot = join(work, 'share');
    await synthesize({ out: shareRoot, seed: 7, scale: 'small', containers: true });
    const devices = JSON.parse(readFileSync(join(shareRoot, 'devices.json'), 'utf8')) as DeviceEntry[];
    const d = devices.find((x) => x.containers?.some((c) => c.kind === 'android-full-file-system-zip'))!;
    ffs = {
      path: d.containers!.find((c) => c.kind === 'android-full-file-system-zip')!.path,
      owner: d.owner,
    };
    ws = await Workspace.init(join(work, 'ws'));
    for (const [name, role] of [
      ['ada', 'admin'],
      ['lena', 'member'],
      ['omar', 'member'],
      ['bea', 'member'],
      ['bob', 'member'],
    ] as const)
      await addUser(ws.installation.scope, name, role, PASSWORD, INSTALLATION_ROLES);
    // Another case of the same operation, already worked on: other phones, many of the same people.
    birch = await ws.createCase('Operation Birch', 'bea', 'ada');
    await ws.installation.setMember({
      caseId: birch.id,
      userName: 'bob',
      role: 'analyst',
      addedAt: Date.now(),
      addedBy: 'bea',
    });
    const b = (await ws.openCase(birch.id))!;
    const other = devices.find((x) => x.label !== d.label && x.platform === 'android' && x.files.length)!;
    await ingestEvidence(
      b.store,
      b.dir,
      other.files,
      { device: other.label, owner: other.owner },
      {},
      {
        share: await EvidenceShare.open(shareRoot),
        match: false,
        followUp: crossCaseFollowUp(ws.installation, b.store),
      },
    );
    // As `filet serve` runs it: embedded, the server queues the ingest and runs its jobs itself.
    app = await buildServer({ workspace: ws, evidenceRoot: shareRoot, jobs: {} });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchChromium();
  }, 600_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await ws?.close();
  });

  async function signIn(user: string): Promise<{ ctx: BrowserContext; page: Page }> {
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(base + '/');
    await page.getByLabel('User name').fill(user);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await visible(page.getByRole('navigation', { name: 'Main' }));
    return { ctx, page };
  }

  it('admin creates a case, its lead registers a container from the share, an analyst reads it; another case sees only the notice', async () => {
    // The administrator: no case, so the administration screen.
    const admin = await signIn('ada');
    await visible(admin.page.getByRole('heading', { name: 'Administration' }));
    const form = admin.page.getByRole('form', { name: 'Create a case' });
    await form.getByLabel('Case name').fill('Operation Alder');
    await form.getByLabel('Lead').selectOption('lena');
    await form.getByRole('button', { name: 'Create' }).click();
    await visible(admin.page.getByRole('cell', { name: 'Operation Alder' }));
    await admin.page.screenshot({ path: join(SHOTS, 'workspace-admin.png'), fullPage: true });
    // The admin is no member of it: the case is not theirs to open.
    const alder = (await ws.installation.caseByName('Operation Alder'))!;
    const denied = await admin.page.request.get(`${base}/api/cases/${alder.id}/overview`);
    expect(denied.status()).toBe(404);
    await admin.ctx.close();

    // The lead: their only case opens; Add evidence, into the container's folder, look inside, ingest.
    const lead = await signIn('lena');
    await lead.page.getByRole('link', { name: 'Add evidence' }).click();
    const segments = ffs.path.split('/');
    for (const dir of segments.slice(0, -1)) await lead.page.getByRole('link', { name: `${dir}/` }).click();
    await lead.page.getByRole('checkbox', { name: `Select ${segments.at(-1)}` }).check();
    await lead.page.getByRole('button', { name: 'Look inside' }).click();
    // The device's owner, as the generator wrote it (devices.json), before anything is written.
    await visible(lead.page.getByRole('cell', { name: ffs.owner }));
    expect((await (await ws.openCase(alder.id))!.store.counts()).messages).toBe(0);
    await lead.page.screenshot({ path: join(SHOTS, 'workspace-intake-preview.png'), fullPage: true });
    await lead.page.getByRole('button', { name: 'Ingest' }).click();
    await visible(lead.page.getByText('Queued 1 ingest job(s)'));
    // The lead watches the jobs: the ingest, then the hashing plan; every one ends done, none failed.
    const summary = lead.page.getByTestId('jobs-summary');
    await visible(summary);
    await expect
      .poll(async () => (await summary.textContent()) ?? '', { timeout: 300_000, interval: 1000 })
      .toMatch(/Ingest\w*: 1 job\(s\): 0 queued, 0 running, 1 done, 0 failed/i);
    await expect
      .poll(
        async () => {
          const r = await lead.page.request.get(`${base}/api/cases/${alder.id}/jobs`);
          const j = (await r.json()) as { jobs: { state: string }[] };
          return j.jobs.length > 1 && j.jobs.every((x) => x.state === 'done')
            ? 'all done'
            : JSON.stringify(j.jobs);
        },
        { timeout: 300_000, interval: 1000 },
      )
      .toBe('all done');
    await lead.page.screenshot({ path: join(SHOTS, 'workspace-jobs.png'), fullPage: true });
    // The team: the lead adds the analyst.
    await lead.page.getByRole('link', { name: 'Team' }).click();
    const team = lead.page.getByRole('form', { name: 'Add or change a member' });
    await team.getByLabel('User').selectOption('omar');
    await team.getByLabel('Role').selectOption('analyst');
    await team.getByRole('button', { name: 'Save' }).click();
    await visible(lead.page.getByRole('cell', { name: 'omar' }));
    await lead.ctx.close();

    // The analyst reads the suspects the ingest produced.
    const analyst = await signIn('omar');
    await analyst.page.getByRole('link', { name: 'Suspects' }).click();
    await visible(analyst.page.locator('table tbody tr'));
    expect(await analyst.page.locator('table tbody tr').count()).toBeGreaterThan(0);
    await analyst.page.screenshot({ path: join(SHOTS, 'workspace-analyst.png'), fullPage: true });
    await analyst.ctx.close();

    // Another case's analyst, on a suspect whose number is in both cases (read from the two stores).
    const a = (await ws.openCase(alder.id))!.store;
    const b = (await ws.openCase(birch.id))!.store;
    const inAlder = new Set((await a.accounts()).map((x) => x.phone).filter(Boolean));
    const shared = (await b.accounts()).find((x) => x.phone && inAlder.has(x.phone) && !x.mergedInto)!;
    expect(shared).toBeDefined();
    const outsider = await signIn('bob');
    await outsider.page.goto(`${base}/#/c/${birch.id}/accounts/${shared.id}`);
    const notice = outsider.page.getByTestId('elsewhere');
    // Twice in CI under load the page's first request for it did not answer within a minute (not diagnosed
    // yet, see the closing note of issue 12): the page is then loaded anew, at most twice.
    for (let attempt = 0; ; attempt++) {
      try {
        await visible(notice, 30_000);
        break;
      } catch (err) {
        if (attempt >= 2) throw err;
        await outsider.page.reload();
      }
    }
    expect(await notice.textContent()).toContain('Also in a case led by lena: ask them.');
    const text = (await outsider.page.locator('body').textContent()) ?? '';
    expect(text).not.toContain('Operation Alder');
    expect(text).not.toContain(alder.id);
    await outsider.page.screenshot({ path: join(SHOTS, 'workspace-cross-case-notice.png'), fullPage: true });
    await outsider.ctx.close();

    // The pages talked to the server only.
    const origin = new URL(base).origin;
    expect(
      requests.filter((u) => !u.startsWith(origin) && !u.startsWith('data:') && !u.startsWith('blob:')),
    ).toEqual([]);
  }, 600_000);
});
