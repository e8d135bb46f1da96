"""Paper trading: orders filled at their limit price, positions, risk limits and metrics."""
