"""EHB-5's six domain subgraphs. Each is a package with the same shape (see ARCHITECTURE.md)."""

SUBGRAPH_NAMES: tuple[str, ...] = (
    "identity",
    "money",
    "commerce",
    "media",
    "support",
    "observability",
)

# Ports used by `ehb dev`; the router listens on DEFAULT_ROUTER_PORT.
DEFAULT_ROUTER_PORT = 4000
DEFAULT_SUBGRAPH_PORTS: dict[str, int] = {
    name: DEFAULT_ROUTER_PORT + 1 + index for index, name in enumerate(SUBGRAPH_NAMES)
}
