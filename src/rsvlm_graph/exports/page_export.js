// Take the view away: the canvas as a PNG, as drawn (white ground, names and axes included).
// Files are made in the page and saved through a link to a blob: nothing is sent anywhere.
// RSVLM.exports(app) is called by page.js with app = {network}; it returns {png()}.
RSVLM.exports = function (app) {
  "use strict";
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

  function png() {
    app.network.redraw();
    app.network.canvas.frame.canvas.toBlob(function (blob) {
      if (blob) { save("graph.png", blob); }
      status.textContent = blob ? "graph.png saved" : "the browser made no picture";
    }, "image/png");
  }

  return {png: png};
};
