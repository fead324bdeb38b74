"""Trusty wallets (EHB-TRUSTY-WALLET): M-of-N multi-signature wallets with a cold-storage vault.

docs/money.md ("Trusty wallets") is the contract: signer keys, the canonical content signers
sign, the proposal state machine, the vault's time lock, errors and events.
"""
