// Making a resource on a software interlinker's own page, framed in the
// task's guide: the platform frames the documents interlinker's
// instantiate page with the person signed in there, and registers the
// document it makes when that page says so — from that interlinker's exact
// origin only: messages from anywhere else are ignored. axe finds nothing
// on the framing page. Run by tests/browser.rs with INTERLINK_BASE_URL, the
// task's guide page (INTERLINK_TASK_PAGE) and the documents interlinker's
// address (INTERLINK_DOCUMENTS_URL).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, newVisitor, violations } from './common.mjs';

const base = process.env.INTERLINK_BASE_URL;
const taskPage = process.env.INTERLINK_TASK_PAGE;
const documents = process.env.INTERLINK_DOCUMENTS_URL;
const artefacts = process.env.INTERLINK_ARTEFACTS;
assert.ok(base && taskPage && documents && artefacts, 'the platform, task and interlinker are named');
mkdirSync(artefacts, { recursive: true });

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

test('a document made on the interlinker\'s own page is added to the task', { timeout: 120000 }, async () => {
  const context = await newVisitor(browser, 'en');
  const page = await context.newPage();
  await page.goto(base + '/sign-in');
  await page.fill('#subject', 'ana');
  await page.fill('#name', 'Ana Zaragoza');
  await page.locator('form[action="/sign-in"] button[type="submit"]').click();
  await page.waitForURL(base + '/');

  // The catalogue search on the task offers the editor's own page.
  await page.goto(`${taskPage}?q=collaborative#resources`);
  const make = page
    .locator('ul.picks li', { hasText: 'Collaborative document editor' })
    .locator('a[href*="/instantiate?interlinker="]');
  await make.click();
  await page.waitForURL(/\/instantiate\?interlinker=/);
  const frameElement = page.locator('iframe#interlinker');
  assert.equal(await frameElement.getAttribute('data-origin'), documents);
  const frame = page.frameLocator('iframe#interlinker');
  await frame.locator('#title').waitFor();
  assert.deepEqual(await violations(page), [], 'the framing page');
  await page.screenshot({ path: join(artefacts, 'instantiate.en.png'), fullPage: true });
  const here = page.url();

  // Messages from anywhere but the framed interlinker are ignored: one
  // from the platform's own window, one claiming the interlinker's origin
  // but not sent by its frame.
  await page.evaluate((origin) => {
    window.postMessage({ code: 'asset_created', message: { id: 'forged-1', name: 'Forged' } }, '*');
    window.dispatchEvent(new MessageEvent('message', {
      data: { code: 'asset_created', message: { id: 'forged-2', name: 'Forged' } },
      origin,
      source: window,
    }));
  }, documents);
  await page.waitForTimeout(500);
  assert.equal(page.url(), here, 'no forged message registers anything');
  assert.equal(await page.inputValue('#register input[name="external_id"]'), '');

  // Made in the frame: the page there tells the platform, which adds it.
  await frame.locator('#title').fill('Minutes of the kick-off');
  await frame.locator('button[type="submit"]').click();
  await page.waitForURL(/done=asset/);
  const open = page.locator('a[href$="/open"]');
  assert.ok(await page.getByText('Minutes of the kick-off').count() > 0, 'the resource is listed');
  assert.ok(await open.count() > 0, 'it opens on its interlinker');
  const forged = await page.getByText('Forged').count();
  assert.equal(forged, 0, 'nothing forged was added');
  await context.close();
});
