/* Maps of the sections (Leaflet, shipped in /static/leaflet). No inline code: every map is a <div> with
   data attributes.
   - data-features: a GeoJSON FeatureCollection (properties: name, task, length, status_label, colour,
     farmer, edit), drawn as lines and areas in their plan-status colour;
   - data-tiles / data-attribution: the tile URL template (MN_MAP_TILES) and its attribution;
   - data-locate: the id of a button that shows the phone's position (geolocation);
   - data-edit: the id of the GeoJSON field a yard head's drawing is written into (saved with the form);
   - data-coverage: a pass's GPS coverage, a FeatureCollection of MultiLineStrings (properties: part =
     covered | uncovered | track, label, colour, dash), drawn over the section and framing the map. */
(function () {
  "use strict";

  var DEFAULT_VIEW = [[50.9, 10.0], 11]; // Thuringia/Hesse border, where the demo lies

  function baseMap(el) {
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: el.dataset.attribution || "" }).addTo(map);
    return map;
  }

  function popup(props) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = props.name;
    box.appendChild(title);
    [props.task + " · " + props.length, props.status_label, props.farmer].forEach(function (line) {
      if (!line) return;
      var div = document.createElement("div");
      div.textContent = line;
      box.appendChild(div);
    });
    [[props.track_link, props.track], [props.edit, props.edit_label]].forEach(function (pair) {
      if (!pair[0]) return;
      var div = document.createElement("div");
      var link = document.createElement("a");
      link.href = pair[0];
      link.textContent = pair[1];
      div.appendChild(link);
      box.appendChild(div);
    });
    return box;
  }

  function drawSections(map, el) {
    var data = JSON.parse(el.dataset.features || '{"type":"FeatureCollection","features":[]}');
    var layer = L.geoJSON(data, {
      style: function (feature) {
        return { color: feature.properties.colour, weight: 6, opacity: 0.9, fillOpacity: 0.3 };
      },
      onEachFeature: function (feature, shape) {
        shape.bindPopup(popup(feature.properties));
        shape.bindTooltip(feature.properties.name);
        if (shape.getElement) {
          shape.on("add", function () {
            var path = shape.getElement();
            if (path) {
              path.setAttribute("data-section-id", feature.properties.id);
              path.setAttribute("data-status", feature.properties.status);
            }
          });
        }
      }
    }).addTo(map);
    if (data.features.length) {
      map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 17 });
    } else {
      map.setView(DEFAULT_VIEW[0], DEFAULT_VIEW[1]);
    }
    return layer;
  }

  function drawCoverage(map, el) {
    var data = JSON.parse(el.dataset.coverage);
    var layer = L.geoJSON(data, {
      style: function (feature) {
        var p = feature.properties;
        var track = p.part === "track";
        return { color: p.colour, weight: track ? 3 : 8, opacity: track ? 0.85 : 0.95,
                 dashArray: p.dash || null, lineCap: track ? "round" : "butt" };
      },
      onEachFeature: function (feature, shape) {
        shape.bindTooltip(feature.properties.label, { sticky: true });
        shape.on("add", function () {
          var path = shape.getElement && shape.getElement();
          if (path) path.setAttribute("data-coverage", feature.properties.part);
        });
      }
    }).addTo(map);
    if (data.features.length) {
      map.fitBounds(layer.getBounds(), { padding: [24, 24], maxZoom: 18 });
    }
    return layer;
  }

  function locate(map, button, el) {
    var marker = null;
    var circle = null;
    var status = document.getElementById(button.dataset.status);
    button.addEventListener("click", function () {
      if (!navigator.geolocation) {
        if (status) status.textContent = el.dataset.denied || "";
        return;
      }
      navigator.geolocation.watchPosition(function (position) {
        var here = [position.coords.latitude, position.coords.longitude];
        if (!marker) {
          circle = L.circle(here, { radius: position.coords.accuracy, weight: 1 }).addTo(map);
          marker = L.circleMarker(here, { radius: 8, color: "#fff", weight: 3, fillColor: "#1d5fa8",
                                          fillOpacity: 1, className: "my-position" }).addTo(map);
          map.setView(here, Math.max(map.getZoom(), 16));
        } else {
          marker.setLatLng(here);
          circle.setLatLng(here).setRadius(position.coords.accuracy);
        }
        if (status) status.textContent = "";
        el.dataset.located = here[0].toFixed(5) + "," + here[1].toFixed(5);
      }, function () {
        if (status) status.textContent = el.dataset.denied || "";
      }, { enableHighAccuracy: true, maximumAge: 10000 });
    });
  }

  function round7(value) { return Math.round(value * 1e7) / 1e7; }

  function editor(map, el) {
    var field = document.getElementById(el.dataset.edit);
    var kind = "LineString";
    var points = [];
    var drawing = false;
    var shape = null;
    var handles = L.layerGroup().addTo(map);
    try {
      var current = JSON.parse(field.value);
      if (current.type === "LineString") {
        points = current.coordinates.map(function (p) { return L.latLng(p[1], p[0]); });
      } else if (current.type === "Polygon") {
        kind = "Polygon";
        points = current.coordinates[0].slice(0, -1).map(function (p) { return L.latLng(p[1], p[0]); });
      }
    } catch (e) { /* empty or not GeoJSON: nothing to show */ }

    function write() {
      var enough = kind === "Polygon" ? points.length >= 3 : points.length >= 2;
      if (!enough) { field.value = ""; return; }
      var coords = points.map(function (p) { return [round7(p.lng), round7(p.lat)]; });
      field.value = JSON.stringify(kind === "Polygon"
        ? { type: "Polygon", coordinates: [coords.concat([coords[0]])] }
        : { type: "LineString", coordinates: coords });
      field.dispatchEvent(new Event("change"));
    }

    function drawShape() {
      if (shape) map.removeLayer(shape);
      shape = null;
      if (points.length >= 2) {
        var style = { color: "#c4320a", weight: 5 };
        shape = (kind === "Polygon" ? L.polygon(points, style) : L.polyline(points, style)).addTo(map);
      }
    }

    function redraw() {
      drawShape();
      handles.clearLayers();
      points.forEach(function (point, index) {
        var handle = L.marker(point, {
          draggable: true, keyboard: false,
          icon: L.divIcon({ className: "vertex", iconSize: [14, 14] })
        });
        handle.on("drag", function (event) { points[index] = event.target.getLatLng(); drawShape(); });
        handle.on("dragend", write);
        handles.addLayer(handle);
      });
    }

    map.on("click", function (event) {
      if (!drawing) return;
      points.push(event.latlng);
      redraw();
      write();
    });
    el.parentNode.querySelectorAll("[data-draw]").forEach(function (button) {
      button.addEventListener("click", function () {
        var action = button.dataset.draw;
        if (action === "line" || action === "area") {
          kind = action === "area" ? "Polygon" : "LineString";
          points = [];
          drawing = true;
          el.classList.add("drawing");
        } else if (action === "undo") {
          points.pop();
        } else if (action === "clear") {
          points = [];
          drawing = false;
          el.classList.remove("drawing");
        }
        redraw();
        write();
      });
    });
    redraw();
    if (points.length) {
      map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 17 });
    }
  }

  function init() {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach(function (el) {
      var map = baseMap(el);
      el.leafletMap = map;
      drawSections(map, el);
      if (el.dataset.coverage) drawCoverage(map, el);
      if (el.dataset.locate) {
        var button = document.getElementById(el.dataset.locate);
        if (button) locate(map, button, el);
      }
      if (el.dataset.edit) editor(map, el);
      el.dataset.ready = "1";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
