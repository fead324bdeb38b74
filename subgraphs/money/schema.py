"""money's federation schema: the wallets' root fields merged with each feature's.

A feature (payments, trusty, fraud) adds its own `Query`/`Mutation` classes: import them here
and add them to `QUERIES`/`MUTATIONS` (one line each). Field names must be unique across them.
"""

from __future__ import annotations

import strawberry
from strawberry.tools import merge_types

from subgraphs.kernel.extensions import KERNEL_EXTENSIONS
from subgraphs.kernel.scalars import subgraph_config
from subgraphs.kernel.schema import FEDERATION_VERSION
from subgraphs.money.fraud.mutations import FraudMutation
from subgraphs.money.fraud.queries import FraudQuery
from subgraphs.money.mutations import Mutation as WalletMutation
from subgraphs.money.payments.schema import PaymentsMutation, PaymentsQuery
from subgraphs.money.payouts.mutations import PayoutsMutation
from subgraphs.money.payouts.queries import PayoutsQuery
from subgraphs.money.queries import Query as WalletQuery
from subgraphs.money.trusty import mutations as trusty_mutations
from subgraphs.money.trusty import queries as trusty_queries
from subgraphs.money.types import Transaction, User, Wallet

QUERIES: tuple[type, ...] = (
    WalletQuery,
    trusty_queries.Query,
    FraudQuery,
    PaymentsQuery,
    PayoutsQuery,
)
MUTATIONS: tuple[type, ...] = (
    WalletMutation,
    trusty_mutations.Mutation,
    FraudMutation,
    PaymentsMutation,
    PayoutsMutation,
)

schema = strawberry.federation.Schema(
    query=merge_types("Query", QUERIES),
    mutation=merge_types("Mutation", MUTATIONS),
    types=[User, Wallet, Transaction],
    federation_version=FEDERATION_VERSION,
    extensions=KERNEL_EXTENSIONS,
    config=subgraph_config(),
)
