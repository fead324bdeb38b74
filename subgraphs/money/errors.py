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
            f"Wallet {wallet_id} is {status}; only ACTIVE wallets move money.", field="walletId"
        )


class BalanceLimitExceeded(Conflict):
    def __init__(self, wallet_id: str) -> None:
        super().__init__(
            f"Wallet {wallet_id} cannot hold more than a 64-bit balance.", field="amount"
        )


class InsufficientFunds(Conflict):
    def __init__(
        self, account_id: str, balance: int, needed: int, currency: str, *, what: str = "Wallet"
    ) -> None:
        super().__init__(
            f"{what} {account_id} has {balance} {currency} minor units; moving {needed} would "
            "take it below its minimum balance.",
            field="amount",
            reason="INSUFFICIENT_FUNDS",
        )


class CurrencyMismatch(BadUserInput):
    def __init__(self, source_currency: str, destination_currency: str) -> None:
        super().__init__(
            f"Both wallets must hold the same currency (got {source_currency} and "
            f"{destination_currency}); open a {source_currency} wallet for the recipient.",
            field="toWalletId",
        )


class SameWallet(BadUserInput):
    def __init__(self) -> None:
        super().__init__("A transfer needs two different wallets.", field="toWalletId")


class WalletAlreadyInStatus(Conflict):
    def __init__(self, wallet_id: str, status: str) -> None:
        super().__init__(f"Wallet {wallet_id} is already {status}.", field="walletId")


class UnbalancedJournal(ValueError):
    """A programming error: postings that do not sum to zero per currency (never a user's)."""
