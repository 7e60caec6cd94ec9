// Maps over tiles (server/web TestBrowserMap): a server with two basemaps
// from a local tile server, one WGS-84 and one GCJ-02, and a server with
// none. At desktop and phone sizes: tiles come from the configured source,
// the case's pin sits on its position's pixel of the tiles in each datum,
// the case page and the map's popup name the cell, 社区, 街道, unit and
// address, the clip has a poster, and without a basemap the 未配置底图
// note says which key to set.
import { base, need, officer, check, shot, waitText, api, main } from './lib.mjs';

const pass = need('XIUHUA_PASSWORD');
const nomap = need('XIUHUA_NOMAP_URL');
const tiles = need('XIUHUA_TILES_URL');
const id = need('XIUHUA_CASE');
const nomapID = need('XIUHUA_NOMAP_CASE');
const pos = JSON.parse(need('XIUHUA_POSITION'));

const policyErrors = [];

// pinOffset is how far, in screen pixels, the pin's tip is from where the
// position falls on a loaded tile of the given path (Web Mercator worked
// out here, independently of Leaflet).
async function pinOffset(p, tilePath, [lat, lon]) {
  return p.evaluate(([path, la, lo]) => {
    const icon = document.querySelector('.lmap .leaflet-marker-icon');
    const t = [...document.querySelectorAll('.lmap img.leaflet-tile-loaded')].find((i) => i.src.includes(path));
    if (!icon || !t) return null;
    const [, z, x, y] = t.src.match(/\/(\d+)\/(\d+)\/(\d+)\.png$/).map(Number);
    const r = icon.getBoundingClientRect(), tr = t.getBoundingClientRect();
    const s = Math.sin(la * Math.PI / 180), n = 256 * 2 ** z;
    const wx = (lo + 180) / 360 * n, wy = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * n;
    const ex = tr.left + (wx - x * 256) * tr.width / 256, ey = tr.top + (wy - y * 256) * tr.height / 256;
    return { dx: r.left + 12 - ex, dy: r.top + 41 - ey, z };
  }, [tilePath, lat, lon]);
}

async function pinAt(p, tilePath, at, what) {
  await p.waitForSelector(`.lmap img.leaflet-tile-loaded[src*="${tilePath}"]`);
  await p.waitForFunction(() => !document.querySelector('.leaflet-zoom-anim, .leaflet-pan-anim'));
  const off = await pinOffset(p, tilePath, at);
  check(off && Math.abs(off.dx) <= 1.5 && Math.abs(off.dy) <= 1.5, `${what}: the pin is on the case's pixel of the tiles (off by ${JSON.stringify(off)})`);
  const inView = await p.evaluate(() => {
    const r = document.querySelector('.lmap .leaflet-marker-icon').getBoundingClientRect();
    const c = document.querySelector('.lmap-canvas').getBoundingClientRect();
    return r.left >= c.left && r.right <= c.right && r.top >= c.top && r.bottom <= c.bottom;
  });
  check(inView, `${what}: and in view`);
}

async function signInAt(p, url) {
  await p.goto(url + '/login?next=/');
  await p.fill('input[name=user]', 'li');
  await p.fill('input[name=password]', pass);
  await Promise.all([p.waitForNavigation(), p.click('form.login button[type=submit]')]);
  check(!p.url().includes('/login'), 'signed in at ' + url);
}

async function withBasemap(p, vp) {
  await p.goto(base + '/cases/' + id);
  await p.waitForSelector('.minimap .lmap.ready');
  check(await p.locator('.minimap svg.map').count() === 0, 'the map over tiles replaces the drawn one');
  const srcs = await p.locator('.lmap img.leaflet-tile').evaluateAll((is) => is.map((i) => i.src));
  check(srcs.length > 0 && srcs.every((s) => s.startsWith(tiles + '/wgs/')), `tiles from the first source (${srcs.length})`);
  await pinAt(p, '/wgs/', pos.wgs84, vp + ' WGS-84 tiles');
  await waitText(p, '.place-line .addr', '南京东路附近 约 35 米', 'the address under the title');
  await waitText(p, '.place-line .community', '贵州路居委会', '社区 under the title');
  await waitText(p, 'dd.cell', '南京东路 1 号网格', 'the cell name');
  await waitText(p, 'dd.community', '贵州路居委会', 'the community');
  await waitText(p, 'dd.street', '南京东路街道', 'the street');
  await waitText(p, 'dd.cell-unit', '南京东路街道城管中队', 'the responsible unit');
  await waitText(p, 'dd.address', '南京东路附近 约 35 米', 'the address in the facts');
  await waitText(p, '.leaflet-control-attribution', '测试瓦片 <b>不是标记</b>', 'the attribution, as text');
  const poster = await p.locator('.evidence video').getAttribute('poster');
  check(poster && poster.startsWith('/evidence/'), 'the clip has a poster frame: ' + poster);
  await p.evaluate(() => document.querySelector('.minimap').scrollIntoView({ block: 'center' }));
  await shot(p, `case-${vp}`);

  // The second source is GCJ-02: the pin moves with the datum.
  await p.hover('.lmap .leaflet-control-layers');
  await p.click('.leaflet-control-layers-base label:has-text("测试高德")');
  await p.waitForFunction(() => document.querySelector('.lmap').dataset.crs === 'gcj02');
  await pinAt(p, '/gcj/', pos.gcj02, vp + ' GCJ-02 tiles');
  await shot(p, `case-gcj02-${vp}`);

  await p.goto(base + '/map');
  await p.waitForSelector('.lmap.ready');
  await p.waitForSelector('.lmap img.leaflet-tile-loaded');
  check(await p.locator('.lmap path.pt').count() >= 1, 'the map page draws the case');
  await p.locator(`.lmap path.pt[data-case="${id}"]`).click({ force: true });
  await waitText(p, '.leaflet-popup-content', '南京东路附近 约 35 米', 'the popup says the address');
  await waitText(p, '.leaflet-popup-content', '贵州路居委会 · 南京东路街道 · 南京东路街道城管中队', 'and the community, street and unit');
  await waitText(p, '.maplist', '南京东路 1 号网格', 'the list names the cell');
  await p.waitForFunction(() => getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1');
  await shot(p, `map-${vp}`);

  // A live update redraws the map with the new case, keeping the view.
  const zoomOf = () => p.locator('.lmap img.leaflet-tile-loaded').first().evaluate((i) => i.src.match(/\/(\d+)\/\d+\/\d+\.png$/)[1]);
  const before = await zoomOf();
  const points = await p.locator('.lmap path.pt').count();
  const made = await api(p, 'POST', '/test/new-case');
  check(made.status === 200, 'a new case opened');
  await p.waitForFunction((n) => document.querySelectorAll('.lmap.ready path.pt').length === n + 1, points, { timeout: 30000 });
  console.log('ok   the live update draws the new case on the map');
  await p.waitForSelector('.lmap img.leaflet-tile-loaded');
  check(await zoomOf() === before, `and keeps the zoom (${before})`);
  check(await p.locator('.lmap').count() === 1 && await p.locator('.lmap-canvas').count() === 1, 'one map, not two');
}

async function withoutBasemap(p, vp) {
  await signInAt(p, nomap);
  for (const path of ['/cases/' + nomapID, '/map']) {
    await p.goto(nomap + path);
    const note = p.locator('p.nobasemap');
    check(await note.isVisible(), 'the no-basemap note shows on ' + path);
    await waitText(p, 'p.nobasemap', '未配置底图', 'it says no basemap is configured');
    await waitText(p, 'p.nobasemap code', 'web.basemap', 'and which key to set');
    check(await p.locator('svg.map path.cell').count() >= 1, 'cells are still drawn');
    check(await p.locator('svg.map circle.pt').count() >= 1, 'and the case');
    check(await p.locator('script[src*="leaflet"]').count() === 0, 'no map library loaded');
    // A live refresh may swap the note's markup at any moment: scroll by query.
  await p.evaluate(() => document.querySelector('p.nobasemap').scrollIntoView({ block: 'center' }));
    await shot(p, `nomap-${path === '/map' ? 'map' : 'case'}-${vp}`);
  }
}

await main(async () => {
  for (const [vp, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]]) {
    const o = await officer('li', pass, { viewport });
    o.page.on('console', (m) => { if (/Content Security Policy|Refused to/.test(m.text())) policyErrors.push(m.text()); });
    await withBasemap(o.page, vp);
    await withoutBasemap(o.page, vp);
  }
  check(policyErrors.length === 0, 'nothing refused by the Content-Security-Policy: ' + policyErrors.join('; '));
});
