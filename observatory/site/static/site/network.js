/* The network explorer: sigma.js over positions computed on the server (networkx), coloured by
   layer, sized by a chosen metric, brokers from the latest network analysis ringed; a click opens
   the entity. Small graphs get a few ForceAtlas2 iterations in the browser to settle.

   Names are drawn only where they fit: before each frame the nodes are taken in order of importance
   (brokers, then the chosen metric, then ties) and a name is drawn when its box overlaps no name
   already placed; the others show on hover, or on focus: the graph takes the keyboard focus and the
   arrow keys go through the actors in the same order, Enter opening the focused one's page. */
(function () {
  "use strict";
  var el = document.getElementById("network");
  if (!el || typeof Sigma === "undefined" || typeof graphology === "undefined") { return; }
  var config = JSON.parse(document.getElementById("network-config").textContent);
  var t = JSON.parse(document.getElementById("network-i18n").textContent);
  var status = document.getElementById("network-status");
  var form = document.getElementById("net-filters");
  var metricInput = document.getElementById("n-metric");
  var FONT = "\"Noto Sans CJK SC\", \"Source Han Sans SC\", \"PingFang SC\", \"Microsoft YaHei\", sans-serif";
  var LABEL_SIZE = 13;
  var LABEL_WEIGHT = "normal";
  var renderer = null;
  var graph = null;
  var order = [];          // node keys, most important first
  var placed = new Set();  // nodes whose name is drawn in this frame
  var focused = null;
  var summary = "";
  var measure = document.createElement("canvas").getContext("2d");

  function fullName(node) {  // the names as the server chose them for the page's language
    return node.n + (node.o ? " (" + node.o + ")" : "");
  }
  function build(data) {
    var g = new graphology.Graph({ type: "directed", multi: false });
    var max = 0;
    data.nodes.forEach(function (n) { if (n.v > max) { max = n.v; } });
    measure.font = LABEL_WEIGHT + " " + LABEL_SIZE + "px " + FONT;
    data.nodes.forEach(function (n) {
      var size = 3 + (max > 0 ? Math.sqrt(n.v / max) * 12 : 0);
      g.addNode(n.key, {
        x: n.x, y: n.y, size: size, label: n.n, full: fullName(n), value: n.v, color: data.colours[n.l] || "#666",
        borderColor: n.b ? "#000" : null, forceLabel: true, broker: n.b,
        labelWidth: measure.measureText(n.n).width
      });
    });
    data.edges.forEach(function (e) {
      if (!g.hasEdge(e[0], e[1])) { g.addEdge(e[0], e[1], { size: 1, color: "#999" }); }
    });
    if (g.order > 0 && g.order <= 800 && typeof graphologyLibrary !== "undefined" &&
        graphologyLibrary.layoutForceAtlas2) {
      var settings = graphologyLibrary.layoutForceAtlas2.inferSettings(g);
      graphologyLibrary.layoutForceAtlas2.assign(g, { iterations: 60, settings: settings });
    }
    order = g.nodes().sort(function (a, b) {
      var x = g.getNodeAttributes(a), y = g.getNodeAttributes(b);
      return (y.broker - x.broker) || (y.value - x.value) || (g.degree(b) - g.degree(a)) || (a < b ? -1 : a > b ? 1 : 0);
    });
    return g;
  }

  // The box a name takes on screen, as sigma draws it: from the node's right edge + 3 px, baseline at
  // y + size/3; a 2 px margin keeps neighbouring names apart.
  function box(x, y, size, width) {
    return { x: x + size + 1, y: y - LABEL_SIZE * 0.62, w: width + 4, h: LABEL_SIZE * 1.25 };
  }
  function overlaps(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }
  // Greedy placement, in order of importance, with a grid of cells to find the boxes nearby.
  function placeLabels() {
    placed = new Set();
    if (!renderer || !graph) { return []; }
    var width = el.clientWidth, height = el.clientHeight, cell = 64;
    var grid = new Map();
    var boxes = [];
    order.forEach(function (key) {
      var data = renderer.getNodeDisplayData(key);
      if (!data || data.hidden) { return; }
      var p = renderer.framedGraphToViewport(data);
      var size = renderer.scaleSize(data.size);
      var b = box(p.x, p.y, size, graph.getNodeAttribute(key, "labelWidth"));
      if (b.x < 0 || b.y < 0 || b.x + b.w > width || b.y + b.h > height) { return; }
      var x0 = Math.floor(b.x / cell), x1 = Math.floor((b.x + b.w) / cell);
      var y0 = Math.floor(b.y / cell), y1 = Math.floor((b.y + b.h) / cell);
      var gx, gy, list, i;
      for (gx = x0; gx <= x1; gx++) {
        for (gy = y0; gy <= y1; gy++) {
          list = grid.get(gx + ":" + gy);
          if (!list) { continue; }
          for (i = 0; i < list.length; i++) { if (overlaps(b, list[i])) { return; } }
        }
      }
      for (gx = x0; gx <= x1; gx++) {
        for (gy = y0; gy <= y1; gy++) {
          var k = gx + ":" + gy;
          if (!grid.has(k)) { grid.set(k, []); }
          grid.get(k).push(b);
        }
      }
      placed.add(key);
      boxes.push({ key: key, x: Math.round(b.x), y: Math.round(b.y), w: Math.round(b.w), h: Math.round(b.h) });
    });
    return boxes;
  }
  // sigma emits beforeRender before it sets the frame's camera matrix, so the names are placed at
  // the first name drawn in a frame, when the node positions on screen are those of the frame
  var stale = true;
  function drawLabel(context, data, settings) {
    if (stale) {
      stale = false;
      var boxes = placeLabels();
      // what is drawn, for the browser tests and anyone inspecting the page
      el.setAttribute("data-labelled", String(boxes.length));
      el.setAttribute("data-label-boxes", JSON.stringify(boxes));
    }
    if (!data.label || !placed.has(data.key)) { return; }
    var x = data.x + data.size + 3, y = data.y + settings.labelSize / 3;
    context.font = settings.labelWeight + " " + settings.labelSize + "px " + settings.labelFont;
    context.lineJoin = "round";
    context.lineWidth = 3;
    context.strokeStyle = "rgba(255,255,255,.9)";  // a halo keeps the name readable over edges and discs
    context.strokeText(data.label, x, y);
    context.fillStyle = "#111";
    context.fillText(data.label, x, y);
  }
  function hoverLabel(context, data, settings) {
    // the node under the pointer or in focus: its full name (both languages) on a white card
    var text = (graph && graph.hasNode(data.key) && graph.getNodeAttribute(data.key, "full")) || data.label;
    if (!text) { return; }
    context.font = "bold " + settings.labelSize + "px " + settings.labelFont;
    var w = context.measureText(text).width + 8, h = settings.labelSize + 8;
    var x = data.x + data.size + 2, y = data.y - h / 2;
    context.fillStyle = "#fff";
    context.shadowBlur = 6;
    context.shadowColor = "rgba(0,0,0,.45)";
    context.fillRect(x, y, w, h);
    context.shadowBlur = 0;
    context.beginPath();
    context.arc(data.x, data.y, data.size + 2, 0, Math.PI * 2);
    context.fill();
    context.fillStyle = "#111";
    context.fillText(text, x + 4, data.y + settings.labelSize / 3);
  }
  function describe(key) {
    var a = graph.getNodeAttributes(key);
    var value = Math.round(a.value * 1000) / 1000;
    return t.focused.replace("%(name)s", a.full).replace("%(metric)s", t.metrics[metricInput.value] || metricInput.value)
      .replace("%(value)s", String(value));
  }
  function focusNode(key) {
    var previous = focused;
    focused = key;
    var nodes = [previous, key].filter(function (n) { return n && graph.hasNode(n); });
    renderer.refresh({ partialGraph: { nodes: nodes }, skipIndexation: true });
    if (key) {
      el.setAttribute("data-focused", key);
      status.textContent = describe(key);
      var data = renderer.getNodeDisplayData(key);
      var p = renderer.framedGraphToViewport(data);
      if (p.x < 0 || p.y < 0 || p.x > el.clientWidth || p.y > el.clientHeight) {
        renderer.getCamera().animate({ x: data.x, y: data.y }, { duration: 200 });
      }
    } else {
      el.removeAttribute("data-focused");
      status.textContent = summary;
    }
  }
  el.addEventListener("keydown", function (event) {
    if (!graph || !order.length) { return; }
    var i = focused ? order.indexOf(focused) : -1;
    if (event.key === "ArrowRight" || event.key === "ArrowDown") {
      focusNode(order[(i + 1) % order.length]);
    } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
      focusNode(order[(i - 1 + order.length) % order.length]);
    } else if (event.key === "Home") {
      focusNode(order[0]);
    } else if (event.key === "Enter" && focused) {
      window.location.href = config.entity.replace("SLUG", encodeURIComponent(focused));
    } else if (event.key === "Escape" && focused) {
      focusNode(null);
    } else {
      return;
    }
    event.preventDefault();
  });
  el.addEventListener("blur", function () { if (focused) { focusNode(null); } });

  function load() {
    var params = new URLSearchParams(new FormData(form));
    status.textContent = "…";
    fetch(config.data + "?" + params.toString()).then(function (r) { return r.json(); }).then(function (data) {
      if (renderer) { renderer.kill(); renderer = null; }
      focused = null;
      graph = build(data);
      renderer = new Sigma(graph, el, {
        labelFont: FONT, labelSize: LABEL_SIZE, labelWeight: LABEL_WEIGHT, labelRenderedSizeThreshold: 0,
        renderEdgeLabels: false, defaultEdgeType: "line",
        defaultDrawNodeLabel: drawLabel, defaultDrawNodeHover: hoverLabel,
        nodeReducer: function (node, attrs) {
          return node === focused ? Object.assign({}, attrs, { highlighted: true, zIndex: 1 }) : attrs;
        }
      });
      renderer.on("beforeRender", function () { stale = true; });
      renderer.on("clickNode", function (event) {
        window.location.href = config.entity.replace("SLUG", encodeURIComponent(event.node));
      });
      renderer.on("enterNode", function () { el.style.cursor = "pointer"; });
      renderer.on("leaveNode", function () { el.style.cursor = ""; });
      stale = true;
      renderer.refresh();
      el.setAttribute("data-nodes", String(graph.order));
      el.setAttribute("data-edges", String(graph.size));
      summary = graph.order + " " + t.actors + " · " + graph.size + " " + t.ties + ". " +
        t.labelled.replace("%(n)s", String(placed.size)).replace("%(m)s", String(graph.order));
      status.textContent = summary;
    });
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); load(); });
  ["n-kind", "n-layer", "n-metric"].forEach(function (id) {
    document.getElementById(id).addEventListener("change", load);
  });
  load();
})();
