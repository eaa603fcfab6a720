// The explorer on top of vis-network: filters, focus, search, the state in the URL fragment and
// the controls' wiring; it puts together the parts the page ran before it (page_view.js: layouts,
// fitting, drawing around the nodes; page_details.js: the details panel; page_colour.js: colour
// modes; page_export.js: BibTeX, RIS, PNG). Runs after drawGraph(): uses its globals `nodes`,
// `edges` (vis.DataSet) and `network`, and RSVLM_DATA (details, tasks, timeline axes, fonts).
(function () {
  "use strict";
  var data = RSVLM_DATA;
  var DIM = 0.12;
  var STEPS = [0, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000];
  var select = document.getElementById("task-filter");
  var colourBy = document.getElementById("colour-by");
  var search = document.getElementById("title-search");
  var status = document.getElementById("search-status");
  var slider = document.getElementById("min-citations");
  var sliderValue = document.getElementById("min-citations-value");
  var panel = document.getElementById("details");
  var legend = document.getElementById("legend");
  var original = {};  // id -> what a fresh page draws: positions, font, colour, opacity
  var originalEdges = {};
  var near = null;    // while a node is selected: the ids left undimmed
  var state = {paper: "", layout: "clustered", colour: "kind", task: "", min: 0, hideKinds: [],
               hideRels: []};

  nodes.get().forEach(function (n) {
    var drawn = network.body.nodes[n.id].options;  // as vis-network draws it, defaults filled in
    original[n.id] = {x: n.x, y: n.y, tx: n.tx, ty: n.ty, color: n.color, opacity: drawn.opacity,
                      font: {size: drawn.font.size, color: drawn.font.color}};
  });
  // Tooltips as DOM text: never innerHTML, whatever a title contains. Made when the pointer
  // first rests on a node (vis-network shows it after its delay): thousands made up front
  // would cost the page's opening a few hundred milliseconds.
  network.on("hoverNode", function (params) {
    var n = nodes.get(params.node);
    if (!n || n.title) { return; }
    var tip = document.createElement("div");
    tip.className = "rsvlm-tip";
    tip.textContent = n.tip;
    nodes.update({id: n.id, title: tip});
  });
  edges.get().forEach(function (e) {
    originalEdges[e.id] = {color: e.color, width: network.body.edges[e.id].options.width};
  });

  var app = {data: data, nodes: nodes, edges: edges, network: network, state: state,
             original: original,
             dimmed: function (id) { return near !== null && near[id] !== true; },
             open: function (id) { openNode(id, "fit"); },
             close: function () { closeDetails(); writeHash(); }};
  var view = RSVLM.view(app);
  var details = RSVLM.details(app);
  var colour = RSVLM.colour(app);
  var exports = RSVLM.exports(app);
  RSVLM.drawn = view.drawn;  // the names and years the canvas shows: the page's tests read them

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

  // in the timeline a task is its band (named at the left), not a node
  function isHidden(n) {
    if (n.kind === "task" && state.layout === "timeline") { return true; }
    if (state.hideKinds.indexOf(n.kind) >= 0) { return true; }
    if (state.task !== "" && n.tasks.indexOf(state.task) < 0) { return true; }
    if (state.min > 0 && (n.kind === "paper" || n.kind === "outside_paper")) {
      return n.cit === null || n.cit < state.min;
    }
    return false;
  }

  function shownIds() {
    return nodes.getIds({filter: function (n) { return !n.hidden; }});
  }

  // Show what the filters and the layout let through, each node where the layout puts it.
  function arrange() {
    var changed = [];
    nodes.get().forEach(function (n) {
      var hidden = isHidden(n);
      if (hidden !== (n.hidden === true)) { changed.push({id: n.id, hidden: hidden}); }
    });
    if (changed.length) { nodes.update(changed); }
    var flipped = edges.get({filter: function (e) {
      return (state.hideRels.indexOf(e.rel) >= 0) !== (e.hidden === true);
    }});
    if (flipped.length) {
      edges.update(flipped.map(function (e) { return {id: e.id, hidden: !e.hidden}; }));
    }
    view.place();
    ["clustered", "timeline"].forEach(function (layout) {
      document.getElementById("layout-" + layout).setAttribute(
        "aria-pressed", String(layout === state.layout));
    });
    if (state.paper && nodes.get(state.paper).hidden && !isTaskBand(state.paper)) {
      closeDetails();
    }
  }

  // a task selected in the timeline: its band stands for it
  function isTaskBand(id) {
    return state.layout === "timeline" && nodes.get(id).kind === "task";
  }

  // --- focus --------------------------------------------------------------------------------

  function selection(id) {
    return [id].concat(network.getConnectedNodes(id));
  }

  function focusNode(id) {
    near = {};
    selection(id).forEach(function (n) { near[n] = true; });
    var connected = {};
    network.getConnectedEdges(id).forEach(function (e) { connected[e] = true; });
    nodes.update(nodes.get().map(function (n) {
      var on = near[n.id] === true, o = original[n.id];
      // a task's label stays as it is (transparent): page_view.js writes and dims its name
      var dim = n.kind === "task" ? o.font.color : "rgba(34, 34, 34, " + DIM + ")";
      var font = {size: o.font.size, color: on ? o.font.color : dim};
      return {id: n.id, opacity: on ? o.opacity : DIM, font: font};
    }));
    edges.update(edges.get().map(function (e) {
      var o = originalEdges[e.id], on = connected[e.id] === true;
      return {id: e.id, width: on ? 2 : o.width,
              color: {color: o.color.color, highlight: o.color.highlight, opacity: on ? 1 : 0.05}};
    }));
  }

  // every node, label and edge back to what a fresh page draws
  function resetFocus() {
    near = null;
    nodes.update(nodes.get().map(function (n) {
      var o = original[n.id];
      return {id: n.id, opacity: o.opacity, font: {size: o.font.size, color: o.font.color}};
    }));
    edges.update(edges.get().map(function (e) {
      var o = originalEdges[e.id];
      return {id: e.id, width: o.width, color: o.color};
    }));
  }

  // how = "fit": fit the node and its neighbours; "show": only when some are off screen
  function openNode(id, how) {
    if (!nodes.get(id)) { return; }
    state.paper = id;
    if (nodes.get(id).hidden) { network.unselectAll(); } else { network.selectNodes([id], true); }
    focusNode(id);
    details.render(id);
    var ids = selection(id);
    if (how === "fit" || !view.inView(ids)) { view.fit(ids); }
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

  // fit the selection when there is one, else everything shown
  function fitShown() {
    view.fit(state.paper ? selection(state.paper) : shownIds());
  }

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
    if (found.length > 0) { view.fit(found); }
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
    if (state.colour !== "kind") { parts.push("colour=" + state.colour); }
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
    state.colour = colour.modes.indexOf(params.get("colour")) >= 0 ? params.get("colour") : "kind";
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
    colourBy.value = state.colour;
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
    colour.apply(state.colour);
    arrange();
    if (paper && (!nodes.get(paper).hidden || isTaskBand(paper))) {
      openNode(paper, "fit");
    } else {
      if (state.paper) { closeDetails(); }
      fitShown();
    }
  }

  // --- wiring -------------------------------------------------------------------------------

  function filtered() {
    arrange();
    fitShown();
    applySearch();
    writeHash();
  }

  select.addEventListener("change", function () {
    state.task = select.value;
    filtered();
  });
  slider.addEventListener("input", function () {
    state.min = steps[parseInt(slider.value, 10)] || 0;
    sliderValue.textContent = String(state.min);
    filtered();
  });
  colourBy.addEventListener("change", function () {
    state.colour = colourBy.value;
    colour.apply(state.colour);
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
        filtered();
      });
    });
  document.querySelectorAll(".switch button").forEach(function (button) {
    button.addEventListener("click", function () {
      state.layout = button.dataset.layout === "timeline" ? "timeline" : "clustered";
      arrange();
      fitShown();
      writeHash();
    });
  });
  search.addEventListener("input", applySearch);
  search.addEventListener("keydown", function (event) {
    if (event.key !== "Enter") { return; }
    var best = bestMatch(search.value.trim().toLowerCase());
    if (best) { openNode(best, "fit"); }
  });
  document.getElementById("export-bibtex").addEventListener("click", exports.bibtex);
  document.getElementById("export-ris").addEventListener("click", exports.ris);
  document.getElementById("export-png").addEventListener("click", exports.png);
  network.on("click", function (params) {
    var band = view.bandAt(params.pointer.DOM.x, params.pointer.DOM.y);
    var task = band < 0 ? null : nodes.get({filter: function (n) {
      return n.kind === "task" && n.tb === band;
    }})[0];
    if (task) {
      openNode(task.id, "show");
    } else if (params.nodes.length > 0) {
      openNode(params.nodes[0], "show");
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
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () { view.place(); fitShown(); }, 150);
  });
  window.addEventListener("hashchange", restore);
  restore();
})();
