/* Tangerang LIVE Room: the kiosk. A wall display opened with a playlist in its address,
       /?scenes=peta,opd,vaksin,indikator&seconds=30[&pin=opd]
   shows one full-screen scene at a time, sized to be read from across the room, and rotates through them.
   A scene is pinned by `pin=` in the address, by clicking its name in the scene bar, or with the P key
   (arrow keys step); pinning writes `pin=` into the address, so a reload comes back to the same scene. The
   mouse pointer hides after a few seconds without moving. Without `scenes=` the page is the desk wall and
   nothing here runs. The scenes themselves are CSS (liveroom.css, html.lr-kiosk[data-scene=...]); the
   indicators scene is the /indikator page, so the address's path follows the scene. */
(function () {
  "use strict";
  var SCENES = ["peta", "opd", "vaksin", "indikator"];
  var IDLE_MS = 3000;  // the pointer hides after this long without moving
  var params = new URLSearchParams(location.search);
  var list = (params.get("scenes") || "").split(",").map(function (s) { return s.trim().toLowerCase(); })
    .filter(function (s, i, all) { return SCENES.indexOf(s) >= 0 && all.indexOf(s) === i; });
  if (!list.length) { return; }
  var seconds = Math.min(3600, Math.max(5, parseInt(params.get("seconds"), 10) || 30));
  var pinned = list.indexOf(params.get("pin")) >= 0 ? params.get("pin") : null;
  var root = document.documentElement;
  var at = pinned ? list.indexOf(pinned) : 0;
  var timer = null, bar = null;

  root.classList.add("lr-kiosk");

  function words() {
    var all = window.liveroomWords || {}, wall = document.querySelector(".lr-wall");
    return all[wall && wall.getAttribute("lang") === "en" ? "en" : "id"] || {};
  }
  /* The path of the scene: the indicators scene is the /indikator page; every other scene is the wall ("/").
     replaceState, not pushState: a wall that rotates for a week must not grow its history. Dash's Location
     component follows the address on this event. */
  function followPath(scene) {
    var where = window.liveroomPaths, want = scene === "indikator" ? where.indicators : where.wall;
    if (location.pathname.replace(/\/+$/, "") === want.replace(/\/+$/, "")) { return; }
    history.replaceState(history.state, "", want + location.search);
    window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
  }
  function writePin() {
    var p = new URLSearchParams(location.search);
    if (pinned) { p.set("pin", pinned); } else { p.delete("pin"); }
    history.replaceState(history.state, "", location.pathname + "?" + p.toString());
  }
  function drawBar() {
    if (!bar) { return; }
    var w = words();
    bar.textContent = "";
    list.forEach(function (scene, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "lr-scene-tab" + (i === at ? " lr-scene-now" : "") + (pinned === scene ? " lr-scene-pinned" : "");
      b.setAttribute("data-scene", scene);
      b.setAttribute("aria-pressed", pinned === scene ? "true" : "false");
      b.textContent = (w["scene_" + scene] || scene) + (pinned === scene ? " \u00b7 " + (w.scene_pinned || "pinned") : "");
      b.addEventListener("click", function () { pin(pinned === scene ? null : scene); });
      bar.appendChild(b);
    });
    /* the time left on this scene, as a bar that empties (none when pinned or alone) */
    if (!pinned && list.length > 1) {
      var left = document.createElement("span");
      left.className = "lr-scene-left";
      left.style.animationDuration = seconds + "s";
      bar.appendChild(left);
    }
  }
  /* The indicators page is longer than a screen: in its scene it turns over by most of a screen every few
     seconds, and starts again from the top. */
  var turner = null;
  function turnPages(on) {
    clearInterval(turner);
    var page = document.querySelector(".lr-indpage");
    if (page) { page.scrollTop = 0; }
    if (!on) { return; }
    turner = setInterval(function () {
      var el = document.querySelector(".lr-indpage");
      if (!el) { return; }
      var end = el.scrollTop + el.clientHeight >= el.scrollHeight - 4;
      el.scrollTo({ top: end ? 0 : el.scrollTop + Math.round(el.clientHeight * 0.8), behavior: "smooth" });
    }, 8000);
  }
  function show(i) {
    at = (i + list.length) % list.length;
    turnPages(list[at] === "indikator");
    root.setAttribute("data-scene", list[at]);
    followPath(list[at]);
    drawBar();
    /* the map keeps its size under the other scenes; a resize tells Leaflet anyway, cheaply */
    window.dispatchEvent(new Event("resize"));
    clearTimeout(timer);
    if (!pinned && list.length > 1) { timer = setTimeout(function () { show(at + 1); }, seconds * 1000); }
  }
  function pin(scene) {
    pinned = scene;
    writePin();
    show(scene ? list.indexOf(scene) : at);
  }

  root.setAttribute("data-scene", list[at]);
  followPath(list[at]);
  function start() {
    bar = document.createElement("nav");
    bar.className = "lr-scenebar";
    bar.setAttribute("aria-label", "scenes");
    document.body.appendChild(bar);
    show(at);
    /* the scene names come from the wall's language, known once Dash has drawn it */
    var tries = 0, wait = setInterval(function () {
      tries += 1;
      if (document.querySelector(".lr-wall") || tries > 60) { clearInterval(wait); drawBar(); }
    }, 500);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }

  document.addEventListener("keydown", function (e) {
    if (e.target && /^(INPUT|TEXTAREA|SELECT)$/.test(e.target.tagName)) { return; }
    if (e.key === "p" || e.key === "P") { pin(pinned ? null : list[at]); }
    else if (e.key === "ArrowRight") { pinned = pinned ? list[(at + 1) % list.length] : null; if (pinned) { writePin(); } show(at + 1); }
    else if (e.key === "ArrowLeft") { pinned = pinned ? list[(at - 1 + list.length) % list.length] : null; if (pinned) { writePin(); } show(at - 1); }
  });

  /* The pointer hides when the mouse rests: nobody reads a wall through an arrow in the middle of it. */
  var idle = null;
  function awake() {
    root.classList.remove("lr-idle");
    clearTimeout(idle);
    idle = setTimeout(function () { root.classList.add("lr-idle"); }, IDLE_MS);
  }
  ["mousemove", "mousedown", "touchstart", "keydown"].forEach(function (ev) { document.addEventListener(ev, awake, { passive: true }); });
  awake();

  window.liveroomKiosk = {
    info: function () { return { scenes: list.slice(), scene: list[at], pinned: pinned, seconds: seconds }; }
  };
})();
