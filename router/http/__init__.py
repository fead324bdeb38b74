"""The router's GraphQL-over-HTTP server: ``router.http.app.create_router_app`` builds the app,
``router.http.server.serve_router`` runs it (``ehb router``)."""
