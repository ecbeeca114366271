// The bell and the inbox in a real browser, in each of the four languages:
// a person whom tests/browser.rs added to a team through the REST API
// signs in, sees the bell count the notification on any page, opens the
// inbox (axe finds nothing; it reflows at 320 px), opens the notification
// (seen, and on the team's page), then with JavaScript off archives it
// and finds it in the archive, the inbox left empty. Run by
// tests/browser.rs with INTERLINK_BASE_URL; the people are
// `notified-{lang}`, each added to the team "Gardens" (es: "Huertos").

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, newVisitor, violations } from './common.mjs';

const base = process.env.INTERLINK_BASE_URL;
const artefacts = process.env.INTERLINK_ARTEFACTS;
assert.ok(base, 'INTERLINK_BASE_URL names the site');
assert.ok(artefacts, 'INTERLINK_ARTEFACTS names where screenshots go');
mkdirSync(artefacts, { recursive: true });

/** The pages' words in each language (as the .ftl files say). */
const WORDS = {
  en: {
    bell: 'Notifications', added: 'added you to the team Gardens.', archive: 'Archive',
    archived: 'Archived', archivedDone: 'The notification is archived.', none: 'Nothing to tell you yet',
  },
  es: {
    bell: 'Notificaciones', added: 'te ha añadido al equipo Huertos.', archive: 'Archivar',
    archived: 'Archivadas', archivedDone: 'La notificación está archivada.', none: 'Aún no hay nada que contarte',
  },
  it: {
    bell: 'Notifiche', added: 'ti ha aggiunto al gruppo Gardens.', archive: 'Archivia',
    archived: 'Archiviate', archivedDone: 'La notifica è archiviata.', none: 'Ancora nulla da segnalarti',
  },
  lv: {
    bell: 'Paziņojumi', added: 'jūs pievienoja komandai Gardens.', archive: 'Arhivēt',
    archived: 'Arhivētie', archivedDone: 'Paziņojums ir arhivēts.', none: 'Pagaidām nav ko paziņot',
  },
};

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** A page of a new context in `lang`, signed in as `subject`. */
async function signedIn(lang, subject, javaScriptEnabled) {
  const context = await newVisitor(browser, lang, { javaScriptEnabled });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.locator('#subject').fill(subject);
  await page.locator('#name').fill(`Person ${lang}`);
  await page.locator('main form button[type="submit"]').click();
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  return page;
}

/** axe finds nothing on the open page and it reflows at 320 px. */
async function checked(page, lang, name) {
  assert.equal(await page.getAttribute('html', 'lang'), lang, `${name} in ${lang}`);
  assert.deepEqual(await violations(page), [], `${name} in ${lang}`);
  await page.screenshot({ path: join(artefacts, `${name}.${lang}.png`), fullPage: true });
  const wide = page.viewportSize();
  await page.setViewportSize({ width: 320, height: 640 });
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scroll <= client, `${name} in ${lang}: ${scroll} px wide in a ${client} px window`);
  await page.setViewportSize(wide);
}

for (const lang of Object.keys(WORDS)) {
  const words = WORDS[lang];
  test(`a person reads, opens and archives a notification in ${lang}`, async () => {
    const subject = `notified-${lang}`;
    const page = await signedIn(lang, subject, true);
    await page.goto(`${base}/catalogue`);
    assert.equal((await page.locator('#bell-count').textContent())?.trim(), '1');
    await page.getByRole('link', { name: new RegExp(`^${words.bell}`) }).click();
    await page.waitForURL(/\/notifications$/);
    const item = page.locator('.notifications li').first();
    assert.match((await item.textContent()) ?? '', new RegExp(words.added.replace('.', '\\.')));
    await checked(page, lang, 'notifications');

    // Opening it marks it seen and shows the team.
    await item.locator('a').first().click();
    await page.waitForURL(/\/teams\//);
    assert.equal(await page.locator('#bell-count').count(), 0, 'nothing unseen');

    // With JavaScript off, archived: out of the inbox, into the archive.
    const plain = await signedIn(lang, subject, false);
    await plain.goto(`${base}/notifications`);
    await plain.getByRole('button', { name: new RegExp(`^${words.archive}`) }).click();
    await plain.waitForURL(/done=archived/);
    await plain.getByText(words.archivedDone).waitFor();
    assert.match((await plain.locator('main').textContent()) ?? '', new RegExp(words.none));
    await plain.getByRole('link', { name: words.archived, exact: true }).click();
    await plain.waitForURL(/archived=1/);
    assert.equal(await plain.locator('.notifications li').count(), 1);
    await page.goto(`${base}/notifications?archived=1`);
    await checked(page, lang, 'notifications-archived');
    await page.goto(`${base}/notifications`);
    await checked(page, lang, 'notifications-empty');
    await page.context().close();
    await plain.context().close();
  });
}

/** The preferences and unsubscribe pages' words. */
const PREFERENCES = {
  en: { title: 'Notification preferences', never: 'Only in my inbox', save: 'Save my preferences', saved: 'Your changes are saved.', stop: 'Stop these e-mails', broken: 'This link does not work' },
  es: { title: 'Preferencias de notificación', never: 'Solo en mi bandeja de entrada', save: 'Guardar mis preferencias', stop: 'Dejar de recibir estos correos', broken: 'Este enlace no funciona' },
  it: { title: 'Preferenze di notifica', never: 'Solo nella mia casella', save: 'Salva le mie preferenze', stop: 'Non ricevere più queste e-mail', broken: 'Questo link non funziona' },
  lv: { title: 'Paziņojumu iestatījumi', never: 'Tikai manā iesūtnē', save: 'Saglabāt manus iestatījumus', stop: 'Pārtraukt šos e-pastus', broken: 'Šī saite nedarbojas' },
};

for (const lang of Object.keys(PREFERENCES)) {
  const words = PREFERENCES[lang];
  test(`a person chooses what is e-mailed, and an unsubscribe link is checked, in ${lang}`, async () => {
    const subject = `notified-${lang}`;
    const page = await signedIn(lang, subject, true);
    await page.goto(`${base}/notifications/preferences`);
    await page.getByRole('heading', { name: words.title }).waitFor();
    await checked(page, lang, 'notification-preferences');

    // With JavaScript off: stories only in the inbox, saved.
    const plain = await signedIn(lang, subject, false);
    await plain.goto(`${base}/notifications/preferences`);
    const never = plain.locator('#kind-story_published-never');
    assert.equal(await plain.locator('label[for="kind-story_published-never"]').textContent(), words.never);
    await never.check();
    await plain.getByRole('button', { name: words.save }).click();
    await plain.waitForURL(/done=saved/);
    assert.equal(await plain.locator('#kind-story_published-never').isChecked(), true);

    // An unsubscribe link asks first; a broken one says so. No sign-in.
    const visitor = await newVisitor(browser, lang);
    const stranger = await visitor.newPage();
    await stranger.goto(`${base}/unsubscribe?token=not-a-real-token`);
    await stranger.getByRole('button', { name: words.stop }).waitFor();
    await checked(stranger, lang, 'unsubscribe');
    await stranger.getByRole('button', { name: words.stop }).click();
    await stranger.getByRole('heading', { name: words.broken }).waitFor();
    await checked(stranger, lang, 'unsubscribe-broken');
    await visitor.close();
    await page.context().close();
    await plain.context().close();
  });
}

test('the bell counts up while the page is open when someone adds the person to a team', async () => {
  const team = process.env.INTERLINK_TEAM;
  const token = process.env.INTERLINK_TEAM_ADMIN_TOKEN;
  const watcher = process.env.INTERLINK_WATCHER_USER;
  assert.ok(team && token && watcher, 'tests/browser.rs names the team, its administrator and the watcher');
  const page = await signedIn('en', 'watcher', true);
  await page.goto(`${base}/catalogue`);
  assert.equal(await page.locator('#bell-count').count(), 0, 'nothing yet');
  // Marks this very page: a reload would lose it.
  await page.evaluate(() => { window.interlinkSamePage = true; });
  const added = await fetch(`${base}/v1/${team}/members`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ user: watcher }),
  });
  assert.equal(added.status, 200, await added.text());
  await page.locator('#bell-count').waitFor();
  assert.equal((await page.locator('#bell-count').textContent())?.trim(), '1');
  assert.equal(await page.evaluate(() => window.interlinkSamePage), true, 'the same page, not reloaded');
  assert.match((await page.locator('#bell-news').textContent()) ?? '', /added you to the team Gardens\./);
  assert.match((await page.locator('#bell-unseen').textContent()) ?? '', /1 unseen/);
  await checked(page, 'en', 'bell-live');
  await page.context().close();
});

/** The process page's feed words. */
const FEED = {
  en: { activity: 'Latest activity', none: 'Nothing has happened in this process yet.' },
  es: { activity: 'Actividad reciente', none: 'Todavía no ha ocurrido nada en este proceso.' },
  it: { activity: 'Attività recente', none: 'In questo processo non è ancora successo nulla.' },
  lv: { activity: 'Jaunākās darbības', none: 'Šajā procesā vēl nekas nav noticis.' },
};

for (const lang of Object.keys(FEED)) {
  test(`a process's feed shows on its page in ${lang}`, async () => {
    const processName = process_env('INTERLINK_PROCESS');
    const page = await signedIn(lang, 'team-admin', true);
    await page.goto(`${base}/${processName}`);
    await page.getByRole('heading', { name: FEED[lang].activity }).waitFor();
    await page.getByText(FEED[lang].none).waitFor();
    await checked(page, lang, 'process-feed');
    await page.context().close();
  });
}

test("a process's feed grows while its page is open when the process is given to a team", async () => {
  const processName = process_env('INTERLINK_PROCESS');
  const second = process_env('INTERLINK_SECOND_TEAM');
  const token = process_env('INTERLINK_TEAM_ADMIN_TOKEN');
  const page = await signedIn('en', 'team-admin', true);
  await page.goto(`${base}/${processName}`);
  const items = page.locator('#process-feed li');
  assert.equal(await items.count(), 0, 'nothing yet');
  const granted = await fetch(`${base}/v1/${processName}/grants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ team: second, accessAssets: true }),
  });
  assert.equal(granted.status, 200, await granted.text());
  await items.first().waitFor();
  assert.match((await items.first().textContent()) ?? '', /The team Orchards was given the process\./);
  assert.equal(await page.locator('#feed-empty').isVisible(), false, 'no longer empty');
  assert.match((await page.locator('#feed-news').textContent()) ?? '', /Orchards/);
  await checked(page, 'en', 'process-feed-live');
  // Without JavaScript, the page shows the same feed.
  const plain = await signedIn('en', 'team-admin', false);
  await plain.goto(`${base}/${processName}`);
  assert.match((await plain.locator('#process-feed').textContent()) ?? '', /The team Orchards was given the process\./);
  await page.context().close();
  await plain.context().close();
});

function process_env(name) {
  const value = process.env[name];
  assert.ok(value, `tests/browser.rs sets ${name}`);
  return value;
}
