/* Tangerang LIVE Room: a kiosk wall heals itself (only with ?scenes=, assets/kiosk.js: a page a person is
   working in is never reloaded under their hands). It reloads, coming back to the same address and so the same
   scene and pin:
   - when the live channel runs another release than the one its page came from (a deploy reaches every wall),
   - when its JS heap passes the budget (WALL_HEAP_MB; Chromium reports it),
   - once a day at a quiet hour (WALL_RELOAD_AT, WIB; "" never; ?reload=HH:MM on the address overrides it).
   It reloads only after the server has answered (/healthz): a reload into a server that is down would leave an
   error page with nothing on it to try again. The live link itself reconnects with backoff
   (live_link.js); a paired screen keeps its device credential across reboots, so it never meets a sign-in. */
(function () {
  "use strict";
  if (!/[?&]scenes=/.test(location.search)) { return; }
  var CHECK_MS = 10000;
  var RELEASE_GAP_MS = 60 * 1000;  // two releases side by side (a rolling deploy): at most one such reload a minute
  var started = Date.now(), reloading = false;
  var params = new URLSearchParams(location.search);

  function wibNow() {
    var parts = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Jakarta", hour: "2-digit", minute: "2-digit", hour12: false })
      .format(new Date()).split(":");
    return parseInt(parts[0], 10) * 60 + parseInt(parts[1], 10);
  }
  function minutes(hhmm) {
    var m = /^(\d{1,2}):(\d{2})$/.exec(hhmm || "");
    return m ? parseInt(m[1], 10) * 60 + parseInt(m[2], 10) : null;
  }
  function remember(why) {
    try { sessionStorage.setItem("liveroom-reloaded", JSON.stringify({ why: why, at: Date.now() })); } catch (e) { /* private mode */ }
  }
  function last() { try { return JSON.parse(sessionStorage.getItem("liveroom-reloaded")); } catch (e) { return null; } }
  /* Reload once the server has answered: `ready(doc)` says whether its answer allows it. */
  function reload(why, ready) {
    if (reloading) { return; }
    reloading = true;
    fetch("/healthz", { cache: "no-store", credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (doc) {
      if (doc.status === "down" || (ready && !ready(doc))) { throw new Error("not yet"); }
      remember(why);
      location.reload();
    }).catch(function () { reloading = false; });  // the server is not there (or not on the new release yet): try later
  }
  var lastDay = null;
  function check() {
    var link = window.liveroomLink && window.liveroomLink.info();
    var cfg = link && link.cfg;
    if (!cfg) { return; }
    var up = Date.now() - started;
    var before = last();
    if (link.beat && link.beat.build && cfg.build && link.beat.build !== cfg.build &&
        !(before && before.why === "release" && Date.now() - before.at < RELEASE_GAP_MS)) {
      /* only when the web server too runs the channel's release: the page it sends then is the new one */
      reload("release", function (doc) { return doc.build === link.beat.build; });
      return;
    }
    if (performance.memory && cfg.heap_mb && performance.memory.usedJSHeapSize > cfg.heap_mb * 1048576) { reload("heap"); return; }
    var at = minutes(params.has("reload") ? params.get("reload") : cfg.reload_at);
    var now = wibNow(), today = new Date().toDateString();
    /* inside the minute named, once that day, and not in the first minutes of a page already fresh */
    if (at !== null && now === at && lastDay !== today && up > 2 * 60 * 1000) { lastDay = today; reload("daily"); }
  }
  setInterval(check, CHECK_MS);
  window.liveroomHealing = { check: check, last: last };
})();
