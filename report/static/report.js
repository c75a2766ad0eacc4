// fiscaldoc review report, a document's page: links between a record and its box work
// without this script (#box-… / #rec-… targets); it adds the partner highlight (the row
// stays marked while its box is shown, and back) and the wider-page toggle.
"use strict";
(function () {
  var linked = [];
  function partnerOf(id) {
    if (id.indexOf("box-") === 0) return document.getElementById("rec-" + id.slice(4));
    if (id.indexOf("rec-") === 0) return document.getElementById("box-" + id.slice(4));
    return null;
  }
  function mark() {
    linked.forEach(function (el) { el.classList.remove("linked"); });
    linked = [];
    var id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    var target = document.getElementById(id);
    var partner = partnerOf(id);
    [target, partner].forEach(function (el) {
      if (el) { el.classList.add("linked"); linked.push(el); }
    });
  }
  window.addEventListener("hashchange", mark);
  document.addEventListener("DOMContentLoaded", function () {
    mark();
    document.querySelectorAll("button.zoom").forEach(function (button) {
      button.addEventListener("click", function () {
        button.closest("section.page").classList.toggle("zoomed");
      });
    });
  });
})();
