/* The schedule report's page: Gantt, details, progress and resource load.
   Rows are drawn only around the visible window once a chart has more than
   WINDOW_ALL rows, so a 15 000-task studio keeps a light DOM. */
(function () {
  "use strict";
  var errors = document.getElementById("errors");
  function report(message) {
    errors.textContent += message + "\n";
    document.body.setAttribute("data-errors", "1");
  }
  window.addEventListener("error", function (event) {
    report("JavaScript error: " + event.message);
  });
  window.addEventListener("unhandledrejection", function (event) {
    report("JavaScript error: " + event.reason);
  });

  var ROW = 22, WINDOW_ALL = 2000, BUFFER = 40, HOUR = 60, DAY = 1440;
  var ZOOM = { day: 36, week: 10, month: 2.6 };
  var STATUS_COLOURS = { WFD: "#9aa5b1", RTS: "#5b8bd0", WIP: "#e0a21f", PREV: "#a36bd1",
    HREV: "#d1606b", DREV: "#d1606b", OH: "#777", STOP: "#444", CMPL: "#2e9d57" };

  var D = JSON.parse(document.getElementById("report-data").textContent);
  var F = {};
  D.fields.forEach(function (name, i) { F[name] = i; });
  var tasks = D.tasks, count = tasks.length;
  var byId = {}, index = {}, end = new Int32Array(count), parentIndex = new Int32Array(count);
  var collapsed = new Uint8Array(count), hasKids = new Uint8Array(count);
  var logsByTask = {}, depsByTask = {}, visible = [], rowOf = {};
  var state = { zoom: "week", ticks: "week", px: ZOOM.week, origin: 0, days: 1, selected: null };

  function esc(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }
  function when(minutes) {
    return new Date(minutes * 60000).toISOString().slice(0, 16).replace("T", " ");
  }
  function hours(value) { return (Math.round(value * 10) / 10) + " h"; }
  function userName(id) { var u = D.users[String(id)]; return u ? u[0] : "user " + id; }
  function path(i) {
    var parts = [];
    for (var j = i; j >= 0; j = parentIndex[j]) { parts.push(tasks[j][F.name]); }
    var project = D.projects[String(tasks[i][F.project])];
    if (project) { parts.push(project[0]); }
    return parts.reverse().join(" / ");
  }

  function prepare() {
    var first = Infinity, last = -Infinity;
    tasks.forEach(function (t, i) { byId[t[F.id]] = t; index[t[F.id]] = i; });
    for (var i = 0; i < count; i++) {
      var t = tasks[i], p = index[t[F.parent]];
      parentIndex[i] = p === undefined ? -1 : p;
      if (p !== undefined) { hasKids[p] = 1; }
      first = Math.min(first, t[F.start]);
      last = Math.max(last, t[F.end] + t[F.slack_h] * HOUR);
    }
    // tasks come parents first: a subtree ends where a row as shallow starts
    var stack = [];
    for (i = 0; i < count; i++) {
      var depth = tasks[i][F.depth];
      while (stack.length && tasks[stack[stack.length - 1]][F.depth] >= depth) {
        end[stack.pop()] = i;
      }
      stack.push(i);
    }
    while (stack.length) { end[stack.pop()] = count; }
    D.logs.forEach(function (l) { (logsByTask[l[0]] = logsByTask[l[0]] || []).push(l); });
    D.deps.forEach(function (d) { (depsByTask[d[0]] = depsByTask[d[0]] || []).push(d[1]); });
    if (!count) { first = D.today; last = D.today + 7 * DAY; }
    first = Math.min(first, D.today); last = Math.max(last, D.today);
    state.origin = Math.floor(first / DAY) * DAY - 2 * DAY;
    state.last = Math.ceil(last / DAY) * DAY + 5 * DAY;
    state.days = (state.last - state.origin) / DAY;
  }

  function setZoom(zoom) {
    var fit = Math.max(1, chart.clientWidth - 4) / state.days;
    if (zoom === "auto") { zoom = fit >= ZOOM.month ? "fit" : "month"; }
    state.zoom = zoom;
    state.px = zoom === "fit" ? Math.min(fit, 4 * ZOOM.day) : ZOOM[zoom];
    state.ticks = zoom !== "fit" ? zoom : fit >= 30 ? "day" : fit >= 5 ? "week" : "month";
    document.getElementById("zoom").value = zoom;
  }

  function x(minutes) { return (minutes - state.origin) / DAY * state.px; }

  function computeVisible() {
    visible = []; rowOf = {};
    for (var i = 0; i < count;) {
      rowOf[tasks[i][F.id]] = visible.length;
      visible.push(i);
      i = collapsed[i] ? end[i] : i + 1;
    }
  }

  // -- the Gantt -------------------------------------------------------------
  var inner = document.getElementById("gantt-inner");
  inner.innerHTML = '<div id="g-corner">task</div><div id="g-scale"></div>' +
    '<div id="g-tree"><div class="spacer"><div class="rows"></div></div></div>' +
    '<div id="g-chart"><div class="spacer"><svg id="g-svg" xmlns="http://www.w3.org/2000/svg">' +
    "</svg></div></div>";
  var scale = document.getElementById("g-scale"), tree = document.getElementById("g-tree");
  var chart = document.getElementById("g-chart"), svg = document.getElementById("g-svg");
  var treeRows = tree.querySelector(".rows");

  function width() { return Math.max(200, x(state.last)); }

  function drawScale() {
    var w = width(), out = [], d = new Date(state.origin * 60000);
    for (var m = state.origin; m <= state.last; m += DAY, d = new Date(m * 60000)) {
      var label = null;
      if (state.ticks === "day") {
        label = "SMTWTFS"[d.getUTCDay()] + d.getUTCDate();
      } else if (state.ticks === "week" && d.getUTCDay() === 1) {
        label = d.toISOString().slice(5, 10);
      } else if (state.ticks === "month" && d.getUTCDate() === 1) {
        label = d.toISOString().slice(0, 7);
      }
      if (label !== null) {
        out.push('<line class="grid" x1="' + x(m) + '" x2="' + x(m) + '" y1="18" y2="34"/>' +
          '<text class="tick" x="' + (x(m) + 2) + '" y="14">' + label + "</text>");
      }
    }
    scale.innerHTML = '<svg width="' + w + '" height="34">' + out.join("") + "</svg>";
  }

  function drawRows() {
    var total = visible.length;
    chart.firstChild.style.height = total * ROW + "px";
    chart.firstChild.style.width = width() + "px";
    tree.firstChild.style.height = total * ROW + "px";
    var from = 0, to = total;
    if (total > WINDOW_ALL) {
      from = Math.max(0, Math.floor(chart.scrollTop / ROW) - BUFFER);
      to = Math.min(total, Math.ceil((chart.scrollTop + chart.clientHeight) / ROW) + BUFFER);
    }
    var labels = [], shapes = [], arrows = [];
    for (var r = from; r < to; r++) {
      var i = visible[r], t = tasks[i], y = (r - from) * ROW, crit = t[F.critical] ? " critical" : "";
      var sel = state.selected === t[F.id] ? " sel" : "";
      var toggle = hasKids[i] ? (collapsed[i] ? "\u25b8" : "\u25be") : "";
      labels.push('<div class="row' + crit + sel + '" data-id="' + t[F.id] + '" style="padding-left:' +
        (t[F.depth] * 14 + 2) + 'px"><span class="tw">' + toggle + '</span><span class="name">' +
        esc(t[F.name]) + "</span></div>");
      var x0 = x(t[F.start]), x1 = Math.max(x0 + 2, x(t[F.end]));
      var group = hasKids[i] ? " group" : "";
      var h = hasKids[i] ? 8 : 14, top = y + (ROW - h) / 2;
      shapes.push('<rect class="bar' + crit + group + sel + '" data-id="' + t[F.id] +
        '" data-critical="' + t[F.critical] + '" x="' + x0 + '" y="' + top + '" width="' +
        (x1 - x0) + '" height="' + h + '"/>');
      if (t[F.slack_h] > 0 && !hasKids[i]) {
        shapes.push('<rect class="slack" x="' + x1 + '" y="' + (y + ROW / 2 - 2) + '" width="' +
          (x(t[F.end] + t[F.slack_h] * HOUR) - x1) + '" height="4"/>');
      }
      (logsByTask[t[F.id]] || []).forEach(function (l) {
        var a = x(l[2]), b = Math.max(a + 1, x(l[3]));
        shapes.push('<rect class="done" x="' + a + '" y="' + (top + 3) + '" width="' + (b - a) +
          '" height="' + (h - 6 > 2 ? h - 6 : 2) + '"/>');
      });
      (depsByTask[t[F.id]] || []).forEach(function (dep) {
        var row = rowOf[dep];
        if (row === undefined) { return; }
        var other = byId[dep], sx = x(other[F.end]), sy = (row - from) * ROW + ROW / 2;
        var crit2 = t[F.critical] && other[F.critical] ? " critical" : "";
        arrows.push('<path class="dep' + crit2 + '" d="M' + sx + " " + sy + "h6V" + (y + ROW / 2) +
          "H" + (x0 - 1) + '"/>');
      });
    }
    var span = (to - from) * ROW;
    svg.style.top = from * ROW + "px";
    svg.setAttribute("width", width());
    svg.setAttribute("height", Math.max(span, 1));
    var today = x(D.today);
    svg.innerHTML = '<defs><marker id="arrow" viewBox="0 0 6 6" refX="6" refY="3" ' +
      'markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0L6 3L0 6z" fill="#777"/>' +
      "</marker></defs>" + arrows.join("") + shapes.join("") +
      '<line class="today" x1="' + today + '" x2="' + today + '" y1="0" y2="' + span + '"/>';
    treeRows.style.top = from * ROW + "px";
    treeRows.innerHTML = labels.join("");
    state.window = [from, to];
  }

  function redraw() {
    computeVisible();
    inner.style.gridTemplateRows = "34px min(62vh, " + (visible.length * ROW + 24) + "px)";
    drawScale();
    drawRows();
  }

  // -- details ---------------------------------------------------------------
  function detailHtml(t) {
    var i = index[t[F.id]], resources = t[F.resources].map(userName).join(", ") || "-";
    var rows = [
      ["task", esc(path(i))],
      ["dates", when(t[F.start]) + " \u2192 " + when(t[F.end]) + " UTC"],
      ["status", esc(t[F.status] || "-")],
      ["resources", esc(resources)],
      ["effort", hasKids[i] ? "(a parent task)" : esc(t[F.effort]) + ", " + hours(t[F.done_h]) +
        " logged of " + hours(t[F.planned_h])],
      ["slack", hours(t[F.slack_h]) + (t[F.critical] ? " \u2014 on the critical path" : "")],
      ["why", '<span class="why">' + esc(t[F.why]) + "</span>"],
    ];
    return "<dl>" + rows.map(function (r) { return "<dt>" + r[0] + "</dt><dd>" + r[1] + "</dd>"; })
      .join("") + "</dl>";
  }
  var details = document.getElementById("details"), tip = document.getElementById("tip");
  function select(id) {
    var t = byId[id];
    if (!t) { return; }
    state.selected = id;
    details.className = "";
    details.setAttribute("data-id", id);
    details.innerHTML = detailHtml(t);
  }
  function idOf(target) {
    var node = target.closest ? target.closest("[data-id]") : null;
    return node ? Number(node.getAttribute("data-id")) : null;
  }
  function onHover(event) {
    var id = idOf(event.target);
    if (id === null || !byId[id]) { tip.hidden = true; return; }
    tip.innerHTML = detailHtml(byId[id]);
    tip.hidden = false;
    tip.style.left = Math.min(event.clientX + 14, window.innerWidth - 430) + "px";
    tip.style.top = event.clientY + 14 + "px";
  }
  function onClick(event) {
    var id = idOf(event.target);
    if (id === null) { return; }
    if (event.target.classList.contains("tw")) {
      collapsed[index[id]] ^= 1;
    } else {
      select(id);
    }
    redraw();
  }
  [tree, svg].forEach(function (node) {
    node.addEventListener("mousemove", onHover);
    node.addEventListener("mouseleave", function () { tip.hidden = true; });
    node.addEventListener("click", onClick);
  });
  var pending = false;
  chart.addEventListener("scroll", function () {
    tree.scrollTop = chart.scrollTop;
    scale.scrollLeft = chart.scrollLeft;
    if (visible.length > WINDOW_ALL && !pending) {
      pending = true;
      window.requestAnimationFrame(function () { pending = false; drawRows(); });
    }
  });
  tree.addEventListener("wheel", function (event) { chart.scrollTop += event.deltaY; });
  document.getElementById("zoom").addEventListener("change", function (event) {
    var centre = (chart.scrollLeft + chart.clientWidth / 2) / state.px;
    setZoom(event.target.value);
    drawScale(); drawRows();
    chart.scrollLeft = centre * state.px - chart.clientWidth / 2;
  });
  document.getElementById("expand").addEventListener("click", function () {
    collapsed.fill(0); redraw();
  });
  document.getElementById("collapse").addEventListener("click", function () {
    for (var i = 0; i < count; i++) { collapsed[i] = hasKids[i]; }
    redraw();
  });

  // -- progress and resource load ------------------------------------------
  function drawProgress() {
    var p = D.progress, keys = Object.keys(p.by_status), total = 0;
    keys.forEach(function (k) { total += p.by_status[k]; });
    var bar = keys.map(function (k) {
      return '<div title="' + esc(k) + '" style="width:' + (100 * p.by_status[k] / (total || 1)) +
        "%;background:" + (STATUS_COLOURS[k] || "#bbb") + '"></div>';
    }).join("");
    var legend = keys.map(function (k) {
      return '<span><i style="background:' + (STATUS_COLOURS[k] || "#bbb") + '"></i>' + esc(k) +
        " " + p.by_status[k] + "</span>";
    }).join("");
    document.getElementById("progress-body").innerHTML =
      '<div><div class="pct" id="percent">' + p.percent + '% complete</div><div class="meter">' +
      '<div style="width:' + p.percent + '%"></div></div></div><div><div class="status-bar">' +
      bar + '</div><div class="status-keys">' + total + " leaf tasks: " + legend + "</div></div>";
  }

  function drawLoad() {
    var L = D.load, cw = 22, rh = 34, lw = 150, out = [], overbooked = 0;
    var w = lw + L.weeks.length * cw + 80, h = 24 + L.users.length * rh;
    L.weeks.forEach(function (week, c) {
      if (c % 4 === 0) {
        out.push('<text class="tick" x="' + (lw + c * cw) + '" y="14">' +
          when(week).slice(0, 10) + "</text>");
      }
    });
    L.users.forEach(function (u, r) {
      var y0 = 24 + r * rh, top = 0;
      u.booked.forEach(function (b, c) { top = Math.max(top, b, u.capacity[c]); });
      var k = (rh - 8) / (top || 1);
      out.push('<text class="tick" x="4" y="' + (y0 + rh / 2 + 4) + '">' + esc(userName(u.user)) +
        "</text>");
      u.booked.forEach(function (b, c) {
        var cap = u.capacity[c], over = b > cap + 0.01, bx = lw + c * cw;
        if (over) { overbooked++; }
        out.push('<rect class="cell' + (over ? " over" : "") + '" data-user="' + u.user +
          '" x="' + bx + '" y="' + (y0 + rh - 4 - b * k) + '" width="' + (cw - 3) + '" height="' +
          b * k + '"><title>' + esc(userName(u.user)) + ", week of " + when(L.weeks[c]).slice(0, 10) +
          ": " + hours(b) + " booked of " + hours(cap) + "</title></rect>" +
          '<line class="cap" x1="' + bx + '" x2="' + (bx + cw - 3) + '" y1="' +
          (y0 + rh - 4 - cap * k) + '" y2="' + (y0 + rh - 4 - cap * k) + '"/>' +
          (over ? '<text class="over-mark" x="' + (bx + 4) + '" y="' + (y0 + 8) + '">!</text>' : ""));
      });
    });
    document.getElementById("load").innerHTML = L.users.length
      ? '<svg width="' + w + '" height="' + h + '">' + out.join("") + "</svg>" +
        '<p id="overbooked">Bars: hours booked (planned and logged) each week; dotted ' +
        "line: the user's working hours; " + overbooked + " overbooked user-weeks " +
        "(red, marked !).</p>"
      : "<p>No bookings.</p>";
  }

  try {
    var started = Date.now();
    prepare();
    document.getElementById("meta").textContent = count + " tasks, generated " +
      when(D.generated) + " UTC, today line at " + when(D.today) + " UTC";
    drawProgress();
    drawLoad();
    computeVisible();
    inner.style.gridTemplateRows = "34px min(62vh, " + (visible.length * ROW + 24) + "px)";
    setZoom("auto");
    redraw();
    chart.scrollLeft = Math.max(0, x(D.today) - 120);
    var wanted = /task=(\d+)/.exec(window.location.hash);
    if (wanted && byId[Number(wanted[1])]) {
      var id = Number(wanted[1]);
      for (var p = parentIndex[index[id]]; p >= 0; p = parentIndex[p]) { collapsed[p] = 0; }
      select(id);
      redraw();
      chart.scrollTop = Math.max(0, rowOf[id] * ROW - 3 * ROW);
      chart.scrollLeft = Math.max(0, x(byId[id][F.start]) - 120);
      drawRows();
    }
    document.body.setAttribute("data-render-ms", String(Date.now() - started));
    document.body.setAttribute("data-ready", "1");
  } catch (error) {
    report("JavaScript error: " + (error && error.stack ? error.stack : error));
  }
})();
