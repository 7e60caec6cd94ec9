// Never lose work (web.mjs calls it): on a handler's case page, an empty
// report says what is missing, photos the server would refuse are refused
// before anything is sent, and the typed text and chosen photo survive a
// session that expires before the report is sent.
import { base, check, shot, waitText } from './lib.mjs';

export async function keepsDraft(zhao, caseID, F, pass) {
  const zp = zhao.page;
  const form = 'form.act-report';
  await zp.goto(base + '/cases/' + caseID);
  const posts = [];
  zp.on('request', (r) => { if (r.method() === 'POST' && r.url().includes('/transitions')) posts.push(r.url()); });
  const clearFlash = () => zp.evaluate(() => { document.getElementById('flash').textContent = ''; });

  await zp.click(form + ' button');
  await waitText(zp, '#flash', '请填写处置情况', 'an empty report names the missing 处置情况');
  check(!(await zp.locator('#flash').innerText()).includes('理由'), 'and does not ask for a reason');
  await zp.fill(form + ' textarea', '已清理占道摊位');
  await zp.setInputFiles(form + ' input[type=file]', F.big);
  await waitText(zp, '#flash', '照片太大', 'an oversized photo is refused as soon as it is chosen');
  await waitText(zp, '#flash', '上限为 1 MB', 'and the limit is named');
  await clearFlash();
  await zp.click(form + ' button');
  await waitText(zp, '#flash', '照片太大', 'sending it is refused too');
  await shot(zp, 'photo-refused');
  await zp.setInputFiles(form + ' input[type=file]', F.notImage);
  await zp.click(form + ' button');
  await waitText(zp, '#flash', '上传的文件不是图片', 'a file that is not a picture is refused, visibly');
  await zp.waitForTimeout(300);
  check(posts.length === 0, `refused photos are not sent (${posts.length} requests)`);

  // The good photo, kept in IndexedDB; then the session ends.
  await zp.setInputFiles(form + ' input[type=file]', F.photo);
  await zp.waitForSelector(form + '[data-photo-kept]');
  const kept = (await zhao.ctx.cookies()).filter((c) => c.name !== 'xiuhua_session');
  await zhao.ctx.clearCookies();
  await zhao.ctx.addCookies(kept);
  await Promise.all([zp.waitForURL(/\/login\?/), zp.click(form + ' button')]);
  check(posts.length === 1, 'the report was tried once, and refused for the session');
  check(new URL(zp.url()).searchParams.get('next') === '/cases/' + caseID, 'the sign-in page will return to the case: ' + zp.url());
  await zp.fill('input[name=user]', zhao.user);
  await zp.fill('input[name=password]', pass);
  await Promise.all([zp.waitForNavigation(), zp.click('form.login button[type=submit]')]);
  check(new URL(zp.url()).pathname === '/cases/' + caseID, 'signing in again returns to the case: ' + zp.url());
  await zp.waitForFunction((f) => document.querySelector(f + ' textarea').value !== '', form);
  check(await zp.locator(form + ' textarea').inputValue() === '已清理占道摊位', 'the typed text is back');
  await zp.waitForFunction((f) => document.querySelector(f + ' input[type=file]').files.length === 1, form);
  const name = await zp.locator(form + ' input[type=file]').evaluate((el) => el.files[0].name + ' ' + el.files[0].size);
  check(name.startsWith('photo.jpg '), 'the chosen photo is back: ' + name);
  await waitText(zp, '#flash', '已恢复上次未提交的内容和照片', 'the officer is told the draft is back');
  await shot(zp, 'draft-restored');

  await zp.click(form + ' button');
  await waitText(zp, '#case-head .status', '已反馈', 'the handler reports back with the kept photo');
  await waitText(zp, '#flash', '已反馈处置情况', 'the success message says what was done');
  const left = await zp.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('xiuhua.draft/')).length);
  check(left === 0, 'the draft is gone once sent');
}
