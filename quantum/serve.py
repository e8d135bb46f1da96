"""`python -m quantum.serve ARGS`: gunicorn with ARGS, after checking the settings gunicorn reads at import.

gunicorn parses WEB_CONCURRENCY while it imports its own settings, before gunicorn.conf.py runs, so
`WEB_CONCURRENCY=lots gunicorn ...` ends in a traceback. This entry point validates the server
settings first (one line naming the variable, exit 2), then runs gunicorn exactly as `gunicorn ARGS`.
"""

from __future__ import annotations

import sys

from quantum.config import ConfigError
from quantum.gunicorn_settings import server_settings
from quantum.observability.logs import config_error_line


def main(argv: list[str] | None = None) -> None:
    """Validate the server settings, then hand over to gunicorn with `argv`."""
    try:
        server_settings()
    except ConfigError as exc:
        print(config_error_line(str(exc)), file=sys.stderr)
        sys.exit(exc.exit_code)
    from gunicorn.app.wsgiapp import run

    sys.argv = ["gunicorn", *(sys.argv[1:] if argv is None else argv)]
    run()


if __name__ == "__main__":
    main()
