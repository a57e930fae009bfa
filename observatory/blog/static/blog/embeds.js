/* Live embeds of blog posts: filtered maps (Leaflet) and network views (sigma + graphology).
   Without JavaScript the server-rendered lists in <details> stay; with it the containers show. */
(function () {
  "use strict";
  function entityUrl(slug) { return "/entities/" + encodeURIComponent(slug) + "/"; }

  function drawMap(el) {
    if (!window.L) return;
    var points = JSON.parse(el.getAttribute("data-points") || "[]");
    el.hidden = false;
    var map = L.map(el, { attributionControl: false });
    var outlines = el.getAttribute("data-outlines");
    if (outlines) {
      fetch(outlines).then(function (r) { return r.json(); }).then(function (geo) {
        L.geoJSON(geo, { style: { color: "#889", weight: 1, fill: false } }).addTo(map);
      }).catch(function () {});
    }
    var group = L.featureGroup();
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lng], { radius: 5, color: "#b33", weight: 1, fillOpacity: 0.8 });
      var link = document.createElement("a");
      link.href = entityUrl(p.slug);
      link.textContent = p.name;
      marker.bindPopup(link);
      group.addLayer(marker);
    });
    group.addTo(map);
    if (points.length) map.fitBounds(group.getBounds().pad(0.2), { maxZoom: 12 }); else map.setView([35, 105], 4);
  }

  var COLOURS = { physical: "#c0392b", organizational: "#2471a3", virtual: "#229954" };

  function drawNetwork(el) {
    if (!window.graphology || !window.Sigma) return;
    var data = JSON.parse(el.getAttribute("data-graph") || "{\"nodes\":[],\"edges\":[]}");
    var graph = new graphology.Graph({ multi: true });
    var n = data.nodes.length;
    data.nodes.forEach(function (node, i) {
      var angle = 2 * Math.PI * i / Math.max(n, 1);
      graph.addNode(node.id, { label: node.label, x: Math.cos(angle), y: Math.sin(angle),
        size: 3 + Math.sqrt(node.degree) * 2, color: COLOURS[node.layer] || "#777" });
    });
    data.edges.forEach(function (e) {
      if (graph.hasNode(e.source) && graph.hasNode(e.target)) graph.addEdge(e.source, e.target, { color: "#ccc" });
    });
    el.hidden = false;
    var renderer = new Sigma(graph, el);
    renderer.on("clickNode", function (event) { window.location.href = entityUrl(event.node); });
  }

  function start() {
    document.querySelectorAll("[data-blog-map]").forEach(function (el) { try { drawMap(el); } catch (e) { el.hidden = true; } });
    document.querySelectorAll("[data-blog-network]").forEach(function (el) { try { drawNetwork(el); } catch (e) { el.hidden = true; } });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
