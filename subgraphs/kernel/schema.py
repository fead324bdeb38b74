"""What every subgraph schema shares: the Federation 2 version it declares."""

from __future__ import annotations

from typing import Final

FEDERATION_VERSION: Final = "2.7"
