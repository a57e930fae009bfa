/* The network explorer: sigma.js over positions computed on the server (networkx), coloured by
   layer, sized by a chosen metric, brokers from the latest network analysis ringed; a click opens
   the entity. Small graphs get a few ForceAtlas2 iterations in the browser to settle. */
(function () {
  "use strict";
  var el = document.getElementById("network");
  if (!el || typeof Sigma === "undefined" || typeof graphology === "undefined") { return; }
  var config = JSON.parse(document.getElementById("network-config").textContent);
  var zh = document.documentElement.lang === "zh-Hans";
  var t = JSON.parse(document.getElementById("network-i18n").textContent);
  var status = document.getElementById("network-status");
  var form = document.getElementById("net-filters");
  var renderer = null;
  function label(node) {
    if (zh) { return node.z || node.n; }
    return node.n + (node.z && node.z !== node.n ? " (" + node.z + ")" : "");
  }
  function build(data) {
    var graph = new graphology.Graph({ type: "directed", multi: false });
    var max = 0;
    data.nodes.forEach(function (n) { if (n.v > max) { max = n.v; } });
    data.nodes.forEach(function (n) {
      var size = 3 + (max > 0 ? Math.sqrt(n.v / max) * 12 : 0);
      graph.addNode(n.key, {
        x: n.x, y: n.y, size: size, label: label(n), color: data.colours[n.l] || "#666",
        borderColor: n.b ? "#000" : null, forceLabel: n.b, highlighted: n.b, broker: n.b
      });
    });
    data.edges.forEach(function (e) {
      if (!graph.hasEdge(e[0], e[1])) { graph.addEdge(e[0], e[1], { size: 1, color: "#999" }); }
    });
    if (graph.order > 0 && graph.order <= 800 && typeof graphologyLibrary !== "undefined" &&
        graphologyLibrary.layoutForceAtlas2) {
      var settings = graphologyLibrary.layoutForceAtlas2.inferSettings(graph);
      graphologyLibrary.layoutForceAtlas2.assign(graph, { iterations: 60, settings: settings });
    }
    return graph;
  }
  function load() {
    var params = new URLSearchParams(new FormData(form));
    status.textContent = "…";
    fetch(config.data + "?" + params.toString()).then(function (r) { return r.json(); }).then(function (data) {
      if (renderer) { renderer.kill(); renderer = null; }
      var graph = build(data);
      renderer = new Sigma(graph, el, {
        labelFont: "\"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Microsoft YaHei\", sans-serif",
        labelSize: 13, labelRenderedSizeThreshold: 8, renderEdgeLabels: false, defaultEdgeType: "line"
      });
      renderer.on("clickNode", function (event) {
        window.location.href = config.entity.replace("SLUG", encodeURIComponent(event.node));
      });
      renderer.on("enterNode", function () { el.style.cursor = "pointer"; });
      renderer.on("leaveNode", function () { el.style.cursor = ""; });
      el.setAttribute("data-nodes", String(graph.order));
      el.setAttribute("data-edges", String(graph.size));
      status.textContent = graph.order + " " + t.actors + " · " + graph.size + " " + t.ties;
    });
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  ["n-kind", "n-layer", "n-metric"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", load);
  });
  load();
})();
