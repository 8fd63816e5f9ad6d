import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where browser tests keep their screenshots (CI keeps the folder as an artifact). */
export const ARTIFACTS_DIR = path.resolve(import.meta.dirname, '../../test-artifacts/e2e');

/** Launches Debian's Chromium headless with the flags this sandboxed, offline machine needs. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Saves a full-page screenshot named after the step, for people to look at after the run. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** One accessibility rule broken on a page, as axe-core reports it (trimmed for the artifact). */
export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's browser bundle, read once. */
let axeSource: string | null = null;

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) inside the page and returns the serious and
 * critical violations; every violation is kept as JSON beside the screenshots.
 */
export async function seriousAxeViolations(page: Page, name: string): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, which the dashboard's CSP (script-src 'self', no
  // inline scripts) does not govern; an injected <script> tag would be blocked.
  await page.evaluate(axeSource);
  // A string, not a function: this file is type-checked without the DOM library.
  const violations = await page.evaluate(`(async () => {
    const result = await globalThis.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  })()`) as AxeViolation[];
  const dir = path.join(ARTIFACTS_DIR, 'axe');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(violations, null, 2)}\n`);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
