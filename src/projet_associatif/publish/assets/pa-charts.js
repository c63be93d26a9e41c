/*
 * pa-charts.js: replace each static chart of the report with a live Vega view, offline.
 *
 * Every figure written by projet_associatif.charts holds
 *   <div class="pa-chart-view" role="img" aria-label="…" data-spec="ID"><svg>…</svg></div>
 *   <script type="application/json" id="ID">{Vega-Lite spec, data inlined}</script>
 * vega-bundle.js (projet_associatif.charts.vega_bundle) must be loaded first: it defines
 * window.vegaEmbed. Without it, without JavaScript or on any error, the static SVG stays.
 */
(function () {
  "use strict";

  function localeOptions(spec) {
    // The spec already carries the fr-FR locale (config.locale); vega-embed also gets it so
    // that its global formats (tooltips) are French too.
    var locale = (spec && spec.config && spec.config.locale) || {};
    var options = {};
    if (locale.number) options.formatLocale = locale.number;
    if (locale.time) options.timeFormatLocale = locale.time;
    return options;
  }

  function enhance(view) {
    var script = document.getElementById(view.getAttribute("data-spec"));
    if (!script) return;
    var spec;
    try {
      spec = JSON.parse(script.textContent);
    } catch (error) {
      return;
    }
    var staticNodes = Array.prototype.slice.call(view.childNodes);
    var target = document.createElement("div");
    target.className = "pa-chart-interactive";
    // Rendered in place but hidden: the static SVG stays until the live view is ready.
    target.hidden = true;
    view.appendChild(target);
    var options = localeOptions(spec);
    options.mode = "vega-lite";
    options.renderer = "svg";
    options.actions = false;
    window
      .vegaEmbed(target, spec, options)
      .then(function () {
        // The container keeps role="img" and aria-label: the alternative text is unchanged.
        staticNodes.forEach(function (node) {
          view.removeChild(node);
        });
        target.hidden = false;
        view.classList.add("pa-chart-live");
      })
      .catch(function () {
        view.removeChild(target);
      });
  }

  function init() {
    if (typeof window.vegaEmbed !== "function") return;
    var views = document.querySelectorAll(".pa-chart-view[data-spec]");
    Array.prototype.forEach.call(views, enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
