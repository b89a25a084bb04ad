/* The report browser (/laporan/): the table's link cells, opening a report by Enter or a tap, and the table's
   refreshes. Rows come from the server a block at a time (callbacks/report_browser.py). */
(function () {
  "use strict";
  /* the app's addresses, from the one home (data_feeds/paths.py), in the words script */
  function reportPath(id) { return window.liveroomPaths.reports + encodeURIComponent(id); }
  function withApi(gridId, fn) {
    if (window.dash_ag_grid && window.dash_ag_grid.getApiAsync) {
      window.dash_ag_grid.getApiAsync(gridId).then(fn).catch(function () {});
    }
    return Date.now();
  }

  /* The id cell: a real link (opens in a new tab with a middle click, can be copied). */
  window.dashAgGridComponentFunctions = Object.assign({}, window.dashAgGridComponentFunctions, {
    ReportLink: function (props) {
      if (!props.data) { return null; }  // a row still loading
      return React.createElement("a", { href: reportPath(props.data.id), className: "lr-lb-ref", tabIndex: -1 }, props.value);
    }
  });

  /* Enter on any cell of a row, or a click or tap on the row, opens the report's page. */
  window.dashAgGridFunctions = Object.assign({}, window.dashAgGridFunctions, {
    openReportOnEnter: function (params) {
      var e = params.event;
      if (e && e.key === "Enter" && params.data && params.data.id) {
        e.preventDefault();
        window.location.assign(reportPath(params.data.id));
      }
    },
    openReportOnClick: function (params) {
      var e = params.event;
      if (!params.data || !params.data.id) { return; }
      // a link, or the row's tick box (a bulk action's selection), is not a request to open the report
      if (e && (e.target.closest("a, input, .ag-selection-checkbox, .ag-checkbox-input-wrapper") || e.ctrlKey || e.metaKey || e.shiftKey || e.button === 1)) { return; }
      var selected = window.getSelection && String(window.getSelection());
      if (selected) { return; }  // selecting a title's text to copy it is not a request to open
      window.location.assign(reportPath(params.data.id));
    }
  });

  /* A row that arrives above the focused one shifts the rows down: the grid keeps the focus on the row index,
     which is now another report. Follow the report instead, while the refreshed blocks come in. */
  function keepFocusOnItsReport(api, gridId) {
    var active = document.activeElement, grid = document.getElementById(gridId);
    var cell = api.getFocusedCell();
    if (!cell || !grid || !active || !grid.contains(active)) { return; }
    var node = api.getDisplayedRowAtIndex(cell.rowIndex), id = node && node.id;
    if (!id) { return; }
    var follow = function () {
      var now = api.getFocusedCell(), moved = api.getRowNode(id);
      if (moved && moved.rowIndex != null && (!now || now.rowIndex !== moved.rowIndex) && grid.contains(document.activeElement)) {
        api.setFocusedCell(moved.rowIndex, cell.column);
      }
    };
    api.addEventListener("modelUpdated", follow);
    setTimeout(function () { api.removeEventListener("modelUpdated", follow); }, 5000);
  }

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    liveroomReports: {
      /* The line above the table: LANGSUNG, or cut off from the live channel, or Redis down (liveroom.js banner). */
      linkStatus: function (state, lng) {
        var out = window.dash_clientside.liveroom.banner(state, null, lng);
        return [out[1], out[0] + " lr-lb-live"];
      },
      /* New filters: back to the first block, read afresh. */
      restart: function (query, gridId) {
        return withApi(gridId, function (api) {
          api.purgeInfiniteCache();
          if (api.getDisplayedRowCount() > 0) { api.ensureIndexVisible(0, "top"); }
        });
      },
      /* Something changed somewhere: read the blocks in view again; the scroll and the focus stay. */
      refresh: function (version, gridId) {
        return withApi(gridId, function (api) {
          keepFocusOnItsReport(api, gridId);
          api.refreshInfiniteCache();
        });
      },
      /* The bulk bar says how many rows are ticked. */
      bulkCount: function (rows, lng) {
        var w = (window.liveroomWords || {})[lng === "en" ? "en" : "id"] || {};
        var n = (rows || []).length;
        return n ? (w.lb_bulk_some || "{n}").replace("{n}", String(n)) : w.lb_bulk_none;
      },
      /* On a phone the filters start folded and the table leads with the status and the title. */
      fitScreen: function (lang, defs) {
        var no = window.dash_clientside.no_update;
        if (window.innerWidth >= 700 || !defs) { return [no, no]; }
        var first = ["status_label", "title", "ref", "time"];
        var widths = { status_label: 118, title: 230, ref: 170 };
        var narrow = defs.map(function (d) {
          var c = Object.assign({}, d, { flex: null, pinned: null });  // fixed widths: the table scrolls sideways
          c.width = widths[c.field] || c.minWidth;
          return c;
        }).sort(function (a, b) {
          var i = first.indexOf(a.field), j = first.indexOf(b.field);
          return (i < 0 ? 99 : i) - (j < 0 ? 99 : j);
        });
        return [false, narrow];
      },
      /* A marker opens its report; a cluster zooms in (dash-leaflet does that). */
      openMarker: function (click) {
        var p = click && click.properties;
        if (p && !p.cluster && p.id) { window.location.assign(reportPath(p.id)); }
        return window.dash_clientside.no_update;
      }
    }
  });
})();
