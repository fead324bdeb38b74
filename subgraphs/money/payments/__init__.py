"""EHB-PAYMENT: payment methods, payment intents, refunds, provider webhooks and analytics.

A vertical slice of the money subgraph (docs/money.md, "Payments"): `models.py` (tables),
`states.py` (the intent state machine), `provider.py` + `sandbox.py` (who charges cards),
`signatures.py` + `webhooks.py` (signed provider events), `services.py` (the business logic),
`analytics.py`, `orders.py` (commerce's order amounts, learnt from its events) and the GraphQL
layer (`types.py`, `inputs.py`, `queries.py`, `mutations.py`).
"""
