"""Operations: `flask db-ensure`, backups, restores, integrity checks, statistics, optimisation and archival."""
