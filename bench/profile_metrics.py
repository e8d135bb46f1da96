"""Time and profile `trading.metrics` for the heavy user: `python bench/profile_metrics.py DATABASE_URL`."""

import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.update(DATABASE_URL=sys.argv[1], QUANTUM_ENV="production", JWT_SECRET_KEY="x" * 40, LOG_FORMAT="text")

import sqlalchemy as sa  # noqa: E402

from quantum import create_app  # noqa: E402
from quantum.auth.models import User  # noqa: E402
from quantum.extensions import db  # noqa: E402
from quantum.perf.seed import demo_email  # noqa: E402
from quantum.trading import service  # noqa: E402

app = create_app({"SCHEMA_GUARD": False})
with app.app_context():
    user = db.session.scalars(sa.select(User).where(User.email == demo_email(42, 0))).one()
    for _ in range(5):
        started = time.perf_counter()
        result = service.metrics(session=db.session, user=user)
        print(f"metrics {(time.perf_counter() - started) * 1000:.1f} ms ({len(result['by_day'])} days)")
    profile = cProfile.Profile()
    profile.runcall(service.metrics, session=db.session, user=user)
    pstats.Stats(profile).sort_stats("tottime").print_stats(12)
