"""support's federation schema."""

from __future__ import annotations

import strawberry

from subgraphs.kernel.extensions import KERNEL_EXTENSIONS
from subgraphs.kernel.scalars import subgraph_config
from subgraphs.kernel.schema import FEDERATION_VERSION
from subgraphs.support.mutations import Mutation
from subgraphs.support.queries import Query
from subgraphs.support.subscriptions import Subscription
from subgraphs.support.types import Order, Ticket, User

schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    subscription=Subscription,
    types=[User, Ticket, Order],
    federation_version=FEDERATION_VERSION,
    extensions=KERNEL_EXTENSIONS,
    config=subgraph_config(),
)
