"""Portfolio: cash balances, deposits and snapshots."""
