"""Withdrawals as payouts: money leaves a wallet for one of its owner's bank accounts through
the payments provider (docs/money.md, "Payouts").

`models.py` (the table), `states.py` (the state machine), `ledger_port.py` (the postings),
`services.py` (withdraw, retry, the provider's outcome), `settlement.py` (webhook outcomes) and
the GraphQL layer (`types.py`, `inputs.py`, `queries.py`, `mutations.py`).
"""
