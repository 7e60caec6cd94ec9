// Notice of new cases (web.mjs calls it once a live case, id, has appeared
// on page p, a reviewer's queue): the row is marked, the title counts it,
// and the optional tone, off by default, sounds once turned on.
import { base, check, shot, api } from './lib.mjs';

export async function notices(p, id) {
  check(await p.locator(`tr.fresh[data-case="${id}"]`).count() === 1, 'the new case is marked');
  check((await p.title()).startsWith('(1) 待审核 · '), 'the title counts it: ' + await p.title());
  check(await p.evaluate(() => !document.body.dataset.tones), 'no sound by default');
  await shot(p, 'queue-new-case');

  await p.click('#sound');
  check(!(await p.title()).startsWith('('), 'touching the page clears the count: ' + await p.title());
  const made = await api(p, 'POST', '/test/new-case');
  check(made.status === 200 && made.json.id !== id, 'a second new case');
  await p.waitForSelector(`tr.fresh[data-case="${made.json.id}"]`, { timeout: 20000 });
  check((await p.title()).startsWith('(1) 待审核 · '), 'the title counts the unseen one: ' + await p.title());
  check(await p.evaluate(() => document.body.dataset.tones === '1'), 'the tone sounded once');
  check(await p.locator('tr.fresh').count() === 2, 'both new cases stay marked');
  await p.keyboard.press('Escape');
  check(!(await p.title()).startsWith('('), 'a key press clears the count');

  await p.goto(base + '/');
  check(await p.locator('#sound').isChecked(), 'the sound setting is remembered');
  check(await p.locator('tr.fresh').count() === 0, 'a fresh page marks nothing');
}
