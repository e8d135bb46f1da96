"""The shared kernel every domain may use: money, time, column types, pagination, archive twins."""
