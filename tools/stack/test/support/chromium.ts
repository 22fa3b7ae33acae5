import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '@chat/shared/testing';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { repoRoot } from './processes.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export interface Chromium {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * The system Chromium, headless; never a downloaded browser. `launch` gives every run a fresh temporary
 * profile (user-data dir) and deletes it on close.
 */
export async function launchChromium(): Promise<Chromium> {
  await waitFor(() => existsSync(CHROMIUM_PATH), {
    timeoutMs: 120_000,
    intervalMs: 1_000,
    message: `${CHROMIUM_PATH} is missing (apt-get install chromium)`,
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: () => browser.close(),
  };
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Console errors and page errors seen so far (CSP violations show up here). */
  errors: string[];
}

/** A new browser context (its own cookies) at the given width, with errors recorded. */
export async function openPage(chromiumBrowser: Browser, width: number, height = 800): Promise<OpenedPage> {
  const context = await chromiumBrowser.newContext({ viewport: { width, height } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, errors };
}

const axeSource = readFileSync(path.join(repoRoot, 'node_modules/axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown }>;
}

/**
 * Runs axe-core in the page and asserts no serious or critical violation. The source is evaluated through
 * the DevTools protocol because the page's CSP (rightly) refuses an injected inline script.
 */
export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run();
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.length,
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, JSON.stringify(serious, null, 2)).toEqual([]);
}

/**
 * Where the browser test writes its screenshots: `docs/screenshots` (shown in the README) only when asked
 * with `UPDATE_SCREENSHOTS=1`, so an ordinary test run leaves the work tree as it found it (Playwright makes
 * the folder when it writes the first one).
 */
export const screenshotDir =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.join(repoRoot, 'docs', 'screenshots')
    : path.join(tmpdir(), 'chat-screenshots');
