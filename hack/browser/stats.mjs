// The centre's figures and readable case numbers in headless Chromium
// against a server the Go test (server/web TestBrowserStats) started with
// seeded cases, on a desktop (1440×900) and a phone (390×844): the 统计 page
// shows 结案率, 按期结案率, 超期数 and the stage times, switches between
// months and weeks; a case number typed in the queue's search box finds
// the case, a closed one too, and /cases/<number> opens it.
import { base, need, officer, check, shot, text, waitText, main } from './lib.mjs';

const pass = need('XIUHUA_PASSWORD');
const C = JSON.parse(need('XIUHUA_CASES')); // {open: {id, number}, closed: {id, number}}
const want = JSON.parse(need('XIUHUA_EXPECT')); // the figures the seed makes

const kpi = (p, k) => text(p, `#figures-total dd[data-k="${k}"]`);

async function figures(p, label) {
  await p.goto(base + '/stats');
  await waitText(p, 'main h2', '案件统计', `${label}: the statistics page`);
  check(await p.locator('#period-month.on').count() === 1, `${label}: by month unless chosen`);
  for (const [k, v] of Object.entries(want.kpis)) {
    check(await kpi(p, k) === v, `${label}: ${k} is ${v} (shows ${await kpi(p, k)})`);
  }
  for (const h of ['立案数', '结案率', '按期结案率', '超期数', '当前超期未结']) {
    check((await text(p, '#figures-total')).includes(h), `${label}: the figure ${h} is named`);
  }
  const stages = await text(p, '#figures-stages');
  for (const s of ['发现→立案', '立案→派遣', '派遣→处置', '处置→反馈', '反馈→核查', '核查→结案']) {
    check(stages.includes(s), `${label}: the stage ${s} has a row`);
  }
  check(stages.includes(want.firstStage), `${label}: 发现→立案 takes ${want.firstStage} on average`);
  check((await text(p, '#figures-units')).includes(want.unit), `${label}: the unit ${want.unit} has a row`);
  check(await p.locator('#figures-chart svg g.bar').count() >= 1, `${label}: a bar per period`);
  check((await text(p, '#figures-periods')).includes(want.month), `${label}: the month ${want.month} is a row`);
  const wide = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(wide <= 1, `${label}: the page does not scroll sideways (${wide} px too wide); tables scroll inside`);
  await shot(p, `stats-month-${label}`);

  await Promise.all([p.waitForNavigation(), p.click('#period-week')]);
  check(p.url().includes('period=week'), `${label}: the switch asks for weeks`);
  check(await p.locator('#period-week.on').count() === 1, `${label}: 按周 is on`);
  check((await text(p, '#figures-periods')).includes('起一周'), `${label}: the series is by week`);
  check(await kpi(p, 'closed_rate') === want.kpis.closed_rate, `${label}: the totals stay by week`);
  await shot(p, `stats-week-${label}`);
  const box = await p.locator('#period-month').boundingBox();
  check(box && box.height >= 44, `${label}: the switch is a 44 px target (${box && box.height})`);
}

async function search(p, label) {
  await p.goto(base + '/');
  const [day, seq] = C.closed.number.split('-');
  await p.fill('input[name=q]', `${day}-${Number(seq)}`); // typed without the zeros
  await Promise.all([p.waitForNavigation(), p.locator('input[name=q]').press('Enter')]);
  check(await p.locator(`tr[data-case="${C.closed.id}"]`).count() === 1, `${label}: the closed case is found by its number`);
  check(await p.locator('#queue tr.case').count() === 1, `${label}: and only it`);
  check((await text(p, `tr[data-case="${C.closed.id}"] a.number`)) === C.closed.number, `${label}: the row shows the number`);
  await shot(p, `search-${label}`);
  await p.goto(base + '/cases/' + C.open.number);
  check(p.url().endsWith('/cases/' + C.open.id), `${label}: /cases/<number> leads to the case (${p.url()})`);
  await waitText(p, '#case-head .number', C.open.number, `${label}: the case page shows the number`);
  check((await p.title()).includes(C.open.number), `${label}: and its title`);
  await shot(p, `case-number-${label}`);
}

await main(async () => {
  const desk = await officer('li', pass);
  await figures(desk.page, 'desktop');
  await search(desk.page, 'desktop');
  const phone = await officer('li', pass, { viewport: { width: 390, height: 844 } });
  await figures(phone.page, 'phone');
  await search(phone.page, 'phone');
});
