// The details panel: what is known of the selected node, as text. Everything from the data is
// written with textContent, and only http(s) addresses become links: titles and abstracts come
// from the network and are untrusted. RSVLM.details(app) is called by page.js with
// app = {data, nodes, edges, open(id), close()}; it returns {render(id)}.
RSVLM.details = function (app) {
  "use strict";
  var data = app.data, nodes = app.nodes, edges = app.edges;
  var KIND_NAMES = {paper: "List paper", outside_paper: "Discovery candidate", dataset: "Dataset",
                    task: "Task", code: "Code repository"};
  var panel = document.getElementById("details");
  var legend = document.getElementById("legend");

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
      button.addEventListener("click", function () { app.open(other); });
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
    close.addEventListener("click", function () { app.close(); });
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

  return {render: renderDetails};
};
