// The surveys interlinker's pages in a real browser, in each of the four
// languages with JavaScript on and in one with it off: opened with the
// platform's token once in the address, a survey made (a blank title
// refused at its field), its questions added (a single choice with one
// option refused at its options), previewed and one question opened while
// a draft, made anonymous and published; answered by its maker (an empty
// answer refused at the required questions) and by a visitor who never
// signed in, and its results read as charts and tables. axe-core must find
// nothing on any page, and every page must reflow at 320 px. Run by
// tests/browser.rs with INTERLINK_SURVEYS_URL and INTERLINK_SURVEYS_TOKEN
// (a token for the interlinker's audience).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, newVisitor, violations } from './common.mjs';

const surveys = process.env.INTERLINK_SURVEYS_URL;
const token = process.env.INTERLINK_SURVEYS_TOKEN;
const artefacts = process.env.INTERLINK_ARTEFACTS;
assert.ok(surveys, 'INTERLINK_SURVEYS_URL names the surveys interlinker');
assert.ok(token, 'INTERLINK_SURVEYS_TOKEN is a token for it');
assert.ok(artefacts, 'INTERLINK_ARTEFACTS names where screenshots go');
mkdirSync(artefacts, { recursive: true });

const LANGUAGES = ['en', 'es', 'it', 'lv'];
/** Words of the pages that show they speak the language. */
const THANKS = { en: 'Thank you', es: 'Gracias', it: 'Grazie', lv: 'Paldies' };

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Pages opened with JavaScript off (axe hangs in them). */
const withoutJavaScript = new WeakSet();

/** A page of a new visitor's context in `lang`, JavaScript on or off. */
async function visitorPage(lang, javaScriptEnabled) {
  const context = await newVisitor(browser, lang, { javaScriptEnabled });
  const page = await context.newPage();
  if (!javaScriptEnabled) {
    withoutJavaScript.add(page);
  }
  return page;
}

/** The open page speaks `lang`, axe finds nothing on it and it reflows at
 * 320 px; its screenshot is kept. axe runs in the page, so what a page
 * with JavaScript off shows is checked in a twin with it on. */
async function checked(page, lang, name) {
  assert.equal(await page.getAttribute('html', 'lang'), lang, `${name} in ${lang}`);
  let seen = page;
  let twin;
  if (withoutJavaScript.has(page)) {
    twin = await newVisitor(browser, lang);
    seen = await twin.newPage();
    // On the same origin, so the page's own addresses (its style) resolve.
    await seen.goto(`${surveys}/healthz`);
    await seen.setContent(await page.content());
  }
  assert.deepEqual(await violations(seen), [], `${name} in ${lang}`);
  await twin?.close();
  const shot = withoutJavaScript.has(page) ? `${name}-nojs` : name;
  await page.screenshot({ path: join(artefacts, `surveys-${shot}.${lang}.png`), fullPage: true });
  const wide = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scroll <= client, `${name} in ${lang}: ${scroll} px wide in a ${client} px window`);
  await page.setViewportSize(wide);
}

/** Adds a question from the edit page's form and waits for it listed. */
async function addQuestion(page, { prompt, kind, options = '', scale, required = false }) {
  const listed = await page.locator('ol.questions > li').count();
  await page.fill('#prompt', prompt);
  await page.check(`#kind-${kind}`);
  await page.fill('#options', options);
  if (scale !== undefined) {
    await page.fill('#scale', String(scale));
  }
  await page.setChecked('#required', required);
  await page.locator('form[action$="/questions"] button[type="submit"]').click();
  await page.waitForURL(/\/edit$/);
  assert.equal(await page.locator('ol.questions > li').count(), listed + 1, prompt);
}

async function runASurvey(lang, javaScriptEnabled) {
  const page = await visitorPage(lang, javaScriptEnabled);

  // The platform's token opens a session and leaves the address.
  await page.goto(`${surveys}/assets/instantiate?language=${lang}&token=${token}`);
  assert.equal(page.url(), `${surveys}/assets/instantiate?language=${lang}`);
  await checked(page, lang, 'new');

  // A blank title is refused at its field.
  await page.locator('form[action="/assets/instantiate"] button').click();
  await page.locator('.error-summary').waitFor();
  assert.equal(await page.getAttribute('#title', 'aria-invalid'), 'true');
  await checked(page, lang, 'new-mistake');

  await page.fill('#title', `Park ${lang}`);
  await page.locator('form[action="/assets/instantiate"] button').click();
  await page.locator('#created').waitFor();
  await checked(page, lang, 'created');

  // Its questions: a single choice with one option is refused at its
  // options, then one of each kind is added.
  await page.locator('main a[href$="/edit"]').click();
  await page.waitForURL(/\/assets\/[0-9a-f-]+\/edit$/);
  const survey = new URL(page.url()).pathname.replace(/\/edit$/, '');
  await page.fill('#prompt', 'Do you visit the park?');
  await page.check('#kind-single');
  await page.fill('#options', 'Yes');
  await page.check('#required');
  await page.locator('form[action$="/questions"] button[type="submit"]').click();
  await page.locator('.error-summary').waitFor();
  assert.equal(await page.getAttribute('#options', 'aria-invalid'), 'true');
  assert.equal(await page.inputValue('#prompt'), 'Do you visit the park?', 'what was written stays');
  await checked(page, lang, 'edit-mistake');
  await addQuestion(page, { prompt: 'Do you visit the park?', kind: 'single', options: 'Yes\nNo', required: true });
  await addQuestion(page, { prompt: 'What should it have?', kind: 'multiple', options: 'Shade\nBenches\nA fountain' });
  await addQuestion(page, { prompt: 'How safe does it feel?', kind: 'scale', scale: 5, required: true });
  await addQuestion(page, { prompt: 'Anything else?', kind: 'text' });
  await checked(page, lang, 'edit');

  // While a draft, a question opens on its own page, and the survey previews.
  await page.locator(`ol.questions a[href="${survey}/questions/q2"]`).click();
  await page.waitForURL(/\/questions\/q2$/);
  assert.equal(await page.inputValue('#options'), 'Shade\nBenches\nA fountain');
  assert.ok(await page.isChecked('#kind-multiple'));
  await checked(page, lang, 'question');
  await page.goto(`${surveys}${survey}/preview`);
  assert.equal(await page.locator('form fieldset[disabled]').count(), 3, 'the choices, shown only');
  assert.equal(await page.locator('form button[type="submit"]').count(), 0, 'nothing to send');
  await checked(page, lang, 'preview');

  // Anyone with the link may answer; then it is published.
  await page.goto(`${surveys}${survey}/edit`);
  await page.check('#anonymous');
  await page.locator(`form[action="${survey}/edit"] button[type="submit"]`).click();
  await page.waitForURL(/\/view\?done=saved$/);
  await page.locator('p[role="status"]').waitFor();
  await checked(page, lang, 'view-saved');
  await page.locator('form[action$="/status"] button').click();
  await page.waitForURL(/\/view\?done=open$/);
  assert.equal(await page.locator('.status-open').count(), 1);
  await checked(page, lang, 'view');

  // Its maker answers: nothing given is refused at the required questions.
  await page.goto(`${surveys}${survey}/answer`);
  await checked(page, lang, 'answer');
  await page.locator(`form[action="${survey}/answer"] button[type="submit"]`).click();
  await page.locator('.error-summary').waitFor();
  assert.equal(await page.locator('.error-summary li').count(), 2, 'the two required questions');
  assert.equal(await page.locator('fieldset.question .error').count(), 2);
  await checked(page, lang, 'answer-mistake');
  await page.check('#q1-0');
  await page.check('#q2-0');
  await page.check('#q2-2');
  await page.check('#q3-4');
  await page.fill('#q4', 'More trees, please.');
  await page.locator(`form[action="${survey}/answer"] button[type="submit"]`).click();
  await page.waitForURL(/\/answered$/);
  assert.match(await page.locator('h1').textContent(), new RegExp(THANKS[lang]));
  await checked(page, lang, 'thanks');

  // A visitor who never signed in answers too.
  const visitor = await visitorPage(lang, javaScriptEnabled);
  await visitor.goto(`${surveys}${survey}/answer`);
  await checked(visitor, lang, 'answer-anonymous');
  await visitor.check('#q1-1');
  await visitor.check('#q2-0');
  await visitor.check('#q3-5');
  await visitor.locator(`form[action="${survey}/answer"] button[type="submit"]`).click();
  await visitor.waitForURL(/\/answered$/);
  await checked(visitor, lang, 'thanks-anonymous');
  await visitor.context().close();

  // The results: a chart and a table for each question with choices, the
  // written answers listed.
  await page.goto(`${surveys}${survey}/results`);
  assert.equal(await page.locator('svg.chart').count(), 3, 'a chart per question with choices');
  const counts = async (n) =>
    page.locator('section.result').nth(n).locator('tbody td:nth-of-type(1)').allTextContents();
  assert.deepEqual(await counts(0), ['1', '1'], 'yes once, no once');
  assert.deepEqual(await counts(1), ['2', '0', '1'], 'shade twice, a fountain once');
  assert.deepEqual(await counts(2), ['0', '0', '0', '1', '1'], 'a 4 and a 5');
  assert.deepEqual(
    await page.locator('section.result').nth(3).locator('ul.texts li').allTextContents(),
    ['More trees, please.'],
  );
  await checked(page, lang, 'results');
  await page.context().close();
}

for (const lang of LANGUAGES) {
  test(`a survey is built, answered and read in ${lang}, each page without axe violations`, async () => {
    await runASurvey(lang, true);
  });
}

test('with JavaScript off, a survey is built, answered and read', async () => {
  await runASurvey('es', false);
});

test('without the platform, the pages say where to open them from', async () => {
  const page = await visitorPage('lv', true);
  const response = await page.goto(`${surveys}/assets/instantiate`);
  assert.equal(response.status(), 401);
  await checked(page, 'lv', 'unauthenticated');
  await page.context().close();
});
