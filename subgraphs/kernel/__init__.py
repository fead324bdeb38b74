"""The small shared base every EHB-5 subgraph stands on (see subgraphs/README.md)."""
