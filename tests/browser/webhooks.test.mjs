// An organisation's webhooks in a real browser, in each of the four
// languages: its administrator opens them from the organisation's page,
// is refused an http:// address on a private network (the message beside
// the address), adds a webhook and sees its signing secret once, opens
// its page, gives it a new secret, disables and enables it, opens the
// delivery of an event of the organisation and sends it again, and
// deletes it; axe finds nothing on any of those pages and each reflows at
// 320 px. With JavaScript off the form adds a webhook too. Run by
// tests/browser.rs with INTERLINK_BASE_URL, the organisation
// (INTERLINK_ORGANIZATION, `organizations/{id}`) and a token of its
// administrator `webhook-admin` (INTERLINK_ADMIN_TOKEN), for the REST
// call that makes the event.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, newVisitor, violations } from './common.mjs';

const base = process.env.INTERLINK_BASE_URL;
const artefacts = process.env.INTERLINK_ARTEFACTS;
const organization = process.env.INTERLINK_ORGANIZATION;
const token = process.env.INTERLINK_ADMIN_TOKEN;
assert.ok(base, 'INTERLINK_BASE_URL names the site');
assert.ok(artefacts, 'INTERLINK_ARTEFACTS names where screenshots go');
assert.ok(organization && token, 'tests/browser.rs names the organisation and its administrator');
mkdirSync(artefacts, { recursive: true });

/** The pages' words in each language (as the .ftl files say). */
const WORDS = {
  en: {
    refused: "Enter your receiver's address as an https:// link",
    created: 'The webhook is added',
    once: 'it will not be shown again',
    rotated: 'The webhook has a new signing secret',
    disabled: 'The webhook is disabled',
    enabled: 'The webhook is enabled',
    replayed: 'The delivery is being sent again.',
    deleted: 'The webhook is deleted.',
  },
  es: {
    refused: 'Escriba la dirección de su receptor como un enlace https://',
    created: 'El webhook se ha añadido',
    once: 'no se volverá a mostrar',
    rotated: 'El webhook tiene un nuevo secreto de firma',
    disabled: 'El webhook está desactivado',
    enabled: 'El webhook está activado',
    replayed: 'La entrega se está volviendo a enviar.',
    deleted: 'El webhook se ha eliminado.',
  },
  it: {
    refused: "Scrivi l'indirizzo del tuo ricevitore come link https://",
    created: 'Il webhook è stato aggiunto',
    once: 'non verrà mostrato di nuovo',
    rotated: 'Il webhook ha un nuovo segreto di firma',
    disabled: 'Il webhook è disattivato',
    enabled: 'Il webhook è attivo',
    replayed: 'La consegna viene inviata di nuovo.',
    deleted: 'Il webhook è stato eliminato.',
  },
  lv: {
    refused: 'Ierakstiet sava saņēmēja adresi kā https:// saiti',
    created: 'Tīmekļa āķis ir pievienots',
    once: 'tas vairs netiks parādīts',
    rotated: 'Tīmekļa āķim ir jauns parakstīšanas noslēpums',
    disabled: 'Tīmekļa āķis ir atspējots',
    enabled: 'Tīmekļa āķis ir iespējots',
    replayed: 'Piegāde tiek sūtīta vēlreiz.',
    deleted: 'Tīmekļa āķis ir dzēsts.',
  },
};

const webhooksPath = `/${organization}/webhooks`;

let browser;
before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

/** A page of a new context in `lang`, signed in as the administrator. */
async function signedIn(lang, javaScriptEnabled) {
  const context = await newVisitor(browser, lang, { javaScriptEnabled });
  const page = await context.newPage();
  await page.goto(`${base}/sign-in`);
  await page.locator('#subject').fill('webhook-admin');
  await page.locator('#name').fill(`Webhooks ${lang}`);
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

/** Submits the form to add a webhook, as it is filled. */
async function add(page) {
  await page.locator(`form[action="${webhooksPath}"] button[type="submit"]`).click();
}

/** A team of the organisation, made through the REST API: an event. */
async function makeTeam(lang) {
  const made = await fetch(`${base}/v1/${organization}/teams`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: { values: { [lang]: `Hooks ${lang}` } } }),
  });
  assert.equal(made.status, 200, await made.text());
}

for (const lang of Object.keys(WORDS)) {
  const words = WORDS[lang];
  test(`an organisation's administrator manages a webhook in ${lang}`, async () => {
    const page = await signedIn(lang, true);
    await page.goto(`${base}/${organization}`);
    await page.locator(`main a[href="${webhooksPath}"]`).click();
    await page.waitForURL((url) => url.pathname === webhooksPath);

    // Refused: the message beside the address, what was typed kept.
    await page.locator('#url').fill('http://127.0.0.1/in');
    await page.locator('#description').fill(`Partner ${lang}`);
    await page.locator('#event-community-team-created').check();
    await add(page);
    await page.locator('#url-error').waitFor();
    assert.match((await page.locator('#url-error').textContent()) ?? '', new RegExp(words.refused.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
    assert.equal(await page.locator('#url').getAttribute('aria-invalid'), 'true');
    assert.match((await page.locator('#url').getAttribute('aria-describedby')) ?? '', /url-error/);
    assert.equal(await page.locator('#url').inputValue(), 'http://127.0.0.1/in');
    assert.equal(await page.locator('#event-community-team-created').isChecked(), true);
    assert.equal(await page.locator('.error-summary a[href="#url"]').count(), 1);
    // (The list and its form, checked with the error shown.)
    await checked(page, lang, 'webhooks-refused');

    // Added: the secret, once.
    await page.locator('#url').fill(`https://hooks.example.org/in/${lang}`);
    await add(page);
    await page.getByRole('heading', { level: 1, name: words.created }).waitFor();
    const secret = await page.locator('#secret').inputValue();
    assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
    assert.match(await notice(page), new RegExp(words.once));
    await checked(page, lang, 'webhook-created');

    // Its page: never the secret again.
    await page.locator('main .actions a[href^="/webhooks/"]').click();
    await page.waitForURL(/\/webhooks\/[0-9a-f-]{36}$/);
    const webhook = new URL(page.url()).pathname;
    assert.ok(!(await page.content()).includes(secret), 'the secret is not shown again');
    assert.equal(await page.locator('#url').inputValue(), `https://hooks.example.org/in/${lang}`);
    assert.equal(await page.locator('#event-community-team-created').isChecked(), true);
    await makeTeam(lang);

    // A new secret, once; the previous one signs too until a time given.
    await page.locator(`form[action="${webhook}/secret"] button`).click();
    await page.getByRole('heading', { level: 1, name: words.rotated }).waitFor();
    const rotated = await page.locator('#secret').inputValue();
    assert.match(rotated, /^whsec_/);
    assert.notEqual(rotated, secret);
    assert.equal(await page.locator('main dl time').count(), 1);
    await checked(page, lang, 'webhook-rotated');

    // Disabled, then enabled again.
    await page.goto(`${base}${webhook}`);
    await page.locator(`form[action="${webhook}/enabled"] button`).click();
    await page.waitForURL(/done=disabled/);
    assert.match(await notice(page), new RegExp(words.disabled));
    assert.equal(await page.locator('input[name="enabled"]').inputValue(), 'yes');
    await checked(page, lang, 'webhook-disabled');
    await page.locator(`form[action="${webhook}/enabled"] button`).click();
    await page.waitForURL(/done=enabled/);
    assert.match(await notice(page), new RegExp(words.enabled));
    assert.equal(await page.locator('input[name="enabled"]').inputValue(), 'no');

    // The team's event: its delivery (tried, or waiting to be), sent again.
    const delivery = page.locator('#deliveries ~ table a[href*="/deliveries/"]').first();
    const deadline = Date.now() + 20000;
    while ((await delivery.count()) === 0) {
      assert.ok(Date.now() < deadline, `no delivery of the team's event in ${lang}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      await page.goto(`${base}${webhook}`);
    }
    // (The webhook's page, checked with a delivery listed.)
    await checked(page, lang, 'webhook');
    await delivery.click();
    await page.waitForURL(/\/deliveries\/[0-9a-f-]{36}$/);
    assert.match((await page.locator('main pre').textContent()) ?? '', /"type": "community\.team\.created"/);
    await checked(page, lang, 'webhook-delivery');
    await page.locator('main form[action$="/replay"] button').click();
    await page.waitForURL(/done=replayed/);
    assert.equal(await notice(page), words.replayed);

    // Deleted, after a confirmation.
    await page.goto(`${base}${webhook}`);
    await page.locator(`main a[href="${webhook}/delete"]`).click();
    await page.waitForURL(/\/delete$/);
    await checked(page, lang, 'webhook-delete');
    await page.locator('main button.danger').click();
    await page.waitForURL(/done=deleted/);
    assert.equal(await notice(page), words.deleted);
    assert.equal(await page.locator(`main a[href="${webhook}"]`).count(), 0);

    // With JavaScript off, the form adds one too.
    const plain = await signedIn(lang, false);
    await plain.goto(`${base}${webhooksPath}`);
    const address = `https://hooks.example.org/plain/${lang}/${randomUUID()}`;
    await plain.locator('#url').fill(address);
    await plain.locator('#event-coproduction-story-published').check();
    await add(plain);
    await plain.getByRole('heading', { level: 1, name: words.created }).waitFor();
    assert.match(await plain.locator('#secret').inputValue(), /^whsec_/);
    await plain.goto(`${base}${webhooksPath}`);
    assert.equal(
      await plain.locator(`main table a:text-is("${address}")`).count(),
      1,
    );
    await page.context().close();
    await plain.context().close();
  });
}
