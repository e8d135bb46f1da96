"""The AI service: strategy templates, market data, risk metrics, backtests, and governed AI requests."""
