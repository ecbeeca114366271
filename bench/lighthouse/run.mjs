// Lighthouse (mobile, its default simulated throttling) on Interlink's pages
// with Debian's chromium: Performance, Accessibility and Best Practices for
// each page, beside the targets (100, ≥ 95, ≥ 95). A bench run by
// scripts/lighthouse.sh against a running `interlink up` at
// INTERLINK_BASE_URL; INTERLINK_TOKEN (a platform administrator's) seeds a
// public process with a story so their pages have something to show.
// Reports go to LIGHTHOUSE_REPORTS; a summary to stdout and summary.json.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const base = process.env.INTERLINK_BASE_URL;
const token = process.env.INTERLINK_TOKEN;
const reports = process.env.LIGHTHOUSE_REPORTS ?? 'lighthouse-reports';
if (!base || !token) throw new Error('INTERLINK_BASE_URL and INTERLINK_TOKEN are needed');
mkdirSync(reports, { recursive: true });

/** A REST call as the administrator, repeated until it answers 200 (the
 * services learn of a new organisation through events). */
async function call(method, path, body) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const response = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.ok) return response.json();
    if (Date.now() > deadline) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const org = await call('POST', '/v1/organizations', {
  displayName: { values: { en: 'Bench City Council' } },
  defaultTeamType: 'TEAM_TYPE_PUBLIC_ADMINISTRATION',
  public: true,
});
const processMade = await call('POST', '/v1/processes', {
  title: 'Shared bicycles',
  description: 'A bicycle-sharing service designed with the neighbourhood.',
  aim: 'Getting around the city better.',
  language: 'en',
  organization: org.name,
  public: true,
  tags: ['mobility'],
});
const tree = await call('POST', `/v1/${processMade.name}:buildFromSchema`, { schema: 'schemas/default' });
const task = tree.items.find((i) => i.kind === 'ITEM_KIND_TASK' && !i.prerequisites);
await call('POST', `/v1/${task.name}:setStatus`, { status: 'STATUS_IN_PROGRESS' });
const story = await call('POST', `/v1/${processMade.name}/stories`, {
  title: 'A thousand rides',
  description: 'How the neighbourhood chose where the stations go.',
  results: 'A thousand rides in the first month.',
});
const search = await (await fetch(`${base}/catalogue?q=survey`)).text();
const interlinker = search.match(/href="(\/catalogue\/[0-9a-f-]+)"/)?.[1];
if (!interlinker) throw new Error('no interlinker found by the search');

const PAGES = [
  ['home', '/'],
  ['catalogue', '/catalogue'],
  ['catalogue-search', '/catalogue?q=survey'],
  ['interlinker', interlinker],
  ['problem-profiles', '/catalogue/problem-profiles'],
  ['schema', '/schemas/default'],
  ['processes', '/processes'],
  ['process', `/processes/${processMade.name.split('/')[1]}`],
  ['stories', '/stories'],
  ['story', `/stories/${story.name.split('/')[1]}`],
  ['organizations', '/organizations'],
  ['sign-in', '/sign-in'],
];
const TARGETS = { performance: 95, accessibility: 100, 'best-practices': 95 };

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  chromeFlags: [
    '--headless=new',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});
const rows = [];
try {
  for (const [name, path] of PAGES) {
    const result = await lighthouse(base + path, {
      port: chrome.port,
      output: 'html',
      logLevel: 'error',
      onlyCategories: Object.keys(TARGETS),
    });
    writeFileSync(join(reports, `${name}.html`), result.report);
    const scores = Object.fromEntries(
      Object.keys(TARGETS).map((id) => [id, Math.round((result.lhr.categories[id].score ?? 0) * 100)]),
    );
    const failing = Object.entries(result.lhr.audits)
      .filter(([, audit]) => audit.score !== null && audit.score < 0.9 && audit.scoreDisplayMode !== 'informative' && audit.scoreDisplayMode !== 'notApplicable' && audit.scoreDisplayMode !== 'manual')
      .map(([id]) => id);
    rows.push({ name, path, ...scores, lcp_ms: Math.round(result.lhr.audits['largest-contentful-paint'].numericValue), failing });
  }
} finally {
  await chrome.kill();
}

writeFileSync(join(reports, 'summary.json'), JSON.stringify(rows, null, 2));
const mark = (id, score) => `${score}${score >= TARGETS[id] ? '' : ' (below target)'}`;
console.log(`Lighthouse ${(await import('lighthouse/package.json', { with: { type: 'json' } })).default.version}, mobile, ${base}`);
console.log('page                 performance  accessibility  best-practices  LCP (simulated)');
for (const row of rows) {
  console.log(
    `${row.name.padEnd(20)} ${mark('performance', row.performance).padEnd(12)} ${mark('accessibility', row.accessibility).padEnd(14)} ${mark('best-practices', row['best-practices']).padEnd(15)} ${row.lcp_ms} ms${row.failing.length ? `   to look at: ${row.failing.join(', ')}` : ''}`,
  );
}
