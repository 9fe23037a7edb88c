import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, which .ci/run installs; no browser is ever downloaded. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why browser tests cannot run here, or null when they can. In CI (CI=true) a missing browser is an
 * error thrown at import, never a skip; on a laptop the reason is printed and the tests skip visibly.
 */
export function browserMissing(testFile: string): string | null {
  if (existsSync(CHROMIUM)) return null;
  const reason = `${CHROMIUM} not found (apt-get install chromium)`;
  if (process.env.CI === 'true')
    throw new Error(`CI=true but ${reason}: ${testFile} cannot be skipped in CI`);
  console.warn(`[filet tests] ${reason}: the browser checks of ${testFile} are SKIPPED on this machine`);
  return reason;
}

/** Headless Chromium with the flags this closed network needs (no background or update traffic). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
