"""Domain logic, free of HTTP."""
