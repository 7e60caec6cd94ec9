// Never lose an officer's work. The text typed into a step's form is kept
// as a draft in localStorage (keyed by officer, case and step) until the
// step is taken, so a session that expires in the middle of a report costs
// nothing: signing in again returns to the case (next=) and the form is
// filled again. The chosen photo is kept beside it in IndexedDB; where it
// cannot be, the officer is told to choose it again. A photo the server
// would refuse (larger than its limit, not JPEG/PNG) is refused here,
// before a byte of it is sent.
'use strict';
window.XiuhuaDrafts = (function () {
  const user = document.body.dataset.user || '';
  const prefix = 'xiuhua.draft/';
  const key = (form) => prefix + [user, form.dataset.case, form.dataset.action].join('/');
  // A draft nobody came back to in a week is dropped.
  const maxAge = 7 * 24 * 3600 * 1000;

  // --- The photo, in IndexedDB ---------------------------------------------
  const DB = 'xiuhua-drafts';
  const STORE = 'photos';
  function open() {
    return new Promise((resolve, reject) => {
      if (!window.indexedDB) { reject(new Error('no IndexedDB')); return; }
      const req = indexedDB.open(DB, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  // photos runs one request on the store and closes the database after.
  async function photos(mode, fn) {
    const db = await open();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const req = fn(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(req.result);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }
  const dropPhoto = (k) => photos('readwrite', (s) => s.delete(k)).catch((e) => console.warn('draft photo:', e));

  // --- The text, in localStorage -------------------------------------------
  function read(k) {
    try { return JSON.parse(localStorage.getItem(k) || 'null'); } catch (e) { return null; }
  }
  function write(k, d) {
    try {
      if (!d.comment && !d.photo) localStorage.removeItem(k);
      else localStorage.setItem(k, JSON.stringify(Object.assign(d, { at: Date.now() })));
    } catch (e) { console.warn('draft:', e); }
  }
  function prune() {
    try {
      for (let i = localStorage.length - 1; i >= 0; i--) {
        const k = localStorage.key(i);
        if (!k || !k.startsWith(prefix)) continue;
        const d = read(k);
        if (!d || !(Date.now() - d.at < maxAge)) { localStorage.removeItem(k); dropPhoto(k); }
      }
    } catch (e) { console.warn('draft:', e); }
  }

  // mb writes a size the way the limit is usually said: 10 MB, 2.4 MB.
  function mb(n) {
    const v = n / 1048576;
    return (v >= 10 || Number.isInteger(v) ? String(Math.round(v)) : v.toFixed(1)) + ' MB';
  }

  // problem is why the server would refuse file as a step's photo, in the
  // page's words, or '' when it would not.
  function problem(file, input, t) {
    if (!file) return '';
    if (!/^image\/(jpeg|png)$/.test(file.type)) return t('not_image');
    const max = Number(input.dataset.maxBytes || 0);
    if (max > 0 && file.size > max) return t('too_large_size').replace('%s', mb(file.size)).replace('%s', mb(max));
    return '';
  }

  // attach keeps form's text and photo as they change and fills the form
  // from a draft left earlier.
  function attach(form, t, flash) {
    const f = form.elements;
    const comment = f.comment;
    const photo = f.attachment;
    if (!comment && !photo) return;
    const k = key(form);
    const chosen = () => (photo && photo.files.length && !problem(photo.files[0], photo, t) ? photo.files[0] : null);
    const save = () => write(k, { comment: comment ? comment.value : '', photo: chosen() ? chosen().name : '' });
    if (comment) comment.addEventListener('input', save);
    if (photo) {
      photo.addEventListener('change', async () => {
        delete form.dataset.photoKept;
        save();
        const file = photo.files[0];
        const why = problem(file, photo, t);
        if (why) flash(why, 'error');
        if (!chosen()) { await dropPhoto(k); return; }
        try {
          await photos('readwrite', (s) => s.put(file, k));
          form.dataset.photoKept = '1';
        } catch (e) { console.warn('draft photo:', e); }
      });
    }
    restore(form, k, comment, photo, t, flash);
  }

  async function restore(form, k, comment, photo, t, flash) {
    const d = read(k);
    if (!d) return;
    if (comment && d.comment && !comment.value) comment.value = d.comment;
    if (!photo || !d.photo) {
      if (d.comment) flash(t('draft_restored'), 'info');
      return;
    }
    let file = null;
    try { file = await photos('readonly', (s) => s.get(k)); } catch (e) { console.warn('draft photo:', e); }
    if (file && window.DataTransfer) {
      try {
        const dt = new DataTransfer();
        dt.items.add(new File([file], d.photo, { type: file.type }));
        photo.files = dt.files;
        form.dataset.photoKept = '1';
      } catch (e) { console.warn('draft photo:', e); file = null; }
    }
    if (file) flash(t('draft_restored_photo').replace('%s', d.photo), 'info');
    else flash(t('draft_photo_again').replace('%s', d.photo), 'error');
  }

  // clear forgets form's draft once its step is taken.
  function clear(form) {
    const k = key(form);
    try { localStorage.removeItem(k); } catch (e) { /* nothing kept */ }
    return dropPhoto(k);
  }

  prune();
  return { attach, clear, problem };
})();
