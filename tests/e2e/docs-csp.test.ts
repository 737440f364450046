import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docsPage } from '../../functions/impact-api/openapi.js';
import { API_CSP } from '../../infra/cdk/constructs/dashboard-site.js';
import { launchBrowser, screenshot } from '../helpers/dashboard-browser.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** `/docs` as CloudFront serves it: the handler's page under the API paths' CSP header. */
async function renderDocs(csp: string) {
  const page = await browser.newPage();
  await page.route('https://api.test/docs', (route) =>
    route.fulfill({
      contentType: 'text/html; charset=utf-8',
      headers: { 'content-security-policy': csp },
      body: docsPage(),
    }),
  );
  await page.addInitScript(
    `window.__violations = []; document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));`,
  );
  await page.goto('https://api.test/docs');
  const violations = (await page.evaluate('window.__violations')) as string[];
  const maxWidth = (await page.evaluate('getComputedStyle(document.body).maxWidth')) as string;
  return { page, violations, maxWidth };
}

describe("The /docs page under CloudFront's API content security policy", () => {
  it('renders with its style and breaks no directive', async () => {
    const { page, violations, maxWidth } = await renderDocs(API_CSP);
    expect(violations).toEqual([]);
    expect(maxWidth).toBe('960px'); // 60rem: the inline style applied
    await screenshot(page, 'api-docs');
    await page.close();
  });

  it('would lose its style under a policy without its hash (the check above can fail)', async () => {
    const { page, violations, maxWidth } = await renderDocs("default-src 'none'");
    expect(violations.length).toBeGreaterThan(0);
    expect(maxWidth).toBe('none');
    await page.close();
  });
});
