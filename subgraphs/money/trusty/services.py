"""Trusty wallets' business logic, one import away: `wallets.py` (signer keys, wallets,
membership, funding), `proposals.py` (proposals and the state machine's transitions) and
`commands.py` (the idempotent entry points of the money-moving mutations). Functions take the
session, never commit, never import Strawberry; money moves only through the ledger API."""

from __future__ import annotations

from subgraphs.money.trusty.commands import (
    approve_proposal_once,
    execute_proposal_once,
    fund_trusty_wallet_once,
    propose_transfer_once,
)
from subgraphs.money.trusty.proposals import (
    approve_proposal,
    cancel_proposal,
    content_of,
    decisions_of,
    execute_proposal,
    get_proposal,
    list_decisions_of_proposals,
    list_proposals,
    list_proposals_of_wallets,
    propose_transfer,
    reject_proposal,
    status_of,
)
from subgraphs.money.trusty.wallets import (
    account_id_of,
    balances,
    create_trusty_wallet,
    fund_trusty_wallet,
    get_trusty_wallet,
    list_signer_keys_of_users,
    list_signers_of_wallets,
    list_trusty_wallets_of_user,
    register_signer_key,
    require_signer,
    require_viewer,
    signers_of,
)

__all__ = [
    "account_id_of",
    "approve_proposal",
    "approve_proposal_once",
    "balances",
    "cancel_proposal",
    "content_of",
    "create_trusty_wallet",
    "decisions_of",
    "execute_proposal",
    "execute_proposal_once",
    "fund_trusty_wallet",
    "fund_trusty_wallet_once",
    "get_proposal",
    "get_trusty_wallet",
    "list_decisions_of_proposals",
    "list_proposals",
    "list_proposals_of_wallets",
    "list_signer_keys_of_users",
    "list_signers_of_wallets",
    "list_trusty_wallets_of_user",
    "propose_transfer",
    "propose_transfer_once",
    "register_signer_key",
    "reject_proposal",
    "require_signer",
    "require_viewer",
    "signers_of",
    "status_of",
]
