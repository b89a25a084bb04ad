/* Tangerang LIVE Room: replay a day on the wall, as a time-lapse (`/?replay=2026-11-29&speed=600`: a day in 144 s).
   The day comes whole from /api/v1/live/replay (data_feeds/live/replay.py ReplayDay: what was open at midnight WIB and
   every status change, for this viewer's audience); here it is played: markers appear, change colour and close (a
   closed report leaves the map two hours of the day later), and each moment becomes a live view (shapes.py LiveView)
   that the wall draws as it draws live ones: the KPI tiles and the ticker count along, the map colours and the
   kiosk's counts follow; the status strip says REPLAY with the day's time in a colour of its own. The live link does not
   start (liveroom.js startLink); the address without `replay=` is live again. Works with the kiosk's scenes. */
(function () {
  "use strict";
  var TICK_MS = 250;
  var CLOSED_STAY_S = 2 * 3600;  // a closed report stays on the map this long (of the day), then leaves
  var params = new URLSearchParams(location.search);
  var day = params.get("replay");
  if (!day) { window.liveroomReplay = { wanted: function () { return false; } }; return; }
  var speed = Math.min(86400, Math.max(1, parseFloat(params.get("speed")) || 600));
  document.documentElement.classList.add("lr-replay");

  var state = { data: null, at: 0, status: {}, closedAt: {}, created: [], answered: {}, done: false, drawn: {}, shown: 0, key: "",
                banner: null, ids: null };
  /* the stores to draw into: the live link's own (channel_config "ids" in callbacks/live.py, from layouts/ids.py) */
  function setProps(id, props) { window.liveroomLink.setProps(id, props); }  // live_link.js: Dash's history kept short
  function words() { return window.liveroomWords[lng()]; }
  function fill(text, values) { return String(text).replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; }); }
  function lng() { var wall = document.querySelector(".lr-wall"); return wall && wall.getAttribute("lang") === "en" ? "en" : "id"; }
  function num(n) { return new Intl.NumberFormat(lng() === "en" ? "en-GB" : "id-ID").format(n); }
  function el(type, props) { return { type: type, namespace: "dash_html_components", props: props }; }
  function dayTime(s) {
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return (h < 10 ? "0" : "") + h + ":" + (m < 10 ? "0" : "") + m;
  }
  function dayName() {
    return new Intl.DateTimeFormat(lng() === "en" ? "en-GB" : "id-ID", { timeZone: "Asia/Jakarta", day: "numeric", month: "long",
      year: "numeric" }).format(new Date(state.data ? state.data.start : day + "T00:00:00+07:00"));
  }

  /* The status strip while replaying (liveroom.js banner asks): the day's time, a link back to live. */
  function bannerChildren() {
    var back = new URLSearchParams(location.search);
    back.delete("replay");
    back.delete("speed");
    return [el("Span", { className: "lr-warn-icon", children: "\u25b6" }), state.banner[1] + " \u00b7 ",
            el("A", { href: location.pathname + (back.toString() ? "?" + back.toString() : ""), className: "lr-replay-live",
                      children: words().replay_live })];
  }
  /* Everything the screen shows at the day's second `s`, from the events up to it. */
  function advance(s) {
    var d = state.data, events = d.events;
    while (state.at < events.length && events[state.at][0] <= s) {
      var ev = events[state.at++], id = ev[1], to = ev[2];
      if (!(id in state.status) && to === "baru") { state.created.push([ev[0], id]); }
      if (to === "diproses" && !(id in state.answered)) {
        var reported = Date.parse(d.reports[id].r), when = Date.parse(d.start) + ev[0] * 1000;
        state.answered[id] = Math.max(0, (when - reported) / 1000);
      }
      state.status[id] = to;
      if (to === "baru" || to === "diproses") { delete state.closedAt[id]; } else { state.closedAt[id] = ev[0]; }
    }
  }
  /* One area's KPIs and ticker (shapes.py AreaView) from the reports `ids` (the city's, or a kecamatan's). */
  function areaView(ids, s) {
    var d = state.data, kpi = { today: 0, baru: 0, diproses: 0, selesai_today: 0, ttfr_window_days: 1, ttfr_n: 0 };
    var times = [], mine = {};
    ids.forEach(function (id) {
      mine[id] = true;
      var st = state.status[id];
      if (st === "baru" || st === "diproses") { kpi[st] += 1; }
      if (st === "selesai" && state.closedAt[id] !== undefined) { kpi.selesai_today += 1; }
      if (id in state.answered) { times.push(state.answered[id]); }
    });
    times.sort(function (a, b) { return a - b; });
    kpi.ttfr_n = times.length;
    if (times.length) { kpi.ttfr_median_s = times[Math.floor((times.length - 1) / 2)]; }
    var order = [], rows = {};
    for (var i = state.created.length - 1; i >= 0 && order.length < 12; i--) {
      var id = state.created[i][1];
      if (!mine[id]) { continue; }
      var r = d.reports[id];
      order.push(id);
      rows[id] = { id: id, source: r.demo ? "demo" : "", category: r.c, title: r.t, status: state.status[id], sla: "",
                   kecamatan: r.k, kc: r.kc, kelurahan: r.l, reported_at: r.r };
    }
    state.created.forEach(function (c) { if (mine[c[1]]) { kpi.today += 1; } });
    return { kpi: kpi, ticker: { order: order, rows: rows }, opd: { order: [], rows: {}, b: 0, w: 0, days: 1 } };
  }

  /* The day at second `s` as the live channel's view (shapes.py LiveView), so the wall's own drawing (liveroom.js
     area: tiles, ticker, map colours, the kiosk's counts, a kecamatan picked on the map) draws it; the markers go
     to the map here. */
  function draw(s) {
    var d = state.data, features = [], byKec = {}, all = [], open = {}, demo = false;
    Object.keys(state.status).forEach(function (id) {
      var st = state.status[id], r = d.reports[id];
      all.push(id);
      if (r.kc) { (byKec[r.kc] = byKec[r.kc] || []).push(id); }
      if (r.kc && (st === "baru" || st === "diproses")) { open[r.kc] = (open[r.kc] || 0) + 1; }
      if (state.closedAt[id] !== undefined && s - state.closedAt[id] > CLOSED_STAY_S) { return; }
      var props = { id: id, s: st, c: r.c, t: r.t, kc: r.kc, k: r.k, l: r.l, r: r.r, o: r.o };
      if (r.demo) { props.demo = 1; demo = true; }
      features.push({ type: "Feature", id: id, geometry: { type: "Point", coordinates: r.ll }, properties: props });
      state.drawn[id] = true;
    });
    var key = features.map(function (f) { return f.id + f.properties.s; }).join(",");
    if (key !== state.key) {  // only a change redraws the map
      state.key = key;
      state.shown = features.length;
      setProps(state.ids.markers, { data: { type: "FeatureCollection", features: features } });
    }
    var areas = { city: areaView(all, s) }, names = {};
    Object.keys(d.places).forEach(function (kc) { areas[kc] = areaView(byKec[kc] || [], s); names[kc] = d.places[kc]; });
    Object.keys(d.places).forEach(function (kc) { open[kc] = open[kc] || 0; });
    var view = { v: "replay", at: new Date(Date.parse(d.start) + s * 1000).toISOString(), areas: areas, map: { open: open },
                 map_demo: {}, note: [features.length, features.length], demo: demo, stale: [], mark: "", names: names };
    var text = state.done ? fill(words().replay_done, { day: dayName() })
                          : fill(words().replay_banner, { day: dayName(), time: dayTime(s), speed: num(speed) });
    state.banner = ["lr-status lr-status-replay" + (state.done ? " lr-replay-done" : ""), text];
    setProps(state.ids.view, { data: view });
  }

  function start(cfg) {
    state.ids = cfg.ids;
    fetch("/api/v1/live/replay?day=" + encodeURIComponent(day), { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      return r.json().then(function (body) {
        var e = body.error && (Array.isArray(body.error) ? body.error[0] : body.error);  // data_feeds/validation.py's shape
        if (!r.ok) { throw new Error(e ? (e.field ? e.field + " " : "") + e.reason : r.status); }
        return body;
      });
    }).then(function (data) {
      state.data = data;
      Object.keys(data.at_start).forEach(function (id) { state.status[id] = data.at_start[id]; });
      var began = performance.now();
      var timer = setInterval(function () {
        var s = Math.min(86400, (performance.now() - began) / 1000 * speed);
        advance(s);
        if (s >= 86400) { state.done = true; clearInterval(timer); }
        draw(s);
      }, TICK_MS);
    }).catch(function (err) {
      state.banner = ["lr-status lr-status-replay lr-replay-error", fill(words().replay_error, { why: err.message })];
      setProps("status-banner", { className: state.banner[0], children: bannerChildren() });
    });
  }

  window.liveroomReplay = {
    wanted: function () { return true; },
    start: start,
    banner: function () { return state.banner ? [state.banner[0], bannerChildren()] : null; },
    info: function () {
      return { day: day, speed: speed, done: state.done, events: state.at, shown: state.shown, drawn: Object.keys(state.drawn).length,
               status: state.status, created: state.created.length };
    }
  };
})();
