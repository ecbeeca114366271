// Interlink's pages in a real browser (Debian's chromium, driven by
// playwright-core) against a running `interlink up` whose address is in
// INTERLINK_BASE_URL. Run by tests/browser.rs; screenshots go to
// INTERLINK_ARTEFACTS. Every page, in each of the four languages, must have
// no WCAG 2.1 AA violation that axe-core finds, reflow at 320 px, and work
// with the keyboard and with JavaScript off.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, newVisitor, violations } from './common.mjs';

const base = process.env.INTERLINK_BASE_URL;
const artefacts = process.env.INTERLINK_ARTEFACTS;
assert.ok(base, 'INTERLINK_BASE_URL names the running platform');
assert.ok(artefacts, 'INTERLINK_ARTEFACTS names where screenshots go');
mkdirSync(artefacts, { recursive: true });

const LANGUAGES = ['en', 'es', 'it', 'lv'];
/** Every page a visitor can reach so far, with a name for its screenshot. */
const PAGES = [
  { name: 'home', path: '/' },
  { name: 'catalogue', path: '/catalogue' },
  { name: 'catalogue-search', path: '/catalogue?q=survey' },
  { name: 'catalogue-no-results', path: '/catalogue?q=zzqqxxnothingmatches' },
  { name: 'catalogue-refused', path: `/catalogue?q=${'a'.repeat(501)}` },
  { name: 'catalogue-filtered', path: '/catalogue?nature=knowledge&profile=org-01&language=es' },
  { name: 'problem-profiles', path: '/catalogue/problem-profiles' },
  { name: 'schemas', path: '/schemas' },
  { name: 'processes', path: '/processes' },
  { name: 'stories', path: '/stories' },
  { name: 'schema', path: '/schemas/default' },
  { name: 'sign-in', path: '/sign-in' },
  { name: 'organizations', path: '/organizations' },
  { name: 'invitation', path: '/invitation' },
];

/** The sign-in page's words in each language (as its .ftl files say). */
/** The rate form's words in each language. */
const RATE = {
  en: { stars: '5 stars out of 5', save: 'Save my rating', choose: 'Choose from 1 to 5 stars', saved: 'Thank you: your rating is saved.' },
  es: { stars: '5 estrellas de 5', save: 'Guardar mi valoración', choose: 'Elija de 1 a 5 estrellas', saved: 'Gracias: su valoración se ha guardado.' },
  it: { stars: '5 stelle su 5', save: 'Salva la mia valutazione', choose: 'Scegli da 1 a 5 stelle', saved: 'Grazie: la tua valutazione è salvata.' },
  lv: { stars: '5 zvaigznes no 5', save: 'Saglabāt manu vērtējumu', choose: 'Izvēlieties no 1 līdz 5 zvaigznēm', saved: 'Paldies: jūsu vērtējums ir saglabāts.' },
};

const SIGN_IN = {
  en: { userId: 'User id', name: 'Your name (optional)', button: 'Sign in', signedIn: 'Signed in as', signOut: 'Sign out', problem: 'There is a problem' },
  es: { userId: 'Identificador de usuario', name: 'Su nombre (opcional)', button: 'Iniciar sesión', signedIn: 'Sesión iniciada como', signOut: 'Cerrar sesión', problem: 'Hay un problema' },
  it: { userId: 'Identificativo utente', name: 'Il tuo nome (facoltativo)', button: 'Accedi', signedIn: 'Accesso eseguito come', signOut: 'Esci', problem: "C'è un problema" },
  lv: { userId: 'Lietotāja identifikators', name: 'Jūsu vārds (nav obligāts)', button: 'Pieteikties', signedIn: 'Pieteicies kā', signOut: 'Izrakstīties', problem: 'Radusies problēma' },
};

let browser;

before(async () => {
  // An interlinker's page: the first result of a search, as a visitor finds it.
  const search = await (await fetch(`${base}/catalogue?q=survey`)).text();
  const href = search.match(/href="(\/catalogue\/[0-9a-f-]+)"/)?.[1];
  assert.ok(href, 'a search result links to its page');
  PAGES.push({ name: 'interlinker', path: href });
  // A public process and a story (tests/browser.rs makes them), as listed.
  for (const [list, name, pattern] of [
    ['/processes', 'process', /href="(\/processes\/[0-9a-f-]+)"/],
    ['/stories', 'story', /href="(\/stories\/[0-9a-f-]+)"/],
  ]) {
    const found = (await (await fetch(base + list)).text()).match(pattern)?.[1];
    assert.ok(found, `${list} links to a ${name}`);
    PAGES.push({ name, path: found });
  }
  // The public process's guide, as anyone reads it.
  PAGES.push({ name: 'process-guide', path: `${PAGES.find((p) => p.name === 'process').path}/guide` });

  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** A fresh browser context whose Accept-Language asks for `lang`. */
function visitor(lang, options = {}) {
  return newVisitor(browser, lang, options);
}

for (const lang of LANGUAGES) {
  test(`every page in ${lang}: written in it, no axe violation, a screenshot`, async () => {
    const context = await visitor(lang);
    const page = await context.newPage();
    for (const { name, path } of PAGES) {
      const response = await page.goto(base + path);
      assert.ok(response, `${path} answers`);
      assert.equal(await page.getAttribute('html', 'lang'), lang, `${path} in ${lang}`);
      assert.ok((await page.title()).length > 0, `${path} has a title`);
      assert.deepEqual(await violations(page), [], `${path} in ${lang}`);
      await page.screenshot({ path: join(artefacts, `${name}.${lang}.png`), fullPage: true });
    }
    await context.close();
  });
}

test('every page reflows at 320 px without scrolling sideways', async () => {
  const context = await visitor('lv', { viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  for (const { name, path } of PAGES) {
    await page.goto(base + path);
    const [scroll, client] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      document.documentElement.clientWidth,
    ]);
    assert.ok(scroll <= client, `${path}: ${scroll} px wide in a ${client} px window`);
    await page.screenshot({ path: join(artefacts, `${name}.320px.png`), fullPage: true });
  }
  await context.close();
});

test('with JavaScript off, a visitor searches the catalogue and changes language', async () => {
  const context = await visitor('es', { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(base + '/');
  await page.getByLabel('Buscar en el catálogo').fill('encuesta');
  await page.getByRole('button', { name: 'Buscar', exact: true }).click();
  await page.waitForURL(/\/catalogue\?q=encuesta/);
  const results = page.locator('ul.results > li');
  assert.ok((await results.count()) > 0, 'a search finds interlinkers');
  assert.match((await results.first().locator('h3').textContent()) ?? '', /ncuesta/i);

  // The language links keep the page and the choice.
  await page.getByRole('link', { name: 'Latviešu' }).click();
  await page.waitForURL(/\/catalogue\?q=encuesta/);
  assert.equal(await page.getAttribute('html', 'lang'), 'lv');
  await page.goto(base + '/');
  assert.equal(await page.getAttribute('html', 'lang'), 'lv', 'the choice is kept');
  await context.close();
});

test('with the keyboard only, a visitor skips to the content and searches', async () => {
  const context = await visitor('it');
  const page = await context.newPage();
  await page.goto(base + '/');
  await page.keyboard.press('Tab');
  const skip = page.locator(':focus');
  assert.equal(await skip.getAttribute('href'), '#content', 'the first stop skips the menus');
  assert.ok(await skip.isVisible(), 'the skip link shows when focused');
  await page.keyboard.press('Enter');
  assert.match(page.url(), /#content$/);

  // Tab through the page to the search field, type and submit.
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id === 'home-q');
  }
  assert.ok(reached, 'the search field is reachable with Tab');
  await page.keyboard.type('questionario');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/catalogue\?q=questionario/);
  assert.ok((await page.locator('ul.results > li').count()) > 0);
  await context.close();
});

test('with JavaScript off and the keyboard only, a visitor filters the catalogue by kind and problem', async () => {
  const context = await visitor('es', { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(base + '/catalogue/problem-profiles');
  await page.getByRole('link', { name: 'Comprender el problema' }).click();
  await page.getByRole('heading', { name: 'Comprender el problema', level: 2 }).waitFor();
  const problem = page.locator('#family-understanding ~ ul a').first();
  const title = (await problem.textContent())?.trim();
  await problem.focus();
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/catalogue\?profile=und-/);

  // The filters are open, the problem ticked; tick a kind by keyboard and apply.
  const ticked = page.locator('input[name="profile"]:checked');
  assert.equal(await ticked.count(), 1);
  const label = await page.locator(`label[for="${await ticked.getAttribute('id')}"]`).textContent();
  assert.ok(label?.startsWith(`${title} (`), `${title} is ticked: ${label}`);
  const knowledge = page.getByRole('checkbox', { name: /^Conocimiento \(\d+\)$/ });
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await knowledge.evaluate((el) => el === document.activeElement);
  }
  assert.ok(reached, 'the kind is reachable with Tab');
  await page.keyboard.press('Space');
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await page.getByRole('button', { name: 'Aplicar filtros' }).evaluate((el) => el === document.activeElement)) break;
  }
  await page.keyboard.press('Enter');
  await page.waitForURL(/nature=knowledge/);
  assert.match(page.url(), /profile=und-/);
  const results = page.locator('ul.results > li');
  for (const meta of await results.locator('p.meta').allTextContents()) {
    assert.match(meta, /^Conocimiento/);
  }
  // Clearing the filters keeps the words searched for.
  await page.getByRole('link', { name: 'Quitar filtros' }).click();
  await page.waitForURL((url) => url.pathname === '/catalogue' && !url.search.includes('nature'));
  await context.close();
});

/**
 * Signs in through the sign-in link of a catalogue page and out again in
 * `lang`; with `checkAxe`, axe checks each state the visitor sees (axe runs
 * in the page, so only where JavaScript is on).
 */
async function signInAndOut(lang, { javaScriptEnabled, checkAxe }) {
  const words = SIGN_IN[lang];
  const context = await visitor(lang, { javaScriptEnabled });
  const page = await context.newPage();
  await page.goto(base + '/catalogue?q=survey');
  await page.locator('.account a').click();
  await page.waitForURL(/\/sign-in\?next=/);

  // Nothing typed: the mistake is summarised, linked and shown at its input.
  await page.getByRole('button', { name: words.button, exact: true }).click();
  await page.getByRole('heading', { name: words.problem }).waitFor();
  assert.equal(await page.getAttribute('#subject', 'aria-invalid'), 'true');
  if (checkAxe) {
    assert.deepEqual(await violations(page), [], `the sign-in mistake in ${lang}`);
    await page.screenshot({ path: join(artefacts, `sign-in-mistake.${lang}.png`), fullPage: true });
  }

  const who = `Vecino ${lang.toUpperCase()}`;
  await page.getByLabel(words.userId).fill(`citizen-${lang}`);
  await page.getByLabel(words.name).fill(who);
  await page.getByRole('button', { name: words.button, exact: true }).click();
  await page.waitForURL(/\/catalogue\?q=survey$/);
  assert.match((await page.locator('.account').textContent()) ?? '', new RegExp(`${words.signedIn} ${who}`));
  if (checkAxe) {
    assert.deepEqual(await violations(page), [], `signed in, in ${lang}`);
    await page.screenshot({ path: join(artefacts, `signed-in.${lang}.png`), fullPage: true });
  }

  // The session cookie is out of scripts' reach.
  const session = (await context.cookies()).find((c) => c.name === 'interlink_session');
  assert.ok(session?.httpOnly, 'the session cookie is HttpOnly');
  assert.equal(session?.sameSite, 'Lax');

  await page.getByRole('button', { name: words.signOut, exact: true }).click();
  await page.waitForURL(base + '/');
  assert.equal(await page.locator('.account a').textContent(), words.button);
  await context.close();
}

for (const lang of LANGUAGES) {
  test(`a visitor signs in and out in ${lang}, each step without axe violations`, async () => {
    await signInAndOut(lang, { javaScriptEnabled: true, checkAxe: true });
  });
}

test('with JavaScript off, a visitor signs in and out', async () => {
  await signInAndOut('es', { javaScriptEnabled: false, checkAxe: false });
});

test('with the keyboard only, a visitor signs in as a platform administrator', async () => {
  const context = await visitor('en');
  const page = await context.newPage();
  await page.goto(base + '/sign-in');
  let reached = false;
  for (let i = 0; i < 20 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.id === 'subject');
  }
  assert.ok(reached, 'the user id field is reachable with Tab');
  await page.keyboard.type('pa-admin');
  await page.keyboard.press('Tab');
  await page.keyboard.type('PA Admin');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Space');
  assert.ok(await page.isChecked('#admin'), 'the box ticks with Space');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.waitForURL(base + '/');
  assert.match((await page.locator('.account').textContent()) ?? '', /Signed in as PA Admin/);
  await context.close();
});

/** Signs `subject` in through the sign-in page of `page`'s context. */
async function signIn(page, lang, subject) {
  const words = SIGN_IN[lang];
  await page.goto(base + '/sign-in');
  await page.getByLabel(words.userId).fill(subject);
  await page.getByRole('button', { name: words.button, exact: true }).click();
  await page.waitForURL(base + '/');
}

for (const lang of LANGUAGES) {
  test(`a signed-in person rates an interlinker in ${lang}, each step without axe violations`, async () => {
    const words = RATE[lang];
    const context = await visitor(lang);
    const page = await context.newPage();
    await signIn(page, lang, `rater-${lang}`);
    const detail = PAGES.find((p) => p.name === 'interlinker').path;
    await page.goto(base + detail);
    assert.deepEqual(await violations(page), [], `the rate form in ${lang}`);

    // Sent with no choice: the mistake is named at the scale.
    await page.getByRole('button', { name: words.save, exact: true }).click();
    await page.getByRole('link', { name: words.choose }).waitFor();
    assert.deepEqual(await violations(page), [], `the rate mistake in ${lang}`);
    await page.screenshot({ path: join(artefacts, `rate-mistake.${lang}.png`), fullPage: true });

    await page.getByLabel(words.stars, { exact: true }).check();
    await page.getByRole('button', { name: words.save, exact: true }).click();
    await page.getByText(words.saved).waitFor();
    assert.ok(await page.isChecked('#value-5'), 'the saved rating is the form\'s');
    assert.deepEqual(await violations(page), [], `the rated page in ${lang}`);
    await page.screenshot({ path: join(artefacts, `rated.${lang}.png`), fullPage: true });
    await context.close();
  });
}

test('with JavaScript off and the keyboard only, a person rates an interlinker', async () => {
  const context = await visitor('it', { javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, 'it', 'keyboard-rater');
  await page.goto(base + PAGES.find((p) => p.name === 'interlinker').path);
  await page.focus('#value-1');
  // Arrow keys move through a radio group; three steps right is 4 stars.
  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
  assert.ok(await page.isChecked('#value-4'), 'the arrows choose 4 stars');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Utile');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Facile da condividere.');
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.getByText(RATE.it.saved).waitFor();
  assert.ok(await page.getByText('4 stelle su 5 · Utile').isVisible());
  await context.close();
});

/** Submits the page's main form (its words differ per language). */
async function submit(page, form = 'form.stack') {
  await page.locator(`${form} button[type="submit"]`).click();
}

/** Checks the open page with axe and keeps its screenshot. */
async function checked(page, name, lang) {
  assert.equal(await page.getAttribute('html', 'lang'), lang, `${name} in ${lang}`);
  assert.deepEqual(await violations(page), [], `${name} in ${lang}`);
  await page.screenshot({ path: join(artefacts, `${name}.${lang}.png`), fullPage: true });
}

for (const lang of LANGUAGES) {
  test(`a PA employee runs an organisation and a team, and citizens join it, in ${lang}`, async () => {
    const admin = await (await visitor(lang)).newPage();
    await signIn(admin, lang, `pa-${lang}`);
    await admin.goto(base + '/organizations');
    await admin.locator('a[href="/organizations/new"]').click();
    await checked(admin, 'organization-new', lang);

    // Sent without a name: the mistake is summarised and at its input.
    await submit(admin);
    await admin.locator('.error-summary a[href="#name"]').waitFor();
    assert.equal(await admin.getAttribute('#name', 'aria-invalid'), 'true');
    await checked(admin, 'organization-mistake', lang);
    await admin.fill('#name', `Comune ${lang}`);
    await admin.fill('#description', 'Co-producing the city.');
    await admin.check('#policy-anyone');
    await submit(admin);
    await admin.waitForURL(/\/organizations\/[0-9a-f-]+\?created=1$/);
    assert.equal(await admin.locator('h1').textContent(), `Comune ${lang}`);
    await checked(admin, 'organization', lang);

    // Its edit form keeps the values; a new name in this language is saved.
    await admin.locator('a[href$="/edit"]').click();
    assert.equal(await admin.inputValue('#name'), `Comune ${lang}`);
    await checked(admin, 'organization-edit', lang);
    await admin.fill('#name', `Città ${lang}`);
    await submit(admin);
    await admin.waitForURL(/\?saved=1$/);
    assert.equal(await admin.locator('h1').textContent(), `Città ${lang}`);

    await admin.locator('a[href$="/teams/new"]').click();
    await checked(admin, 'team-new', lang);
    await admin.fill('#name', `Mobility ${lang}`);
    await submit(admin);
    await admin.waitForURL(/\/teams\/[0-9a-f-]+\?done=created$/);
    const team = new URL(admin.url()).pathname;
    await checked(admin, 'team-administered', lang);

    // An invitation: its link carries the code after '#'.
    await admin.fill('#email', `invitee-${lang}@example.org`);
    await admin.locator(`form[action="${team}/invitations"] button`).click();
    await admin.locator('#invitation-link').waitFor();
    await checked(admin, 'invitation-made', lang);
    const link = await admin.inputValue('#invitation-link');
    assert.match(link, /\/invitation#[A-Za-z0-9_-]{43}$/);

    // The invitee opens the link, signs in, and comes back to accept it:
    // the page's script kept the code for this tab.
    const invitee = await (await visitor(lang)).newPage();
    await invitee.goto(link);
    assert.equal(new URL(invitee.url()).hash, '', 'the code leaves the address bar');
    await checked(invitee, 'invitation-signed-out', lang);
    await invitee.locator('main a[href^="/sign-in"]').click();
    await invitee.fill('#subject', `invitee-${lang}`);
    await submit(invitee);
    await invitee.waitForURL(base + '/invitation');
    assert.equal((await invitee.inputValue('#code')).length, 43, 'the code is filled in');
    await checked(invitee, 'invitation-accept', lang);
    await submit(invitee);
    await invitee.waitForURL(new RegExp(`${team}\\?done=joined$`));
    await checked(invitee, 'team-joined', lang);

    // A citizen reads the team page and asks to join.
    const citizen = await (await visitor(lang)).newPage();
    await citizen.goto(base + team);
    await checked(citizen, 'team', lang);
    await signIn(citizen, lang, `applicant-${lang}`);
    await citizen.goto(base + team);
    await citizen.fill('#reason', 'I ride to work.');
    await submit(citizen);
    await citizen.waitForURL(/\?done=applied$/);
    await checked(citizen, 'team-applied', lang);

    // The administrator accepts: the team has three members.
    await admin.goto(base + team);
    await admin.locator('input[name="decision"][value="accept"] + button').click();
    await admin.waitForURL(/\?done=decided#applications$/);
    await checked(admin, 'team-decided', lang);
    assert.equal(await admin.locator('ul.people > li').count(), 3);
    for (const page of [admin, invitee, citizen]) await page.context().close();
  });
}

test('with JavaScript off and the keyboard only, a citizen accepts an invitation by its code and another asks to join', async () => {
  const admin = await (await visitor('es')).newPage();
  await signIn(admin, 'es', 'pa-nojs');
  await admin.goto(base + '/organizations/new');
  await admin.fill('#name', 'Diputación');
  await submit(admin);
  await admin.locator('a[href$="/teams/new"]').click();
  await admin.fill('#name', 'Participación');
  await submit(admin);
  await admin.waitForURL(/\/teams\//);
  const team = new URL(admin.url()).pathname;
  await admin.fill('#email', 'nojs@example.org');
  await admin.locator(`form[action="${team}/invitations"] button`).click();
  const code = await admin.inputValue('#invitation-code');

  const invitee = await (await visitor('es', { javaScriptEnabled: false })).newPage();
  await signIn(invitee, 'es', 'nojs-invitee');
  await invitee.goto(base + '/invitation');
  // A wrong code is named at its input, then the right one is typed.
  await invitee.focus('#code');
  await invitee.keyboard.type('not-a-code');
  await invitee.keyboard.press('Enter');
  await invitee.locator('#code-error').waitFor();
  assert.equal(await invitee.inputValue('#code'), 'not-a-code', 'what was typed is kept');
  await invitee.fill('#code', '');
  await invitee.focus('#code');
  await invitee.keyboard.type(code);
  await invitee.keyboard.press('Tab');
  await invitee.keyboard.press('Enter');
  await invitee.waitForURL(new RegExp(`${team}\\?done=joined$`));

  const applicant = await (await visitor('es', { javaScriptEnabled: false })).newPage();
  await signIn(applicant, 'es', 'nojs-applicant');
  await applicant.goto(base + team);
  await applicant.focus('#reason');
  await applicant.keyboard.type('Vivo en el barrio.');
  await applicant.keyboard.press('Tab');
  await applicant.keyboard.press('Enter');
  await applicant.waitForURL(/\?done=applied$/);
  // The request waits, and can be withdrawn.
  await applicant.locator('input[name="decision"][value="withdraw"] + button').click();
  await applicant.waitForURL(/\?done=withdrawn#applications$/);
  assert.equal(await applicant.locator('#reason').count(), 1, 'the form to ask again is back');
  for (const page of [admin, invitee, applicant]) await page.context().close();
});

for (const lang of LANGUAGES) {
  test(`a person keeps their profile and erases their account in ${lang}`, async () => {
    const page = await (await visitor(lang)).newPage();
    await signIn(page, lang, `profile-${lang}`);
    await page.locator('.account a[href="/me"]').click();
    await page.waitForURL(base + '/me');
    await checked(page, 'profile', lang);

    await page.fill('#name', '');
    await page.fill('#emails', 'not-an-address');
    await submit(page);
    await page.locator('.error-summary a[href="#name"]').waitFor();
    assert.equal(await page.getAttribute('#emails', 'aria-invalid'), 'true');
    await checked(page, 'profile-mistake', lang);

    await page.fill('#name', `Persona ${lang}`);
    await page.fill('#emails', `persona-${lang}@example.org`);
    await submit(page);
    await page.waitForURL(/\/me\?done=saved$/);
    assert.match((await page.locator('.account').textContent()) ?? '', new RegExp(`Persona ${lang}`));
    await page.locator('form[action="/me/terms"] button').click();
    await page.waitForURL(/\/me\?done=terms$/);
    await checked(page, 'profile-saved', lang);

    await page.locator('a[href="/me/erase"]').click();
    await checked(page, 'erase-confirm', lang);
    await page.locator('button.danger').click();
    await page.waitForURL(/\/\?erased=1$/);
    assert.equal(await page.locator('.account a[href^="/sign-in"]').count(), 1, 'signed out');
    await page.context().close();
  });
}

for (const lang of LANGUAGES) {
  test(`a person creates a process from their workspace in ${lang}, each step without axe violations`, async () => {
    const page = await (await visitor(lang)).newPage();
    await signIn(page, lang, `workspace-${lang}`);
    await page.goto(base + '/organizations/new');
    await page.fill('#name', `Barrio ${lang}`);
    await submit(page);
    await page.waitForURL(/\/organizations\/[0-9a-f-]+/);
    // A team of it, to be granted rights in the process.
    await page.locator('a[href$="/teams/new"]').click();
    await page.fill('#name', `Vecinos ${lang}`);
    await submit(page);
    await page.waitForURL(/\/teams\/[0-9a-f-]+\?done=created$/);

    await page.locator('nav a[href="/workspace"]').click();
    await page.waitForURL(base + '/workspace');
    await checked(page, 'workspace', lang);
    // Importing: sent without a file, the mistake is named.
    await page.locator('a[href="/workspace/import"]').click();
    await checked(page, 'process-import', lang);
    await page.locator('form[action="/workspace/import"] button').click();
    await page.locator('.error-summary a[href="#file"]').waitFor();
    await checked(page, 'process-import-mistake', lang);
    await page.goto(base + '/workspace');
    await page.locator('a[href="/workspace/new"]').click();
    await page.waitForURL(/\/workspace\/new/);
    assert.equal(await page.inputValue('#language'), lang, 'the page language is offered first');
    await checked(page, 'process-new', lang);

    // Nothing typed: the title's mistake, summarised and at its input.
    await submit(page);
    await page.locator('.error-summary a[href="#title"]').waitFor();
    assert.equal(await page.getAttribute('#title', 'aria-invalid'), 'true');
    await checked(page, 'process-new-mistake', lang);

    await page.fill('#title', `Proceso ${lang}`);
    await page.fill('#description', 'Un proceso de prueba.');
    await submit(page);
    await page.waitForURL(/\/processes\/[0-9a-f-]+\?created=1$/);
    await page.locator('p.notice[role="status"]').waitFor();
    await checked(page, 'process-created', lang);

    // Planned from the default schema; the second task waits for the first.
    await page.locator('#schema-default').check();
    await page.locator('form[action$="/plan"] button').click();
    await page.waitForURL(/\?planned=1$/);
    await checked(page, 'process-planned', lang);
    const forms = page.locator('form.task-status');
    await forms.nth(1).locator('select').selectOption('in-progress');
    await forms.nth(1).locator('button').click();
    await page.locator('h1').waitFor();
    assert.equal(await page.locator('main ul li a[href*="/guide/tasks/"]').count(), 1, 'the first task is named, linked to its place in the guide');
    await checked(page, 'task-blocked', lang);
    await page.goBack();
    await forms.nth(0).locator('select').selectOption('in-progress');
    await forms.nth(0).locator('button').click();
    await page.waitForURL(/\?status=1#task-/);
    assert.equal(await page.locator('form.task-status').nth(0).locator('select').inputValue(), 'in-progress');

    // The guide: the first phase's tree, then a task's panel with its forms
    // folded away. An end before the start is refused beside its input.
    await page.locator('nav.tabs a[href$="/guide"]').click();
    await page.waitForURL(/\/guide$/);
    await checked(page, 'guide', lang);
    await page.locator('.guide-tree a[href*="/guide/tasks/"]').first().click();
    await page.waitForURL(/\/guide\/tasks\/[0-9a-f-]+$/);
    await page.locator('details.inline-form:has(#start) summary').click();
    await page.fill('#start', '2027-03-10');
    await page.fill('#end', '2027-03-01');
    await page.locator('form[action$="/edit"] button').click();
    await page.locator('.error-summary a[href="#end"]').waitFor();
    assert.equal(await page.getAttribute('#end', 'aria-invalid'), 'true');
    await checked(page, 'guide-task-mistake', lang);
    await page.fill('#end', '2027-03-31');
    await page.locator('form[action$="/edit"] button').click();
    await page.waitForURL(/\?done=saved$/);
    // A link as a resource; a contribution claimed, then accepted.
    await page.locator('details.inline-form:has(#link-name) summary').click();
    await page.fill('#link-name', 'Mapa');
    await page.fill('#link-uri', 'https://example.org/map');
    await page.locator('form:has(#link-name) button').click();
    await page.waitForURL(/\?done=asset#resources$/);
    await page.locator('details.inline-form:has(#claim-description) summary').click();
    await page.fill('#claim-description', 'Hice el mapa.');
    await page.locator('form:has(#claim-description) button').click();
    await page.waitForURL(/\?done=claimed#contributions$/);
    await page.locator('button[value="accept"]').click();
    await page.waitForURL(/\?done=decided#contributions$/);
    assert.equal(await page.locator('a[href="https://example.org/map"]').count(), 1);
    await checked(page, 'guide-task', lang);
    // The work plan shows the task's bar, a link back to it in the guide.
    await page.locator('nav.tabs a[href$="/workplan"]').click();
    await page.locator('svg.gantt a[href*="guide/tasks/"]').first().waitFor();
    await checked(page, 'workplan', lang);
    await page.locator('nav.tabs a[href$="/resources"]').click();
    await page.locator('table.plain a[href="https://example.org/map"]').waitFor();
    await checked(page, 'process-resources', lang);
    await page.locator('nav.tabs a[href$="/monitoring"]').click();
    await page.locator('ul.kpis').first().waitFor();
    await checked(page, 'process-monitoring', lang);
    // The team tab: a grant of no right is refused; then the team may add
    // resources to the task, and its row says so.
    await page.locator('nav.tabs a[href$="/team"]').click();
    await page.locator('#right-access_assets').uncheck();
    await page.locator('form[action$="/grants"] button').click();
    await page.locator('.error-summary a[href="#grant-rights"]').waitFor();
    await checked(page, 'process-team-mistake', lang);
    await page.locator('#right-create_assets').check();
    await page.locator('form[action$="/grants"] button').click();
    await page.waitForURL(/\/team\?granted=1$/);
    assert.equal(await page.locator('table.plain tbody tr').count(), 1);
    await checked(page, 'process-team', lang);
    await page.locator('nav.tabs a').first().click();
    await page.waitForURL(/\/processes\/[0-9a-f-]+$/);

    // Under way, its story is told, read and rated.
    await page.locator('a[href$="/stories/new"]').click();
    await checked(page, 'story-new', lang);
    await page.fill('#title', `Historia ${lang}`);
    await page.fill('#results', 'Un parque nuevo.');
    await submit(page);
    await page.waitForURL(/\/stories\/[0-9a-f-]+\?published=1$/);
    await page.locator('#value-4').check();
    await submit(page, 'form[action$="/rating"]');
    await page.waitForURL(/\?rated=1$/);
    await page.locator('p.notice[role="status"]').waitFor();
    await checked(page, 'story-rated', lang);
    await page.locator('nav a[href="/workspace"]').click();
    await page.getByRole('link', { name: `Proceso ${lang}` }).waitFor();
    await checked(page, 'workspace-listed', lang);
    await page.getByRole('link', { name: `Proceso ${lang}` }).click();

    // Its settings: renamed, then deleted after the confirmation.
    await page.locator('nav.tabs a[href$="/settings"]').click();
    await checked(page, 'process-settings', lang);
    await page.fill('#title', `Proceso ${lang} (2)`);
    await submit(page, 'form[action$="/settings"]');
    await page.waitForURL(/\?saved=1$/);
    assert.equal(await page.locator('h1').textContent(), `Proceso ${lang} (2)`);
    await page.locator('nav.tabs a[href$="/settings"]').click();
    await page.locator('a[href$="/delete"]').click();
    await checked(page, 'process-delete', lang);
    await page.locator('button.danger').click();
    await page.waitForURL(/\/workspace\?deleted=1$/);
    assert.equal(await page.getByRole('link', { name: `Proceso ${lang} (2)` }).count(), 0);
    await page.context().close();
  });
}

test('with JavaScript off and the keyboard only, a person creates a process', async () => {
  const page = await (await visitor('it', { javaScriptEnabled: false })).newPage();
  await signIn(page, 'it', 'workspace-nojs');
  await page.goto(base + '/organizations/new');
  await page.fill('#name', 'Comune di prova');
  await submit(page);
  await page.waitForURL(/\/organizations\/[0-9a-f-]+/);
  await page.goto(base + '/workspace/new');
  await page.focus('#title');
  await page.keyboard.type('Orti urbani');
  // Tab on to the submit button, past the organisation, language,
  // description, logo and the public box.
  for (let i = 0; i < 12; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.getAttribute('type') === 'submit')) break;
  }
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/processes\/[0-9a-f-]+\?created=1$/);
  assert.equal(await page.locator('h1').textContent(), 'Orti urbani');
  await page.context().close();
});
