// Dispatch from lists, role queues, 超期 and the phone's filters, in
// headless Chromium against a server the Go test (server/web
// TestBrowserDispatch) started with units configured and seeded cases.
import { base, need, officer, check, shot, text, waitText, api, main } from './lib.mjs';

const pass = need('XIUHUA_PASSWORD');
const C = JSON.parse(need('XIUHUA_CASES'));

const visibleOfficers = (page) => page.locator('form.act-dispatch select[name=officer] option').evaluateAll((os) =>
  os.filter((o) => o.value && !o.hidden && !o.disabled).map((o) => o.value));
const statusOf = async (page, id) => (await api(page, 'GET', '/api/v1/cases/' + id)).json.case.status;

// landsOn: the role's first page is its own view, named in the heading
// and the title.
async function landsOn(page, view, who) {
  await page.goto(base + '/');
  await waitText(page, 'main h2', view, `${who} lands on ${view}`);
  check((await page.title()).startsWith(view + ' · '), `${who}'s title names the view: ${await page.title()}`);
  check(await page.locator('nav.views a.on').innerText() === view, `${who}'s tab is marked`);
}

await main(async () => {
  // --- Dispatcher: unit and officer from lists -----------------------------
  const wang = await officer('wang', pass);
  const wp = wang.page;
  await landsOn(wp, '待派遣', 'a dispatcher');
  check(await wp.locator('p.keys').innerText().then((k) => !k.includes('c c')), 'no reviewer keys where they do nothing');
  // …and the keys do nothing there: a dispatcher on every open case.
  await wp.goto(base + '/?view=open');
  await wp.click(`tr[data-case="${C.review}"] td:nth-child(3)`);
  await wp.keyboard.press('c');
  // The page asks for the second c in the key's own handler: had it
  // armed, the flash would be up already.
  check(await wp.locator('#flash').isHidden(), 'c on a dispatcher\'s queue does not ask to file');
  await wp.keyboard.press('c');
  check(await statusOf(wp, C.review) === 'pending_review', 'the case waits for its reviewer');
  await wp.goto(base + '/cases/' + C.placed);
  const unit = 'form.act-dispatch select[name=unit]';
  check(await wp.locator(unit).inputValue() === 'NJDL', 'the grid cell\'s unit is chosen');
  check(JSON.stringify(await visibleOfficers(wp)) === '["zhao"]', 'only the unit\'s officers: ' + await visibleOfficers(wp));
  await wp.selectOption(unit, 'WT');
  check(JSON.stringify(await visibleOfficers(wp)) === '["sun"]', 'another unit, its officers, without a reload: ' + await visibleOfficers(wp));
  await wp.selectOption(unit, 'NJDL');
  await wp.selectOption('form.act-dispatch select[name=officer]', 'zhao');
  await shot(wp, 'dispatch-lists');
  await wp.click('form.act-dispatch button');
  await waitText(wp, '#case-head .status', '已派遣', 'dispatched from the lists');
  await waitText(wp, '#case-head .assignee', '南京东路街道城管中队', 'to the unit');
  await waitText(wp, '#case-head .assignee', '处置人员 zhao', 'and the officer');
  await shot(wp, 'dispatched');

  // --- No unit: refused, in Chinese ----------------------------------------
  await wp.goto(base + '/cases/' + C.bare);
  check(await wp.locator(unit).inputValue() === '', 'a case with no unit of its own asks for one');
  check(await wp.locator(`${unit} option:checked`).innerText() === '请选择单位', 'in Chinese');
  await wp.click('form.act-dispatch button');
  await waitText(wp, '#flash', '请选择派遣单位', 'a dispatch without a unit is refused');
  const refusal = await text(wp, '#flash');
  check(!/[A-Za-z]{3,}/.test(refusal), 'the refusal is in Chinese only: ' + refusal);
  check(await statusOf(wp, C.bare) === 'filed', 'nothing moved');
  await shot(wp, 'dispatch-no-unit');

  // --- 超期: most overdue first ---------------------------------------------
  await wp.goto(base + '/');
  await Promise.all([wp.waitForNavigation(), wp.click('nav.views a.view-overdue')]);
  await waitText(wp, 'main h2', '超期', 'the 超期 view');
  const order = await wp.locator('#queue tr.case').evaluateAll((rs) => rs.map((r) => r.dataset.case));
  check(order.indexOf(C.late) === 0 && order.indexOf(C.later) === 1, 'most overdue first: ' + order.join(' '));
  check(!order.includes(C.review), 'a case on time is not overdue');
  await waitText(wp, `tr[data-case="${C.late}"] .late`, '逾期 4小时', 'how late it is');
  await shot(wp, 'overdue');

  // --- A handler of another unit cannot take the unit's case ---------------
  const sun = await officer('sun', pass);
  await landsOn(sun.page, '我的任务', 'a handler');
  check(await sun.page.locator('nav.views a.view-overdue').count() === 0, 'a handler has no 超期 tab');
  await sun.page.goto(base + '/cases/' + C.unit);
  await waitText(sun.page, '#actions', '当前身份无可办理的操作', 'another unit\'s handler has no step');
  const forced = await api(sun.page, 'POST', `/api/v1/cases/${C.unit}/transitions`, { to: 'handling' });
  check(forced.status === 403, `taking it anyway is refused with 403 (got ${forced.status})`);
  await shot(sun.page, 'other-unit');
  const zhao = await officer('zhao', pass);
  await zhao.page.goto(base + '/');
  await Promise.all([zhao.page.waitForNavigation(), zhao.page.click('nav.views a.view-unit')]);
  await waitText(zhao.page, 'main h2', '本单位待接收', 'the unit\'s view');
  await Promise.all([zhao.page.waitForNavigation(), zhao.page.click(`tr[data-case="${C.unit}"] a.number`)]);
  await zhao.page.click('form.act-accept button');
  await waitText(zhao.page, '#case-head .status', '处置中', 'a handler of the unit takes it');

  // --- Each role on its own queue; the reviewer's keys ---------------------
  const root = await officer('root', pass);
  await landsOn(root.page, '全部未结', 'an admin');
  const li = await officer('li', pass);
  const p = li.page;
  await landsOn(p, '待审核', 'a reviewer');
  await waitText(p, 'p.keys', 'c c 立案', 'the reviewer\'s keys are shown');
  const row = `tr[data-case="${C.review}"]`;
  await p.click(`${row} td:nth-child(3)`);
  await p.keyboard.press('c');
  await waitText(p, '#flash', '再按一次 c 立案', 'one c asks for a second');
  check(await statusOf(p, C.review) === 'pending_review', 'one c files nothing');
  await shot(p, 'file-confirm');
  await p.keyboard.press('j');
  await waitText(p, '#flash', '已取消立案', 'another key cancels');
  await p.click(`${row} td:nth-child(3)`);
  await p.keyboard.press('c');
  await p.keyboard.press('c');
  await waitText(p, '#flash', '已立案', 'c c files');
  check(await statusOf(p, C.review) === 'filed', 'and the case is filed');

  // --- Phone: filters behind 筛选 ------------------------------------------
  const phone = await officer('li', pass, { viewport: { width: 390, height: 844 } });
  const q = phone.page;
  await q.goto(base + '/?view=all');
  check(!(await q.locator('form.filters').isVisible()), 'the filters start collapsed');
  const toggle = await q.locator('label.filters-toggle').boundingBox();
  check(toggle && toggle.height >= 44 && toggle.width >= 44, `the 筛选 toggle is a 44 px target (${JSON.stringify(toggle)})`);
  await shot(q, 'queue-phone-collapsed');
  await q.click('label.filters-toggle');
  check(await q.locator('form.filters').isVisible(), '筛选 opens them');
  const small = await q.locator('form.filters select, form.filters input, form.filters button, nav.views a').evaluateAll((els) =>
    els.map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0 && (r.height < 44 || r.width < 44)).length);
  check(small === 0, `every filter control and view tab is at least 44×44 px (${small} smaller)`);
  await shot(q, 'queue-phone-filters');
  await q.goto(base + '/?type=street_vending');
  check(await q.locator('form.filters').isVisible(), 'a filter set: they start open');
  const width = await q.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 400, `the queue fits a phone (${width} px wide)`);
  const wangPhone = await officer('wang', pass, { viewport: { width: 390, height: 844 } });
  await wangPhone.page.goto(base + '/cases/' + C.bare);
  await shot(wangPhone.page, 'dispatch-phone');
});
