// The officers' side of the whole pipeline (hack/e2e TestBrowserPipeline):
// a case the real camsim → edge → server pipeline made is reviewed,
// dispatched, handled with a photo, and then checked again by the AI
// re-check, which the reviewer's open page shows live.
import { base, need, officer, check, shot, waitText, api, main } from './lib.mjs';

const pass = need('XIUHUA_PASSWORD');
const id = need('XIUHUA_CASE');
const photo = need('XIUHUA_PHOTO');

await main(async () => {
  // Reviewer: the pipeline's case in the queue, with its picture.
  const li = await officer('li', pass);
  const p = li.page;
  await waitText(p, 'main h2', '待审核', 'the queue: a reviewer lands on 待审核');
  const row = p.locator(`tr[data-case="${id}"]`);
  await row.waitFor();
  check((await row.innerText()).includes('待审核'), 'the pipeline\'s case waits for review');
  check(await row.locator('td.thumb img').evaluate((img) => img.complete && img.naturalWidth === 768), 'its snapshot loads (768 px wide, the camera\'s frame)');
  await shot(p, 'queue');

  await p.goto(base + '/cases/' + id);
  check(await p.locator('.evidence img').first().evaluate((img) => img.complete && img.naturalWidth > 0), 'the annotated frame loads');
  check(await p.locator('.evidence video').count() === 1, 'the clip player');
  await waitText(p, '.facts', 'yolox-nano', 'the model that found it');
  await shot(p, 'case');
  await p.click('form.act-file button');
  await waitText(p, '#case-head .status', '立案', 'the reviewer confirms the case');

  // Dispatcher.
  const wang = await officer('wang', pass);
  await wang.page.goto(base + '/cases/' + id);
  // The unit: the grid cell's, chosen already; or typed where neither the
  // configuration nor the grid names any.
  const unitField = wang.page.locator('form.act-dispatch [name=unit]');
  if (await unitField.evaluate((el) => el.tagName === 'INPUT')) await unitField.fill('城管中队');
  await wang.page.selectOption('form.act-dispatch select[name=officer]', 'zhao');
  await wang.page.click('form.act-dispatch button');
  await waitText(wang.page, '#case-head .status', '已派遣', 'the dispatcher dispatches');
  await waitText(p, '#case-head .status', '已派遣', 'the reviewer\'s page follows live');

  // Handler: accept, then report back with a photo.
  const zhao = await officer('zhao', pass);
  const z = zhao.page;
  await z.goto(base + '/cases/' + id);
  await z.click('form.act-accept button');
  await waitText(z, '#case-head .status', '处置中', 'the handler accepts');
  await p.evaluate(() => { window.__sameDocument = true; });
  await z.fill('form.act-report textarea', '已劝离，现场已清理');
  await z.setInputFiles('form.act-report input[type=file]', photo);
  await z.click('form.act-report button');
  await waitText(z, '#case-head .status', '已反馈', 'the handler reports back with a photo');
  check(await z.locator('#audit li[data-action="report"] .attachment img').count() === 1, 'the photo is in the audit trail');

  // The AI re-check answers on its own; the reviewer's page shows it.
  await p.waitForSelector('#audit li.ai', { timeout: 240000 }).catch(() => {
    throw new Error('check failed: no AI re-check step in the audit trail within 240 s (server/recheck asks the edge once a case is reported)');
  });
  console.log('ok   the AI re-check step appears live');
  const status = await p.locator('#case-head .status').innerText();
  check(['核查通过', '处置中'].includes(status.trim()), `the re-check verified it or sent it back (${status})`);
  check(await p.evaluate(() => window.__sameDocument === true), 'without a reload');
  await waitText(p, '#audit li.ai', '智能核查', 'marked as the AI re-check');
  await shot(p, 'recheck');
  const d = (await api(p, 'GET', '/api/v1/cases/' + id)).json;
  check(d.audit.some((a) => a.actor === 'ai-recheck'), 'the audit trail has the re-check');

  await p.goto(base + '/map');
  await waitText(p, 'main h2', '案件地图', 'the map');
  await shot(p, 'map');
  await p.goto(base + '/stats');
  await waitText(p, '#by-type', 'demo_linger', 'the statistics count the pipeline\'s cases');
  await shot(p, 'stats');
});
