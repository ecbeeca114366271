// Federation on the pages of deployment B (INTERLINK_BASE_URL), which
// mirrors what deployment A (INTERLINK_PEER_URL, named INTERLINK_PEER_NAME)
// shares: an interlinker, a schema and a story, at the paths that
// tests/browser.rs passes. In each of the four languages, the catalogue
// with its origin badge and filter, the mirrors' pages (as visitors, as
// catalogue editors and as someone who may adopt the story) have no WCAG
// 2.1 AA violation axe-core finds, nor do the pages after an editor adopts
// the mirror and shares the copy, and after a person adopts the story as a
// process of their organisation. With JavaScript off (axe needs it, so
// those steps are checked as they work), an editor shares an entry and
// adopts a mirror, and a person filters the stories by origin and adopts
// the mirrored one.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, newVisitor, violations } from './common.mjs';

const base = process.env.INTERLINK_BASE_URL;
const artefacts = process.env.INTERLINK_ARTEFACTS;
const peer = process.env.INTERLINK_PEER_URL;
const peerName = process.env.INTERLINK_PEER_NAME;
const mirrors = {
  interlinker: process.env.INTERLINK_MIRROR_INTERLINKER,
  story: process.env.INTERLINK_MIRROR_STORY,
  schema: process.env.INTERLINK_MIRROR_SCHEMA,
};
assert.ok(base && artefacts && peer && peerName, 'the platform, the artefacts and the peer are named');
assert.ok(mirrors.interlinker && mirrors.story && mirrors.schema, 'the mirrors are named');
mkdirSync(artefacts, { recursive: true });

const LANGUAGES = ['en', 'es', 'it', 'lv'];

/** The words of the pages in each language (as the .ftl files say). */
const WORDS = {
  en: {
    from: `From ${peerName}`,
    sharedBy: `Shared by ${peerName}`,
    thisDeployment: 'This deployment',
    apply: 'Apply filters',
    share: 'Share with other deployments',
    stop: 'Stop sharing',
    sharedNow: 'The entry is now shared with other deployments.',
    adopt: 'Adopt into this catalogue',
    adoptedCopy: 'This is the adopted copy',
    adoptedFrom: `Adopted from ${peerName}.`,
    adoptStory: 'Adopt as a new process',
    processAdopted: `Adopted from a story shared by ${peerName}.`,
  },
  es: {
    from: `De ${peerName}`,
    sharedBy: `Procede de ${peerName}`,
    thisDeployment: 'Este despliegue',
    apply: 'Aplicar filtros',
    share: 'Compartir con otros despliegues',
    stop: 'Dejar de compartir',
    sharedNow: 'La entrada se comparte ahora con otros despliegues.',
    adopt: 'Adoptar en este catálogo',
    adoptedCopy: 'Esta es la copia adoptada',
    adoptedFrom: `Adoptado de ${peerName}.`,
    adoptStory: 'Adoptar como proceso nuevo',
    processAdopted: `Adoptado de una historia que comparte ${peerName}.`,
  },
  it: {
    from: `Da ${peerName}`,
    sharedBy: `Proviene da ${peerName}`,
    thisDeployment: 'Questa installazione',
    apply: 'Applica i filtri',
    share: 'Condividi con altre installazioni',
    stop: 'Smetti di condividere',
    sharedNow: 'Ora la voce è condivisa con altre installazioni.',
    adopt: 'Adotta in questo catalogo',
    adoptedCopy: 'Questa è la copia adottata',
    adoptedFrom: `Adottato da ${peerName}.`,
    adoptStory: 'Adotta come nuovo processo',
    processAdopted: `Adottato da una storia condivisa da ${peerName}.`,
  },
  lv: {
    from: `Avots: ${peerName}`,
    sharedBy: `Kopīgo izvietojums „${peerName}”`,
    thisDeployment: 'Šis izvietojums',
    apply: 'Lietot filtrus',
    share: 'Kopīgot ar citiem izvietojumiem',
    stop: 'Pārtraukt kopīgošanu',
    sharedNow: 'Ieraksts tagad tiek kopīgots ar citiem izvietojumiem.',
    adopt: 'Pārņemt šajā katalogā',
    adoptedCopy: 'Šī ir pārņemtā kopija',
    adoptedFrom: `Pārņemšanas avots: izvietojums „${peerName}”.`,
    adoptStory: 'Pārņemt kā jaunu procesu',
    processAdopted: `Pārņemts no stāsta, ko kopīgo izvietojums „${peerName}”.`,
  },
};

/** What a visitor sees of federation, with a name for its screenshot. */
const PAGES = [
  { name: 'catalogue-origin-badge', path: '/catalogue?q=participatory', badge: true },
  { name: 'catalogue-from-peer', path: `/catalogue?origin=${encodeURIComponent(peer)}`, badge: true },
  { name: 'interlinker-mirror', path: mirrors.interlinker, notice: true },
  { name: 'stories-with-mirror', path: '/stories', badge: true },
  { name: 'story-mirror', path: mirrors.story, notice: true },
  { name: 'schemas-with-mirror', path: '/schemas', badge: true },
  { name: 'schema-mirror', path: mirrors.schema, notice: true },
];

let browser;
/** A local interlinker's page, as the origin filter finds one. */
let localEntry;

before(async () => {
  const local = await (await fetch(`${base}/catalogue?origin=local`)).text();
  localEntry = local.match(/href="(\/catalogue\/[0-9a-f-]{36})"/)?.[1];
  assert.ok(localEntry, 'the origin filter finds a local entry');
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
});

/** Signs `subject` in on the dev sign-in page (as a platform
 * administrator, so a catalogue editor, when `admin`). */
async function signIn(page, subject, admin) {
  await page.goto(`${base}/sign-in`);
  await page.locator('#subject').fill(subject);
  if (admin) await page.locator('#admin').check();
  await page.locator('#subject').press('Enter');
  await page.waitForURL(`${base}/`);
}

/** Checks the open page with axe and keeps its screenshot. */
async function checked(page, name, lang) {
  assert.equal(await page.getAttribute('html', 'lang'), lang, `${name} in ${lang}`);
  assert.deepEqual(await violations(page), [], `${name} in ${lang}`);
  await page.screenshot({ path: join(artefacts, `${name}.${lang}.png`), fullPage: true });
}

for (const lang of LANGUAGES) {
  test(`mirrors, their badges and the federation forms in ${lang}: no axe violation`, async () => {
    const words = WORDS[lang];
    const visitor = await newVisitor(browser, lang);
    const page = await visitor.newPage();
    for (const { name, path, badge, notice } of PAGES) {
      const response = await page.goto(base + path);
      assert.equal(response?.status(), 200, `${path} answers`);
      if (badge) {
        assert.ok(await page.locator('.tag.origin', { hasText: words.from }).first().isVisible(), `${path}: the badge`);
      }
      if (notice) {
        assert.ok(await page.getByRole('heading', { name: words.sharedBy }).isVisible(), `${path}: the notice`);
        assert.ok(await page.locator(`a[href="${peer}/.well-known/interlink-federation"]`).isVisible(), `${path}: the keys`);
        // The signature, opened, is checked too.
        await page.locator('details summary').first().click();
        assert.ok(await page.locator('#origin-signature').isVisible(), `${path}: the signature`);
      }
      await checked(page, name, lang);
    }
    // The catalogue's origin filter names this deployment and the peer.
    await page.goto(`${base}/catalogue?q=participatory`);
    await page.locator('details.filters summary').click();
    assert.ok(await page.getByLabel(new RegExp(`^${words.thisDeployment} \\(`)).isVisible());
    assert.ok(await page.getByLabel(new RegExp(`^${peerName} \\(`)).isVisible());
    await checked(page, 'catalogue-origin-filter', lang);
    await visitor.close();

    // A catalogue editor: the mirror's adopt button, a local entry's and a
    // local schema's sharing switches.
    const editor = await newVisitor(browser, lang);
    const editing = await editor.newPage();
    await signIn(editing, `editor-${lang}`, true);
    await editing.goto(base + mirrors.interlinker);
    assert.ok(await editing.getByRole('button', { name: words.adopt }).isVisible());
    await checked(editing, 'interlinker-mirror-editor', lang);
    await editing.goto(base + localEntry);
    assert.ok(await editing.getByRole('button', { name: words.share }).or(editing.getByRole('button', { name: words.stop })).isVisible());
    await checked(editing, 'interlinker-sharing', lang);
    await editing.goto(`${base}/schemas/default`);
    await checked(editing, 'schema-sharing', lang);
    // Adopted: the copy says where it came from, and is shared in turn.
    await editing.goto(base + mirrors.interlinker);
    await editing.getByRole('button', { name: words.adopt }).click();
    await editing.waitForURL(/\/catalogue\/[0-9a-f-]{36}\?adopted=1$/);
    await editing.getByText(words.adoptedFrom).waitFor();
    await checked(editing, 'interlinker-adopted', lang);
    await editing.getByRole('button', { name: words.share }).click();
    await editing.waitForURL(/\?shared=yes$/);
    await editing.getByText(words.sharedNow).waitFor();
    await checked(editing, 'interlinker-shared', lang);
    await editor.close();

    // Someone of an organisation: the form adopting the story, and the
    // process it makes.
    const member = await newVisitor(browser, lang);
    const adopting = await member.newPage();
    await signIn(adopting, 'adopter', false);
    await adopting.goto(base + mirrors.story);
    assert.ok(await adopting.getByRole('button', { name: words.adoptStory }).isVisible());
    await checked(adopting, 'story-mirror-adopt', lang);
    await adopting.getByRole('button', { name: words.adoptStory }).click();
    await adopting.waitForURL(/\/processes\/[0-9a-f-]{36}\?adopted=1$/);
    await adopting.getByText(words.processAdopted).waitFor();
    await checked(adopting, 'process-adopted', lang);
    await member.close();
  });
}

test('the mirrors\' pages, their signature shown, reflow at 320 px without scrolling sideways', async () => {
  const context = await newVisitor(browser, 'lv', { viewport: { width: 320, height: 640 } });
  const page = await context.newPage();
  for (const { name, path, notice } of PAGES) {
    await page.goto(base + path);
    if (notice) await page.locator('details summary').first().click();
    const [scroll, client] = await page.evaluate(() => [
      document.documentElement.scrollWidth,
      document.documentElement.clientWidth,
    ]);
    assert.ok(scroll <= client, `${path}: ${scroll} px wide in a ${client} px window`);
    await page.screenshot({ path: join(artefacts, `${name}.320px.png`), fullPage: true });
  }
  await context.close();
});

test('with JavaScript off, an editor shares an entry and adopts a mirror', async () => {
  const words = WORDS.en;
  const context = await newVisitor(browser, 'en', { javaScriptEnabled: false });
  const page = await context.newPage();
  await signIn(page, 'editor-nojs', true);
  await page.goto(base + localEntry);
  await page.getByRole('button', { name: words.share }).click();
  await page.waitForURL(/\?shared=yes$/);
  await page.getByText(words.sharedNow).waitFor();
  assert.ok(await page.getByRole('button', { name: words.stop }).isVisible());

  await page.goto(base + mirrors.interlinker);
  await page.getByRole('button', { name: words.adopt }).click();
  await page.waitForURL(/\/catalogue\/[0-9a-f-]{36}\?adopted=1$/);
  assert.ok(!page.url().includes(mirrors.interlinker), 'a new entry');
  await page.getByText(words.adoptedCopy).waitFor();
  await page.getByText(words.adoptedFrom).waitFor();
  await context.close();
});

test('with JavaScript off, a person filters the stories by origin and adopts a mirrored one', async () => {
  const words = WORDS.lv;
  const context = await newVisitor(browser, 'lv', { javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${base}/stories`);
  await page.getByLabel(peerName, { exact: true }).check();
  await page.getByRole('button', { name: words.apply }).click();
  await page.waitForURL(/\/stories\?origin=/);
  assert.ok(await page.locator('.tag.origin', { hasText: words.from }).first().isVisible());

  await signIn(page, 'adopter', false);
  await page.goto(base + mirrors.story);
  await page.locator('#adopt-organization').selectOption({ label: 'Rīgas dome' });
  await page.getByRole('button', { name: words.adoptStory }).click();
  await page.waitForURL(/\/processes\/[0-9a-f-]{36}\?adopted=1$/);
  await page.getByText(words.processAdopted).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'lv');
  await context.close();
});
