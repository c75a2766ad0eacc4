// fiscaldoc review report, the index: filters and pages through the documents embedded as
// JSON in the page. Every text goes in with textContent, never as HTML.
"use strict";
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var docs = data.documents;
  var size = data.pageSize;
  var rows = document.getElementById("rows");
  var pager = document.getElementById("pager");
  var count = document.getElementById("f-count");
  var fields = {
    status: document.getElementById("f-status"),
    rule: document.getElementById("f-rule"),
    check: document.getElementById("f-check"),
    warnings: document.getElementById("f-warnings"),
    text: document.getElementById("f-text"),
  };
  var page = 1;

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function link(href, text) {
    var a = el("a", text);
    a.href = href;
    return a;
  }
  function state() {
    return {
      status: fields.status.value, rule: fields.rule.value, check: fields.check.value,
      warnings: fields.warnings.checked, text: fields.text.value.trim().toLowerCase(),
    };
  }
  function keeps(doc, s) {
    if (s.status && doc.status !== s.status) return false;
    if (s.warnings && !doc.warnings) return false;
    if (s.text && (doc.file + " " + doc.source).toLowerCase().indexOf(s.text) < 0) return false;
    if (s.rule || s.check) {
      return doc.checks.some(function (c) {
        return (!s.rule || s.rule === "*" || c[0] === s.rule) && (!s.check || c[1] === s.check);
      });
    }
    return true;
  }
  function readCell(doc) {
    var names = ["plans", "items", "forms", "indicators", "tables", "lines"];
    var parts = [];
    doc.read.forEach(function (n, i) { if (n) parts.push(n + " " + names[i]); });
    return parts.join(", ") || "nothing";
  }
  function row(doc) {
    var tr = el("tr");
    var file = el("td", null, "file");
    file.appendChild(link(doc.href, doc.file));
    file.appendChild(el("div", doc.source, "src"));
    if (doc.error) file.appendChild(el("div", doc.error, "error"));
    doc.notes.forEach(function (n) { file.appendChild(el("div", n, "note")); });
    tr.appendChild(file);
    var status = el("td");
    status.appendChild(el("span", doc.status, "badge " + doc.status));
    tr.appendChild(status);
    tr.appendChild(el("td", doc.type));
    tr.appendChild(el("td", doc.pages === null ? "—" : doc.pages, "num"));
    tr.appendChild(el("td", doc.text || "—"));
    tr.appendChild(el("td", readCell(doc)));
    tr.appendChild(el("td", doc.warnings || "", "num"));
    var checks = el("td");
    if (doc.checks.length) {
      var list = el("ul");
      doc.checks.forEach(function (c) {
        var item = el("li", null, c[1]);
        var a = link(doc.href + "#" + c[2], c[0]);
        a.title = c[3];
        item.appendChild(el("span", c[1] === "fail" ? "✗ " : "! "));
        item.appendChild(a);
        list.appendChild(item);
      });
      checks.appendChild(list);
    } else {
      checks.textContent = doc.passed ? "✓ " + doc.passed + " passed" : "";
    }
    tr.appendChild(checks);
    return tr;
  }
  function draw(keepHash) {
    var s = state();
    var shown = docs.filter(function (d) { return keeps(d, s); });
    var pages = Math.max(1, Math.ceil(shown.length / size));
    page = Math.min(Math.max(1, page), pages);
    var body = document.createDocumentFragment();
    shown.slice((page - 1) * size, page * size).forEach(function (d) { body.appendChild(row(d)); });
    rows.replaceChildren(body);
    count.textContent = shown.length + " of " + docs.length + " documents";
    pager.replaceChildren();
    if (pages > 1) {
      for (var p = 1; p <= pages; p++) {
        var b = el("button", p);
        b.type = "button";
        if (p === page) b.setAttribute("aria-current", "page");
        b.addEventListener("click", (function (n) { return function () { page = n; draw(); }; })(p));
        pager.appendChild(b);
      }
    }
    if (!keepHash) {
      var q = new URLSearchParams();
      Object.keys(s).forEach(function (k) { if (s[k]) q.set(k, s[k] === true ? "1" : s[k]); });
      if (page > 1) q.set("page", page);
      history.replaceState(null, "", q.toString() ? "#" + q.toString() : location.pathname);
    }
  }
  function restore() {
    var q = new URLSearchParams(location.hash.slice(1));
    fields.status.value = q.get("status") || "";
    fields.rule.value = q.get("rule") || "";
    fields.check.value = q.get("check") || "";
    fields.warnings.checked = q.get("warnings") === "1";
    fields.text.value = q.get("text") || "";
    page = parseInt(q.get("page") || "1", 10) || 1;
  }
  ["status", "rule", "check", "warnings"].forEach(function (k) {
    fields[k].addEventListener("change", function () { page = 1; draw(); });
  });
  fields.text.addEventListener("input", function () { page = 1; draw(); });
  document.getElementById("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  restore();
  draw(true);
})();
