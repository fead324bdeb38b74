"""money's domain errors."""

from __future__ import annotations

from subgraphs.kernel.errors import BadUserInput, Conflict, NotFound


class InvalidAmount(BadUserInput):
    def __init__(self, reason: str) -> None:
        super().__init__(f"Invalid amount: {reason}.", field="amount")


class WalletNotFound(NotFound):
    def __init__(self, wallet_id: str) -> None:
        super().__init__(f"Wallet {wallet_id} does not exist.", field="walletId")


class WalletAlreadyOpen(Conflict):
    def __init__(self, owner_id: str, currency: str) -> None:
        super().__init__(f"User {owner_id} already has a {currency} wallet.", field="currency")


class WalletNotActive(Conflict):
    def __init__(self, wallet_id: str, status: str) -> None:
        super().__init__(
            f"Wallet {wallet_id} is {status}; only ACTIVE wallets accept money.", field="walletId"
        )


class BalanceLimitExceeded(Conflict):
    def __init__(self, wallet_id: str) -> None:
        super().__init__(
            f"Wallet {wallet_id} cannot hold more than a 64-bit balance.", field="amount"
        )
