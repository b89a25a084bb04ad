/* Tangerang LIVE Room: replay a day on the wall, as a time-lapse (`/?replay=2026-11-29&speed=600`: a day in 144 s).
   The day comes whole from /api/v1/live/replay (data_feeds/live/replay.py ReplayDay: what was open at midnight WIB and
   every status change, for this viewer's audience); here it is played: markers appear, change colour and close (a
   closed report leaves the map two hours of the day later), the KPI tiles and the ticker count along, and the status
   strip says REPLAY with the day's time in a colour of its own, so nobody takes it for live. The live link does not
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

  var state = { data: null, at: 0, status: {}, closedAt: {}, created: [], answered: {}, done: false, drawn: {}, shown: 0, key: "" };
  /* (the ids are layouts/ids.py's: STATUS_BANNER, MAP_MARKERS, the KPI tiles, TICKER_DATA) */
  function setProps(id, props) { window.dash_clientside.set_props(id, props); }
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

  function banner(text, cls) {
    setProps("status-banner", { className: "lr-status lr-status-replay" + (cls ? " " + cls : ""), children: [
      el("Span", { className: "lr-warn-icon", children: "\u25b6" }), text + " \u00b7 ",
      el("A", { href: location.pathname + "?" + (function () { var p = new URLSearchParams(location.search); p.delete("replay");
        p.delete("speed"); return p.toString(); })(), className: "lr-replay-live", children: words().replay_live })] });
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
  function draw(s) {
    var d = state.data, w = words(), ids = Object.keys(state.status), features = [], counts = { baru: 0, diproses: 0 };
    ids.forEach(function (id) {
      var st = state.status[id], r = d.reports[id];
      if (st in counts) { counts[st] += 1; }
      if (state.closedAt[id] !== undefined && s - state.closedAt[id] > CLOSED_STAY_S) { return; }
      var props = { id: id, s: st, c: r.c, t: r.t, kc: r.kc, k: r.k, l: r.l, r: r.r, o: r.o };
      if (r.demo) { props.demo = 1; }
      features.push({ type: "Feature", id: id, geometry: { type: "Point", coordinates: r.ll }, properties: props });
      state.drawn[id] = true;
    });
    var key = features.map(function (f) { return f.id + f.properties.s; }).join(",");
    if (key !== state.key) {  // only a change redraws the map
      state.key = key;
      state.shown = features.length;
      setProps("map-markers", { data: { type: "FeatureCollection", features: features } });
    }
    var selesai = 0;
    Object.keys(state.closedAt).forEach(function (id) { if (state.status[id] === "selesai") { selesai += 1; } });
    var times = Object.keys(state.answered).map(function (id) { return state.answered[id]; }).sort(function (a, b) { return a - b; });
    var median = times.length ? times[Math.floor((times.length - 1) / 2)] : null;
    setProps("kpi-today", { children: num(state.created.length) });
    setProps("kpi-baru", { children: num(counts.baru) });
    setProps("kpi-diproses", { children: num(counts.diproses) });
    setProps("kpi-selesai", { children: num(selesai) });
    setProps("kpi-ttfr", { children: median === null ? "\u2013" : window.liveroom.format.duration(median, lng()) });
    setProps("kpi-ttfr-note", { children: fill(w.replay_ttfr, { n: num(times.length) }) });
    var newest = state.created.slice(-12).reverse().map(function (c) {
      var r = d.reports[c[1]];
      return { id: r.id, source: r.demo ? "demo" : "", category: r.c, title: r.t, status: state.status[r.id], sla: "",
               kecamatan: r.k, kc: r.kc, kelurahan: r.l, reported_at: r.r };
    });
    setProps("ticker-data", { data: newest });
    banner(state.done ? fill(w.replay_done, { day: dayName() })
                      : fill(w.replay_banner, { day: dayName(), time: dayTime(s), speed: num(speed) }), state.done ? "lr-replay-done" : "");
  }

  function start() {
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
    }).catch(function (err) { banner(fill(words().replay_error, { why: err.message }), "lr-replay-error"); });
  }

  window.liveroomReplay = {
    wanted: function () { return true; },
    start: start,
    info: function () {
      return { day: day, speed: speed, done: state.done, events: state.at, shown: state.shown, drawn: Object.keys(state.drawn).length,
               status: state.status, created: state.created.length };
    }
  };
})();
