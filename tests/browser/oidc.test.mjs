// Signing in with a real OpenID provider (npm oidc-provider, a certified
// implementation) started here on OIDC_PORT, against a running `interlink
// up` at INTERLINK_BASE_URL that trusts it (tests/browser.rs starts both
// with the same client id and secret). Debian's chromium plays a person
// signing in, their token being refreshed, their sign-in ending at the
// provider, and signing out there too; forged and replayed answers from
// the provider are refused.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import { launchChromium, newVisitor, violations } from './common.mjs';

const base = process.env.INTERLINK_BASE_URL;
const artefacts = process.env.INTERLINK_ARTEFACTS;
const port = Number(process.env.OIDC_PORT);
const clientSecret = process.env.OIDC_CLIENT_SECRET;
assert.ok(base && artefacts && port && clientSecret, 'INTERLINK_BASE_URL, INTERLINK_ARTEFACTS, OIDC_PORT and OIDC_CLIENT_SECRET are set');
mkdirSync(artefacts, { recursive: true });

const issuer = `http://127.0.0.1:${port}`;
/** Access tokens live this long: 5 s past the pages' 30-s margin, so a
 * session needs its refresh soon after signing in. */
const ACCESS_TOKEN_SECONDS = 35;
const NAMES = { ana: 'Ana Oidc', luis: 'Luis Oidc' };

/** Grants the token endpoint made, by type, and the sign-ins (grants) held. */
const tokenGrants = [];
const grantIds = new Set();

let provider;
let server;
let browser;

before(async () => {
  provider = new Provider(issuer, {
    clients: [{
      client_id: 'interlink-web',
      client_secret: clientSecret,
      redirect_uris: [`${base}/sign-in/callback`],
      post_logout_redirect_uris: [`${base}/`],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    }],
    cookies: { keys: ['interlink-oidc-test-cookie-key'] },
    claims: { openid: ['sub'], profile: ['name'], email: ['email'] },
    scopes: ['openid', 'offline_access', 'profile', 'email'],
    async findAccount(_ctx, id) {
      return {
        accountId: id,
        claims: async () => ({ sub: id, name: NAMES[id] ?? id, email: `${id}@example.org` }),
      };
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: { enabled: true },
      // JWT access tokens for the platform's services (audience `interlink`).
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:interlink',
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'interlink',
          audience: 'interlink',
          accessTokenTTL: ACCESS_TOKEN_SECONDS,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    // The services take the person's name from their token, as Keycloak's
    // access tokens carry it.
    extraTokenClaims: (_ctx, token) =>
      token.kind === 'AccessToken' ? { name: NAMES[token.accountId] ?? token.accountId } : undefined,
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: { AccessToken: ACCESS_TOKEN_SECONDS, IdToken: 3600, RefreshToken: 3600, Session: 3600, Grant: 3600 },
  });
  provider.on('grant.success', (ctx) => tokenGrants.push(ctx.oidc.params.grant_type));
  provider.on('refresh_token.saved', (token) => grantIds.add(token.grantId));
  provider.on('server_error', (_ctx, error) => console.error('provider error', error));
  server = provider.listen(port);
  await new Promise((resolve) => server.once('listening', resolve));
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve) ?? resolve());
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until a session's access token counts as ended at the pages. */
const untilTheTokenEnds = () => sleep((ACCESS_TOKEN_SECONDS - 30 + 2) * 1000);

/** Signs in at the provider's own pages, from the site's sign-in link. */
async function signInAtTheProvider(page, login) {
  await page.goto(`${base}/catalogue`);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === issuer || url.pathname === '/catalogue');
  if (new URL(page.url()).origin === issuer) {
    const loginInput = page.locator('input[name="login"]');
    if (await loginInput.count()) {
      await loginInput.fill(login);
      await page.locator('input[name="password"]').fill('any password');
      await page.locator('button[type="submit"]').click();
    }
    // The provider asks once to let the platform have the person's profile.
    await page.waitForURL((url) => url.origin === issuer ? url.pathname.startsWith('/interaction/') : true);
    if (new URL(page.url()).origin === issuer) {
      await page.getByRole('button', { name: 'Continue' }).click();
    }
  }
  await page.waitForURL(`${base}/catalogue`);
}

test('a person signs in at the provider, is refreshed, ends at the provider, signs in again and signs out there', async () => {
  const context = await newVisitor(browser, 'en');
  const page = await context.newPage();
  const callbacks = [];
  page.on('request', (request) => {
    if (request.url().startsWith(`${base}/sign-in/callback`)) callbacks.push(request.url());
  });

  await signInAtTheProvider(page, 'ana');
  await assert.doesNotReject(page.getByText('Signed in as Ana Oidc').waitFor());
  assert.equal(callbacks.length, 1, 'the provider sent the person back once');
  // The PA's accent colour (tests/browser.rs sets it) is the masthead's.
  const masthead = await page.locator('.masthead').evaluate((el) => getComputedStyle(el).backgroundColor);
  assert.equal(masthead, 'rgb(166, 25, 46)');
  assert.deepEqual(await violations(page), []);
  assert.ok(tokenGrants.includes('authorization_code'));
  await page.screenshot({ path: join(artefacts, 'oidc-signed-in.en.png'), fullPage: true });

  // The session cookie is sealed: no token in it the page could read, and
  // none in a URL.
  const cookies = await context.cookies(base);
  const session = cookies.filter((c) => c.name.startsWith('interlink_session'));
  assert.ok(session.length >= 1 && session.every((c) => c.httpOnly && c.sameSite === 'Lax'));
  assert.ok(!callbacks[0].includes('eyJ'), 'no token in the callback address');

  // Coming back with the same answer again is refused: it was spent.
  let response = await page.goto(callbacks[0]);
  assert.equal(response.status(), 400);
  await assert.doesNotReject(page.getByRole('heading', { name: 'This sign-in has expired or was already used' }).waitFor());
  assert.deepEqual(await violations(page), []);

  // The access token ends; the next page renews it with the refresh token
  // and the person stays signed in, their calls accepted by the services.
  await untilTheTokenEnds();
  response = await page.goto(`${base}/me`);
  assert.equal(response.status(), 200);
  await assert.doesNotReject(page.getByText('Signed in as Ana Oidc').waitFor());
  assert.equal(await page.getByLabel('Your name', { exact: true }).inputValue(), 'Ana Oidc');
  assert.ok(tokenGrants.includes('refresh_token'), `a refresh happened: ${tokenGrants}`);

  // The provider stops answering as the token ends: the page shows
  // without the person, saying nothing ended, and keeps the session; once
  // the provider answers again, the person is still signed in.
  server.close();
  server.closeAllConnections();
  await untilTheTokenEnds();
  await page.goto(`${base}/catalogue`);
  assert.equal(await page.getByText('Signed in as').count(), 0);
  assert.equal(await page.getByText('Your session has ended').count(), 0);
  server = provider.listen(port);
  await new Promise((resolve) => server.once('listening', resolve));
  await page.goto(`${base}/catalogue`);
  await assert.doesNotReject(page.getByText('Signed in as Ana Oidc').waitFor());

  // The sign-in ends at the provider (an administrator ended it, or it
  // expired there): once the token ends, the person is signed out here.
  for (const id of grantIds) {
    const grant = await provider.Grant.find(id);
    await grant?.destroy();
  }
  await untilTheTokenEnds();
  await page.goto(`${base}/catalogue`);
  await assert.doesNotReject(page.getByText('Your session has ended. Sign in again to go on.').waitFor());
  assert.equal(await page.getByText('Signed in as').count(), 0);

  // Signing in again (the provider remembers the person), then signing out
  // ends the provider's session too, after it asks.
  await signInAtTheProvider(page, 'ana');
  await assert.doesNotReject(page.getByText('Signed in as Ana Oidc').waitFor());
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL((url) => url.origin === issuer);
  await page.getByRole('button', { name: 'Yes, sign me out' }).click();
  await page.waitForURL(`${base}/`);
  assert.equal(await page.getByText('Signed in as').count(), 0);
  // The provider asks for a login again: its session ended.
  await page.getByRole('link', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === issuer);
  await assert.doesNotReject(page.locator('input[name="login"]').waitFor());
  await context.close();
});

test('an answer from the provider that this browser did not ask for is refused, in the visitor\'s language', async () => {
  const context = await newVisitor(browser, 'es');
  const page = await context.newPage();
  // A provider's refusal (the person declined) is said plainly.
  const [authorization] = await Promise.all([
    page.waitForRequest((request) => request.url().startsWith(`${issuer}/auth`)),
    page.goto(`${base}/sign-in?next=/`),
  ]);
  const state = new URL(authorization.url()).searchParams.get('state');
  assert.ok(state, 'the sign-in left with a state');
  await page.goto(`${base}/sign-in/callback?error=access_denied&state=${state}`);
  await assert.doesNotReject(page.getByRole('heading', { name: 'No ha iniciado sesión' }).waitFor());

  // The sign-in begins again: the provider's login page is open.
  await page.goto(`${base}/sign-in?next=/catalogue`);
  await page.waitForURL((url) => url.origin === issuer);
  const login = page.url();

  // A forged answer (another state) is refused, and spends the sign-in.
  const response = await page.goto(`${base}/sign-in/callback?code=forged-code&state=forged-state`);
  assert.equal(response.status(), 400);
  await assert.doesNotReject(page.getByRole('heading', { name: 'Se ha rechazado este inicio de sesión' }).waitFor());
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  assert.deepEqual(await violations(page), []);
  await page.screenshot({ path: join(artefacts, 'oidc-refused.es.png'), fullPage: true });

  // So the real answer, arriving after it, finds nothing to finish.
  await page.goto(login);
  await page.locator('input[name="login"]').fill('luis');
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.waitForURL((url) => url.pathname === '/sign-in/callback');
  await assert.doesNotReject(page.getByRole('heading', { name: 'Este inicio de sesión ha caducado o ya se usó' }).waitFor());
  assert.equal(await page.getByText('Sesión iniciada como').count(), 0);

  await context.close();
});
