// Curation map: a self-hosted Leaflet map over the bundled province outlines (no tile server).
// A point whose precision is coarser than a building is drawn as a circle, not a pin.
(function () {
  "use strict";
  var RADIUS_M = { exact: 0, building: 30, street: 200, district: 3000, city: 15000, province: 150000, country: 800000 };
  var outlines = null;
  function loadOutlines() {
    if (!outlines) {
      outlines = fetch("/geo/provinces.json", { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : null; });
    }
    return outlines;
  }
  function draw(el) {
    if (typeof L === "undefined" || el.dataset.drawn) { return; }
    el.dataset.drawn = "1";
    var lat = parseFloat(el.dataset.lat), lng = parseFloat(el.dataset.lng), precision = el.dataset.precision;
    var map = L.map(el, { attributionControl: false }).setView([lat, lng], 11);
    loadOutlines().then(function (geo) {
      if (geo) { L.geoJSON(geo, { style: { color: "#8a94a6", weight: 1, fillOpacity: 0.04 } }).addTo(map); }
    });
    var radius = RADIUS_M[precision] || 0;
    if (radius > 0) {
      L.circle([lat, lng], { radius: radius, color: "#a3361f" }).addTo(map);
      if (radius > 5000) { map.setZoom(radius > 100000 ? 5 : 8); }
    } else {
      L.circleMarker([lat, lng], { radius: 6, color: "#a3361f", fillOpacity: 0.8 }).addTo(map);
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".obs-map").forEach(draw);
  });
})();
