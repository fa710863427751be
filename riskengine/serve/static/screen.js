/* riskengine handler's screen: copy buttons and the signal search. The page works without this file. */
(function () {
  "use strict";
  document.querySelectorAll("button.copy").forEach(function (b) {
    b.hidden = false;
    b.addEventListener("click", function () {
      var el = document.getElementById(b.getAttribute("data-copy"));
      if (!el) return;
      var text = el.textContent;
      var done = function () { var old = b.textContent; b.textContent = "✓"; setTimeout(function () { b.textContent = old; }, 1200); };
      if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(text).then(done, function () {}); }
      else { var r = document.createRange(); r.selectNodeContents(el); var s = getSelection(); s.removeAllRanges(); s.addRange(r); try { document.execCommand("copy"); done(); } catch (e) {} }
    });
  });
  var search = document.getElementById("signal-search");
  if (search) {
    search.addEventListener("input", function () {
      var q = search.value.trim().toLowerCase();
      document.querySelectorAll(".signal").forEach(function (l) {
        l.classList.toggle("hidden", q !== "" && l.getAttribute("data-search").toLowerCase().indexOf(q) < 0);
      });
    });
  }
})();
