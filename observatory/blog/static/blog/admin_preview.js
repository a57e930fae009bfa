/* Admin preview: re-render the Markdown (citations, embeds, warnings) as the author types. */
(function () {
  "use strict";
  function csrf() { var m = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/); var i = document.querySelector("[name=csrfmiddlewaretoken]"); return i ? i.value : (m ? m[1] : ""); }
  document.addEventListener("DOMContentLoaded", function () {
    var area = document.querySelector("textarea[data-blog-preview]");
    var target = document.getElementById("blog-preview");
    var warnings = document.getElementById("blog-preview-warnings");
    if (!area || !target) return;
    var timer = null;
    area.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var body = new URLSearchParams(); body.append("body_markdown", area.value);
        fetch("/blog/preview/", { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf() } })
          .then(function (r) { return r.json(); })
          .then(function (data) {
            target.innerHTML = data.html;  // sanitised server-side by the blog's allow-list
            warnings.textContent = "";
            data.warnings.forEach(function (w) { var p = document.createElement("p"); p.className = "render-warning"; p.textContent = "⚠ " + w; warnings.appendChild(p); });
          }).catch(function () {});
      }, 600);
    });
  });
})();
