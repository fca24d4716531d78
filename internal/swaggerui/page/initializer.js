// Swagger UI for people: the API's own document only (no URL bar), the token kept for this
// visit only (shared PCs), an operation filter, links to each operation, and the operations of a
// piece of work in its order.
window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    layout: "BaseLayout",
    presets: [SwaggerUIBundle.presets.apis],
    deepLinking: true,
    filter: true,
    persistAuthorization: false,
    displayRequestDuration: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
    // Operations that say where they stand in a piece of work (x-order: the council's queue, then
    // reading an item, then deciding) come in that order; the rest by path.
    operationsSorter: function (a, b) {
      var order = function (op) {
        var o = op.get("operation").get("x-order");
        return o === undefined ? 1000 : o;
      };
      return order(a) - order(b) || a.get("path").localeCompare(b.get("path")) || a.get("method").localeCompare(b.get("method"));
    },
    validatorUrl: null
  });
  // A link to an operation followed from this page (the review queue's swagger_ui) opens it here,
  // keeping the authorisation, which a reload would lose: Swagger UI reads the link only on load.
  window.addEventListener("hashchange", function () {
    window.ui.layoutActions.parseDeepLinkHash(decodeURIComponent(window.location.hash));
  });
};
