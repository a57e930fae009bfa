/* The public map: Leaflet over the bundled province and prefecture outlines (no tile server),
   optional tile layers from settings, server-side clusters from /map/data.json, filters, a year
   slider, a choropleth from the latest territorial analysis. No request leaves the host unless a
   tile layer configured by the operator says so. */
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var t = JSON.parse(document.getElementById("map-i18n").textContent);
  var map = L.map(el, { minZoom: 3, maxZoom: 18, worldCopyJump: false, attributionControl: true })
    .setView([34.5, 104.5], 4);
  var gcj02 = false;
  var colours = { physical: "#1b7837", organizational: "#2166ac", virtual: "#b2182b" };

  // base: the outlines (always there), a choropleth of actors per province
  var values = {};
  var provinces = null;
  var prefectures = null;
  function shade(code) {
    var v = values[code];
    if (!v) { return "#f7f7f7"; }
    var n = v.density != null ? v.density : v.count;
    var max = 0;
    Object.keys(values).forEach(function (k) {
      var w = values[k].density != null ? values[k].density : values[k].count;
      if (w > max) { max = w; }
    });
    var s = max > 0 ? Math.sqrt(n / max) : 0;
    var light = Math.round(245 - s * 120);
    return "rgb(" + light + "," + Math.round(light * 0.97) + ",255)";
  }
  function outlineStyle(feature) {
    var code = String((feature.properties || {}).code || (feature.properties || {}).adcode || "");
    return { color: "#555", weight: 1, fillColor: shade(code), fillOpacity: 0.6 };
  }
  Promise.all([
    fetch(config.provinces).then(function (r) { return r.json(); }),
    fetch(config.choropleth + "?level=province").then(function (r) { return r.json(); })
  ]).then(function (res) {
    values = res[1].values || {};
    provinces = L.geoJSON(res[0], {
      style: outlineStyle, interactive: false
    }).addTo(map);
    provinces.bringToBack();
  });
  var prefectureValues = {};
  function shadeFrom(table, code) {
    var saved = values;
    values = table;
    var colour = shade(code);
    values = saved;
    return colour;
  }
  function loadPrefectures() {
    var zoomedIn = map.getZoom() >= 6;
    if (provinces) { provinces.setStyle(function (f) { var s = outlineStyle(f); s.fillOpacity = zoomedIn ? 0 : 0.6; return s; }); }
    if (!zoomedIn) {
      if (prefectures) { map.removeLayer(prefectures); prefectures = null; }
      return;
    }
    if (prefectures) { return; }
    Promise.all([
      fetch(config.prefectures).then(function (r) { return r.json(); }),
      fetch(config.choropleth + "?level=prefecture").then(function (r) { return r.json(); })
    ]).then(function (res) {
      if (map.getZoom() < 6 || prefectures) { return; }
      prefectureValues = res[1].values || {};
      prefectures = L.geoJSON(res[0], {
        style: function (feature) {
          var code = String((feature.properties || {}).code || "");
          return { color: "#999", weight: 0.6, fillColor: shadeFrom(prefectureValues, code), fillOpacity: 0.5 };
        },
        interactive: false
      }).addTo(map);
      prefectures.bringToBack();
    });
  }

  // optional tile layers (operator's settings); GCJ-02 ones shift the points for display
  var bases = {};
  var none = L.layerGroup();
  bases[t.outlines] = none;
  none.addTo(map);
  (config.tiles || []).forEach(function (layer) {
    var tiles = L.tileLayer(layer.url, {
      attribution: layer.attribution || "", maxZoom: layer.max_zoom || 18, subdomains: layer.subdomains || "abc"
    });
    tiles.gcj02 = !!layer.gcj02;
    bases[layer.name] = tiles;
  });
  if ((config.tiles || []).length) {
    L.control.layers(bases, {}, { collapsed: true }).addTo(map);
    map.on("baselayerchange", function (e) { gcj02 = !!e.layer.gcj02; refresh(); });
  }

  // points
  var points = L.featureGroup().addTo(map);
  var filters = ["kind", "layer", "status", "province", "seen_since", "official"];
  var yearOn = document.getElementById("f-year-on");
  var year = document.getElementById("f-year");
  var yearValue = document.getElementById("f-year-value");
  var play = document.getElementById("f-play");
  var status = document.getElementById("map-status");
  var request = 0;
  function params() {
    var b = map.getBounds();
    var p = new URLSearchParams();
    p.set("zoom", map.getZoom());
    p.set("bbox", [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map(function (v) {
      return Math.max(-180, Math.min(180, v)).toFixed(3);
    }).join(","));
    filters.forEach(function (name) {
      var input = document.getElementById("f-" + name);
      if (input && input.value) { p.set(name, input.value); }
    });
    if (year && yearOn && yearOn.checked) { p.set("year", year.value); }
    if (gcj02) { p.set("crs", "gcj02"); }
    return p;
  }
  function label(item) {  // the names as the server chose them for the page's language
    return item.n + (item.o ? " (" + item.o + ")" : "");
  }
  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }
  function draw(data) {
    points.clearLayers();
    data.items.forEach(function (item) {
      var layer;
      if (item.c) {
        // the count is drawn inside its disc (one element), in a type size that fits the disc
        var text = String(item.c);
        var diameter = item.d;  // selectors.maps.cluster_diameter: discs that never overlap
        var font = Math.max(11, Math.min(16, Math.floor((diameter - 6) / (0.62 * text.length + 0.4))));
        var count = document.createElement("span");  // an element, not markup: the CSP forbids style attributes
        count.className = "obs-count";
        count.textContent = text;
        count.style.fontSize = font + "px";
        layer = L.marker([item.y, item.x], {
          icon: L.divIcon({ className: "obs-cluster", iconSize: [diameter, diameter], html: count }),
          title: text + " " + t.actors + " · " + t.zoom, alt: text + " " + t.actors, keyboard: true,
          riseOnHover: true
        });
        layer.on("click", function () { map.setView([item.y, item.x], Math.min(map.getZoom() + 2, 18)); });
      } else {
        var colour = colours[item.l] || "#444";
        if (item.r > 0) {
          // imprecise location: an area of the size the precision stands for, never a pin
          layer = L.circle([item.y, item.x], {
            radius: item.r, color: colour, weight: 1, dashArray: "4 3", fillColor: colour, fillOpacity: 0.15,
            className: "obs-area"
          });
        } else {
          layer = L.circleMarker([item.y, item.x], {
            radius: 6, color: "#fff", weight: 1.5, fillColor: colour, fillOpacity: 0.9, className: "obs-point"
          });
        }
        var href = config.entity.replace("SLUG", encodeURIComponent(item.s));
        layer.bindPopup("<a href=\"" + href + "\">" + escapeHtml(label(item)) + "</a><br>" +
          escapeHtml(t.precision) + ": " + escapeHtml(item.p));
      }
      points.addLayer(layer);
    });
    el.setAttribute("data-count", String(data.count));
    el.setAttribute("data-items", String(data.items.length));
    status.textContent = data.count + " " + t.actors + " · " + data.items.length + " " + t.points;
  }
  function refresh() {
    var mine = ++request;
    fetch(config.data + "?" + params().toString()).then(function (r) { return r.json(); }).then(function (data) {
      if (mine === request) { draw(data); }
    });
  }
  map.on("moveend", function () { loadPrefectures(); refresh(); });
  filters.forEach(function (name) {
    var input = document.getElementById("f-" + name);
    if (input) { input.addEventListener("change", refresh); }
  });
  function showYear() {
    if (!yearValue) { return; }
    yearValue.textContent = yearOn.checked ? year.value : t.all;
  }
  if (year && yearOn) {
    yearOn.addEventListener("change", function () {
      year.disabled = !yearOn.checked;
      showYear();
      refresh();
    });
    year.addEventListener("input", function () { showYear(); refresh(); });
    play.hidden = false;
    var timer = null;
    play.addEventListener("click", function () {
      if (timer) { clearInterval(timer); timer = null; return; }
      yearOn.checked = true;
      year.disabled = false;
      year.value = year.min;
      showYear();
      refresh();
      timer = setInterval(function () {
        if (Number(year.value) >= Number(year.max)) { clearInterval(timer); timer = null; return; }
        year.value = Number(year.value) + 1;
        showYear();
        refresh();
      }, 800);
    });
  }
  refresh();
})();
