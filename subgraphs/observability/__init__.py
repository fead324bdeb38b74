"""observability: health of every subgraph and the router, probed live and kept as history."""
