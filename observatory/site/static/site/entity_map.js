/* The entity page's small map: the province outlines (bundled, offline) and the entity's places;
   an imprecise location is drawn as an area of the size its precision stands for. */
(function () {
  "use strict";
  var el = document.getElementById("entity-map");
  if (!el || typeof L === "undefined") { return; }
  var points = JSON.parse(document.getElementById("entity-points").textContent);
  var map = L.map(el, { zoomControl: true, attributionControl: false });
  var group = L.featureGroup().addTo(map);
  // The view is fitted to bounds computed from the data: a circle's own getBounds() needs a map that
  // already has a view, which this one does not have yet. A point gets a 2 km frame (zoom ~11).
  var bounds = null;
  points.forEach(function (p) {
    var area = L.latLng(p.lat, p.lng).toBounds(Math.max(2 * p.radius, 2000));
    bounds = bounds ? bounds.extend(area) : area;
    if (p.radius > 0) {
      L.circle([p.lat, p.lng], { radius: p.radius, color: "#2166ac", weight: 1, dashArray: "4 3",
        fillOpacity: 0.15, className: "obs-entity-place" }).addTo(group);
    } else {
      L.circleMarker([p.lat, p.lng], { radius: 7, color: "#fff", weight: 2, fillColor: "#b2182b",
        fillOpacity: 0.9, className: "obs-entity-place" }).addTo(group);
    }
  });
  if (!bounds) { return; }
  map.fitBounds(bounds.pad(0.25), { maxZoom: 13 });
  el.setAttribute("data-drawn", String(points.length));
  fetch(el.getAttribute("data-outlines") || "/geo/provinces.json").then(function (r) { return r.json(); })
    .then(function (data) {
      L.geoJSON(data, { style: { color: "#777", weight: 1, fillColor: "#f4f4f4", fillOpacity: 0.5 },
        interactive: false }).addTo(map).bringToBack();
    });
})();
