// Shared helpers of the browser specs: launching Debian's chromium through
// playwright-core with a fresh profile, signing in, assertions that say
// what they expected, screenshots.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const base = need('XIUHUA_BASE_URL');
export const artefacts = need('XIUHUA_ARTEFACTS');

export function need(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`missing environment variable ${name}`);
    process.exit(2);
  }
  return v;
}

const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const open = [];

// officer launches a browser with its own fresh profile (so its own
// cookies) and signs in as user.
export async function officer(user, password, opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'xiuhua-chromium-'));
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args,
    viewport: opts.viewport || { width: 1440, height: 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  open.push({ ctx, dir });
  const page = ctx.pages()[0] || await ctx.newPage();
  page.setDefaultTimeout(20000);
  page.on('pageerror', (e) => { console.error(`[${user}] page error: ${e}`); pageErrors.push(`${user}: ${e}`); });
  page.on('dialog', async (d) => {
    if (page.nextPrompt !== undefined) { await d.accept(page.nextPrompt); page.nextPrompt = undefined; }
    else await d.dismiss();
  });
  await login(page, user, password);
  return { ctx, page, user };
}

export const pageErrors = [];

export async function login(page, user, password, next = '/') {
  await page.goto(base + '/login?next=' + encodeURIComponent(next));
  await page.fill('input[name=user]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForNavigation(), page.click('form.login button[type=submit]')]);
  check(!page.url().includes('/login'), `${user} signed in (at ${page.url()})`);
}

export async function closeAll() {
  for (const { ctx, dir } of open.splice(0)) {
    await ctx.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

export function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
  console.log('ok   ' + what);
}

export async function shot(page, name) {
  const path = join(artefacts, name + '.png');
  await page.screenshot({ path, fullPage: true });
  console.log('shot ' + path);
}

// text is the visible text of the first element matching sel.
export async function text(page, sel) {
  return (await page.locator(sel).first().innerText()).trim();
}

// waitText waits until sel's visible text contains want.
export async function waitText(page, sel, want, what) {
  await page.waitForFunction(([s, w]) => {
    const el = document.querySelector(s);
    return el && el.innerText.includes(w);
  }, [sel, want], { timeout: 20000 }).catch(async () => {
    throw new Error(`check failed: ${what}: "${sel}" never showed "${want}"; it shows "${await text(page, sel).catch(() => '(nothing)')}"`);
  });
  console.log('ok   ' + what);
}

// api calls the JSON API from the page, as the page's own script would.
export async function api(page, method, path, body) {
  return page.evaluate(async ([m, p, b]) => {
    const c = document.cookie.match(/(?:^|;\s*)xiuhua_csrf=([^;]*)/);
    const r = await fetch(p, {
      method: m, credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': c ? decodeURIComponent(c[1]) : '' },
      body: b === undefined ? undefined : JSON.stringify(b),
    });
    let json = null;
    try { json = await r.json(); } catch (e) { /* not JSON */ }
    return { status: r.status, json };
  }, [method, path, body]);
}

// main runs a spec and exits non-zero on failure, with a screenshot of
// every open page.
export async function main(fn) {
  try {
    await fn();
    if (pageErrors.length) throw new Error('script errors on the pages: ' + pageErrors.join('; '));
    console.log('PASS');
  } catch (e) {
    console.error('FAIL: ' + (e && e.stack || e));
    for (const [i, { ctx }] of open.entries()) {
      for (const [j, p] of ctx.pages().entries()) {
        await p.screenshot({ path: join(artefacts, `failure-${i}-${j}.png`), fullPage: true }).catch(() => {});
      }
    }
    process.exitCode = 1;
  } finally {
    await closeAll();
  }
}
