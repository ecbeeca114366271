// The documents interlinker's pages in a real browser, in each of the four
// languages: opened with the platform's token once in the address, a
// document made (a blank title refused at its field), written, saved,
// its history read and an earlier revision restored — with JavaScript on
// and off. axe-core must find nothing on any page, and every page must
// reflow at 320 px. Run by tests/browser.rs with INTERLINK_DOCUMENTS_URL
// and INTERLINK_DOCUMENTS_TOKEN (a token for the interlinker's audience).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, newVisitor, violations } from './common.mjs';

const documents = process.env.INTERLINK_DOCUMENTS_URL;
const token = process.env.INTERLINK_DOCUMENTS_TOKEN;
const artefacts = process.env.INTERLINK_ARTEFACTS;
assert.ok(documents, 'INTERLINK_DOCUMENTS_URL names the documents interlinker');
assert.ok(token, 'INTERLINK_DOCUMENTS_TOKEN is a token for it');
assert.ok(artefacts, 'INTERLINK_ARTEFACTS names where screenshots go');
mkdirSync(artefacts, { recursive: true });

const LANGUAGES = ['en', 'es', 'it', 'lv'];
/** A word of each page that shows it speaks the language. */
const SAVE = { en: 'Save', es: 'Guardar', it: 'Salva', lv: 'Saglabāt' };

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** axe finds nothing on the open page (with JavaScript on), which speaks
 * `lang` and reflows at 320 px; its screenshots are kept. */
async function checked(page, lang, name, { axe = true } = {}) {
  assert.equal(await page.getAttribute('html', 'lang'), lang, `${name} in ${lang}`);
  if (axe) {
    assert.deepEqual(await violations(page), [], `${name} in ${lang}`);
  }
  await page.screenshot({ path: join(artefacts, `documents-${name}.${lang}.png`), fullPage: true });
  const wide = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scroll <= client, `${name} in ${lang}: ${scroll} px wide in a ${client} px window`);
  await page.setViewportSize(wide);
}

async function writeADocument(lang, javaScriptEnabled) {
  const context = await newVisitor(browser, lang, { javaScriptEnabled });
  const page = await context.newPage();
  const axe = javaScriptEnabled;

  // The platform's token opens a session and leaves the address.
  await page.goto(`${documents}/assets/instantiate?language=${lang}&token=${token}`);
  assert.equal(page.url(), `${documents}/assets/instantiate?language=${lang}`);
  await checked(page, lang, 'new', { axe });

  // A blank title is refused at its field.
  await page.locator('form[action="/assets/instantiate"] button').click();
  await page.locator('.error-summary').waitFor();
  assert.equal(await page.getAttribute('#title', 'aria-invalid'), 'true');
  await checked(page, lang, 'new-mistake', { axe });

  await page.fill('#title', `Plan ${lang}`);
  await page.locator('form[action="/assets/instantiate"] button').click();
  await page.locator('#created').waitFor();
  await checked(page, lang, 'created', { axe });

  // Written in Markdown and saved; raw HTML stays text.
  await page.locator('main a[href$="/edit"]').click();
  await page.fill('#body', '## Aims\n\n- a park\n- shade\n\n<script>window.pwned = 1</script>');
  await page.getByRole('button', { name: SAVE[lang], exact: true }).click();
  await page.waitForURL(/\/view\?saved=1$/);
  assert.equal(await page.locator('.body h2').textContent(), 'Aims');
  assert.equal(await page.locator('.body li').count(), 2);
  assert.match(await page.locator('.body').textContent(), /<script>window\.pwned = 1<\/script>/);
  if (javaScriptEnabled) {
    assert.equal(await page.evaluate(() => window.pwned), undefined, 'no script ran');
  }
  await checked(page, lang, 'view', { axe });

  // The history lists both revisions; the first is restored.
  await page.locator('.actions a[href$="/history"]').click();
  assert.equal(await page.locator('.history > li').count(), 2);
  await checked(page, lang, 'history', { axe });
  await page.locator('form[action$="/history/1/restore"] button').click();
  await page.waitForURL(/\/history\?restored=1$/);
  assert.equal(await page.locator('.history > li').count(), 3);
  await checked(page, lang, 'restored', { axe });

  await page.goto(page.url().replace(/\/history\?restored=1$/, '/edit'));
  await checked(page, lang, 'edit', { axe });
  await context.close();
}

for (const lang of LANGUAGES) {
  test(`a document is made, written and restored in ${lang}, each page without axe violations`, async () => {
    await writeADocument(lang, true);
  });
}

test('with JavaScript off, a document is made, written and restored', async () => {
  await writeADocument('es', false);
});

test('without the platform, the pages say where to open them from', async () => {
  const context = await newVisitor(browser, 'it');
  const page = await context.newPage();
  const response = await page.goto(`${documents}/assets/instantiate`);
  assert.equal(response.status(), 401);
  await checked(page, 'it', 'unauthenticated');
  await context.close();
});
