"""money: wallets and their transactions (owner of `Wallet` and `Transaction`; extends `User`)."""
