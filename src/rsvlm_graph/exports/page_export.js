// Take the view away: the papers shown as BibTeX or RIS, and the canvas as a PNG, as drawn
// (white ground, names and axes included). Each paper's entry was written when the page was
// built (exports/bibliography.py, the writer of papers.bib and papers.ris); the page joins
// those of the papers the filters show, in citation-key order, as that writer joins them.
// Files are made in the page and saved through a link to a blob: nothing is sent anywhere.
// RSVLM.exports(app) is called by page.js with app = {data, nodes, network}; it returns
// {bibtex(), ris(), png()}.
RSVLM.exports = function (app) {
  "use strict";
  var entries = app.data.references;
  var status = document.getElementById("export-status");

  function save(name, blob) {
    var link = document.createElement("a");
    link.download = name;
    link.href = URL.createObjectURL(blob);
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 1000);
  }

  // the shown papers' entries in the format at `column` (1 BibTeX, 2 RIS), in key order
  function shownEntries(column) {
    var found = app.nodes.get({filter: function (n) { return !n.hidden && entries[n.id]; }})
      .map(function (n) { return entries[n.id]; });
    found.sort(function (a, b) { return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0; });
    return found.map(function (entry) { return entry[column]; });
  }

  function text(name, type, column) {
    var found = shownEntries(column);
    save(name, new Blob([found.join("\n")], {type: type + ";charset=utf-8"}));
    status.textContent = found.length + (found.length === 1 ? " paper" : " papers") + " in " + name;
  }

  function png() {
    app.network.redraw();
    app.network.canvas.frame.canvas.toBlob(function (blob) {
      if (blob) { save("graph.png", blob); }
      status.textContent = blob ? "graph.png saved" : "the browser made no picture";
    }, "image/png");
  }

  return {
    bibtex: function () { text("papers.bib", "application/x-bibtex", 1); },
    ris: function () { text("papers.ris", "application/x-research-info-systems", 2); },
    png: png
  };
};
