"""`python -m quantum.serve ARGS`: gunicorn with ARGS, after checking the settings (gunicorn reads some at import).

gunicorn parses WEB_CONCURRENCY while it imports its own settings, before gunicorn.conf.py runs, so
`WEB_CONCURRENCY=lots gunicorn ...` ends in a traceback. This entry point validates the settings
first (one line naming the variable, exit 2), then runs gunicorn exactly as `gunicorn ARGS`.
"""

from __future__ import annotations

import sys

from quantum.config import ConfigError, load_settings
from quantum.observability.logs import config_error_line


def main(argv: list[str] | None = None) -> None:
    """Validate the settings, then hand over to gunicorn with `argv`."""
    try:
        load_settings()
    except ConfigError as exc:
        print(config_error_line(str(exc)), file=sys.stderr)
        sys.exit(exc.exit_code)
    from gunicorn.app.wsgiapp import run

    sys.argv = ["gunicorn", *(sys.argv[1:] if argv is None else argv)]
    run()


if __name__ == "__main__":
    main()
