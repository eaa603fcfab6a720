// Colour by kind (each node's own colour), by year or by citations, and the legend of the
// colours in use. Papers and datasets take the scale's colour (a dataset's year is its paper's;
// a value the page does not know is grey); tasks and code keep their kind's colour.
// RSVLM.colour(app) is called by page.js with app = {nodes, original}; it returns {apply(mode)}.
RSVLM.colour = function (app) {
  "use strict";
  var nodes = app.nodes, original = app.original;
  var MODES = ["kind", "year", "citations"];
  // viridis, its lightest end left out (pale yellow vanishes on white)
  var YEAR_STOPS = ["#440154", "#3b528b", "#21918c", "#5ec962", "#b5de2b"];
  // orange to dark brown: more citations, darker
  var CITATION_STOPS = ["#fdd49e", "#fc8d59", "#d7301f", "#7f0000"];
  var UNKNOWN = "#bdbdbd";
  var SCALED = {paper: true, outside_paper: true, dataset: true};
  var scale = document.getElementById("colour-scale");
  var ramp = document.getElementById("colour-ramp");
  var ticks = document.getElementById("colour-ticks");
  var none = document.getElementById("colour-none");
  var name = document.getElementById("colour-scale-name");
  var noneText = document.getElementById("colour-none-text");

  var years = [], most = 0;
  nodes.get().forEach(function (n) {
    if (SCALED[n.kind] && n.year !== null && n.year !== undefined) { years.push(n.year); }
    if (SCALED[n.kind] && n.cit !== null && n.cit > most) { most = n.cit; }
  });
  var first = years.length ? Math.min.apply(null, years) : 0;
  var last = years.length ? Math.max.apply(null, years) : 0;
  var decades = Math.max(Math.ceil(Math.log10(1 + most)), 1);

  function rgb(hex) {
    return [1, 3, 5].map(function (i) { return parseInt(hex.slice(i, i + 2), 16); });
  }

  // the colour at t (0 to 1) along the stops, as #rrggbb
  function along(stops, t) {
    var at = Math.min(Math.max(t, 0), 1) * (stops.length - 1);
    var i = Math.min(Math.floor(at), stops.length - 2), f = at - i;
    var a = rgb(stops[i]), b = rgb(stops[i + 1]);
    return "#" + a.map(function (v, k) {
      var c = Math.round(v + (b[k] - v) * f).toString(16);
      return c.length < 2 ? "0" + c : c;
    }).join("");
  }

  function yearShare(year) { return last > first ? (year - first) / (last - first) : 0.5; }

  function citationShare(count) { return Math.log10(1 + count) / decades; }

  function colourOf(n, mode) {
    if (mode === "kind" || !SCALED[n.kind]) { return original[n.id].color; }
    if (mode === "year") {
      return n.year === null || n.year === undefined ? UNKNOWN : along(YEAR_STOPS, yearShare(n.year));
    }
    return n.cit === null || n.cit === undefined ? UNKNOWN : along(CITATION_STOPS, citationShare(n.cit));
  }

  function gradient(stops) { return "linear-gradient(to right, " + stops.join(", ") + ")"; }

  function tick(text, share) {
    var span = document.createElement("span");
    span.textContent = text;
    span.style.left = (100 * share).toFixed(1) + "%";
    return span;
  }

  function showLegend(mode) {
    scale.hidden = mode === "kind";
    document.querySelectorAll("#legend .kinds .swatch").forEach(function (swatch) {
      var kind = swatch.parentNode.querySelector("input").dataset.kind;
      swatch.style.background = mode === "kind" || !SCALED[kind] ? swatch.dataset.colour : "#ffffff";
      swatch.classList.toggle("outlined", mode !== "kind" && SCALED[kind] === true);
    });
    if (mode === "kind") { return; }
    ticks.textContent = "";
    none.style.background = UNKNOWN;
    if (mode === "year") {
      name.textContent = "Colour: year (a dataset: its paper's)";
      ramp.style.background = gradient(YEAR_STOPS);
      if (years.length) {
        ticks.appendChild(tick(String(first), 0));
        if (last > first) { ticks.appendChild(tick(String(last), 1)); }
      }
      noneText.textContent = "year unknown";
    } else {
      name.textContent = "Colour: citations (log scale)";
      ramp.style.background = gradient(CITATION_STOPS);
      for (var d = 0; d <= decades; d++) {
        ticks.appendChild(tick(d === 0 ? "0" : Math.pow(10, d).toLocaleString("en"), d / decades));
      }
      noneText.textContent = "citations unknown";
    }
  }

  var shown = "kind";  // the mode the nodes are drawn in: the page opens by kind

  function apply(mode) {
    if (mode !== shown) {
      nodes.update(nodes.get().map(function (n) { return {id: n.id, color: colourOf(n, mode)}; }));
      shown = mode;
    }
    showLegend(mode);
  }

  return {apply: apply, modes: MODES};
};
