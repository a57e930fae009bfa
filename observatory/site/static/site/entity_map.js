/* The entity page's small map: the province outlines (bundled, offline) and the entity's places;
   an imprecise location is drawn as an area of the size its precision stands for. */
(function () {
  "use strict";
  var el = document.getElementById("entity-map");
  if (!el || typeof L === "undefined") { return; }
  var points = JSON.parse(document.getElementById("entity-points").textContent);
  var map = L.map(el, { zoomControl: true, attributionControl: false });
  var group = L.featureGroup().addTo(map);
  points.forEach(function (p) {
    if (p.radius > 0) {
      L.circle([p.lat, p.lng], { radius: p.radius, color: "#2166ac", weight: 1, dashArray: "4 3",
        fillOpacity: 0.15, className: "obs-entity-place" }).addTo(group);
    } else {
      L.circleMarker([p.lat, p.lng], { radius: 7, color: "#fff", weight: 2, fillColor: "#b2182b",
        fillOpacity: 0.9, className: "obs-entity-place" }).addTo(group);
    }
  });
  var bounds = group.getBounds();
  map.fitBounds(bounds.pad(0.5), { maxZoom: 11 });
  fetch(el.getAttribute("data-outlines") || "/geo/provinces.json").then(function (r) { return r.json(); })
    .then(function (data) {
      L.geoJSON(data, { style: { color: "#777", weight: 1, fillColor: "#f4f4f4", fillOpacity: 0.5 },
        interactive: false }).addTo(map).bringToBack();
    });
})();
