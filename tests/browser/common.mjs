// What the browser tests share: Debian's chromium launched for this
// machine, and axe-core's WCAG 2.1 A and AA findings on a page.

import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

/** Debian's chromium, kept off the network it cannot reach here (its
 * background services would otherwise try Google's hosts). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A fresh context of `browser` whose Accept-Language asks for `lang`. */
export async function newVisitor(browser, lang, options = {}) {
  const context = await browser.newContext({ locale: lang, ...options });
  // A step that cannot happen fails with its locator named, not a hang.
  context.setDefaultTimeout(15000);
  return context;
}

/** axe's WCAG 2.1 A and AA findings on the open page, one line each. */
export async function violations(page) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
}
