"""commerce's GraphQL enums: the domain enums themselves, registered once with Strawberry.

Import this module before any type or input annotates with a domain enum, so Strawberry never
builds a second, implicit definition of the same enum.
"""

from __future__ import annotations

import strawberry

from subgraphs.commerce.models import OrderStatus

strawberry.enum(OrderStatus, name="OrderStatus", description="Where an order stands.")

__all__ = ["OrderStatus"]
