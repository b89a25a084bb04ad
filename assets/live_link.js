/* Tangerang LIVE Room: the wall's live link to the live channel (data_feeds/runtime/channel.py).
   A Server-Sent Events stream; where a proxy refuses or buffers streams, a poll of the same channel
   (the stream is tried again every few minutes). Each message is a merge patch of the view
   (data_feeds/live/shapes.py LiveView) and the markers that changed; a message that does not follow
   the version held, or a reset, loads the view and markers whole. What arrives goes into Dash
   (dash_clientside.set_props): the view, the map's markers, the indicators' mark and the link's state,
   and the wall's clientside callbacks draw from them. */
(function () {
  "use strict";
  var POLL_MS = 1500;  // the fallback's rhythm
  var HELLO_MS = 5000;  // a stream that has said nothing by then is held by a buffering proxy
  var STREAM_RETRY_MS = 5 * 60 * 1000;  // a dashboard that fell back tries the stream again this often
  /* the ticket's address: data_feeds/paths.py, in the words script (read when asked: it may load after this) */
  function ticketPath() { return window.liveroomPaths.ticket; }

  var link = {
    cfg: null, es: null, token: null, view: null, mark: null, markers: null, mode: "stream", failures: 0, heard: 0, beat: null,
    resetting: false, waiting: [], helloTimer: null, retryAt: 0, pollTimer: null, state: null, started: false,
    stats: { messages: 0, resets: 0, fallbacks: 0 }
  };

  /* Dash records every set_props of a callback's input in its undo history and never trims it (plotly/dash#727,
     open since 2019): a wall would keep every view it ever showed (bench/wall_heap.py measured ~0.4 MB a minute at
     5,000 markers). Only the last entry is ever read (REVERT, Dash's recovery from a failed callback): keep that. */
  function forgetHistory() {
    (window.dash_stores || []).forEach(function (store) {
      var past = store.getState().history && store.getState().history.past;
      if (past && past.length > 1) { past.splice(0, past.length - 1); }
    });
  }
  function setProps(id, props) { window.dash_clientside.set_props(id, props); forgetHistory(); }
  function base() {
    var url = link.cfg.url;
    if (url === "/") { return ""; }
    return url || (location.protocol + "//" + location.hostname + ":" + link.cfg.port);
  }
  function address(path, have) {
    return base() + path + "?t=" + encodeURIComponent(link.cfg.t) + (have ? "&have=" + encodeURIComponent(have) : "") +
      (link.cfg.ids.version ? "&only=v" : "");
  }
  /* "epoch:n": is a newer than b (same epoch)? Another epoch is never "older". */
  function notOlder(a, b) {
    if (!a || !b) { return true; }
    var x = a.split(":"), y = b.split(":");
    return x[0] !== y[0] || parseInt(x[1], 10) > parseInt(y[1], 10);
  }
  function mergePatch(doc, patch) {  /* RFC 7396, as data_feeds/live/view.py apply */
    var out = Object.assign({}, doc);
    Object.keys(patch).forEach(function (k) {
      var v = patch[k];
      if (v === null) { delete out[k]; }
      else if (typeof v === "object" && !Array.isArray(v)) {
        out[k] = mergePatch(out[k] && typeof out[k] === "object" && !Array.isArray(out[k]) ? out[k] : {}, v);
      } else { out[k] = v; }
    });
    return out;
  }

  /* The link's state for the status strip: cut off, or what the channel says of Redis and the worker. */
  function publishState() {
    var cut = link.heard && Date.now() - link.heard > link.cfg.beat_ms * 2 + 5000;
    var b = link.beat || {};
    var state = { cut: !!cut || !link.heard && Date.now() - link.started > link.cfg.beat_ms * 2 + 5000,
                  since: link.heard || link.started, redis: b.redis !== false, worker: b.worker !== false, mode: link.mode };
    var key = JSON.stringify([state.cut, state.cut ? state.since : 0, state.redis, state.worker, state.mode]);
    if (key !== link.state) { link.state = key; setProps(link.cfg.ids.link, { data: state }); }
  }
  function heard() { link.heard = Date.now(); link.failures = 0; }
  function onBeat(b) { heard(); link.beat = b; publishState(); }

  /* The map's markers are kept here and handed to the map whole: two changes set within one tick must both land
     (a store set twice before its callback runs keeps only the second). liveroom.merge applies a change. */
  function markers(delta) {
    link.markers = window.dash_clientside.liveroom.merge(delta, link.markers);
    setProps(link.cfg.ids.markers, { data: link.markers });
  }
  function show() {
    setProps(link.cfg.ids.view, { data: link.view });
    var mark = JSON.stringify([link.view.mark || "", link.view.map_demo || {}]);
    if (mark !== link.mark) {
      link.mark = mark;
      setProps(link.cfg.ids.mark, { data: { mark: link.view.mark || "", demo: link.view.map_demo || {} } });
    }
  }
  function onMessage(m) {
    heard();
    link.stats.messages += 1;
    if (link.cfg.ids.version) {  /* a page that only needs to know that something changed: it reads its own data */
      if (m.v !== link.token) { link.token = m.v; setProps(link.cfg.ids.version, { data: m.v }); }
      return;
    }
    if (link.resetting) { link.waiting.push(m); return; }
    if (!m.reset && link.view && m.prev === link.token) {
      link.token = m.v;
      if (m.view) { link.view = mergePatch(link.view, m.view); show(); }
      if (m.up || m.rm) { markers({ upserts: m.up || [], removes: m.rm || [] }); }
      return;
    }
    if (!m.reset && link.view && !notOlder(m.v, link.token)) { return; }  // already have it
    reset();
  }
  /* The view and the markers whole, of one version; messages that arrive meanwhile are applied after. */
  function reset() {
    link.resetting = true;
    link.stats.resets += 1;
    fetch(address("/live/view"), { cache: "no-store" }).then(function (r) {
      if (r.status === 401) { return renewTicket().then(function () { throw new Error("ticket"); }); }
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).then(function (doc) {
      link.view = doc.view; link.token = doc.view.v;
      markers({ full: true, features: doc.markers.features });
      show();
      link.resetting = false;
      var waiting = link.waiting; link.waiting = [];
      waiting.forEach(function (m) { if (m.reset || notOlder(m.v, link.token)) { onMessage(m); } });
    }).catch(function () {
      link.waiting = [];
      setTimeout(reset, 2000);
    });
  }

  function renewTicket() {
    return fetch(ticketPath(), { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.status === 401) { location.reload(); throw new Error("signed out"); }  // the sign-in page (or the screen's own credential)
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).then(function (doc) { link.cfg.t = doc.t; });
  }

  function close() {
    if (link.es) { link.es.close(); link.es = null; }
    clearTimeout(link.helloTimer);
    clearTimeout(link.pollTimer);
  }
  /* 1, 2, then 4 s (each +-25 %): a wall is back within about 5 s of the channel answering again, and a thousand
     walls waiting out an outage ask a few hundred times a second at most */
  function backoff() { return Math.min(4000, 1000 * Math.pow(2, Math.min(link.failures, 2))) * (0.75 + Math.random() / 2); }

  function stream() {
    close();
    link.mode = "stream";
    var es = link.es = new EventSource(address("/live/events", link.token));
    var said = false;
    es.addEventListener("msg", function (e) { said = true; onMessage(JSON.parse(e.data)); });
    es.addEventListener("beat", function (e) { said = true; onBeat(JSON.parse(e.data)); });
    es.addEventListener("renew", function () { renewTicket().then(stream, function () {}); });
    es.onerror = function () {
      if (es !== link.es) { return; }
      if (!said) { link.failures += 1; }
      said = false;
      if (link.failures >= 3) { fallBack(); return; }
      if (es.readyState === EventSource.CLOSED) {  // refused (an old ticket, a full channel): a new ticket, then again
        close();
        link.pollTimer = setTimeout(function () { renewTicket().then(stream, stream); }, backoff());
      }  // else the browser reconnects by itself, saying the last version it had (Last-Event-ID)
    };
    link.helloTimer = setTimeout(function () { if (!said && es === link.es) { fallBack(); } }, HELLO_MS);
  }

  function fallBack() {
    close();
    link.mode = "poll";
    link.stats.fallbacks += 1;
    link.retryAt = Date.now() + STREAM_RETRY_MS;
    publishState();
    poll();
  }
  function poll() {
    fetch(address("/live/poll", link.token), { cache: "no-store" }).then(function (r) {
      if (r.status === 401) { return renewTicket().then(function () { return null; }); }
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).then(function (body) {
      if (!body) { return; }
      onBeat(body.beat);
      (body.msgs || []).forEach(onMessage);
    }).catch(function () { link.failures += 1; }).then(function () {
      if (link.mode !== "poll") { return; }
      if (Date.now() > link.retryAt) { link.failures = 0; stream(); return; }
      link.pollTimer = setTimeout(poll, link.failures ? backoff() : POLL_MS);
    });
  }

  window.liveroomLink = {
    /* cfg: {t, url, port, beat_ms, ids: {view, markers, mark, link}} (callbacks/live.py channel_config), or
       ids: {version, link} for a page that only follows the version (the report table) */
    start: function (cfg) {
      if (link.cfg) { return; }
      link.cfg = cfg;
      link.token = cfg.have || null;  // a page made at a known version asks only for what came after
      link.started = Date.now();
      setInterval(publishState, 1000);  // says "cut off" when nothing has been heard for too long
      /* `/?live=poll`: a screen known to sit behind a proxy that will not pass a stream starts on the fallback */
      if (/[?&]live=poll(&|$)/.test(location.search)) { fallBack(); } else { stream(); }
      /* the network is back (a cable, the Wi-Fi): try at once rather than at the next backoff */
      window.addEventListener("online", function () {
        link.failures = 0;
        if (link.mode === "poll") { clearTimeout(link.pollTimer); poll(); }
        else if (!link.es || link.es.readyState !== EventSource.OPEN) { stream(); }
      });
    },
    setProps: setProps,
    /* how many of Dash's undo entries the page holds (the wall's tests and bench/wall_heap.py read it) */
    historyLength: function () {
      return (window.dash_stores || []).reduce(function (n, store) { return n + ((store.getState().history || {}).past || []).length; }, 0);
    },
    info: function () {
      return { mode: link.mode, token: link.token, heard: link.heard, stats: link.stats, failures: link.failures,
               beat: link.beat, cfg: link.cfg };
    }
  };
})();
