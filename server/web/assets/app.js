// Xiuhua officers' pages: actions, keyboard shortcuts and live updates.
// The pages are rendered by the server; this script only sends the steps
// officers take and swaps in fresh server-rendered parts when a case
// changes. No framework, no build step.
'use strict';
(function () {
  const body = document.body;
  const page = body.dataset.page;
  const i18nEl = document.getElementById('i18n');
  const M = i18nEl ? JSON.parse(i18nEl.textContent) : {};
  const t = (k) => M[k] || k;
  const flashEl = document.getElementById('flash');
  // drafts.js and notice.js run first (deferred scripts run in order).
  const drafts = window.XiuhuaDrafts;
  const notice = window.XiuhuaNotice;

  function flash(msg, kind) {
    if (!flashEl) return;
    flashEl.textContent = msg;
    flashEl.className = 'flash ' + (kind || 'info');
    flashEl.hidden = false;
  }

  function csrf() {
    const m = document.cookie.match(/(?:^|;\s*)xiuhua_csrf=([^;]*)/);
    return m ? decodeURIComponent(m[1]) : '';
  }

  function toLogin() {
    location.href = '/login?next=' + encodeURIComponent(location.pathname + location.search);
  }

  // transition posts one step. It resolves to true when the step was
  // taken; otherwise it has told the officer why.
  async function transition(caseID, to, version, comment, file, assign, action) {
    const req = Object.assign({ to: to, version: Number(version), comment: comment || '' }, assign || {});
    const opts = { method: 'POST', credentials: 'same-origin', headers: { 'X-CSRF-Token': csrf() } };
    if (file) {
      const fd = new FormData();
      fd.append('request', new Blob([JSON.stringify(req)], { type: 'application/json' }));
      fd.append('attachment', file, file.name);
      opts.body = fd;
    } else {
      opts.headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(req);
    }
    let resp;
    try {
      resp = await fetch('/api/v1/cases/' + encodeURIComponent(caseID) + '/transitions', opts);
    } catch (e) {
      console.warn('transition:', e);
      flash(t('network'), 'error');
      return false;
    }
    if (resp.ok) {
      // Say what was done: 已立案, 已派遣, 已反馈…
      flash(M['done_' + action] || t('done'), 'ok');
      return true;
    }
    let msg = '';
    try { msg = (await resp.json()).error || ''; } catch (e) { /* not JSON */ }
    // The server's words are English, for integrators and the log: a
    // Chinese page says what went wrong in Chinese only and leaves them
    // to the console.
    if (msg) console.warn('transition refused:', resp.status, msg);
    const detail = document.documentElement.lang === 'zh-CN' ? '' : ' ' + msg;
    switch (resp.status) {
      case 401:
        flash(t('expired'), 'error');
        setTimeout(toLogin, 800);
        break;
      case 409:
        flash(t('conflict'), 'error');
        await refresh();
        break;
      case 403:
        flash(t(/is not one of its handlers|case is assigned to/.test(msg) ? 'not_assigned' : 'forbidden') + detail, 'error');
        break;
      case 404:
        flash(t('not_found') + detail, 'error');
        break;
      case 413:
        flash(t('too_large') + detail, 'error');
        break;
      default:
        if (/^attachment: (type|not a readable)/.test(msg)) flash(t('not_image') + detail, 'error');
        else if (/officer: invalid value/.test(msg)) flash(t('bad_officer') + detail, 'error');
        else if (/unit: (invalid value|required)/.test(msg)) flash(t('bad_unit') + detail, 'error');
        else if (resp.status >= 500) flash(t('server_error') + detail, 'error');
        else flash(t('bad_request') + detail, 'error');
    }
    return false;
  }

  // refresh fetches this page again and swaps its live parts, so that
  // what the server renders stays the one source of the markup.
  let refreshing = null;
  async function refresh() {
    if (refreshing) return refreshing;
    refreshing = (async () => {
      const resp = await fetch(location.href, { credentials: 'same-origin', headers: { Accept: 'text/html' } });
      if (resp.redirected && new URL(resp.url).pathname === '/login') { toLogin(); return; }
      if (!resp.ok) return;
      const doc = new DOMParser().parseFromString(await resp.text(), 'text/html');
      const selected = selectedID();
      document.querySelectorAll('[data-live]').forEach((el) => {
        const fresh = el.id && doc.getElementById(el.id);
        if (!fresh) return;
        // Keep an officer's half-typed form while the case is unchanged.
        if (el.dataset.version && el.dataset.version === fresh.dataset.version) return;
        el.replaceWith(document.importNode(fresh, true));
      });
      if (selected) select(rows().findIndex((r) => r.dataset.case === selected));
      bind();
      // map.js draws the swapped-in maps over their tiles again.
      document.dispatchEvent(new Event('xiuhua:refreshed'));
      if (page === 'queue') notice.update();
    })().finally(() => { refreshing = null; });
    return refreshing;
  }

  // --- Review queue -------------------------------------------------------
  let current = -1;
  const rows = () => Array.from(document.querySelectorAll('#queue tr.case'));
  function selectedID() { const r = rows()[current]; return r ? r.dataset.case : ''; }
  function select(i) {
    const rs = rows();
    if (!rs.length) { current = -1; return; }
    current = Math.max(0, Math.min(i, rs.length - 1));
    rs.forEach((r, j) => r.classList.toggle('selected', j === current));
    rs[current].scrollIntoView({ block: 'nearest' });
  }

  async function rowAct(row, to, needsComment) {
    if (!row || row.dataset.busy) return;
    let comment = '';
    if (needsComment) {
      comment = (window.prompt(t('reason_prompt')) || '').trim();
      if (!comment) { flash(t('need_reason'), 'error'); return; }
    }
    row.dataset.busy = '1';
    row.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    const ok = await transition(row.dataset.case, to, row.dataset.version, comment, null, null, to === 'filed' ? 'file' : 'reject');
    delete row.dataset.busy;
    if (ok) await refresh();
    else row.querySelectorAll('button').forEach((b) => { b.disabled = false; });
  }

  // armed is the case a first c press chose: filing is one key away from
  // j/k, so it takes a second c on the same case, and any other key
  // cancels.
  let armed = '';
  const reviewable = (row) => !!(row && row.querySelector('button[data-act="filed"]'));
  function onQueueKey(ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (/^(INPUT|TEXTAREA|SELECT)$/.test(ev.target.tagName)) return;
    const row = rows()[current];
    const wasArmed = armed;
    armed = '';
    if (wasArmed && ev.key !== 'c') flash(t('file_cancelled'), 'info');
    switch (ev.key) {
      case 'j': select(current + 1); break;
      case 'k': select(current - 1); break;
      case 'Enter': if (row) location.href = row.dataset.url; break;
      // c and r act only on a row the officer may file or reject (it
      // shows the buttons): elsewhere they would only earn a refusal.
      case 'c':
        if (!reviewable(row)) break;
        if (wasArmed === row.dataset.case) { rowAct(row, 'filed', false); break; }
        armed = row.dataset.case;
        flash(t('confirm_file'), 'info');
        break;
      case 'r': if (reviewable(row)) rowAct(row, 'rejected', true); break;
      default: return;
    }
    ev.preventDefault();
  }

  // --- Case page ----------------------------------------------------------
  async function onActSubmit(ev) {
    ev.preventDefault();
    const form = ev.currentTarget;
    if (form.dataset.busy) return; // a double click sends once
    const f = form.elements;
    const comment = f.comment ? f.comment.value.trim() : '';
    // A dispatch names the unit and the handling officer; the server
    // checks the officer and keeps both on the case.
    const assign = form.dataset.form === 'dispatch'
      ? { unit: f.unit.value.trim(), officer: f.officer.value.trim() } : null;
    // An empty field is named: 处置情况 for a report, 理由 otherwise.
    // (The forms are novalidate: the browser's own bubble would say
    // neither, and in the browser's language.)
    if ((form.dataset.form === 'report' || form.dataset.form === 'comment') && !comment) {
      flash(t(form.dataset.form === 'report' ? 'need_feedback' : 'need_reason'), 'error');
      f.comment.focus();
      return;
    }
    const file = f.attachment && f.attachment.files.length ? f.attachment.files[0] : null;
    const why = file ? drafts.problem(file, f.attachment, t) : '';
    if (why) { flash(why, 'error'); return; } // refused before it is sent
    form.dataset.busy = '1';
    form.querySelectorAll('button').forEach((b) => { b.disabled = true; });
    flash(t('sending'), 'info');
    const ok = await transition(form.dataset.case, form.dataset.to, form.dataset.version, comment, file, assign, form.dataset.action);
    if (ok) {
      await drafts.clear(form);
      await refresh();
      return; // the fresh actions replace this form
    }
    delete form.dataset.busy;
    form.querySelectorAll('button').forEach((b) => { b.disabled = false; });
  }

  // officersOf shows, in a dispatch form, only the chosen unit's officers
  // (the server refuses any other), and forgets a choice no longer shown.
  function officersOf(form) {
    const unit = form.elements.unit, officer = form.elements.officer;
    if (!unit || !officer || !officer.hasAttribute('data-by-unit')) return;
    Array.from(officer.options).forEach((o) => {
      if (!o.value) return;
      const other = o.dataset.unit !== unit.value;
      o.hidden = other;
      o.disabled = other;
    });
    if (officer.selectedOptions.length && officer.selectedOptions[0].disabled) officer.value = '';
  }

  function bind() {
    document.querySelectorAll('form.act').forEach((form) => {
      if (form.dataset.bound) return;
      form.dataset.bound = '1';
      form.addEventListener('submit', onActSubmit);
      if (form.dataset.form === 'dispatch') {
        form.elements.unit.addEventListener('change', () => officersOf(form));
        officersOf(form);
      }
      drafts.attach(form, t, flash);
    });
    document.querySelectorAll('#queue button[data-act]').forEach((b) => {
      if (b.dataset.bound) return;
      b.dataset.bound = '1';
      b.addEventListener('click', (ev) => {
        const row = ev.currentTarget.closest('tr');
        select(rows().indexOf(row));
        rowAct(row, b.dataset.act, b.hasAttribute('data-needs-comment'));
      });
    });
    document.querySelectorAll('#queue tr.case').forEach((r) => {
      if (r.dataset.bound) return;
      r.dataset.bound = '1';
      r.addEventListener('click', (ev) => {
        if (ev.target.closest('a,button')) return;
        select(rows().indexOf(r));
      });
    });
  }

  // --- Live updates -------------------------------------------------------
  function live() {
    const ind = document.getElementById('live');
    if (!ind || !window.EventSource) return;
    const es = new EventSource('/api/v1/events');
    let timer = null;
    const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 250); };
    es.addEventListener('open', () => {
      ind.textContent = t('live_on');
      ind.classList.add('on');
      body.dataset.stream = 'on';
      later(); // whatever happened while away
    });
    es.addEventListener('error', () => {
      ind.textContent = t('live_off');
      ind.classList.remove('on');
      body.dataset.stream = 'off';
    });
    es.addEventListener('case', (msg) => {
      let ev;
      try { ev = JSON.parse(msg.data); } catch (e) { return; }
      const here = document.querySelector('main.casepage');
      if (here && here.dataset.case !== ev.id) return;
      later();
    });
  }

  bind();
  if (page === 'queue') {
    document.addEventListener('keydown', onQueueKey);
    notice.start();
  }
  if (page !== 'login') live();
})();
