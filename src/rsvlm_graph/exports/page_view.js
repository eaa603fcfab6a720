// What the window shows: where each node is drawn in either layout, fitting the view to what is
// shown, and what the canvas draws besides nodes and edges (the clusters' regions and names,
// the timeline's bands, year strip and band names). RSVLM.view(app) is called by page.js with
// app = {data, nodes, network, state, original}.
RSVLM.view = function (app) {
  "use strict";
  var data = app.data, nodes = app.nodes, network = app.network, state = app.state;
  var original = app.original;
  var MARGIN = 16;     // screen pixels kept clear around what a fit shows
  var MAX_SCALE = 1;   // a fit never zooms in past labels at their own size
  var NAME_PX = 14;    // the screen size of a cluster's or band's name, at least
  var SMALL_PX = 10;   // ... unless that does not fit its region or band
  var AXIS_PX = 26;    // height of the timeline's year strip
  var STRIP_MAX = 180; // the widest the timeline's band-name strip gets, in pixels
  var STRIP_SHARE = 0.22;  // ... and as a share of the window's width
  var LINE = 1.2;      // a label's line height, in font sizes
  var LABEL_GAP = 3;   // vis-network draws a label this far below its shape
  var BOLD = 1.1;      // bold text is about this much wider
  var DRAWN_PX = 6;    // vis-network leaves out labels smaller than this (drawThreshold - 1)
  var SPREAD_MAX = 4;  // the most the timeline's rows are spread apart to fill the window's height
  var GAP = data.timeline.gap;
  var bands = data.timeline.bands, columns = data.timeline.columns;
  var measure = document.createElement("canvas").getContext("2d");
  var labels = {};     // id -> {width, lines} of the label at the node's own font size
  var bandTop = {}, bandHeight = {}, columnLeft = {};  // the timeline's stacked bands and columns
  var spread = 1;      // the timeline's heights (bands, gaps) times this: the window's height used
  var stripWidth = 0;
  // what the last drawing wrote besides the nodes, for whoever checks the page (its tests)
  var drawn = {names: [], years: []};

  function textWidth(text, px, bold) {
    measure.font = (bold ? "bold " : "") + px + "px sans-serif";
    return measure.measureText(text).width;
  }

  function labelOf(n) {
    if (!labels[n.id]) {
      var lines = String(n.label || "").split("\n");
      var widest = 0;
      lines.forEach(function (line) { widest = Math.max(widest, textWidth(line, n.font.size)); });
      labels[n.id] = {width: widest, lines: n.label ? lines.length : 0};
    }
    return labels[n.id];
  }

  function isTask(n) { return n.kind === "task"; }

  // a task's name is drawn by the page, at least NAME_PX on screen; in the timeline, by the strip
  function namePx(n, scale) { return Math.max(n.font.size * scale, NAME_PX); }

  // --- where nodes are -----------------------------------------------------------------------

  // the lines of band i's name at px in the strip
  function bandName(i, px) { return wrap(bands[i][0], stripWidth - 16, px); }

  // Stack the bands and the year columns that hold a shown node, in their order: a filter
  // leaves no empty band or column behind. Heights are spread by `by`, and at `scale` each band
  // is tall enough for its name at NAME_PX (a scale of 0: as built).
  function stackTimeline(shown, by, scale) {
    var usedBands = {}, usedColumns = {};
    shown.forEach(function (n) {
      if (n.tc >= 0) { usedBands[n.tb] = true; usedColumns[n.tc] = true; }
    });
    var widest = 0;
    Object.keys(usedBands).forEach(function (i) {
      widest = Math.max(widest, textWidth(bands[i][0], NAME_PX, true));
    });
    var room = document.getElementById("mynetwork").getBoundingClientRect().width;
    stripWidth = widest ? Math.min(widest, STRIP_MAX, room * STRIP_SHARE) + 16 : 0;
    spread = by;
    bandTop = {};
    bandHeight = {};
    columnLeft = {};
    var y = 0, x = 0;
    bands.forEach(function (band, i) {
      if (!usedBands[i]) { return; }
      var name = scale ? (bandName(i, NAME_PX).length * NAME_PX * LINE + 4) / scale - GAP * by : 0;
      bandTop[i] = y;
      bandHeight[i] = Math.max((band[2] - band[1]) * by, name);
      y += bandHeight[i] + GAP * by;
    });
    columns.forEach(function (column, i) {
      if (usedColumns[i]) { columnLeft[i] = x; x += column[2] - column[1] + GAP; }
    });
  }

  // band i from the middle of the gap above it to the middle of the gap below, in canvas units
  function bandBox(i) {
    var half = GAP * spread / 2;
    return [bandTop[i] - half, bandTop[i] + bandHeight[i] + half];
  }

  function spot(n) {
    var o = original[n.id];
    if (state.layout !== "timeline") { return {x: o.x, y: o.y}; }
    var band = bands[n.tb], tall = (band[2] - band[1]) * spread;
    var y = bandTop[n.tb] === undefined ? o.ty * spread
      : bandTop[n.tb] + (bandHeight[n.tb] - tall) / 2 + (o.ty - band[1]) * spread;
    if (n.tc < 0) { return {x: o.tx, y: y}; }
    var left = columnLeft[n.tc] === undefined ? columns[n.tc][1] : columnLeft[n.tc];
    return {x: o.tx - columns[n.tc][1] + left, y: y};
  }

  // The timeline for the nodes shown, stacked to use the window: at the scale that fits it as
  // built, each band made tall enough for its name, then rows spread apart (up to SPREAD_MAX)
  // while the picture still fits the window's height at that scale; a wide picture would
  // otherwise leave the lower part of the window empty.
  function stackToFill(shown) {
    stackTimeline(shown, 1, 0);
    if (shown.length === 0) { return; }
    var f = frame(), roomH = Math.max(f.height - f.top - f.bottom, 1);
    var s = largestScale(shown, shown.map(spot));
    function fits(by) {
      stackTimeline(shown, by, s);
      var b = bounds(shown, s, shown.map(spot));
      return (b[3] - b[1]) * s <= roomH;
    }
    var low = 1, high = SPREAD_MAX;
    if (fits(high)) {
      low = high;
    } else if (fits(low)) {
      for (var i = 0; i < 16; i++) {
        var mid = (low + high) / 2;
        if (fits(mid)) { low = mid; } else { high = mid; }
      }
    }
    stackTimeline(shown, low, s);
  }

  // Move every node to its place in the current layout, for the nodes the filters show.
  function place() {
    var all = nodes.get();
    if (state.layout === "timeline") {
      stackToFill(all.filter(function (n) { return !n.hidden; }));
    }
    var moves = [];
    all.forEach(function (n) {
      var p = spot(n);
      if (p.x !== n.x || p.y !== n.y) { moves.push({id: n.id, x: p.x, y: p.y}); }
    });
    if (moves.length) { nodes.update(moves); }
  }

  // --- fitting -------------------------------------------------------------------------------

  // The canvas rectangle that node n covers at scale s (shape, label when drawn, task name),
  // drawn at p (else where it is).
  function extent(n, s, p) {
    var x = p ? p.x : n.x, y = p ? p.y : n.y;
    var r = n.size, left = x - r, right = x + r, top = y - r, bottom = y + r;
    var label = labelOf(n), px = n.font.size, width = label.width;
    if (isTask(n) && state.layout !== "timeline") {
      px = namePx(n, s) / s;
      width = label.width * namePx(n, s) / n.font.size * BOLD / s;
    } else if (px * s < DRAWN_PX) {
      return [left, top, right, bottom];
    }
    var lines = label.lines;
    return [Math.min(left, x - width / 2), top, Math.max(right, x + width / 2),
            Math.max(bottom, y + r + LABEL_GAP + lines * px * LINE)];
  }

  function frame() {
    var box = document.getElementById("mynetwork").getBoundingClientRect();
    var timeline = state.layout === "timeline";
    return {width: box.width, height: box.height,
            left: MARGIN + (timeline ? stripWidth : 0), top: MARGIN + (timeline ? AXIS_PX : 0),
            right: MARGIN, bottom: MARGIN};
  }

  // the canvas rectangle the nodes `shown` cover at scale s, drawn at `spots` (else where they are)
  function bounds(shown, s, spots) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    shown.forEach(function (n, i) {
      var e = extent(n, s, spots && spots[i]);
      b = [Math.min(b[0], e[0]), Math.min(b[1], e[1]), Math.max(b[2], e[2]), Math.max(b[3], e[3])];
    });
    return b;
  }

  // The largest scale at which everything the nodes `shown` draw fits the window with a
  // margin, drawn at `spots` (else where they are): labels appear and task names grow as the
  // scale changes, so it is found by bisection.
  function largestScale(shown, spots) {
    var f = frame();
    var roomW = Math.max(f.width - f.left - f.right, 1);
    var roomH = Math.max(f.height - f.top - f.bottom, 1);
    function fits(s) {
      var b = bounds(shown, s, spots);
      return (b[2] - b[0]) * s <= roomW && (b[3] - b[1]) * s <= roomH;
    }
    var low = 1e-4, high = MAX_SCALE;
    if (fits(high)) { return high; }
    for (var i = 0; i < 24; i++) {  // a scale to within a few parts in a million
      var mid = Math.sqrt(low * high);
      if (fits(mid)) { low = mid; } else { high = mid; }
    }
    return low;
  }

  // Fit the nodes `ids` (shown ones) into the window at the largest scale that fits them,
  // centred in the room the timeline's strips leave.
  function fit(ids) {
    var shown = nodes.get(ids).filter(function (n) { return n && !n.hidden; });
    if (shown.length === 0) { return; }
    var f = frame();
    var roomW = Math.max(f.width - f.left - f.right, 1);
    var roomH = Math.max(f.height - f.top - f.bottom, 1);
    var low = largestScale(shown);
    var b = bounds(shown, low);
    // the centre of the room, from the canvas centre, in canvas units at this scale
    var dx = (f.left + roomW / 2 - f.width / 2) / low, dy = (f.top + roomH / 2 - f.height / 2) / low;
    if (state.layout === "timeline") {  // years read from the top: no empty band above the first
      dy -= (roomH - (b[3] - b[1]) * low) / 2 / low;
    }
    network.moveTo({position: {x: (b[0] + b[2]) / 2 - dx, y: (b[1] + b[3]) / 2 - dy},
                    scale: low, animation: false});
  }

  // True when every one of `ids` that is shown lies inside the window, margins apart.
  function inView(ids) {
    var f = frame(), at = network.getPositions(ids);
    return nodes.get(ids).every(function (n) {
      if (!n || n.hidden) { return true; }
      var d = network.canvasToDOM(at[n.id]);
      return d.x >= f.left && d.y >= f.top && d.x <= f.width - f.right && d.y <= f.height - f.bottom;
    });
  }

  // --- drawing around the nodes --------------------------------------------------------------

  function roundRect(ctx, x, y, w, h, r) {
    ctx.beginPath();
    ctx.moveTo(x + r, y);
    ctx.arcTo(x + w, y, x + w, y + h, r);
    ctx.arcTo(x + w, y + h, x, y + h, r);
    ctx.arcTo(x, y + h, x, y, r);
    ctx.arcTo(x, y, x + w, y, r);
    ctx.closePath();
  }

  function shownNodes() { return nodes.get({filter: function (n) { return !n.hidden; }}); }

  // the rectangle around each cluster's shown nodes: the map's regions
  function regions(shown, s) {
    var found = {};
    shown.forEach(function (n) {
      if (n.cl < 0) { return; }
      var e = extent(n, s), r = found[n.cl];
      found[n.cl] = r ? [Math.min(r[0], e[0]), Math.min(r[1], e[1]), Math.max(r[2], e[2]),
                         Math.max(r[3], e[3])] : e;
    });
    return found;
  }

  function drawRegions(ctx) {
    var s = network.getScale(), pad = 10;
    var found = regions(shownNodes(), s);
    ctx.save();
    Object.keys(found).forEach(function (cl) {
      var r = found[cl];
      roundRect(ctx, r[0] - pad, r[1] - pad, r[2] - r[0] + 2 * pad, r[3] - r[1] + 2 * pad, 24);
      ctx.fillStyle = "rgba(148, 103, 189, 0.06)";
      ctx.fill();
      ctx.lineWidth = 1 / s;
      ctx.strokeStyle = "rgba(148, 103, 189, 0.35)";
      ctx.stroke();
    });
    ctx.restore();
  }

  function drawBands(ctx) {
    var left = Infinity, right = -Infinity;
    Object.keys(columnLeft).forEach(function (i) {
      left = Math.min(left, columnLeft[i]);
      right = Math.max(right, columnLeft[i] + columns[i][2] - columns[i][1]);
    });
    if (left === Infinity) { return; }
    var top = Infinity, bottom = -Infinity;
    ctx.save();
    Object.keys(bandTop).forEach(function (i, k) {
      var box = bandBox(i);
      ctx.fillStyle = k % 2 ? "rgba(148, 103, 189, 0.07)" : "rgba(0, 0, 0, 0.03)";
      ctx.fillRect(left - GAP / 2, box[0], right - left + GAP, box[1] - box[0]);
      top = Math.min(top, box[0]);
      bottom = Math.max(bottom, box[1]);
    });
    // a line between two years
    ctx.strokeStyle = "rgba(0, 0, 0, 0.12)";
    ctx.lineWidth = 1 / network.getScale();
    Object.keys(columnLeft).forEach(function (i) {
      if (columnLeft[i] === left) { return; }
      ctx.beginPath();
      ctx.moveTo(columnLeft[i] - GAP / 2, top);
      ctx.lineTo(columnLeft[i] - GAP / 2, bottom);
      ctx.stroke();
    });
    ctx.restore();
  }

  // text with a white halo, readable over edges and nodes
  function haloText(ctx, text, x, y) {
    ctx.lineJoin = "round";
    ctx.lineWidth = 4;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
    ctx.strokeText(text, x, y);
    ctx.fillText(text, x, y);
  }

  // draw in screen pixels (CSS), whatever the zoom
  function onScreen(ctx, draw) {
    var ratio = network.canvas.pixelRatio || 1;
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    draw();
    ctx.restore();
  }

  // each cluster's name where its task's label would be, in its label's lines: at least
  // NAME_PX, unless that is wider than the cluster's region and the gaps around it (then down
  // to SMALL_PX). Larger clusters first; a name that would cover one already written moves up
  // or down within its region, or is left out (its task's tooltip still names it).
  function drawNames(ctx) {
    var s = network.getScale();
    var found = regions(shownNodes(), s);
    var written = [];
    function clear(box) {
      return written.every(function (w) {
        return box[2] <= w[0] || w[2] <= box[0] || box[3] <= w[1] || w[3] <= box[1];
      });
    }
    function area(n) {
      var r = found[n.cl];
      return r ? (r[2] - r[0]) * (r[3] - r[1]) : 0;
    }
    var tasks = nodes.get({filter: function (n) { return isTask(n) && !n.hidden; }});
    tasks.sort(function (a, b) { return area(b) - area(a) || (a.id < b.id ? -1 : 1); });
    onScreen(ctx, function () {
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      tasks.forEach(function (n) {
        var lines = n.label.split("\n"), r = found[n.cl];
        var px = namePx(n, s), room = r ? (r[2] - r[0] + GAP) * s : Infinity;
        var widest = Math.max.apply(null, lines.map(function (l) { return textWidth(l, px, true); }));
        if (widest > room) {
          px = Math.max(px * room / widest, SMALL_PX);
          widest = Math.max.apply(null, lines.map(function (l) { return textWidth(l, px, true); }));
        }
        var height = lines.length * px * LINE;
        var at = network.canvasToDOM({x: n.x, y: n.y + n.size + LABEL_GAP});
        var top = r ? network.canvasToDOM({x: 0, y: r[1]}).y : at.y;
        var bottom = r ? network.canvasToDOM({x: 0, y: r[3]}).y - height : at.y;
        var y = [0, 1, -1, 2, -2, 3, -3].map(function (k) { return at.y + k * height; })
          .filter(function (y) { return y >= Math.min(top, at.y) && y <= Math.max(bottom, at.y); })
          .find(function (y) { return clear([at.x - widest / 2, y, at.x + widest / 2, y + height]); });
        if (y === undefined) { return; }
        written.push([at.x - widest / 2, y, at.x + widest / 2, y + height]);
        ctx.font = "bold " + px + "px sans-serif";
        ctx.fillStyle = app.dimmed(n.id) ? "rgba(75, 42, 123, 0.2)" : "#4b2a7b";
        lines.forEach(function (line, k) { haloText(ctx, line, at.x, y + k * px * LINE); });
        drawn.names.push({text: lines.join(" "), px: px, box: written[written.length - 1]});
      });
    });
  }

  function wrap(text, width, px) {
    var words = text.split(" "), lines = [""];
    words.forEach(function (word) {
      var line = lines[lines.length - 1], next = line ? line + " " + word : word;
      if (line && textWidth(next, px, true) > width) { lines.push(word); } else { lines[lines.length - 1] = next; }
    });
    return lines;
  }

  function drawAxes(ctx) {
    var f = frame();
    onScreen(ctx, function () {
      ctx.fillStyle = "rgba(250, 250, 250, 0.94)";
      ctx.fillRect(0, 0, stripWidth, f.height);
      ctx.fillRect(stripWidth, 0, f.width - stripWidth, AXIS_PX);
      ctx.fillStyle = "#dddddd";
      ctx.fillRect(stripWidth - 1, 0, 1, f.height);
      ctx.fillRect(stripWidth, AXIS_PX - 1, f.width - stripWidth, 1);
      ctx.font = "bold 13px sans-serif";
      ctx.fillStyle = "#555555";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      var free = stripWidth;  // a year's name is left out where it would cover the one before
      Object.keys(columnLeft).forEach(function (i) {
        var mid = columnLeft[i] + (columns[i][2] - columns[i][1]) / 2;
        var x = network.canvasToDOM({x: mid, y: 0}).x, half = textWidth(columns[i][0], 13, true) / 2;
        var end = network.canvasToDOM({x: columnLeft[i] + columns[i][2] - columns[i][1], y: 0}).x;
        x = Math.max(x, Math.min(free + 4 + half, end - half));  // slid clear of the strip
        if (x - half > free + 3 && x + half < f.width - 2) {
          ctx.fillText(columns[i][0], x, AXIS_PX / 2);
          drawn.years.push(columns[i][0]);
          free = x + half;
        }
      });
      ctx.textAlign = "left";
      ctx.fillStyle = "#4b2a7b";
      var below = AXIS_PX;
      Object.keys(bandTop).forEach(function (i) {
        var box = bandBox(i);
        var top = network.canvasToDOM({x: 0, y: box[0]}).y;
        var bottom = network.canvasToDOM({x: 0, y: box[1]}).y;
        // as large as the band's height allows, from NAME_PX down to SMALL_PX
        var px = NAME_PX, lines = bandName(i, px);
        while (px > SMALL_PX && lines.length * px * LINE > bottom - top) {
          px -= 1;
          lines = bandName(i, px);
        }
        if (lines.length > 1 && lines.length * px * LINE > bottom - top) {  // one line, cut
          lines = [lines[0] + "…"];
        }
        var height = lines.length * px * LINE;
        // centred on the band, kept on screen while the band is, below the previous name
        var y = Math.max((top + bottom - height) / 2, Math.min(AXIS_PX + 4, bottom - height), below);
        if (y > f.height || bottom < AXIS_PX) { return; }
        ctx.font = "bold " + px + "px sans-serif";
        lines.forEach(function (line, k) { ctx.fillText(line, 8, y + (k + 0.5) * px * LINE); });
        drawn.names.push({text: bands[i][0], px: px});
        below = y + height;
      });
    });
  }

  // the band whose name the strip shows at a screen point, or -1
  function bandAt(domX, domY) {
    if (state.layout !== "timeline" || domX > stripWidth || domY < AXIS_PX) { return -1; }
    var found = -1;
    Object.keys(bandTop).forEach(function (i) {
      var box = bandBox(i);
      var top = network.canvasToDOM({x: 0, y: box[0]}).y;
      var bottom = network.canvasToDOM({x: 0, y: box[1]}).y;
      if (domY >= top && domY < bottom) { found = Number(i); }
    });
    return found;
  }

  network.on("beforeDrawing", function (ctx) {
    // a white ground, so that the canvas saved as PNG looks as it does on the page
    onScreen(ctx, function () {
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
    });
    if (state.layout === "timeline") { drawBands(ctx); } else { drawRegions(ctx); }
  });
  network.on("afterDrawing", function (ctx) {
    drawn = {names: [], years: []};
    if (state.layout === "timeline") { drawAxes(ctx); } else { drawNames(ctx); }
  });

  return {place: place, fit: fit, inView: inView, bandAt: bandAt,
          drawn: function () { return drawn; }};
};
