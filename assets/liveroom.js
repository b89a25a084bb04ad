/* Tangerang LIVE Room: the browser side of the live loop and the map's drawing functions. */
(function () {
  "use strict";
  /* Words, duration units and status glyphs: one source, data_feeds/i18n, served as /_liveroom/words.js
     (loaded before this file). */
  var WORDS = window.liveroomWords;
  var PATHS = window.liveroomPaths;  /* the app's addresses (data_feeds/paths.py), from the same script */
  var GLYPH = WORDS.glyphs;
  var TZ = WORDS.timezone;  /* WIB */
  function words(lng) { return WORDS[lng === "en" ? "en" : "id"]; }
  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }
  function el(type, props) { return { type: type, namespace: "dash_html_components", props: props }; }
  /* HH:mm for today (WIB); older items also say the day, so 23:01 yesterday is not read as tonight. */
  function hhmm(iso, lng) {
    var loc = lng === "en" ? "en-GB" : "id-ID", when = new Date(iso);
    var day = function (d) { return new Intl.DateTimeFormat("en-CA", { timeZone: TZ }).format(d); };
    var opts = { timeZone: TZ, hour: "2-digit", minute: "2-digit", hour12: false };
    if (day(when) !== day(new Date())) { opts.day = "numeric"; opts.month = "short"; }
    return new Intl.DateTimeFormat(loc, opts).format(when).replace(/(\d{2})\.(\d{2})/, "$1:$2");
  }
  /* HH:mm:ss in WIB (as data_feeds/i18n fmt_time with seconds) */
  function clockTime(iso, lng) {
    if (!iso) { return "\u2013"; }
    return new Intl.DateTimeFormat(lng === "en" ? "en-GB" : "id-ID", { timeZone: TZ, hour: "2-digit", minute: "2-digit",
      second: "2-digit", hour12: false }).format(new Date(iso)).replace(/\./g, ":");
  }
  function num(n, lng) { return new Intl.NumberFormat(lng === "en" ? "en-GB" : "id-ID").format(n); }
  /* The form data_feeds/i18n fmt_duration writes: '2 hari 3 jam', '1 jam 25 menit', '56 menit', '40 detik'. */
  function duration(seconds, lng) {
    var u = WORDS.units[lng === "en" ? "en" : "id"];
    var total = Math.round(seconds), days = Math.floor(total / 86400), hours = Math.floor(total % 86400 / 3600);
    var minutes = Math.floor(total % 3600 / 60), parts;
    if (days) { parts = [[days, u[0]], [hours, u[1]]]; }
    else if (hours) { parts = [[hours, u[1]], [minutes, u[2]]]; }
    else if (minutes) { parts = [[minutes, u[2]]]; }
    else { parts = [[total, u[3]]]; }
    return parts.filter(function (p) { return p[0] || parts.length === 1; })
      .map(function (p) { return p[0] + " " + p[1]; }).join(" ");
  }
  /* Held: cut off from the channel, or Redis or the worker down. Each panel then says how old its figures are
     and the clock says it is the device's own (the banner sets it, the clock's tick writes the ages). */
  var HELD = { on: false, at: null };
  function markHeld(lng) {
    var root = document.documentElement, w = words(lng);
    root.classList.toggle("lr-cut", HELD.on);
    var panels = document.querySelectorAll(".lr-wall .lr-map-wrap, .lr-wall .lr-kpis, .lr-wall .lr-panel");
    var clock = document.querySelector(".lr-clock");
    if (!HELD.on) {
      panels.forEach(function (p) { p.removeAttribute("data-age"); });
      return;
    }
    var at = HELD.at ? Date.parse(HELD.at) : NaN;
    var text = isNaN(at) ? "\u2013" : fill(w.data_age, { age: duration(Math.max(0, Date.now() - at) / 1000, lng),
                                                         time: clockTime(HELD.at, lng) });
    panels.forEach(function (p) { if (p.getAttribute("data-age") !== text) { p.setAttribute("data-age", text); } });
    if (clock) { clock.setAttribute("data-local", w.clock_local); }
  }
  var AREA_SHOWN = {};  // what the area callback last drew, per output (it redraws only what changed)
  /* The newest colours per choropleth layer id. dash-leaflet 1.1.3's GeoJSON ignores a hideout that arrives while
     its shapes are still loading (the geobuf decoder is fetched on first use) and then styles them with the hideout
     it had when loading began: on a slow first paint (a 4K wall) every kecamatan stayed "no figure" grey until the
     figures next changed. kecamatanStyle reads this first, so the shapes take the newest colours whenever drawn. */
  var CHOROPLETH = {};
  function hideoutTarget() {
    var ctx = window.dash_clientside.callback_context || {};
    var out = (ctx.outputs_list || []).filter(function (o) { return o && o.property === "hideout"; })[0];
    return out ? out.id : null;
  }
  var KEL_ZOOM = 14;  // street level: every kelurahan is drawn with its name

  function esc(text) {
    return String(text == null ? "" : text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  /* Marker sizes follow the root font size, which follows the screen: legible on a 4K wall too. */
  function rem(n) { return n * parseFloat(getComputedStyle(document.documentElement).fontSize || "16"); }
  /* Only reports from the last few minutes pulse: attention for arrivals, and an idle wall stays idle. */
  var NEW_MS = 3 * 60 * 1000;
  function isNew(p) { return p.s === "baru" && p.r && Date.now() - Date.parse(p.r) < NEW_MS; }
  function lang() { return document.documentElement.lang === "en" || (document.querySelector(".lr-wall[lang='en']")) ? "en" : "id"; }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    liveroom: {
      /* The live link starts once the page's stores exist (assets/live_link.js). */
      startLink: function (cfg) {
        /* a replayed day (assets/replay.js) draws the wall itself: no live link meanwhile */
        if (cfg && window.liveroomReplay && window.liveroomReplay.wanted()) { window.liveroomReplay.start(cfg); }
        else if (cfg && window.liveroomLink) { window.liveroomLink.start(cfg); }
        return window.dash_clientside.no_update;
      },
      /* Apply a marker change to the map's FeatureCollection (assets/live_link.js calls it): only changed markers
         travel; after a reset, the whole set. A marker is data_feeds/live/shapes.py MarkerFeature; its one-letter
         keys are documented there. */
      merge: function (delta, current) {
        if (!delta) { return window.dash_clientside.no_update; }
        if (delta.full) { return { type: "FeatureCollection", features: delta.features || [] }; }
        var byId = new Map();
        ((current && current.features) || []).forEach(function (f) { byId.set(f.id, f); });
        (delta.removes || []).forEach(function (id) { byId.delete(id); });
        (delta.upserts || []).forEach(function (f) { byId.set(f.id, f); });
        return { type: "FeatureCollection", features: Array.from(byId.values()) };
      },
      /* Everything the wall draws of one area (the city or the kecamatan picked on the map) from the live view
         (shapes.py LiveView): KPI tiles, ticker rows, OPD table, map colours, notes. An output whose content
         has not changed is not touched, so a change redraws only what it changed. */
      area: function (view, selection, measure, kel, classes, lng, points) {
        var nu = window.dash_clientside.no_update;
        if (!view || !view.areas) { return Array(13).fill(nu); }
        var w = words(lng), last = AREA_SHOWN;
        /* a kelurahan's own figures once they came (callbacks/area.py); its kecamatan's meanwhile */
        var kelArea = kel && selection && kel.code === selection ? kel.area : null;
        var a = kelArea || (selection && view.areas[selection]) ||
          (selection && view.areas[selection.split(".").slice(0, 3).join(".")]) || view.areas.city;
        var k = a.kpi;
        var ticker = a.ticker.order.map(function (id) { return a.ticker.rows[id]; });
        var opd = { rows: a.opd.order.map(function (code) { return a.opd.rows[code]; }), b: a.opd.b, w: a.opd.w,
                    days: a.opd.days, demo: !!view.demo, a: kelArea ? kel.name : selection && view.areas[selection] ? (view.names || {})[selection] || null : null };
        var shown = view.note || [0, 0];
        var colours = { values: (view.map || {})[measure] || {}, breaks: classes.breaks[measure] || [], colors: classes.colors,
                        selected: selection || null };
        var layer = hideoutTarget();
        if (layer) { CHOROPLETH[layer] = colours; }
        var out = [
          ticker, opd,
          num(k.today, lng), num(k.baru, lng), num(k.diproses, lng), num(k.selesai_today, lng),
          k.ttfr_median_s != null ? duration(k.ttfr_median_s, lng) : "\u2013",
          k.ttfr_n ? fill(w.kpi_ttfr_window, { days: k.ttfr_window_days, n: num(k.ttfr_n, lng) }) : w.no_data,
          colours,
          shown[1] > shown[0] ? fill(w.markers_capped, { shown: num(shown[0], lng), total: num(shown[1], lng) }) : "",
          !view.demo,
          fill(w.updated, { time: clockTime(view.at, lng) }),
          { type: "FeatureCollection", features: (points || []).map(function (f) {
            var kk = (view.areas[f.properties.k] || {}).kpi;
            return { type: "Feature", geometry: f.geometry, properties: {
              k: f.properties.k, n: f.properties.n, c: kk ? [kk.baru, kk.diproses, kk.selesai_today] : [0, 0, 0] } };
          }) }
        ];
        return out.map(function (value, i) {
          var key = JSON.stringify(value);
          if (last[i] === key) { return nu; }
          last[i] = key;
          return value;
        });
      },
      /* A link's report (/?laporan=<id>): once the map has fitted the city, fly to the report at street level. */
      flyToReport: function (at) {
        var tries = 0;
        function go() {
          var map = window.liveroomMap;
          if (!map) { if (tries++ < 40) { setTimeout(go, 250); } return; }
          map.flyTo(at, 17, { duration: 0.8 });
        }
        if (at && at.length === 2) { setTimeout(go, 600); }
        return window.dash_clientside.no_update;
      },
      /* The live version while a kelurahan is chosen: its figures are read again when it moves. */
      kelurahanToken: function (view, selection) {
        if (!selection || selection.split(".").length < 4) { return window.dash_clientside.no_update; }
        return (view && view.v) || "";
      },
      /* The status strip: cut off from the channel, Redis or the worker down (the screen is held), feeds gone quiet. */
      banner: function (state, view, lng) {
        var replaying = window.liveroomReplay && window.liveroomReplay.wanted() && window.liveroomReplay.banner();
        if (replaying) { return replaying; }  // a replayed day says so, not LANGSUNG (assets/replay.js)
        var w = words(lng), messages = [], level = "ok";
        state = state || { redis: true, worker: true };
        var at = view && view.at ? clockTime(view.at, lng) : "\u2013";
        if (state.cut) { messages.push(fill(w.live_cut, { time: clockTime(new Date(state.since).toISOString(), lng) })); level = "down"; }
        else if (!state.redis) { messages.push(fill(w.live_redis_down, { time: at })); level = "down"; }
        else if (!state.worker) { messages.push(fill(w.live_worker_down, { time: at })); level = "down"; }
        /* the figures are as of the last contact when cut off; as of the last view when Redis or the worker is down */
        HELD.on = level === "down";
        HELD.at = state.cut ? new Date(state.since).toISOString() : (view && view.at) || HELD.at;
        markHeld(lng);
        if (view && view.stale && view.stale.length) {
          messages.push(fill(w.feed_stale, { feeds: view.stale.join(", ") }));
          if (level === "ok") { level = "warn"; }
        }
        if (!messages.length) {
          return ["lr-status lr-status-ok", [el("Span", { className: "lr-live-dot", children: "\u25cf" }), w.live_ok]];
        }
        return ["lr-status lr-status-" + level, [el("Span", { className: "lr-warn-icon", children: "\u25b2" }), messages.join(" \u00b7 ")]];
      },
      /* The ticker travels as rows (shapes.py TickerRow) (a third of the bytes of rendered components) and is drawn here.
         Text goes in as React children, so report titles are always escaped. */
      ticker: function (rows, lng) {
        var w = words(lng);
        if (!rows || !rows.length) { return [el("Li", { className: "lr-ticker-empty", children: w.ticker_empty })]; }
        setTimeout(restoreFocus, 0);  // drawn by the time this runs
        return rows.map(function (r) {
          var place = [r.ref, [r.kelurahan, r.kecamatan].filter(Boolean).join(", ")].filter(Boolean).join(" \u00b7 ");
          var children = [
            el("Span", { className: "lr-dot", title: w["status_" + r.status] || r.status, children: GLYPH[r.status] || "?" }),
            el("Span", { className: "lr-ticker-time", children: hhmm(r.reported_at, lng) }),
            el("A", { className: "lr-ticker-title", href: PATHS.reports + encodeURIComponent(r.ref || r.id), children: r.title }),
            el("Span", { className: "lr-ticker-place", children: place })
          ];
          var tags = [];
          if (r.sla === "breached" || r.sla === "soon") {
            tags.push(el("Span", { className: "lr-tag-sla lr-tag-" + r.sla, children: w["sla_" + r.sla] }));
          }
          if (r.source === "demo") { tags.push(el("Span", { className: "lr-tag-demo", children: w.demo_tag })); }
          if (tags.length) { children.push(el("Span", { className: "lr-ticker-tags", children: tags })); }
          return el("Li", { key: r.id, className: "lr-ticker-item lr-status-" + r.status + (r.sla ? " lr-sla-" + r.sla : ""),
                            "data-report-id": r.id, children: children });
        });
      },
      /* The OPD / SLA table from its figures (layouts/wall.py OpdTable). */
      opdTable: function (data, lng) {
        var w = words(lng);
        data = data || { rows: [], b: 0, w: 0, days: 30 };
        var note = fill(w.opd_note, { days: data.days, b: num(data.b, lng), w: num(data.w, lng) });
        /* built from the demo's simulated reports: the table says so, as every screen does */
        if (data.demo) { note = [el("Span", { className: "lr-tag-demo", children: w.demo_tag }), " ", note]; }
        if (!data.rows.length) {
          return [[el("Tr", { children: [el("Td", { colSpan: 6, className: "lr-opd-empty", children: w.opd_empty })] })], note];
        }
        var pair = function (p) { return p ? duration(p[0], lng) + " \u00b7 " + duration(p[1], lng) : "\u2013"; };
        var rows = data.rows.map(function (r) {
          return el("Tr", { key: r.o, className: "lr-opd-row" + (r.b ? " lr-opd-late" : ""), "data-opd": r.o, children: [
            el("Td", { className: "lr-opd-name", title: r.n, children: el("A", {
              href: PATHS.reports + "?opd=" + encodeURIComponent(r.o) + "&status=baru,diproses", children: r.s }) }),
            el("Td", { children: num(r.open, lng) }),
            el("Td", { className: "lr-opd-breached" + (r.b ? " lr-hot" : ""), children: num(r.b, lng) }),
            el("Td", { className: "lr-opd-soon" + (r.w ? " lr-warm" : ""), children: num(r.w, lng) }),
            el("Td", { children: pair(r.r) }),
            el("Td", { children: pair(r.x) })
          ] });
        });
        return [rows, note];
      },
      /* Which page the address names: the indicators page lies over the wall, which keeps running
         underneath (so the map never has to be re-laid-out); the language switch comes back here. */
      /* A phone: the map's legend starts folded, so the map is seen. */
      foldOnPhone: function () { return window.innerWidth >= 700; },
      page: function (path, lng) {
        var ind = (path || "/").replace(/\/+$/, "") === PATHS.indicators;
        var other = lng === "en" ? "id" : "en";
        return [!ind, "lr-nav-link" + (ind ? "" : " lr-nav-active"), "lr-nav-link" + (ind ? " lr-nav-active" : ""),
                PATHS.lang + other + "?next=" + encodeURIComponent(ind ? PATHS.indicators : PATHS.wall)];
      },
      /* Per pillar, its agencies' complaint figures, from the OPD figures the wall already has. */
      pillarOpd: function (data, pillars, lng) {
        var w = words(lng);
        var cols = [w.pillar_col_opd, w.pillar_col_open, w.pillar_col_breached, w.pillar_col_resolution];
        data = data || { rows: [], days: 30 };
        var order = ["governance", "branding", "economy", "living", "society", "environment"];
        return order.map(function (p) {
          var opds = (pillars || {})[p] || [];
          if (!opds.length) { return null; }
          var rows = data.rows.filter(function (r) { return opds.indexOf(r.o) >= 0; });
          var area = data.a ? fill(w.area_kecamatan, { name: data.a }) : w.area_city;  // they follow the kecamatan chosen on the map: say which
          var title = el("Div", { className: "lr-pillar-opd-title", children: fill(w.pillar_opd_area, { days: data.days, area: area }) });
          if (!rows.length) { return [title, el("Div", { className: "lr-asof", children: w.pillar_none })]; }
          return [title, el("Table", { className: "lr-ind-table", children: [
            el("Thead", { children: el("Tr", { children: cols.map(function (c) { return el("Th", { children: c }); }) }) }),
            el("Tbody", { children: rows.map(function (r) {
              return el("Tr", { key: r.o, className: r.b ? "lr-opd-late" : "", children: [
                el("Td", { title: r.n, children: r.s }), el("Td", { children: num(r.open, lng) }),
                el("Td", { className: r.b ? "lr-hot" : "", children: num(r.b, lng) }),
                el("Td", { children: r.x ? duration(r.x[0], lng) : "\u2013" })] });
            }) })] })];
        });
      },
      clock: function (n, lng) {
        var fmt = new Intl.DateTimeFormat(lng === "en" ? "en-GB" : "id-ID", {
          timeZone: TZ, weekday: "short", day: "numeric", month: "short",
          hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
        });
        if (HELD.on) { markHeld(lng); }
        return fmt.format(new Date()).replace(/\./g, ":") + " WIB";
      }
    }
  });

  /* Sign-out: the form's CSRF token comes from the cookie Dash's renderer also reads, as the form is sent. */
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("lr-signout")) { return; }
    var m = document.cookie.match(/(?:^|;\s*)_csrf_token=([^;]+)/);
    var field = form.querySelector("input[name=csrf_token]");
    if (m && field) { field.value = decodeURIComponent(m[1]); }
  }, true);

  /* An area's name is always reachable: the label sits above the markers' clusters (the tooltip pane) and takes the
     click itself, as a click on its area (the drill-down), never passing it to a cluster beneath. */
  function labelClicksChoose(layer) {
    /* (not Leaflet's interactive tooltip: its click reaches the map naming the tooltip, not the area) */
    layer.on("tooltipopen", function (ev) {
      var el = ev.tooltip.getElement();
      if (!el || el.lrChooses) { return; }
      el.lrChooses = true;
      L.DomEvent.on(el, "click", function (e) {
        L.DomEvent.stop(e);
        var map = layer._map;
        layer.fire("click", { latlng: map ? map.mouseEventToLatLng(e) : null, originalEvent: e }, true);
      });
    });
  }

  /* Which report has the keyboard's focus (a marker or a ticker row): redrawn by a live update, it takes it back. */
  document.addEventListener("focusin", function (e) {
    var t = e.target, d = t && t.closest ? (t.closest("[data-report-id]") || t.querySelector("[data-report-id]")) : null;
    window.__lrFocusId = d ? d.getAttribute("data-report-id") : null;
  });
  /* After a redraw: if the focus fell to the page, give it back to the same report's ticker link or marker. */
  function restoreFocus() {
    var id = window.__lrFocusId, active = document.activeElement;
    if (!id || (active && active !== document.body)) { return; }
    var sel = '[data-report-id="' + id.replace(/"/g, "") + '"]';
    var row = document.querySelector(".lr-ticker-item" + sel + " a");
    var dot = document.querySelector(".lr-marker " + sel);
    var target = row || (dot && dot.closest(".lr-marker"));
    if (target) { target.focus({ preventScroll: true }); }
  }

  window.liveroom = Object.assign({}, window.liveroom, {
    format: { duration: duration },
    map: {
      /* Choropleth by the chosen measure (fixed breaks and viridis colours from the server), with the
         selected kecamatan outlined and the rest dimmed. null = no figure: grey, never a colour. */
      kecamatanStyle: function (feature, context) {
        var h = (context.id && CHOROPLETH[context.id]) || context.hideout || {};
        var v = (h.values || {})[feature.properties.kode_kec];
        var colour = "#4b5563";
        if (v !== null && v !== undefined && h.colors && h.colors.length) {
          var k = 0;
          while (k < h.breaks.length && v >= h.breaks[k]) { k++; }
          colour = h.colors[k];
        }
        var sel = h.selected, me = feature.properties.kode_kec === sel;
        return { color: me ? "#ffffff" : "#9fb8dd", weight: me ? 3.5 : 1.4, opacity: sel && !me ? 0.5 : 0.9,
                 fillColor: colour, fillOpacity: sel ? (me ? 0.15 : 0.5) : 0.45 };
      },
      kelurahanStyle: function () {
        return { color: "#bcd3f5", weight: 1, dashArray: "4 3", opacity: 0.9, fillOpacity: 0 };
      },
      kelurahanLabelInPane: function (feature, layer) {
        layer.bindTooltip(esc(feature.properties.kelurahan),
          { permanent: true, direction: "center", className: "lr-kel-label lr-kel-all-label", interactive: false, pane: "kelurahan-all" });
      },
      /* Street-level zoom shows every kelurahan (the pane is hidden by CSS below that). The threshold
         rises with the screen's type size: on a 4K wall the whole city already fits at zoom 14, where
         104 labels at wall size would bury the map. */
      onZoom: function (e) {
        var map = e.target;
        window.liveroomMap = map;  /* (flyToReport: the map a link's report is shown on) */
        var threshold = KEL_ZOOM + Math.max(0, Math.log2(rem(1) / 18));
        map.getContainer().classList.toggle("lr-zoom-kel", map.getZoom() >= threshold);
        /* a zoom closer than the whole city: the kiosk shows markers and clusters instead of each kecamatan's counts */
        if (!map._lrCityZoom) {
          var city = L.latLngBounds([]);
          map.eachLayer(function (l) {
            if (l.feature && l.feature.properties && l.feature.properties.kecamatan && !l.feature.properties.kelurahan && l.getBounds) {
              city.extend(l.getBounds());
            }
          });
          if (city.isValid()) { map._lrCityZoom = map.getBoundsZoom(city); }
        }
        map.getContainer().classList.toggle("lr-zoom-close", !!map._lrCityZoom && map.getZoom() >= map._lrCityZoom + 1);
      },
      kelurahanLabel: function (feature, layer) {
        layer.bindTooltip(esc(feature.properties.kelurahan),
          { permanent: true, direction: "center", className: "lr-kel-label lr-kel-drill-label", interactive: false });
        labelClicksChoose(layer);
      },
      /* A kecamatan's counts by status at city zoom (the kiosk): its name over a glyph and number per status, so
         the numbers read without colour vision and nothing covers the choropleth but these thirteen. */
      areaCounts: function (feature, latlng) {
        var p = feature.properties, c = p.c || [0, 0, 0], w = words(lang());
        var chips = ["baru", "diproses", "selesai"].map(function (s, i) {
          return '<span class="lr-count-chip lr-status-' + s + (c[i] ? "" : " lr-zero") + '" title="' + esc(w["status_" + s]) + '"><span class="lr-dot">' +
            GLYPH[s] + "</span>" + num(c[i], lang()) + "</span>";
        }).join("");
        var icon = L.divIcon({ className: "lr-count", iconSize: null, html: '<div class="lr-count-box" data-kec="' + esc(p.k) +
          '" data-counts="' + c.join(",") + '"><span class="lr-count-name">' + esc(p.n) + '</span><span class="lr-count-chips">' + chips +
          "</span></div>" });
        return L.marker(latlng, { icon: icon, interactive: false, keyboard: false });
      },
      kecamatanLabel: function (feature, layer) {
        layer.bindTooltip(esc(feature.properties.kecamatan),
          { permanent: true, direction: "center", className: "lr-kec-label", interactive: false });
        labelClicksChoose(layer);
      },
      reportMarker: function (feature, latlng) {
        var p = feature.properties;
        var w = words(lang());
        var icon = L.divIcon({
          className: "lr-marker lr-status-" + esc(p.s) + (p.demo ? " lr-demo" : "") + (isNew(p) ? " lr-new" : "") +
            (p.sla ? " lr-sla-" + esc(p.sla) : ""),
          html: '<span class="lr-dot" data-report-id="' + esc(p.id) + '" data-status="' + esc(p.s) + '" data-sla="' + esc(p.sla || "") + '">' +
            (GLYPH[p.s] || "?") + "</span>",
          iconSize: [rem(1.5), rem(1.5)], iconAnchor: [rem(0.75), rem(0.75)]
        });
        var tip = "<b>" + esc(p.t) + "</b><br>" + esc([p.l, p.k].filter(Boolean).join(", ")) +
          "<br>" + esc(w["status_" + p.s] || p.s) + (p.sla ? " \u00b7 " + esc(w["sla_" + p.sla] || "") : "") +
          (p.demo ? " \u00b7 " + esc(w.demo_tag) : "");
        /* Reachable by Tab, opened by Enter (Leaflet turns it into a click); named for screen readers. */
        var label = (GLYPH[p.s] || "") + " " + (w["status_" + p.s] || p.s) + ": " + p.t + (p.l ? ", " + p.l : "");
        var marker = L.marker(latlng, { icon: icon, keyboard: true, title: label, alt: label }).bindTooltip(tip, { className: "lr-tip" });
        /* A live update redraws the markers: the one that had the focus takes it back. */
        marker.on("add", function () {
          var icon = marker.getElement();
          if (!icon) { return; }
          L.DomEvent.on(icon, "keydown", function (e) {
            if (e.key === "Enter" || e.key === " ") {
              L.DomEvent.preventDefault(e);
              marker.fire("click", { latlng: marker.getLatLng(), originalEvent: e }, true);
            }
          });
          /* as a link does: a middle click, or a click with Ctrl or Cmd, opens the report's page in a new tab (a plain
             click opens its card here, with its actions) */
          function openPage(e) {
            L.DomEvent.stop(e);
            window.open(PATHS.reports + encodeURIComponent(p.id), "_blank", "noopener");
          }
          L.DomEvent.on(icon, "auxclick", function (e) { if (e.button === 1) { openPage(e); } });
          L.DomEvent.on(icon, "click", function (e) { if (e.ctrlKey || e.metaKey) { openPage(e); } });
          if (window.__lrFocusId === p.id) { setTimeout(restoreFocus, 0); }
        });
        return marker;
      },
      /* Clusters show their count and take the colour of their most urgent report. */
      reportCluster: function (feature, latlng, index) {
        var leaves = index.getLeaves(feature.properties.cluster_id, Infinity);
        var worst = "selesai";
        for (var i = 0; i < leaves.length; i++) {
          var s = leaves[i].properties.s;
          if (s === "baru") { worst = "baru"; break; }
          if (s === "diproses") { worst = "diproses"; }
        }
        var n = feature.properties.point_count;
        var size = rem(1.8 + Math.min(Math.log2(n) * 0.35, 1.8));
        /* the most urgent status by glyph as well as colour: a cluster reads without colour vision too */
        var icon = L.divIcon({
          className: "lr-cluster lr-status-" + worst,
          html: '<span><b class="lr-cluster-glyph">' + (GLYPH[worst] || "") + "</b>" + n + "</span>",
          iconSize: [size, size], iconAnchor: [size / 2, size / 2]
        });
        var w = words(lang());
        return L.marker(latlng, { icon: icon, keyboard: true, title: n + " \u00b7 " + (w["status_" + worst] || worst) });
      }
    }
  });
})();
