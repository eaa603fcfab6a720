// The explorer on top of vis-network: details panel, focus, filters, two layouts, state in the
// URL fragment. Runs after drawGraph(): uses its globals `nodes`, `edges` (vis.DataSet) and
// `network`, and RSVLM_DATA (details, tasks, timeline axes). Everything from the data is written
// with textContent, and only http(s) addresses become links: titles and abstracts come from the
// network and are untrusted.
(function () {
  "use strict";
  var data = RSVLM_DATA;
  var MIN_LABEL_PX = 11;
  var DIM = 0.12;
  var STEPS = [0, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000];
  var KIND_NAMES = {paper: "List paper", outside_paper: "Discovery candidate", dataset: "Dataset",
                    task: "Task", code: "Code repository"};
  var select = document.getElementById("task-filter");
  var search = document.getElementById("title-search");
  var status = document.getElementById("search-status");
  var slider = document.getElementById("min-citations");
  var sliderValue = document.getElementById("min-citations-value");
  var panel = document.getElementById("details");
  var legend = document.getElementById("legend");
  var original = {};  // id -> {x, y, tx, ty, font, color}
  var originalEdges = {};
  var state = {paper: "", layout: "clustered", task: "", min: 0, hideKinds: [], hideRels: []};

  // Tooltips as DOM text: never innerHTML, whatever a title contains.
  nodes.update(nodes.get().map(function (n) {
    var tip = document.createElement("div");
    tip.className = "rsvlm-tip";
    tip.textContent = n.tip;
    original[n.id] = {x: n.x, y: n.y, tx: n.tx, ty: n.ty, font: n.font, color: n.color};
    return {id: n.id, title: tip};
  }));
  edges.get().forEach(function (e) { originalEdges[e.id] = e.color; });

  data.tasks.forEach(function (task) {
    var option = document.createElement("option");
    option.value = task;
    option.textContent = task;
    select.appendChild(option);
  });
  var most = 0;
  nodes.get().forEach(function (n) { if (n.cit !== null && n.cit > most) { most = n.cit; } });
  var steps = STEPS.filter(function (s) { return s <= most; });
  slider.max = String(Math.max(steps.length - 1, 0));
  slider.disabled = steps.length < 2;

  // --- filters ------------------------------------------------------------------------------

  function isHidden(n) {
    if (state.hideKinds.indexOf(n.kind) >= 0) { return true; }
    if (state.task !== "" && n.tasks.indexOf(state.task) < 0) { return true; }
    if (state.min > 0 && (n.kind === "paper" || n.kind === "outside_paper")) {
      return n.cit === null || n.cit < state.min;
    }
    return false;
  }

  function visibleIds() {
    return nodes.getIds({filter: function (n) { return !n.hidden; }});
  }

  function applyFilters() {
    nodes.update(nodes.get().map(function (n) { return {id: n.id, hidden: isHidden(n)}; }));
    edges.update(edges.get().map(function (e) {
      return {id: e.id, hidden: state.hideRels.indexOf(e.rel) >= 0};
    }));
    if (state.paper && nodes.get(state.paper) && nodes.get(state.paper).hidden) {
      closeDetails();
    }
  }

  // --- focus --------------------------------------------------------------------------------

  function fade(colour) {
    return {background: colour, border: colour, highlight: colour, hover: colour};
  }

  function focusNode(id) {
    var neighbours = {};
    neighbours[id] = true;
    network.getConnectedNodes(id).forEach(function (n) { neighbours[n] = true; });
    var connected = {};
    network.getConnectedEdges(id).forEach(function (e) { connected[e] = true; });
    nodes.update(nodes.get().map(function (n) {
      var near = neighbours[n.id] === true;
      var font = {size: original[n.id].font.size,
                  color: near ? "#222222" : "rgba(34, 34, 34, " + DIM + ")"};
      return {id: n.id, opacity: near ? 1 : DIM, font: font};
    }));
    edges.update(edges.get().map(function (e) {
      var colour = originalEdges[e.id];
      var on = connected[e.id] === true;
      return {id: e.id, width: on ? 2 : 1,
              color: {color: colour.color, highlight: colour.highlight, opacity: on ? 1 : 0.05}};
    }));
  }

  function resetFocus() {
    nodes.update(nodes.get().map(function (n) {
      return {id: n.id, opacity: 1, font: original[n.id].font};
    }));
    edges.update(edges.get().map(function (e) {
      return {id: e.id, width: 1, color: originalEdges[e.id]};
    }));
  }

  // --- details panel ------------------------------------------------------------------------

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (cls) { node.className = cls; }
    return node;
  }

  function safeLink(label, url) {
    if (!/^https?:\/\//i.test(url)) { return el("span", label); }
    var a = el("a", label);
    a.href = url;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }

  function fact(list, name, value) {
    if (value === undefined || value === null || value === "") { return; }
    list.appendChild(el("dt", name));
    list.appendChild(el("dd", value));
  }

  function nodeList(title, ids) {
    var box = el("div");
    box.appendChild(el("h3", title + " (" + ids.length + ")"));
    if (ids.length === 0) { return box; }
    var list = el("ul");
    ids.forEach(function (other) {
      var item = el("li");
      var button = el("button", data.details[other] ? data.details[other].title : other);
      button.type = "button";
      button.dataset.node = other;
      var target = nodes.get(other);
      button.disabled = !target || target.hidden === true;
      button.addEventListener("click", function () { openNode(other, true); });
      item.appendChild(button);
      list.appendChild(item);
    });
    box.appendChild(list);
    return box;
  }

  function linked(id, rel, direction) {
    return edges.get({filter: function (e) {
      return e.rel === rel && (direction === "out" ? e.from === id : e.to === id);
    }}).map(function (e) { return direction === "out" ? e.to : e.from; }).sort(function (a, b) {
      return (nodes.get(b).size - nodes.get(a).size) || (a < b ? -1 : 1);
    });
  }

  function collapsed(summary, text) {
    var box = el("details");
    box.appendChild(el("summary", summary));
    box.appendChild(el("p", text));
    return box;
  }

  function copyRow(area, button) {
    function done(ok) { button.textContent = ok ? "Copied" : "Select and copy"; }
    function fallback() {
      area.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (err) { ok = false; }
      done(ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(area.value).then(function () { done(true); }, fallback);
    } else {
      fallback();
    }
  }

  function renderDetails(id) {
    var d = data.details[id] || {title: id};
    var n = nodes.get(id);
    panel.textContent = "";
    var close = el("button", "×", "close");
    close.type = "button";
    close.title = "Close (Esc)";
    close.addEventListener("click", function () { closeDetails(); writeHash(); });
    panel.appendChild(close);
    var kind = KIND_NAMES[n.kind] || n.kind;
    if (d.candidate_kind) { kind += " · " + d.candidate_kind; }
    panel.appendChild(el("div", kind, "kind"));
    var heading = el("h2");
    var links = d.links || [];
    heading.appendChild(links.length ? safeLink(d.title, links[0][1]) : el("span", d.title));
    if (links.length) { heading.firstChild.className = "title-link"; }
    panel.appendChild(heading);
    if (links.length > 1 || (d.code || []).length) {
      var bar = el("div", null, "links");
      links.concat(d.code || []).forEach(function (pair) {
        bar.appendChild(safeLink(pair[0], pair[1]));
      });
      panel.appendChild(bar);
    }
    var list = el("dl");
    if (d.authors && d.authors.length) {
      var shown = d.authors.slice(0, 8).join(", ");
      fact(list, "Authors", d.authors.length > 8 ? shown + " et al." : shown);
    }
    fact(list, "Venue", d.venue);
    fact(list, "Year", d.year);
    fact(list, "Citations", d.citations);
    fact(list, "Influential", d.influential);
    fact(list, d.candidate_kind !== undefined || n.kind === "outside_paper"
      ? "Cited by list" : "In-list citations", d.in_list);
    fact(list, d.candidate_kind ? "Rank (" + d.candidate_kind + ")" : "Rank", d.rank);
    fact(list, "Section", d.section);
    if (n.kind !== "task" && n.tasks.length) {
      fact(list, n.kind === "outside_paper" ? "Suggested task" : "Tasks", n.tasks.join(", "));
    }
    panel.appendChild(list);
    if (d.tldr) { panel.appendChild(collapsed("TLDR", d.tldr)); }
    if (d.abstract) { panel.appendChild(collapsed("Abstract", d.abstract)); }
    if (d.why || d.row) {
      panel.appendChild(el("h3", "Why it may belong in the list"));
      var evidence = el("ul", null, "evidence");
      [d.why,
       d.cites_list && d.cites_list.length ? "Cites list papers: " + d.cites_list.join("; ") : "",
       d.cited_by_list && d.cited_by_list.length
         ? "Cited by list papers: " + d.cited_by_list.join("; ") : "",
       d.similarity !== undefined ? "SPECTER similarity to the nearest list paper: " + d.similarity : "",
       d.recommended_rank !== undefined ? "Semantic Scholar recommendation #" + d.recommended_rank : "",
       d.peer_lists && d.peer_lists.length ? "In peer lists: " + d.peer_lists.join("; ") : ""
      ].forEach(function (line) { if (line) { evidence.appendChild(el("li", line)); } });
      panel.appendChild(evidence);
      if (d.row) {
        panel.appendChild(el("h3", "Row to paste into the list"));
        var area = el("textarea");
        area.readOnly = true;
        area.rows = 3;
        area.value = d.row;
        area.id = "candidate-row";
        var copy = el("button", "Copy row");
        copy.type = "button";
        copy.id = "copy-row";
        copy.addEventListener("click", function () { copyRow(area, copy); });
        panel.appendChild(area);
        panel.appendChild(copy);
      }
    }
    if (n.kind === "paper" || n.kind === "outside_paper") {
      var datasets = linked(id, "introduces", "out").concat(linked(id, "uses", "out"));
      if (datasets.length) { panel.appendChild(nodeList("Datasets", datasets)); }
      panel.appendChild(nodeList("Cited by, in this view", linked(id, "cites", "in")));
      panel.appendChild(nodeList("Cites, in this view", linked(id, "cites", "out")));
    } else if (n.kind === "dataset") {
      panel.appendChild(nodeList("Introduced by", linked(id, "introduces", "in")));
      panel.appendChild(nodeList("Used by", linked(id, "uses", "in")));
    } else if (n.kind === "task") {
      panel.appendChild(nodeList("Papers and datasets", linked(id, "has_task", "in")));
    }
    panel.hidden = false;
    legend.hidden = true;
    panel.scrollTop = 0;
  }

  function openNode(id, move) {
    if (!nodes.get(id)) { return; }
    state.paper = id;
    network.selectNodes([id], true);
    focusNode(id);
    renderDetails(id);
    if (move) {
      var scale = Math.max(network.getScale(), MIN_LABEL_PX / 14);
      network.moveTo({position: network.getPositions([id])[id], scale: scale, animation: false});
    }
    writeHash();
  }

  function closeDetails() {
    state.paper = "";
    panel.hidden = true;
    panel.textContent = "";
    legend.hidden = false;
    network.unselectAll();
    resetFocus();
  }

  // --- layouts and the opening view ---------------------------------------------------------

  function setLayout(name) {
    state.layout = name === "timeline" ? "timeline" : "clustered";
    var timeline = state.layout === "timeline";
    nodes.update(nodes.get().map(function (n) {
      var o = original[n.id];
      return {id: n.id, x: timeline ? o.tx : o.x, y: timeline ? o.ty : o.y};
    }));
    ["clustered", "timeline"].forEach(function (layout) {
      document.getElementById("layout-" + layout).setAttribute(
        "aria-pressed", String(layout === state.layout));
    });
  }

  // Fit what is shown; if that makes the most important labels smaller than MIN_LABEL_PX,
  // zoom in on them instead: the others appear as one zooms in.
  function openingView() {
    var ids = visibleIds();
    if (ids.length === 0) { return; }
    network.fit({nodes: ids, animation: false});
    var need = MIN_LABEL_PX / data.majorFont;
    if (network.getScale() >= need) { return; }
    // centre on the window's worth of the picture, around a major node, that shows the most
    var shown = nodes.get({filter: function (n) { return !n.hidden; }});
    var at = network.getPositions(shown.map(function (n) { return n.id; }));
    var box = document.getElementById("mynetwork").getBoundingClientRect();
    var halfW = box.width / 2 / need * 0.9, halfH = box.height / 2 / need * 0.9;
    var best = null;
    shown.forEach(function (m) {
      if (!m.major) { return; }
      var inside = shown.filter(function (n) {
        return Math.abs(at[n.id].x - at[m.id].x) < halfW && Math.abs(at[n.id].y - at[m.id].y) < halfH;
      });
      if (best === null || inside.length > best.length) { best = inside; }
    });
    if (best === null) { return; }
    var x = 0, y = 0;
    best.forEach(function (n) { x += at[n.id].x; y += at[n.id].y; });
    network.moveTo({position: {x: x / best.length, y: y / best.length}, scale: need * 1.02,
                    animation: false});
  }

  network.on("beforeDrawing", function (ctx) {
    if (state.layout !== "timeline") { return; }
    var bands = data.timeline.bands, columns = data.timeline.columns;
    if (bands.length === 0) { return; }
    var top = bands[0][1], bottom = bands[bands.length - 1][2];
    var left = 1e9, right = -1e9;
    nodes.get().forEach(function (n) {
      left = Math.min(left, original[n.id].tx - 120);
      right = Math.max(right, original[n.id].tx + 120);
    });
    ctx.save();
    bands.forEach(function (band, i) {
      ctx.fillStyle = i % 2 ? "rgba(148, 103, 189, 0.06)" : "rgba(0, 0, 0, 0.025)";
      ctx.fillRect(left, band[1] - 10, right - left, band[2] - band[1] + 20);
    });
    ctx.fillStyle = "#666666";
    ctx.font = "bold 26px sans-serif";
    ctx.textAlign = "center";
    columns.forEach(function (column) {
      ctx.fillText(column[0], column[1], top - 30);
      ctx.fillText(column[0], column[1], bottom + 50);
    });
    ctx.restore();
  });

  // --- search -------------------------------------------------------------------------------

  function matches(query) {
    return nodes.get({filter: function (n) {
      return !n.hidden && n.name.toLowerCase().indexOf(query) >= 0;
    }});
  }

  function applySearch() {
    var query = search.value.trim().toLowerCase();
    if (query === "") {
      if (!state.paper) { network.unselectAll(); }
      status.textContent = "";
      return;
    }
    var found = matches(query).map(function (n) { return n.id; });
    network.selectNodes(found, false);
    status.textContent = found.length + (found.length === 1 ? " match" : " matches");
    if (found.length > 0) {
      network.fit({nodes: found, animation: false});
    }
  }

  // exact title or label first, then titles starting with the text, then the largest node
  function bestMatch(query) {
    var scored = matches(query).map(function (n) {
      var name = n.name.toLowerCase(), label = n.label.toLowerCase().replace(/\n/g, " ");
      var exact = name === query || label === query ? 0 : 1;
      var prefix = name.indexOf(query) === 0 || label.indexOf(query) === 0 ? 0 : 1;
      return [exact, prefix, -n.size, n.id];
    });
    scored.sort(function (a, b) {
      for (var i = 0; i < 3; i++) { if (a[i] !== b[i]) { return a[i] - b[i]; } }
      return a[3] < b[3] ? -1 : 1;
    });
    return scored.length ? scored[0][3] : null;
  }

  // --- state in the URL fragment ------------------------------------------------------------

  function writeHash() {
    var parts = [];
    if (state.paper) { parts.push("paper=" + encodeURIComponent(state.paper)); }
    if (state.layout !== "clustered") { parts.push("layout=" + state.layout); }
    if (state.task) { parts.push("task=" + encodeURIComponent(state.task)); }
    if (state.min > 0) { parts.push("min=" + state.min); }
    if (state.hideKinds.length) { parts.push("hide=" + state.hideKinds.join(",")); }
    if (state.hideRels.length) { parts.push("edges=" + state.hideRels.join(",")); }
    var hash = parts.length ? "#" + parts.join("&") : "";
    if (hash !== location.hash) {
      history.replaceState(null, "", hash || location.pathname + location.search);
    }
  }

  function resolveNode(value) {
    if (!value) { return ""; }
    if (nodes.get(value)) { return value; }
    var prefixed = ["paper:" + value, "paper:arxiv:" + value, "paper:doi:" + value.toLowerCase(),
                    "paper:s2:" + value];
    for (var i = 0; i < prefixed.length; i++) {
      if (nodes.get(prefixed[i])) { return prefixed[i]; }
    }
    return "";
  }

  function readHash() {
    var params = new URLSearchParams(location.hash.replace(/^#/, ""));
    var list = function (name) {
      return (params.get(name) || "").split(",").filter(function (v) { return v !== ""; });
    };
    state.layout = params.get("layout") === "timeline" ? "timeline" : "clustered";
    var task = params.get("task") || "";
    state.task = data.tasks.indexOf(task) >= 0 ? task : "";
    var min = parseInt(params.get("min") || "0", 10);
    state.min = isFinite(min) && min > 0 ? min : 0;
    state.hideKinds = list("hide");
    state.hideRels = list("edges");
    return resolveNode(params.get("paper") || "");
  }

  function showControls() {
    select.value = state.task;
    var index = 0;
    steps.forEach(function (s, i) { if (s <= state.min) { index = i; } });
    slider.value = String(index);
    sliderValue.textContent = String(state.min);
    document.querySelectorAll("#legend input[data-kind]").forEach(function (box) {
      box.checked = state.hideKinds.indexOf(box.dataset.kind) < 0;
    });
    document.querySelectorAll("#legend input[data-rel]").forEach(function (box) {
      box.checked = state.hideRels.indexOf(box.dataset.rel) < 0;
    });
  }

  function restore() {
    var paper = readHash();
    showControls();
    setLayout(state.layout);
    applyFilters();
    if (paper && !nodes.get(paper).hidden) {
      openingView();
      openNode(paper, true);
    } else {
      if (state.paper) { closeDetails(); }
      openingView();
    }
  }

  // --- wiring -------------------------------------------------------------------------------

  select.addEventListener("change", function () {
    state.task = select.value;
    applyFilters();
    network.fit({nodes: visibleIds(), animation: false});
    applySearch();
    writeHash();
  });
  slider.addEventListener("input", function () {
    state.min = steps[parseInt(slider.value, 10)] || 0;
    sliderValue.textContent = String(state.min);
    applyFilters();
    writeHash();
  });
  document.querySelectorAll("#legend input[data-kind], #legend input[data-rel]").forEach(
    function (box) {
      box.addEventListener("change", function () {
        var key = box.dataset.kind ? "hideKinds" : "hideRels";
        var value = box.dataset.kind || box.dataset.rel;
        state[key] = state[key].filter(function (v) { return v !== value; });
        if (!box.checked) { state[key].push(value); }
        state[key].sort();
        applyFilters();
        writeHash();
      });
    });
  document.querySelectorAll(".switch button").forEach(function (button) {
    button.addEventListener("click", function () {
      setLayout(button.dataset.layout);
      openingView();
      if (state.paper) { openNode(state.paper, true); }
      writeHash();
    });
  });
  search.addEventListener("input", applySearch);
  search.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    var best = bestMatch(search.value.trim().toLowerCase());
    if (best) { openNode(best, true); }
  });
  network.on("click", function (params) {
    if (params.nodes.length > 0) {
      openNode(params.nodes[0], false);
    } else if (params.edges.length === 0 && state.paper) {
      closeDetails();
      writeHash();
    }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && state.paper) {
      closeDetails();
      writeHash();
    }
  });
  window.addEventListener("hashchange", restore);
  restore();
})();
