// Xiuhua maps over tiles: draws the server's map data (a JSON island in
// each .lmap, see basemap.go) with Leaflet over the configured basemaps.
// Positions come from the server in every datum a basemap needs (WGS-84,
// and GCJ-02 for 高德/腾讯 tiles); switching basemaps redraws the cells
// and cases in the new one's datum. Without Leaflet the server's SVG map
// stays, so the page still shows the cells and cases.
'use strict';
(function () {
  if (!window.L) return;
  const L = window.L;
  // maps are the drawn maps by key. A live refresh replaces a map's markup
  // (app.js swaps server-rendered parts); the drawn map then moves into
  // the new markup, keeping its view and open popup, and only its cells
  // and cases are redrawn, and only when the server's data changed.
  const maps = {};

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => '&#' + c.charCodeAt(0) + ';');

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function tileLayer(src, url) {
    return L.tileLayer(url, {
      subdomains: src.subdomains && src.subdomains.length ? src.subdomains : 'abc',
      minZoom: src.min_zoom || 0,
      maxZoom: src.max_zoom || 18,
      // Attribution is the provider's text, never markup.
      attribution: src.attribution ? esc(src.attribution) : '',
      // The pages send no Referer; tile keys bound to a site (天地图's
      // browser keys) need this origin, and only the origin.
      referrerPolicy: 'strict-origin',
    });
  }

  function pointPopup(p) {
    const box = el('div', 'popup');
    const a = el('a', 'id', p.id);
    a.href = p.url;
    a.setAttribute('translate', 'no');
    box.appendChild(a);
    box.appendChild(el('div', 'title', p.title));
    if (p.place) box.appendChild(el('div', 'place', p.place));
    if (p.address) box.appendChild(el('div', 'address', p.address));
    return box;
  }

  function cellPopup(c, text) {
    const box = el('div', 'popup');
    box.appendChild(el('strong', '', c.label));
    for (const s of [c.community, c.street, c.unit]) if (s) box.appendChild(el('div', '', s));
    if (c.open) box.appendChild(el('div', 'open', text.open.replace('%d', c.open)));
    return box;
  }

  // overlay draws the cells and cases in one datum.
  function overlay(data, crs) {
    const g = L.featureGroup();
    for (const c of data.cells) {
      const cls = 'cell' + (c.here ? ' here' : '') + (c.open ? ' busy l' + c.level : '');
      L.polygon(c.polygons[crs], { className: cls, weight: c.here ? 3 : 1 })
        .bindPopup(() => cellPopup(c, data.text)).addTo(g);
      if (data.counts && c.open) {
        const b = L.polygon(c.polygons[crs]).getBounds().getCenter();
        L.marker(b, { icon: L.divIcon({ className: 'cellcount', html: String(Number(c.open)), iconSize: null }), interactive: false }).addTo(g);
      }
    }
    for (const p of data.points) {
      const at = p.at[crs];
      const m = data.marker
        ? L.marker(at, { title: p.id, alt: p.title })
        : L.circleMarker(at, { className: 'pt s-' + p.status + (p.overdue ? ' overdue' : ''), radius: 7 });
      m.bindPopup(() => pointPopup(p));
      m.addTo(g);
      if (m.getElement && m.getElement()) m.getElement().dataset.case = p.id;
      else m.on('add', () => { const e = m.getElement(); if (e) e.dataset.case = p.id; });
    }
    return g;
  }

  function draw(box, key) {
    const island = box.querySelector('script.lmapdata');
    if (!island || box.dataset.drawn) return;
    box.dataset.drawn = '1';
    const svg = box.querySelector('svg.map');
    if (svg) svg.remove();
    const raw = island.textContent;
    const st = maps[key];
    if (st) {
      box.appendChild(st.div);
      st.box = box;
      if (raw !== st.raw) {
        st.raw = raw;
        st.data = JSON.parse(raw);
        st.map.removeLayer(st.current);
        st.current = overlay(st.data, st.crs).addTo(st.map);
      }
      box.dataset.crs = st.crs;
      box.classList.add('ready');
      st.map.invalidateSize();
      return;
    }
    const data = JSON.parse(raw);
    const div = el('div', 'lmap-canvas');
    box.appendChild(div);
    const map = L.map(div, { zoomControl: true, attributionControl: true });
    map.attributionControl.setPrefix('<a href="https://leafletjs.com" translate="no">Leaflet</a>');
    const bases = {};
    const byName = {};
    data.sources.forEach((src) => {
      const layers = [tileLayer(src, src.url)];
      if (src.labels_url) layers.push(tileLayer(src, src.labels_url));
      bases[esc(src.name)] = L.layerGroup(layers);
      byName[esc(src.name)] = src;
    });
    Object.values(bases)[0].addTo(map);
    const crs = data.sources[0].crs;
    const state = { map, div, raw, data, box, crs, current: overlay(data, crs).addTo(map) };
    maps[key] = state;
    box.dataset.crs = crs;
    if (data.sources.length > 1) L.control.layers(bases, null, { collapsed: true }).addTo(map);
    map.on('baselayerchange', (e) => {
      const to = byName[e.name].crs;
      if (to === state.crs) return;
      const was = state.current.getBounds();
      map.removeLayer(state.current);
      state.crs = to;
      state.current = overlay(state.data, to).addTo(map);
      state.box.dataset.crs = to;
      // Keep looking at the same ground: the view moves by the datum's
      // offset (a few hundred metres, nearly the same across a city), as
      // the cells and cases did.
      const now = state.current.getBounds();
      if (was.isValid() && now.isValid()) {
        const c = map.getCenter(), a = was.getCenter(), b = now.getCenter();
        map.setView([c.lat + b.lat - a.lat, c.lng + b.lng - a.lng], map.getZoom(), { animate: false });
      }
    });
    const bounds = state.current.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds.pad(0.1), { maxZoom: data.marker ? 17 : 16 });
    else map.setView([0, 0], 2);
    box.classList.add('ready');
  }

  function drawAll() {
    document.querySelectorAll('.lmap').forEach((box, i) => draw(box, location.pathname + '#' + i));
  }
  drawAll();
  document.addEventListener('xiuhua:refreshed', drawAll);
})();
