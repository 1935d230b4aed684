// sotawatch's report, its one script (written beside the pages by `sota report`; the pages' Content-Security-Policy
// allows no other): it pages and sorts a benchmark's full board, and filters the task index by the search box.
// Data comes only as JSON text read with JSON.parse, and goes into the page only as text (textContent) and as links
// checked to be http(s): never as markup. Without it the pages still show the board's first page and the whole index.
(function () {
  "use strict";

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }

  function safeLink(url) {
    return typeof url === "string" && /^https?:\/\/\S+$/i.test(url) ? url : null;
  }

  function link(url, text) {
    var a = el("a", text);
    a.href = url;
    a.rel = "noopener noreferrer";
    return a;
  }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // ---------------------------------------------------------------------------------------------- the full board

  // One row, cell for cell as templates/full_board.html writes it.
  function boardRow(r) {
    var tr = el("tr");
    tr.appendChild(el("td", r.rank, "num"));
    var model = el("td", r.model, "model");
    if (r.estimate) {
      model.appendChild(document.createTextNode(" "));
      model.appendChild(el("span", "(estimate)", "muted"));
    }
    tr.appendChild(model);
    tr.appendChild(el("td", r.shown, "num"));
    r.extrasShown.forEach(function (shown) { tr.appendChild(el("td", shown, "num wide")); });
    tr.appendChild(el("td", r.published, "date"));
    tr.appendChild(el("td", r.extra, "wide"));
    var paper = el("td");
    if (safeLink(r.paper)) paper.appendChild(link(r.paper, "paper"));
    tr.appendChild(paper);
    var code = el("td");
    if (safeLink(r.code)) code.appendChild(link(r.code, "code"));
    else code.textContent = r.hasCode;
    tr.appendChild(code);
    tr.appendChild(el("td", r.sources.join(", "), "wide"));
    return tr;
  }

  // How a column sorts: its value in a row (null sorts last either way) and the order of its first click.
  function sortKey(key, row) {
    if (key === "rank") return row.rank;
    if (key === "model") return row.model.toLowerCase();
    if (key === "value") return row.value;
    if (key === "day") return row.day;
    return row.extras[Number(key.slice(1))];
  }

  function compare(a, b, order) {
    if (a === b) return 0;
    if (a === null || a === undefined) return 1;
    if (b === null || b === undefined) return -1;
    return (a < b ? -1 : 1) * order;
  }

  function setUpBoard() {
    var table = document.getElementById("board");
    var data = readJson("board-data");
    var pager = document.getElementById("board-pager");
    if (!table || !data || !pager) return;
    var rows = data.rows.map(function (row, i) { row.position = i; return row; });
    var state = { page: 0, key: "rank", order: 1 };
    var pages = Math.max(1, Math.ceil(rows.length / data.pageRows));
    var body = table.tBodies[0];
    var headers = Array.prototype.slice.call(table.tHead.querySelectorAll("th[data-sort]"));

    var previous = el("button", "\u2039 previous", "prev");
    var next = el("button", "next \u203a", "next");
    var where = el("span", "", "where");
    previous.type = next.type = "button";
    pager.textContent = "";
    [previous, where, next].forEach(function (node) { pager.appendChild(node); });

    function render() {
      var start = state.page * data.pageRows;
      var shown = rows.slice(start, start + data.pageRows);
      body.textContent = "";
      shown.forEach(function (row) { body.appendChild(boardRow(row)); });
      where.textContent = "page " + (state.page + 1) + " of " + pages + " \u00b7 rows " + (start + 1) + "\u2013" +
        (start + shown.length) + " of " + rows.length;
      previous.disabled = state.page === 0;
      next.disabled = state.page >= pages - 1;
      headers.forEach(function (th) {
        var key = th.getAttribute("data-sort");
        th.setAttribute("aria-sort", key !== state.key ? "none" : state.order > 0 ? "ascending" : "descending");
      });
    }

    function sortBy(key) {
      var firstOrder = key === "value" || key.charAt(0) === "x" ? -1 : 1;
      state.order = key === state.key ? -state.order : firstOrder;
      state.key = key;
      state.page = 0;
      rows.sort(function (a, b) {
        return compare(sortKey(key, a), sortKey(key, b), state.order) || a.position - b.position;
      });
      render();
    }

    headers.forEach(function (th) {
      var button = el("button", th.textContent);
      button.type = "button";
      button.title = "sort by " + th.textContent;
      button.addEventListener("click", function () { sortBy(th.getAttribute("data-sort")); });
      th.textContent = "";
      th.appendChild(button);
    });
    previous.addEventListener("click", function () { state.page = Math.max(0, state.page - 1); render(); });
    next.addEventListener("click", function () { state.page = Math.min(pages - 1, state.page + 1); render(); });
    render();
  }

  // ---------------------------------------------------------------------------------------------- the search box

  var SHOWN_MATCHES = 200;

  function setUpSearch() {
    var input = document.getElementById("search");
    var entries = readJson("search-data");  // [task, dataset, metric, results, link or ""], on tasks.html only
    var found = document.getElementById("search-found");
    var index = document.getElementById("task-index");
    if (!input || !entries || !found || !index) return;
    var haystacks = entries.map(function (e) { return (e[0] + " \u00b7 " + e[1] + " \u00b7 " + e[2]).toLowerCase(); });
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");

    function filter() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      list.textContent = "";
      found.hidden = words.length === 0;
      index.hidden = words.length > 0;
      if (!words.length) return;
      var matches = [];
      haystacks.forEach(function (text, i) {
        if (words.every(function (word) { return text.indexOf(word) >= 0; })) matches.push(entries[i]);
      });
      matches.slice(0, SHOWN_MATCHES).forEach(function (e) {
        var item = el("li");
        var name = e[1] + " \u00b7 " + e[2];
        item.appendChild(e[4] && /^benchmarks\/[a-z0-9-]+\.html$/.test(e[4]) ? link(e[4], name) : el("span", name));
        item.appendChild(el("span", " " + e[0] + " (" + e[3] + ")", "muted"));
        list.appendChild(item);
      });
      status.textContent = matches.length + " benchmark" + (matches.length === 1 ? "" : "s") + " match" +
        (matches.length === 1 ? "es" : "") + (matches.length > SHOWN_MATCHES ? "; the first " + SHOWN_MATCHES +
        " are shown" : "") + ".";
    }

    var asked = new URLSearchParams(window.location.search).get("q");
    if (asked) input.value = asked;
    input.addEventListener("input", filter);
    input.form.addEventListener("submit", function (event) { event.preventDefault(); filter(); });
    filter();
  }

  setUpBoard();
  setUpSearch();
})();
