/**
 * The dashboard's first paint on the built bundle (SPEC §7: < 1.5 s), in Chromium, with the
 * bundle's size. Serves web/dist as the API does (under /dashboard/) and answers the few API
 * calls of the home page with fixed data, so the figure is the bundle's own cost: each run is a
 * fresh browser context (cold cache). Reported: first contentful paint, and the time until the
 * 数据概览 figures are on screen. Baseline: the paint of a static page of the same size budget
 * (one <h1>) in the same browser, same run.
 *
 *   npm run build && node bench/dashboard-paint.ts      (RUNS=10 by default)
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchBrowser } from '../tests/setup/browser.ts';
import { note, percentiles, writeResult } from './lib/customers-env.ts';

const RUNS = Number(process.env.RUNS ?? 10);
const TARGET_MS = 1_500;
const dist = path.resolve(import.meta.dirname, '../web/dist');

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png' };
const today = new Date().toISOString().slice(0, 10);
const API: Record<string, unknown> = {
  '/api/auth/me': { user: { id: 1, username: 'bench', displayName: null, role: 'admin', disabled: false, lastLoginAt: null, createdAt: '2026-11-01T00:00:00.000Z' }, csrfToken: 'bench' },
  '/api/statistics/overview': {
    today, totalCustomers: 98_765,
    periods: { today: { added: 120, lost: 4, net: 116 }, last7: { added: 812, lost: 30, net: 782 }, last30: { added: 3_310, lost: 121, net: 3_189 } },
    funnel: { added: 3_310, leads: 1_204, appointments: null, consumptions: null },
    topCodes: [{ state: 'xhs', remark: '小红书', added: 1_200, lost: 40 }],
  },
};

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/static-baseline') {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><html lang="zh-CN"><body><h1>数据概览</h1></body></html>');
    return;
  }
  if (url.pathname.startsWith('/api/')) {
    const body = url.pathname === '/api/statistics/trend'
      ? { bucket: 'day', by: 'channel', buckets: [today], series: [{ key: 'xhs', label: '小红书', added: [120], lost: [4], totalAdded: 120, totalLost: 4 }] }
      : url.pathname === '/api/segments' ? { items: [] } : API[url.pathname];
    response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { error: { code: 'not_found', message: 'not in this benchmark' } }));
    return;
  }
  const relative = url.pathname.replace(/^\/dashboard\/?/, '');
  let file = path.join(dist, relative);
  if (!file.startsWith(dist) || relative === '' || !statSync(file, { throwIfNoEntry: false })?.isFile()) file = path.join(dist, 'index.html');
  response.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** Bytes and gzip bytes of the files index.html loads before anything else, and of the whole build. */
function bundleSize() {
  const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
  const initial = [...html.matchAll(/(?:src|href)="\/dashboard\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
  const sizeOf = (files: string[]) => files.reduce((sum, name) => {
    const data = readFileSync(path.join(dist, name));
    return { bytes: sum.bytes + data.length, gzipBytes: sum.gzipBytes + gzipSync(data).length };
  }, { bytes: 0, gzipBytes: 0 });
  const all = readdirSync(path.join(dist, 'assets')).map((name) => `assets/${name}`);
  return { initialFiles: initial, initial: sizeOf(initial), total: { ...sizeOf(all), files: all.length } };
}

const browser = await launchBrowser();
try {
  /** One cold load of `route`: first contentful paint, and when `selector` appeared. */
  async function load(route: string, selector: string): Promise<{ fcp: number; ready: number }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${base}${route}`);
    await page.locator(selector).first().waitFor({ timeout: 15_000 });
    const timing = await page.evaluate(`(() => ({
      fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? -1,
      ready: performance.now(),
    }))()`) as { fcp: number; ready: number };
    await context.close();
    return timing;
  }

  const baseline: number[] = [];
  const fcp: number[] = [];
  const ready: number[] = [];
  for (let i = 0; i < RUNS; i += 1) {
    baseline.push((await load('/static-baseline', 'h1')).fcp);
    const run = await load('/dashboard/', '[data-testid="overview-today"]');
    fcp.push(run.fcp);
    ready.push(run.ready);
    note(`run ${i + 1}: first paint ${Math.round(run.fcp)} ms, figures on screen ${Math.round(run.ready)} ms`);
  }
  const size = bundleSize();
  const fcpStats = percentiles(fcp);
  const result = {
    benchmark: 'dashboard-paint', measuredAt: new Date().toISOString(), runs: RUNS, targetMs: TARGET_MS,
    firstContentfulPaint: fcpStats, overviewFiguresOnScreen: percentiles(ready), staticPageBaselineFcp: percentiles(baseline),
    ratioToTarget: Math.round((fcpStats.p95 / TARGET_MS) * 1000) / 1000,
    ratioToBaseline: Math.round((fcpStats.p95 / percentiles(baseline).p95) * 10) / 10,
    meetsTarget: fcpStats.p95 < TARGET_MS, bundle: size,
  };
  const file = writeResult('dashboard-paint', result);
  console.log(`dashboard first paint on the built bundle, ${RUNS} cold loads in Chromium`);
  console.log(`first contentful paint p50 ${fcpStats.p50} ms p95 ${fcpStats.p95} ms (target ${TARGET_MS} ms, ${(result.ratioToTarget * 100).toFixed(1)}% of it; ×${result.ratioToBaseline} a static page)`);
  console.log(`数据概览 figures on screen p50 ${result.overviewFiguresOnScreen.p50} ms p95 ${result.overviewFiguresOnScreen.p95} ms`);
  console.log(`initial bundle ${size.initial.bytes} B (${size.initial.gzipBytes} B gzip) in ${size.initialFiles.length} files; whole build ${size.total.bytes} B (${size.total.gzipBytes} B gzip) in ${size.total.files} files`);
  console.log(`${result.meetsTarget ? 'meets' : 'MISSES'} the target; written to ${file}`);
} finally {
  await browser.close();
  server.close();
}
