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
