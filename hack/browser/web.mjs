// The officers' pages in headless Chromium against a server the Go test
// (server/web TestBrowserWorkflow) started with seeded cases: review with
// the keyboard, dispatch, report with a photo, verify and reopen, roles,
// bad uploads, double clicks, two officers at once, live updates, map,
// statistics, English, phone-sized screens, an expired session.
import { base, need, officer, check, shot, text, waitText, api, main } from './lib.mjs';
import { keepsDraft } from './drafts.mjs';
import { notices } from './notice.mjs';

const pass = need('XIUHUA_PASSWORD');
const C = JSON.parse(need('XIUHUA_CASES'));
const F = JSON.parse(need('XIUHUA_FILES'));

const auditCount = async (page, id, action) =>
  (await api(page, 'GET', '/api/v1/cases/' + id)).json.audit.filter((a) => a.action === action).length;

await main(async () => {
  // --- Reviewer: the queue, newest first, in Chinese ------------------------
  const li = await officer('li', pass);
  let p = li.page;
  await waitText(p, 'main h2', '待审核', 'the queue is in Chinese, headed by the reviewer\'s view');
  await waitText(p, 'nav.views a.on', '待审核', 'a reviewer lands on 待审核');
  check(await p.locator(`tr[data-case="${C.overdue}"]`).count() === 0, 'a filed case is not in 待审核');
  await shot(p, 'queue-review');
  // All cases, closed too: the keyboard steps below keep their rows.
  await Promise.all([p.waitForNavigation(), p.click('nav.views a.view-all')]);
  await waitText(p, 'nav.views a.on', '全部', 'one click shows every case');
  await waitText(p, '#live', '实时', 'the live-update stream is connected');
  for (const id of [C.keys, C.dbl, C.race, C.overdue]) {
    check(await p.locator(`tr[data-case="${id}"]`).count() === 1, `queue lists case ${id}`);
  }
  check(await p.locator(`tr.overdue[data-case="${C.overdue}"] .badge.overdue`).innerText() === '已超期', 'the overdue case stands out');
  const ids = await p.locator('#queue tr.case').evaluateAll((rs) => rs.map((r) => r.dataset.case));
  check(ids.indexOf(C.newest) === 0, 'newest first');
  await shot(p, 'queue');

  // Keyboard: j down to the case, c confirms it.
  const at = ids.indexOf(C.keys);
  for (let i = 0; i <= at; i++) await p.keyboard.press('j');
  check(await p.locator('tr.selected').getAttribute('data-case') === C.keys, 'j moves the selection');
  await p.keyboard.press('k');
  await p.keyboard.press('j');
  check(await p.locator('tr.selected').getAttribute('data-case') === C.keys, 'k and j move back and forth');
  // One c only asks; any other key cancels; c twice files.
  await p.keyboard.press('c');
  await waitText(p, '#flash', '再按一次 c 立案', 'one c asks for a second');
  await p.keyboard.press('x');
  await waitText(p, '#flash', '已取消立案', 'another key cancels');
  await p.keyboard.press('c');
  await p.waitForTimeout(300);
  check(await auditCount(p, C.keys, 'file') === 0, 'one c files nothing');
  await p.keyboard.press('c');
  await waitText(p, `tr[data-case="${C.keys}"] .status`, '立案', 'c c files the selected case');
  check(await auditCount(p, C.keys, 'file') === 1, 'one confirmation recorded');

  // r rejects with a reason from the prompt.
  const at2 = (await p.locator('#queue tr.case').evaluateAll((rs) => rs.map((r) => r.dataset.case))).indexOf(C.reject);
  for (let i = 0; i < 50; i++) await p.keyboard.press('k');
  for (let i = 0; i < at2; i++) await p.keyboard.press('j');
  check(await p.locator('tr.selected').getAttribute('data-case') === C.reject, 'selected the case to reject');
  p.nextPrompt = '行人短暂停留，非违规';
  await p.keyboard.press('r');
  await waitText(p, `tr[data-case="${C.reject}"] .status`, '不予立案', 'r rejects with the reason given');
  const rej = (await api(p, 'GET', '/api/v1/cases/' + C.reject)).json.audit.find((a) => a.action === 'reject');
  check(rej && rej.comment === '行人短暂停留，非违规', 'the reason is in the audit trail');

  // Enter opens the case.
  await Promise.all([p.waitForNavigation(), p.keyboard.press('Enter')]);
  check(p.url().endsWith('/cases/' + C.reject), 'Enter opens the selected case');

  // --- Double click: one transition --------------------------------------
  await p.goto(base + '/cases/' + C.dbl);
  await p.locator('form.act-file button').dblclick();
  await waitText(p, '#case-head .status', '立案', 'double-clicked confirm moves the case');
  await p.waitForTimeout(500);
  check(await auditCount(p, C.dbl, 'file') === 1, 'a double click makes one transition');
  check(await p.locator('#audit li[data-action="file"]').count() === 1, 'the audit trail shows one confirmation');

  // --- Two officers at once: one wins, the other is told -------------------
  const chen = await officer('chen', pass);
  // Live updates off for this step: otherwise the loser's page may learn
  // of the winner's step and drop its button before its own click lands,
  // and the server's refusal, which this step is about, is never asked for.
  const noLive = (route) => route.abort();
  await p.route('**/api/v1/events', noLive);
  await chen.page.route('**/api/v1/events', noLive);
  await p.goto(base + '/cases/' + C.race);
  await chen.page.goto(base + '/cases/' + C.race);
  await Promise.all([p.locator('form.act-file button').click(), chen.page.locator('form.act-file button').click()]);
  for (const q of [p, chen.page]) await q.waitForFunction(() => /已立案|他人/.test(document.getElementById('flash').innerText));
  const flashes = [await text(p, '#flash'), await text(chen.page, '#flash')];
  check(flashes.filter((f) => f.includes('已立案')).length === 1, 'one officer wins, told what was done: ' + flashes.join(' | '));
  check(flashes.filter((f) => f.includes('该案件已被他人处理')).length === 1, 'the other is told someone else acted');
  check(await auditCount(p, C.race, 'file') === 1, 'one transition from two officers');
  await shot(flashes[0].includes('他人') ? p : chen.page, 'conflict');
  await chen.ctx.close();
  await p.unroute('**/api/v1/events', noLive);

  // --- A role that may not act: no button, and 403 ----------------------
  const zhao = await officer('zhao', pass);
  await zhao.page.goto(base + '/cases/' + C.dispatch);
  check(await zhao.page.locator('form.act-dispatch').count() === 0, 'a handler sees no dispatch button');
  await waitText(zhao.page, '#actions', '当前身份无可办理的操作', 'the handler is told there is nothing to do');
  await zhao.page.goto(base + '/models');
  await waitText(zhao.page, 'main h2', '无权访问', 'a page the role may not see is a styled 403 page in Chinese');
  check(await zhao.page.locator('header.top nav').count() === 1, 'inside the layout');
  await shot(zhao.page, 'forbidden');
  const forced = await api(zhao.page, 'POST', `/api/v1/cases/${C.dispatch}/transitions`, { to: 'dispatched', version: 2 });
  check(forced.status === 403, `posting anyway is refused with 403 (got ${forced.status})`);

  // --- Dispatcher dispatches to a unit and an officer ---------------------
  const wang = await officer('wang', pass);
  const wp = wang.page;
  await waitText(wp, 'nav.views a.on', '待派遣', 'a dispatcher lands on 待派遣');
  check(await wp.locator(`tr[data-case="${C.dispatch}"]`).count() === 1, '待派遣 lists the filed case');
  await wp.goto(base + '/cases/' + C.dispatch);
  check(await wp.locator('form.act-dispatch select[name=unit]').inputValue() === '南京东路街道城管中队', 'the grid cell\'s unit is preselected');
  // An officer who is not a handler is refused, visibly, and nothing moves.
  // (The list offers handlers only: as if li's account changed after the
  // page was made, the page sends li.)
  await wp.evaluate(() => {
    const s = document.querySelector('form.act-dispatch select[name=officer]');
    s.add(new Option('li', 'li'));
    s.value = 'li';
  });
  await wp.click('form.act-dispatch button');
  await waitText(wp, '#flash', '已启用的处置人员账号', 'a reviewer cannot be the handling officer');
  const refusal = await text(wp, '#flash');
  check(!/[A-Za-z]{3,}/.test(refusal), 'the refusal is in Chinese only: ' + refusal);
  check(await auditCount(wp, C.dispatch, 'dispatch') === 0, 'a refused dispatch changes nothing');
  await wp.selectOption('form.act-dispatch select[name=officer]', 'zhao');
  await wp.fill('form.act-dispatch input[name=comment]', '请今日处理');
  await wp.click('form.act-dispatch button');
  await waitText(wp, '#case-head .status', '已派遣', 'the dispatcher dispatches');
  await waitText(wp, '#case-head .assignee', '处置人员 zhao', 'the case page shows the assignee');
  await waitText(wp, '#audit li[data-action="dispatch"] .assign', '派遣至 南京东路街道城管中队', 'the unit is in the audit entry');
  await waitText(wp, '#audit li[data-action="dispatch"] .assign', '处置人员 zhao', 'the officer is in the audit entry');
  const dj = (await api(wp, 'GET', '/api/v1/cases/' + C.dispatch)).json;
  check(dj.case.assignee === 'zhao' && dj.case.unit === '南京东路街道城管中队', 'the case carries its assignee: ' + JSON.stringify(dj.case.assignee));
  const de = dj.audit.find((a) => a.action === 'dispatch');
  check(de.assign && de.assign.officer === 'zhao' && de.assign.unit === '南京东路街道城管中队', 'the audit entry records the assignment');
  check(de.comment === '请今日处理', 'the comment is the note alone: ' + de.comment);
  await shot(wp, 'dispatched');

  // --- The handler's "my cases" -----------------------------------------------
  await zhao.page.goto(base + '/');
  await waitText(zhao.page, 'nav.views a.on', '我的任务', 'a handler lands on 我的任务');
  await zhao.page.goto(base + '/?view=open');
  await Promise.all([zhao.page.waitForNavigation(), zhao.page.click('nav.views a.view-mine')]);
  check(new URL(zhao.page.url()).searchParams.get('view') === 'mine', 'my tasks is one click');
  await waitText(zhao.page, `tr[data-case="${C.dispatch}"] .assignee`, '处置人员 zhao', 'the queue shows the assignee');
  check(await zhao.page.locator('#queue tr.case').count() === 1, 'only the case sent to zhao');
  check(await zhao.page.locator('nav.views a.view-mine.on').count() === 1, 'the view shows as on');
  await shot(zhao.page, 'my-cases');

  // --- Handler reports back with a photo: bad photos are refused before
  // they are sent, and the report survives an expired session ------------
  const zp = zhao.page;
  await keepsDraft(zhao, C.report, F, pass);
  check(await auditCount(zp, C.report, 'report') === 1, 'one report');
  check(await zp.locator('#audit li[data-action="report"] .attachment img').count() === 1, 'the photo is in the audit trail');
  const loaded = await zp.locator('#audit li[data-action="report"] .attachment img').evaluate((img) => img.complete && img.naturalWidth > 0);
  check(loaded, 'the photo loads');

  // --- Reviewer: verify or reopen ---------------------------------------------
  await p.goto(base + '/cases/' + C.report);
  check(await p.locator('form.act-verify button').innerText() === '核查通过', 'the reviewer sees verify');
  check(await p.locator('form.act-fail_verification button').innerText() === '核查不通过', 'the reviewer sees reopen');
  await p.click('form.act-verify button');
  await waitText(p, '#case-head .status', '核查通过', 'the reviewer verifies');
  await p.goto(base + '/cases/' + C.reopen);
  await p.fill('form.act-fail_verification textarea', '摊位仍在');
  await p.click('form.act-fail_verification button');
  await waitText(p, '#case-head .status', '处置中', 'the reviewer reopens with a comment');

  // --- A case page: evidence, facts, AI re-check --------------------------
  await p.goto(base + '/cases/' + C.ai);
  await waitText(p, '#audit', '智能核查', 'the AI re-check step is marked');
  check(await p.locator('#audit li.ai .attachment img').count() === 1, 'the re-check snapshot is shown');
  check(await p.locator('.evidence img').first().evaluate((img) => img.complete && img.naturalWidth > 0), 'the annotated snapshot loads');
  check(await p.locator('.evidence figure').count() >= 2, 'annotated and raw side by side');
  check(await p.locator('.evidence video').count() === 1, 'the clip player is there');
  check(await p.locator('.evidence .before-after img').count() === 1, 'the before/after picture is there');
  await waitText(p, '.facts', 'yolox_nano', 'the model that found it');
  await waitText(p, '.facts .dwell', '7分00秒', 'the dwell, in Chinese');
  await waitText(p, '.meta', '北京时间', 'times are Beijing time, named');
  await waitText(p, '.facts .confidence', '0.91', 'the best score');
  check(await p.locator('.minimap svg circle').count() === 1, 'the location on a small map');
  await shot(p, 'case');

  // --- Live: a new case appears without reload -----------------------------
  await p.goto(base + '/');
  await waitText(p, '#live', '实时', 'the queue is live');
  await p.evaluate(() => { window.__sameDocument = true; });
  const made = await api(p, 'POST', '/test/new-case');
  check(made.status === 200 && made.json.id, 'the test made a new case');
  await p.waitForSelector(`tr[data-case="${made.json.id}"]`, { timeout: 20000 });
  check(await p.evaluate(() => window.__sameDocument === true), 'the new case appeared without a reload');
  await notices(p, made.json.id);
  // A status change made elsewhere shows too.
  await api(zp, 'POST', `/api/v1/cases/${C.dispatch}/transitions`, { to: 'handling', version: 3 });
  await p.goto(base + '/cases/' + C.dispatch);
  await p.evaluate(() => { window.__sameDocument = true; });
  const r2 = await api(zp, 'POST', `/api/v1/cases/${C.dispatch}/transitions`, { to: 'reported', version: 4, comment: '已处理' });
  check(r2.status === 200, 'the handler reported from elsewhere');
  await waitText(p, '#case-head .status', '已反馈', 'the case page shows another officer\'s step live');
  check(await p.evaluate(() => window.__sameDocument === true), 'without a reload');

  // --- Map and statistics ---------------------------------------------------
  await p.goto(base + '/map');
  await waitText(p, 'main h2', '案件地图', 'the map page');
  check(await p.locator('svg.map path.cell').count() >= 2, 'grid cells drawn');
  check(await p.locator(`svg.map a[data-case="${C.overdue}"] circle.overdue`).count() === 1, 'open cases drawn, overdue marked');
  check(await p.locator('svg.map text.n').count() >= 1, 'open cases counted on their cells');
  await shot(p, 'map');
  await p.goto(base + '/stats');
  await waitText(p, 'main h2', '案件统计', 'the statistics page');
  await waitText(p, '#by-type', '占道经营', 'cases by type');
  await waitText(p, '#by-status', '待审核', 'cases by status');
  check(await p.locator('#by-day rect').count() >= 1, 'cases by day drawn');
  check(await p.locator('#by-grid rect').count() >= 1, 'cases by grid cell drawn');
  await shot(p, 'stats');

  // --- English, and a phone-sized screen ------------------------------------
  await p.goto(base + '/?lang=en');
  await waitText(p, 'main h2', 'To review', 'English on request');
  await p.goto(base + '/stats');
  await waitText(p, 'main h2', 'Statistics', 'English is remembered');
  await p.goto(base + '/?lang=zh-CN');
  const phone = await officer('li', pass, { viewport: { width: 390, height: 844 } });
  await phone.page.goto(base + '/');
  check(!(await phone.page.locator('table.cases thead').isVisible()), 'the phone layout drops the table header');
  const width = await phone.page.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 400, `the queue fits a phone (${width} px wide)`);
  await shot(phone.page, 'queue-phone');
  await phone.page.goto(base + '/cases/' + C.ai);
  await shot(phone.page, 'case-phone');

  // --- Act first: the first action button is on the first screen ----------
  // C.race is filed by now: a dispatcher's case with the dispatch form.
  const wangPhone = await officer('wang', pass, { viewport: { width: 390, height: 844 } });
  for (const [who, q, h] of [['desktop 1440×900', wp, 900], ['phone 390×844', wangPhone.page, 844]]) {
    await q.goto(base + '/cases/' + C.race);
    const box = await q.locator('#actions form.act button').first().boundingBox();
    check(box && box.y >= 0 && box.y + box.height <= h, `${who}: the first action button is on the first screen (${JSON.stringify(box)})`);
    await q.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const after = await q.locator('#actions form.act button').first().boundingBox();
    check(after && after.y >= 0 && after.y + after.height <= h, `${who}: and stays in view scrolled to the bottom (${JSON.stringify(after)})`);
    await q.evaluate(() => window.scrollTo(0, 0));
    await shot(q, 'case-act-' + (h === 900 ? 'desktop' : 'phone'));
  }
  const small = await wangPhone.page.locator('#actions button, #actions input, #actions select, header.top nav a').evaluateAll((els) =>
    els.map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0 && (r.height < 44 || r.width < 44)).length);
  check(small === 0, `phone: every action control and navigation link is at least 44×44 px (${small} smaller)`);
  await wangPhone.ctx.close();

  // --- An expired session goes to the sign-in page --------------------------
  const exp = await api(p, 'POST', '/test/expire-sessions');
  check(exp.status === 200, 'sessions expired');
  await p.goto(base + '/cases/' + C.ai);
  check(new URL(p.url()).pathname === '/login', 'an expired session is sent to sign in: ' + p.url());
  await waitText(p, 'main h2', '登录', 'the sign-in page');
  check(new URL(p.url()).searchParams.get('next') === '/cases/' + C.ai, 'and comes back to the case after');
});
