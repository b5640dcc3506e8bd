// policy-search web page: search without reloading the page, keeping the URL as the state.
// Without this script every form and link still works as a plain page load.
(function () {
  "use strict";
  var main = document.getElementById("main");
  if (!main || !window.fetch || !window.history.pushState) return;

  function text(value) {
    var div = document.createElement("div");
    div.textContent = value == null ? "" : String(value);
    return div.innerHTML;
  }

  function showError(error, detail) {
    var results = document.getElementById("results");
    if (!results) return;
    results.removeAttribute("aria-busy");
    results.innerHTML =
      '<div class="error" role="alert"><h2>' + text(main.dataset.errorLabel) +
      ': <code class="error-code">' + text(error) + '</code></h2><p class="error-detail">' +
      text(detail) + "</p></div>";
  }

  function busy(on) {
    var loading = document.getElementById("loading");
    var results = document.getElementById("results");
    if (loading) loading.hidden = !on;
    if (results) {
      if (on) results.setAttribute("aria-busy", "true");
      else results.removeAttribute("aria-busy");
    }
  }

  var pending = null;

  function load(url, push) {
    if (pending) pending.abort();
    var controller = window.AbortController ? new AbortController() : null;
    pending = controller;
    busy(true);
    return fetch(url, {
      headers: { "X-Partial": "main", Accept: "text/html" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) {
        var type = response.headers.get("content-type") || "";
        if (type.indexOf("application/json") >= 0) {
          // An error of the JSON API (e.g. the server is overloaded): show its {error, detail}.
          return response.json().then(function (body) {
            showError(body.error || "http_" + response.status, body.detail || response.statusText);
            if (push) window.history.pushState({ partial: true }, "", url);
          });
        }
        return response.text().then(function (html) {
          if (type.indexOf("text/html") < 0) {
            showError("http_" + response.status, response.statusText || html.slice(0, 200));
            return;
          }
          main.innerHTML = html;
          var title = document.getElementById("page-title");
          if (title) document.title = title.textContent;
          if (push) window.history.pushState({ partial: true }, "", url);
          var heading = document.getElementById("results-heading");
          if (heading && heading.hasAttribute("tabindex")) heading.focus();
        });
      })
      .catch(function (err) {
        if (err && err.name === "AbortError") return;
        showError("network_error", main.dataset.errorNetwork);
      })
      .finally(function () {
        if (pending === controller) {
          pending = null;
          busy(false);
        }
      });
  }

  function formUrl(form) {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (String(value).trim() !== "") params.append(key, value);
    });
    // Defaults stay out of the URL, as in the links the server writes.
    if (params.get("mode") === "hybrid") params.delete("mode");
    if (params.get("limit") === "10") params.delete("limit");
    return form.getAttribute("action") + "?" + params.toString();
  }

  main.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.id !== "search-form") return;
    event.preventDefault();
    load(formUrl(form), true);
  });

  main.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest("a");
    if (!link || link.hasAttribute("download") || link.target) return;
    var url = new URL(link.href, window.location.href);
    // Only the search page's own links (pages of results) are loaded in place.
    if (url.origin !== window.location.origin || url.pathname !== "/ui") return;
    event.preventDefault();
    load(url.pathname + url.search, true);
  });

  window.addEventListener("popstate", function () {
    if (window.location.pathname === "/ui") load(window.location.pathname + window.location.search, false);
    else window.location.reload();
  });

  if (window.location.pathname === "/ui") {
    window.history.replaceState({ partial: true }, "", window.location.href);
  }
})();

// Theme pages: the timeline chart, an SVG drawn from the API's timeline JSON in the page.
(function () {
  "use strict";
  // ---- theme timeline: an SVG bar chart drawn from the API's timeline points -------------
  var SVG = "http://www.w3.org/2000/svg";
  var PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#999999"];
  var MAX_GROUPS = 6;

  function svg(name, attrs, parent) {
    var el = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { el.setAttribute(key, attrs[key]); });
    if (parent) parent.appendChild(el);
    return el;
  }

  function niceMax(value) {
    if (value <= 5) return Math.max(1, value);
    var step = Math.pow(10, Math.floor(Math.log10(value)));
    var nice = [1, 2, 2.5, 5, 10].map(function (m) { return m * step; });
    for (var i = 0; i < nice.length; i++) if (nice[i] >= value) return nice[i];
    return 10 * step;
  }

  function drawTimeline(figure) {
    var source = document.getElementById(figure.dataset.source);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var points = data.points || [];
    var periods = [];
    var totals = {};
    points.forEach(function (p) {
      if (periods.indexOf(p.period) < 0) periods.push(p.period);
      var g = p.group == null ? "" : p.group;
      totals[g] = (totals[g] || 0) + p.count;
    });
    periods.sort();
    var groups = Object.keys(totals).sort(function (a, b) { return totals[b] - totals[a] || (a < b ? -1 : 1); });
    var other = figure.dataset.otherLabel || "other";
    var shown = groups.length > MAX_GROUPS + 1 ? groups.slice(0, MAX_GROUPS) : groups;
    function groupOf(p) {
      var g = p.group == null ? "" : p.group;
      return shown.indexOf(g) >= 0 ? g : other;
    }
    var legend = shown.slice();
    if (shown.length < groups.length) legend.push(other);
    var stacks = {};
    periods.forEach(function (period) { stacks[period] = {}; });
    points.forEach(function (p) {
      var g = groupOf(p);
      stacks[p.period][g] = (stacks[p.period][g] || 0) + p.count;
    });
    var peak = 0;
    periods.forEach(function (period) {
      var sum = 0;
      Object.keys(stacks[period]).forEach(function (g) { sum += stacks[period][g]; });
      peak = Math.max(peak, sum);
    });
    var top = niceMax(peak);
    var width = 720, height = 260, left = 44, right = 8, upper = 10, lower = 46;
    var plotW = width - left - right, plotH = height - upper - lower;
    var chart = svg("svg", {
      class: "timeline", viewBox: "0 0 " + width + " " + height, role: "img",
      "aria-label": figure.dataset.label || "", preserveAspectRatio: "xMidYMid meet",
    });
    [0, top / 2, top].forEach(function (tick) {
      var y = upper + plotH - (tick / top) * plotH;
      svg("line", { x1: left, x2: width - right, y1: y, y2: y, class: "grid" }, chart);
      var label = svg("text", { x: left - 6, y: y + 4, class: "tick", "text-anchor": "end" }, chart);
      label.textContent = String(Math.round(tick * 10) / 10);
    });
    var slot = plotW / Math.max(1, periods.length);
    var barW = Math.max(2, Math.min(48, slot * 0.7));
    var every = Math.ceil(periods.length / 12);
    periods.forEach(function (period, i) {
      var x = left + i * slot + (slot - barW) / 2;
      var base = upper + plotH;
      legend.forEach(function (g, gi) {
        var count = stacks[period][g] || 0;
        if (!count) return;
        var h = (count / top) * plotH;
        base -= h;
        var rect = svg("rect", {
          x: x, y: base, width: barW, height: h, fill: PALETTE[gi % PALETTE.length],
          "data-period": period, "data-group": g, "data-count": count, class: "bar",
        }, chart);
        svg("title", {}, rect).textContent = period + (g ? " · " + g : "") + ": " + count;
      });
      if (i % every === 0) {
        var label = svg("text", { x: x + barW / 2, y: upper + plotH + 16, class: "tick", "text-anchor": "middle" }, chart);
        label.textContent = period;
      }
    });
    figure.querySelector(".chart").appendChild(chart);
    if (legend.length > 1 || legend[0]) {
      var list = document.createElement("ul");
      list.className = "legend";
      legend.forEach(function (g, gi) {
        var item = document.createElement("li");
        var swatch = document.createElement("span");
        swatch.className = "swatch";
        swatch.style.background = PALETTE[gi % PALETTE.length];
        item.appendChild(swatch);
        item.appendChild(document.createTextNode(g || figure.dataset.allLabel || ""));
        list.appendChild(item);
      });
      figure.querySelector(".chart").appendChild(list);
    }
  }

  document.querySelectorAll("figure[data-timeline]").forEach(drawTimeline);
})();
