/*
 * pa-recherche.js: the search box of the report's HTML site, offline.
 *
 * Written by hand on purpose: the report is read offline (no CDN), the whole job is a few
 * dozen lines over a prebuilt index, and no search library is worth a dependency for it.
 * recherche-index.js (projet_associatif.render.search) sets window.PA_RECHERCHE before
 * this script runs: one entry per section, with its page (p), page title (t), heading
 * (s), anchor (a), text (x), and text and heading folded (f, g: lower case, no accents).
 * Without JavaScript the box stays hidden. Results are built with textContent only: the
 * report's text never becomes markup.
 */
(function () {
  "use strict";

  var MAX_RESULTS = 10;
  var CONTEXT = 70;
  var script = document.currentScript;
  // Pages are listed relative to the site's root, one level above assets/: the links
  // work from any page, wherever it lives.
  var root = new URL("..", script ? script.src : document.baseURI);

  function fold(text) {
    // Same folding as projet_associatif.render.search.fold: one character per character.
    var out = "";
    for (var i = 0; i < text.length; i++) {
      var c = text[i];
      if (c === "\u00a0" || c === "\u202f" || c === "\u2009") c = " ";
      var base = c.normalize("NFD")[0].toLowerCase();
      out += base.length === 1 ? base : c;
    }
    return out;
  }

  function search(query) {
    var words = fold(query).split(/\s+/).filter(function (w) { return w.length > 1; });
    if (!words.length) return null;
    var found = [];
    window.PA_RECHERCHE.forEach(function (entry, order) {
      var score = 0;
      for (var i = 0; i < words.length; i++) {
        var inHeading = entry.g.indexOf(words[i]) >= 0;
        if (!inHeading && entry.f.indexOf(words[i]) < 0) return;
        score += inHeading ? 10 : 1;
      }
      found.push({ entry: entry, score: score, order: order, word: words[0] });
    });
    found.sort(function (a, b) { return b.score - a.score || a.order - b.order; });
    return found;
  }

  function excerpt(entry, word) {
    var at = entry.f.indexOf(word);
    var span = document.createElement("span");
    span.className = "pa-recherche-extrait";
    if (at < 0) {
      span.textContent = entry.x.slice(0, 2 * CONTEXT) + (entry.x.length > 2 * CONTEXT ? "…" : "");
      return span;
    }
    var start = Math.max(0, at - CONTEXT);
    var end = Math.min(entry.x.length, at + word.length + CONTEXT);
    var mark = document.createElement("mark");
    mark.textContent = entry.x.slice(at, at + word.length);
    span.append((start ? "…" : "") + entry.x.slice(start, at), mark,
      entry.x.slice(at + word.length, end) + (end < entry.x.length ? "…" : ""));
    return span;
  }

  function show(box, input, list, status) {
    var results = search(input.value);
    list.textContent = "";
    if (results === null) {
      status.textContent = "";
      return;
    }
    status.textContent = !results.length
      ? "Aucun résultat"
      : results.length + (results.length > 1 ? " résultats" : " résultat") +
        (results.length > MAX_RESULTS ? " (les " + MAX_RESULTS + " premiers affichés)" : "");
    results.slice(0, MAX_RESULTS).forEach(function (result) {
      var entry = result.entry;
      var link = document.createElement("a");
      link.href = new URL(entry.p + (entry.a ? "#" + entry.a : ""), root).href;
      var where = document.createElement("span");
      where.className = "pa-recherche-lieu";
      where.textContent = entry.s && entry.s !== entry.t ? entry.t + " › " + entry.s : entry.t;
      link.append(where, excerpt(entry, result.word));
      var item = document.createElement("li");
      item.append(link);
      list.append(item);
    });
  }

  function setUp() {
    var box = document.querySelector(".pa-recherche");
    // Without its index (file missing, script blocked) the box would find nothing: it stays hidden.
    if (!box || !Array.isArray(window.PA_RECHERCHE)) return;
    var input = box.querySelector("input");
    var list = box.querySelector(".pa-recherche-resultats");
    var status = box.querySelector(".pa-recherche-etat");
    box.hidden = false;
    input.addEventListener("input", function () { show(box, input, list, status); });
    // Keyboard: Enter follows the first result, the arrows move through the results,
    // Escape empties the box.
    box.addEventListener("keydown", function (event) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var at = links.indexOf(document.activeElement);
      if (event.key === "Enter" && event.target === input && links.length) {
        event.preventDefault();
        links[0].click();
      } else if (event.key === "ArrowDown" && links.length) {
        event.preventDefault();
        links[Math.min(at + 1, links.length - 1)].focus();
      } else if (event.key === "ArrowUp" && at >= 0) {
        event.preventDefault();
        (at ? links[at - 1] : input).focus();
      } else if (event.key === "Escape") {
        input.value = "";
        show(box, input, list, status);
        input.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
