"""Cash balances and deposits: the money every trade and deposit moves, below trading and the portfolio."""
