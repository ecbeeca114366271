// The co-production scenario of integration-tests, played through the web
// pages only, in a real browser: a PA administrator (with JavaScript off,
// so every form is a plain one) sets a process up through its overview's
// steps from schemas/default, brings in a team and grants it rights; a
// citizen joins the team, is refused a premature start with the blocking
// task named, adds a resource from the recommendations and claims a
// contribution, which is accepted. On the interlinkers the platform runs
// (each on its own origin, opened through the tasks' open links), Ana
// builds and publishes a survey made on a task, Ben answers it and edits
// the co-production agreement cloned on another, and Ana reads the
// survey's results. Then every task finishes, the process reaches 100 %,
// its story is published and rated, and the monitoring tab counts what
// happened. axe-core must find nothing on any page on the way.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, newVisitor, violations } from './common.mjs';

const base = process.env.INTERLINK_BASE_URL;
const documents = process.env.INTERLINK_DOCUMENTS_URL;
const surveys = process.env.INTERLINK_SURVEYS_URL;
const artefacts = process.env.INTERLINK_ARTEFACTS;
assert.ok(base, 'INTERLINK_BASE_URL names the running platform');
assert.ok(documents, 'INTERLINK_DOCUMENTS_URL names its documents interlinker');
assert.ok(surveys, 'INTERLINK_SURVEYS_URL names its surveys interlinker');
assert.ok(artefacts, 'INTERLINK_ARTEFACTS names where screenshots go');
mkdirSync(artefacts, { recursive: true });

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** Pages opened with JavaScript off (axe hangs in them). */
const withoutJavaScript = new WeakSet();

/** axe finds nothing on the open page, which reflows at 320 px without
 * scrolling sideways; its screenshots are kept. axe runs in the page, so
 * what a page with JavaScript off shows is checked in a twin with it on. */
async function checked(page, name) {
  let seen = page;
  let twin;
  if (withoutJavaScript.has(page)) {
    twin = await newVisitor(browser, 'en');
    seen = await twin.newPage();
    // On the same origin, so the page's own addresses (its style) resolve.
    await seen.goto(new URL(page.url()).origin + '/healthz');
    await seen.setContent(await page.content());
  }
  assert.deepEqual(await violations(seen), [], name);
  await page.screenshot({ path: join(artefacts, `scenario-${name}.png`), fullPage: true });
  await twin?.close();

  const wide = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scroll <= client, `${name}: ${scroll} px wide in a ${client} px window`);
  await page.screenshot({ path: join(artefacts, `scenario-${name}.320px.png`), fullPage: true });
  await page.setViewportSize(wide);
}

async function signIn(page, subject, name) {
  await page.goto(base + '/sign-in');
  await page.fill('#subject', subject);
  await page.fill('#name', name);
  await page.locator('form[action="/sign-in"] button[type="submit"]').click();
  await page.waitForURL(base + '/');
}

/** Reloads `page` until `ready` holds (what arrives by events). */
async function until(page, ready, what) {
  const deadline = Date.now() + 30000;
  while (!(await ready())) {
    assert.ok(Date.now() < deadline, `waited 30 s for ${what}`);
    await page.waitForTimeout(200);
    await page.reload();
  }
}

/** The task `title`'s page of the guide at `guide` (its first phase). */
async function taskHref(page, guide, title) {
  await page.goto(base + guide);
  return page.locator('.guide-tree a', { hasText: title }).getAttribute('href');
}

/** On a task's page, waits until the resource `name` is made on its
 * interlinker, then opens it there through the platform's open link. */
async function openResource(page, name) {
  const open = page.locator('#resources + ul.results li a[href$="/open"]', { hasText: name });
  await until(page, async () => (await open.count()) > 0, `${name} to be made`);
  await open.click();
}

/** Adds a question from the survey's edit page and waits for it listed. */
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

test('the co-production scenario, through the pages only', { timeout: 600000 }, async () => {
  const ana = await (await newVisitor(browser, 'en', { javaScriptEnabled: false })).newPage();
  withoutJavaScript.add(ana);
  await signIn(ana, 'scenario-ana', 'Ana Zaragoza');

  // The PA: its organisation and a team of citizens.
  await ana.goto(base + '/organizations/new');
  await ana.fill('#name', 'Ayuntamiento de Zaragoza');
  await ana.check('#policy-anyone');
  await ana.locator('form.stack button[type="submit"]').click();
  await ana.waitForURL(/\/organizations\/[0-9a-f-]+\?created=1$/);
  await ana.locator('a[href$="/teams/new"]').click();
  await ana.fill('#name', 'Vecinos del Actur');
  await ana.locator('form.stack button[type="submit"]').click();
  await ana.waitForURL(/\/teams\/[0-9a-f-]+\?done=created$/);
  const team = new URL(ana.url()).pathname;

  // A process, set up through its overview's steps.
  await ana.goto(base + '/workspace/new');
  await ana.fill('#title', 'Parque del Actur');
  await ana.fill('#description', 'A park designed with the neighbourhood.');
  await ana.locator('form.stack button[type="submit"]').click();
  await ana.waitForURL(/\/processes\/[0-9a-f-]+\?created=1$/);
  const process = new URL(ana.url()).pathname;
  await checked(ana, 'overview-new');
  assert.equal(await ana.locator('.steps li.done').count(), 1, 'only its description is done');
  await ana.locator('.steps a[href$="#plan"]').click();
  await ana.locator('#schema-default').check();
  await ana.locator('form[action$="/plan"] button').click();
  await ana.waitForURL(/\?planned=1$/);
  assert.equal(await ana.locator('.steps li.done').count(), 2, 'planned from the schema');

  // The team, granted rights on the whole process.
  await ana.locator('.steps a[href$="/team"]').first().click();
  await ana.selectOption('#grant-item', '');
  await ana.check('#right-create_assets');
  await ana.locator('form[action$="/grants"] button').click();
  await ana.waitForURL(/\/team\?granted=1$/);
  await checked(ana, 'team');
  await ana.goto(base + process);
  assert.equal(await ana.locator('.steps li.done').count(), 4, 'teams in, and they may work');

  // A citizen joins the team; Ana accepts.
  const ben = await (await newVisitor(browser, 'en')).newPage();
  await signIn(ben, 'scenario-ben', 'Ben Vecino');
  await ben.goto(base + team);
  await ben.fill('#reason', 'I live next to the park.');
  await ben.locator(`form[action="${team}/applications"] button`).click();
  await ben.waitForURL(/\?done=applied$/);
  await ana.goto(base + team);
  await ana.getByRole('button', { name: 'Accept Ben Vecino' }).click();
  await ana.waitForURL(/\?done=decided#applications$/);

  // Once co-production hears of it, Ben sees the process; starting the
  // second task first is refused, naming the task it waits for.
  await ben.goto(base + process + '/guide');
  await until(ben, async () => (await ben.locator('.guide-tree').count()) > 0, 'Ben to see the guide');
  const tasks = ben.locator('.guide-tree a[href*="/guide/tasks/"]');
  const map = await tasks.nth(0).getAttribute('href');
  await tasks.nth(1).click();
  await ben.selectOption('#task-status', 'in-progress');
  await ben.locator('form.task-status button').click();
  await ben.getByRole('heading', { name: 'This task cannot start yet' }).waitFor();
  assert.equal(await ben.locator(`main a[href="${map}"]`).textContent(), 'Map the stakeholders');
  await checked(ben, 'refused');

  // On the first task Ben uses a recommended interlinker and claims the work.
  await ben.goto(base + map);
  await ben.locator('.picks button').first().click();
  await ben.waitForURL(/\?done=asset#resources$/);
  assert.equal(await ben.locator('#resources + ul.results li').count(), 1, 'one resource');
  await ben.locator('details.inline-form:has(#claim-description) summary').click();
  await ben.fill('#claim-description', 'Mapped the neighbourhood associations.');
  await ben.locator('form:has(#claim-description) button').click();
  await ben.waitForURL(/\?done=claimed#contributions$/);
  await checked(ben, 'task');

  // Ana accepts the claim.
  await ana.goto(base + map);
  await ana.locator('button[value="accept"]').click();
  await ana.waitForURL(/\?done=decided#contributions$/);

  // Ana makes a survey on a task with the survey builder, opens it on its
  // interlinker when made, asks two questions and publishes it.
  const research = await taskHref(ana, process + '/guide', "Research users' needs");
  await ana.goto(base + research);
  await ana.getByRole('button', { name: 'Use Online survey builder' }).click();
  await ana.waitForURL(/\?done=asset#resources$/);
  await openResource(ana, 'Online survey builder');
  await ana.waitForURL(new RegExp(`^${surveys}/assets/[0-9a-f-]+/view$`));
  const survey = new URL(ana.url()).pathname.replace(/\/view$/, '');
  assert.equal(await ana.locator('h1').textContent(), 'Online survey builder', 'a draft named as the resource');
  await checked(ana, 'survey-draft');
  await ana.locator(`main a[href="${survey}/edit"]`).click();
  await addQuestion(ana, { prompt: 'Do you visit the park?', kind: 'single', options: 'Yes\nNo', required: true });
  await addQuestion(ana, { prompt: 'How safe does it feel?', kind: 'scale', scale: 5, required: true });
  await checked(ana, 'survey-edit');
  await ana.goto(surveys + survey + '/view');
  await ana.locator('form[action$="/status"] button').click();
  await ana.waitForURL(/\/view\?done=open$/);
  assert.equal(await ana.locator('.status-open').count(), 1, 'published');
  await checked(ana, 'survey-open');

  // Ben opens it from the task too, and answers it where people answer.
  await ben.goto(base + research);
  await openResource(ben, 'Online survey builder');
  await ben.waitForURL(surveys + survey + '/view');
  await ben.locator(`main a[href$="${survey}/answer"]`).click();
  await checked(ben, 'survey-answer');
  await ben.check('#q1-0');
  await ben.check('#q2-4');
  await ben.locator(`form[action="${survey}/answer"] button[type="submit"]`).click();
  await ben.waitForURL(surveys + survey + '/answered');
  await checked(ben, 'survey-thanks');

  // Ben brings the co-production agreement into its task, edits the copy
  // made of it on the documents interlinker and saves it.
  const agreement = await taskHref(ben, process + '/guide', 'Sign a co-production agreement');
  await ben.goto(base + agreement);
  await ben.getByRole('button', { name: 'Use Co-production agreement template' }).click();
  await ben.waitForURL(/\?done=asset#resources$/);
  await openResource(ben, 'Co-production agreement template');
  await ben.waitForURL(new RegExp(`^${documents}/assets/[0-9a-f-]+/view$`));
  await checked(ben, 'document');
  await ben.locator('main a[href$="/edit"]').click();
  await ben.waitForURL(/\/edit$/);
  await checked(ben, 'document-edit');
  const body = await ben.inputValue('#body');
  await ben.fill('#body', `${body}\n\n## Signed\n\nBen Vecino, for the neighbours of the Actur.\n`);
  await ben.getByRole('button', { name: 'Save', exact: true }).click();
  await ben.waitForURL(/\/view\?saved=1$/);
  assert.match(await ben.locator('.body').textContent(), /Ben Vecino, for the neighbours of the Actur\./);
  await checked(ben, 'document-saved');

  // Ana reads the survey's results: Ben's answer, counted.
  await ana.goto(surveys + survey + '/view');
  await ana.locator(`main a[href="${survey}/results"]`).click();
  await ana.waitForURL(surveys + survey + '/results');
  assert.equal(await ana.locator('svg.chart').count(), 2, 'a chart per question');
  const counts = async (n) =>
    ana.locator('section.result').nth(n).locator('tbody td:nth-of-type(1)').allTextContents();
  assert.deepEqual(await counts(0), ['1', '0'], 'one yes');
  assert.deepEqual(await counts(1), ['0', '0', '0', '1', '0'], 'one 4');
  await checked(ana, 'survey-results');

  // Ana finishes every task in the plan's order from the overview's
  // status forms.
  await ana.goto(base + process);
  const forms = ana.locator('form.task-status');
  const count = await forms.count();
  assert.ok(count >= 30, `${count} tasks`);
  for (let i = 0; i < count; i++) {
    // Each answer comes back at its own task: wait for that one.
    const task = (await forms.nth(i).getAttribute('action')).split('/tasks/')[1].split('/')[0];
    await forms.nth(i).locator('select').selectOption('finished');
    await forms.nth(i).locator('button').click();
    await ana.waitForURL(new RegExp(`\\?status=1#task-${task}$`));
  }
  assert.match(await ana.locator('main > p.meta').first().textContent(), /Finished · 100 % done/);
  assert.equal(await ana.locator('.steps li.done').count(), 6, 'every step done');

  // Its story, published by Ana and rated by Ben.
  await ana.locator('a[href$="/stories/new"]').click();
  await ana.fill('#title', 'A park for everyone');
  await ana.fill('#results', 'A park the neighbourhood designed.');
  await ana.locator('form[action$="/stories"] button').click();
  await ana.waitForURL(/\/stories\/[0-9a-f-]+\?published=1$/);
  const story = new URL(ana.url()).pathname;
  await ben.goto(base + story);
  await ben.locator('#value-5').check();
  await ben.locator('form[action$="/rating"] button').click();
  await ben.waitForURL(/\?rated=1$/);
  assert.match(await ben.locator('main').textContent(), /Rated 5\.0 out of 5 by one person/);

  // Monitoring counts what happened.
  await ana.goto(base + process + '/monitoring');
  const card = (label) =>
    ana.locator('.kpis li', { has: ana.locator('.kpi-label', { hasText: new RegExp(`^${label}$`) }) }).first().locator('.kpi-value');
  await until(ana, async () => (await card('Stories published').textContent()) === '1', 'the story to be counted');
  assert.equal(await card('Processes').textContent(), '1');
  assert.equal(await card('Contributions claimed').textContent(), '1');
  assert.equal(await card('Contributions accepted').textContent(), '1');
  assert.equal(await card('Teams').textContent(), '1');
  assert.equal(
    await ana.locator('.kpis').first().locator('.kpi-value').first().textContent(),
    '3',
    'three resources in the process: the first task\'s, the survey and the agreement',
  );
  assert.match(await ana.locator('#trail ~ p[role="status"]').textContent(), /The trail is intact/);
  await checked(ana, 'monitoring');
});
