// Notice of new cases on a queue: rows that arrive over the live updates
// (or while the stream was away) are marked, the count of those the
// officer has not yet looked at leads the page title, "(3) 待审核",
// so a queue in a background tab still tells, and, if the officer turned
// it on (off by default, remembered in localStorage), a short tone sounds.
'use strict';
window.XiuhuaNotice = (function () {
  const title = document.title;
  const SOUND = 'xiuhua.sound';
  const fresh = new Set(); // marked rows, by case id
  let known = null; // every case id this queue has shown
  let unseen = 0;
  let audio = null;

  const rowIDs = () => Array.from(document.querySelectorAll('#queue tr.case'), (r) => r.dataset.case);
  function soundOn() {
    try { return localStorage.getItem(SOUND) === '1'; } catch (e) { return false; }
  }

  // tone plays a short, quiet beep; browsers allow sound only after the
  // officer has touched the page, which turning it on does.
  function tone() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === 'suspended') audio.resume();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.value = 0.1;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.2);
      document.body.dataset.tones = String(Number(document.body.dataset.tones || 0) + 1);
    } catch (e) { console.warn('sound:', e); }
  }

  // seen takes the count out of the title: the officer is looking.
  function seen() {
    if (!unseen) return;
    unseen = 0;
    document.title = title;
  }

  // update marks the rows the queue has not shown before; the page calls
  // it after every refresh of the queue.
  function update() {
    if (!known) return;
    let added = 0;
    for (const id of rowIDs()) {
      if (known.has(id)) continue;
      known.add(id);
      fresh.add(id);
      added++;
    }
    document.querySelectorAll('#queue tr.case').forEach((r) => r.classList.toggle('fresh', fresh.has(r.dataset.case)));
    if (!added) return;
    unseen += added;
    document.title = '(' + unseen + ') ' + title;
    if (soundOn()) tone();
  }

  function start() {
    known = new Set(rowIDs());
    const toggle = document.getElementById('sound');
    if (toggle) {
      toggle.checked = soundOn();
      toggle.addEventListener('change', () => {
        try { localStorage.setItem(SOUND, toggle.checked ? '1' : '0'); } catch (e) { console.warn('sound:', e); }
        if (toggle.checked && !audio) {
          try { audio = new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { console.warn('sound:', e); }
        }
      });
    }
    document.addEventListener('keydown', seen);
    document.addEventListener('click', (ev) => {
      seen();
      const row = ev.target.closest && ev.target.closest('#queue tr.case.fresh');
      if (row) { fresh.delete(row.dataset.case); row.classList.remove('fresh'); }
    });
  }

  return { start, update };
})();
