"""The double-entry ledger (PAY-1 … PAY-6, HR-14): append-only, balanced, idempotent."""
