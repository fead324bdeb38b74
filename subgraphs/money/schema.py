"""money's federation schema."""

from __future__ import annotations

import strawberry

from subgraphs.kernel.extensions import KERNEL_EXTENSIONS
from subgraphs.kernel.scalars import subgraph_config
from subgraphs.kernel.schema import FEDERATION_VERSION
from subgraphs.money.mutations import Mutation
from subgraphs.money.queries import Query
from subgraphs.money.types import Transaction, User, Wallet

schema = strawberry.federation.Schema(
    query=Query,
    mutation=Mutation,
    types=[User, Wallet, Transaction],
    federation_version=FEDERATION_VERSION,
    extensions=KERNEL_EXTENSIONS,
    config=subgraph_config(),
)
