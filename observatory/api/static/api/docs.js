// Renders the OpenAPI description with the vendored Swagger UI: no CDN, and no call to the
// public validator (validatorUrl: null). The description's URL comes from the page.
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-openapi-url"),
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
  });
})();
