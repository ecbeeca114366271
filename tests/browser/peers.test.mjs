// A platform administrator's federation peers in a real browser, in each
// of the four languages: the menu's link to the peers page, this
// deployment's feed address and key id on it, the add-peer form refusing
// bad fields (each message beside its input, what was typed kept), then,
// with JavaScript off, a peer added with a plain form post, its page (the
// other deployment's key trusted and read, or the error of a peer that
// does not answer), paused, resumed and read now. axe finds nothing on
// either page and each reflows at 320 px. Run by tests/browser.rs with
// INTERLINK_BASE_URL and a second deployment's feed (INTERLINK_PEER_FEED)
// and key id (INTERLINK_PEER_KID).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, newVisitor, violations } from './common.mjs';

const base = process.env.INTERLINK_BASE_URL;
const artefacts = process.env.INTERLINK_ARTEFACTS;
const peerFeed = process.env.INTERLINK_PEER_FEED;
const peerKid = process.env.INTERLINK_PEER_KID;
assert.ok(base, 'INTERLINK_BASE_URL names the site');
assert.ok(artefacts, 'INTERLINK_ARTEFACTS names where screenshots go');
assert.ok(peerFeed && peerKid, "tests/browser.rs names the other deployment's feed and key id");
mkdirSync(artefacts, { recursive: true });

/** The pages' words in each language (as the .ftl files say). */
const WORDS = {
  en: {
    nav: 'Federation',
    title: 'Federation peers',
    feedRefused: "Enter the feed's address as an https:// link",
    keysRefused: 'Enter 1 to 10 different key ids',
    added: 'The peer is added: its keys and feed are being read.',
    paused: 'The peer is paused: its feed is not read until you resume it.',
    resumed: 'The peer is resumed: its feed is read again from where it stopped.',
    synced: "The peer's feed is being read now.",
    pinned: 'pinned',
  },
  es: {
    nav: 'Federación',
    title: 'Despliegues federados',
    feedRefused: 'Escriba la dirección del feed como un enlace https://',
    keysRefused: 'Escriba entre 1 y 10 identificadores de clave distintos',
    added: 'El despliegue se ha añadido: se están leyendo sus claves y su feed.',
    paused: 'El despliegue está en pausa: su feed no se lee hasta que lo reanude.',
    resumed: 'El despliegue se ha reanudado: su feed se vuelve a leer desde donde se detuvo.',
    synced: 'Se está leyendo ahora el feed del despliegue.',
    pinned: 'fijada',
  },
  it: {
    nav: 'Federazione',
    title: 'Installazioni federate',
    feedRefused: "Scrivi l'indirizzo del feed come link https://",
    keysRefused: 'Scrivi da 1 a 10 identificativi di chiave diversi',
    added: "L'installazione è stata aggiunta: le sue chiavi e il suo feed vengono letti.",
    paused: "L'installazione è in pausa: il suo feed non viene letto finché non la riprendi.",
    resumed: "L'installazione è di nuovo attiva: il suo feed viene letto di nuovo da dove si era fermato.",
    synced: "Il feed dell'installazione viene letto ora.",
    pinned: 'fissata',
  },
  lv: {
    nav: 'Federācija',
    title: 'Federācijas partneri',
    feedRefused: 'Ierakstiet plūsmas adresi kā https:// saiti',
    keysRefused: 'Ierakstiet no 1 līdz 10 dažādiem atslēgu identifikatoriem',
    added: 'Partneris ir pievienots: tiek nolasītas tā atslēgas un plūsma.',
    paused: 'Partnera lasīšana ir apturēta: tā plūsma netiek lasīta, līdz jūs to atsākat.',
    resumed: 'Partnera lasīšana ir atsākta: tā plūsma atkal tiek lasīta no vietas, kur tā apstājās.',
    synced: 'Partnera plūsma tiek nolasīta tagad.',
    pinned: 'fiksēta',
  },
};

/** Where no deployment answers: a peer there shows why it is not read. */
const nowhere = (lang) => `http://127.0.0.1:9/${lang}/v1/federation/feed`;

let browser;
let ownKid;
before(async () => {
  browser = await launchChromium();
  const keys = await (await fetch(`${base}/.well-known/interlink-federation`)).json();
  ownKid = keys.keys[0].kid;
});
after(async () => {
  await browser?.close();
});

/** A page of a new context in `lang`, signed in as a platform administrator. */
async function signedIn(lang, javaScriptEnabled) {
  const context = await newVisitor(browser, lang, { javaScriptEnabled });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.locator('#subject').fill(`peers-admin-${lang}`);
  await page.locator('#name').fill(`Peers ${lang}`);
  await page.locator('#admin').check();
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

/** The text of the page's status notice. */
async function notice(page) {
  return (await page.locator('main .notice[role="status"]').first().textContent()) ?? '';
}

/** Submits the add-peer form, as it is filled. */
async function add(page) {
  await page.locator('form[action="/admin/peers"] button[type="submit"]').click();
}

/** Reloads the open page until `locator` finds something. */
async function reloadUntil(page, selector, what) {
  const deadline = Date.now() + 30000;
  while ((await page.locator(selector).count()) === 0) {
    assert.ok(Date.now() < deadline, `${what} never came`);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await page.reload();
  }
}

for (const lang of Object.keys(WORDS)) {
  const words = WORDS[lang];
  test(`a platform administrator adds and runs a federation peer in ${lang}`, async () => {
    // The menu's link; this deployment's feed address and key id.
    const page = await signedIn(lang, true);
    await page.goto(`${base}/`);
    await page.locator(`header nav a[href="/admin/peers"]:text-is("${words.nav}")`).click();
    await page.waitForURL((url) => url.pathname === '/admin/peers');
    await page.getByRole('heading', { level: 1, name: words.title }).waitFor();
    assert.equal(await page.locator('#own-feed-url').inputValue(), `${base}/v1/federation/feed`);
    assert.equal(await page.locator('#own-key-id').inputValue(), ownKid);
    await checked(page, lang, 'peers');

    // Refused: each message beside its input, what was typed kept.
    await page.locator('#feed-url').fill('ftp://peer.example.org/feed');
    await page.locator('#pinned-keys').fill('not-a-key-id');
    await page.locator('#display-name').fill(`Refused ${lang}`);
    await add(page);
    await page.locator('#feed-url-error').waitFor();
    assert.ok(((await page.locator('#feed-url-error').textContent()) ?? '').includes(words.feedRefused));
    assert.ok(((await page.locator('#pinned-keys-error').textContent()) ?? '').includes(words.keysRefused));
    assert.equal(await page.locator('#feed-url-error span[lang="en"]').count(), 1);
    assert.equal(await page.locator('#feed-url').getAttribute('aria-invalid'), 'true');
    assert.match((await page.locator('#pinned-keys').getAttribute('aria-describedby')) ?? '', /pinned-keys-error/);
    assert.equal(await page.locator('#feed-url').inputValue(), 'ftp://peer.example.org/feed');
    assert.equal(await page.locator('#pinned-keys').inputValue(), 'not-a-key-id');
    assert.equal(await page.locator('.error-summary a[href="#feed-url"]').count(), 1);
    assert.equal(await page.locator('.error-summary a[href="#pinned-keys"]').count(), 1);
    await checked(page, lang, 'peers-refused');

    // With JavaScript off, the form adds a peer: the other deployment
    // (in English), elsewhere one that does not answer.
    const plain = await signedIn(lang, false);
    await plain.goto(`${base}/admin/peers`);
    const feed = lang === 'en' ? peerFeed : nowhere(lang);
    await plain.locator('#feed-url').fill(feed);
    await plain.locator('#pinned-keys').fill(`${peerKid}\n`);
    await plain.locator('#display-name').fill(`Peer ${lang}`);
    await add(plain);
    await plain.waitForURL(/\/admin\/peers\/[0-9a-f-]{36}\?done=added$/);
    const peer = new URL(plain.url()).pathname;
    assert.equal(await notice(plain), words.added);
    // (axe runs in the page: its pages are checked in the visitor's
    // window with JavaScript on.)
    await page.goto(plain.url());
    await checked(page, lang, 'peer-added');
    if (lang === 'en') {
      await reloadUntil(page, `main .key-ids li:has(code:text-is("${peerKid}")) .tag:text-is("${words.pinned}")`, "the other deployment's key");
    } else {
      await reloadUntil(page, '#last-error span[lang="en"]', 'the error of a peer that does not answer');
    }
    // (Its page, checked with the key read or the error shown.)
    await checked(page, lang, 'peer');
    await plain.reload();

    // Paused, resumed and read now, with plain form posts.
    await plain.locator(`form[action="${peer}/paused"] button`).click();
    await plain.waitForURL(/done=paused/);
    assert.equal(await notice(plain), words.paused);
    assert.equal(await plain.locator(`form[action="${peer}/sync"]`).count(), 0);
    await plain.locator(`form[action="${peer}/paused"] button`).click();
    await plain.waitForURL(/done=resumed/);
    assert.equal(await notice(plain), words.resumed);
    await plain.locator(`form[action="${peer}/sync"] button`).click();
    await plain.waitForURL(/done=synced/);
    assert.equal(await notice(plain), words.synced);

    // The list shows it, by its name, with its feed address.
    await plain.goto(`${base}/admin/peers`);
    assert.equal(await plain.locator(`main table a[href="${peer}"]:text-is("Peer ${lang}")`).count(), 1);
    assert.equal(await plain.locator(`main table td:text-is("${feed}")`).count(), 1);
    await page.goto(`${base}/admin/peers`);
    await checked(page, lang, 'peers-listed');
    await page.context().close();
    await plain.context().close();
  });
}
