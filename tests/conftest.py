import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

from engines import engine_frame, spark  # noqa: E402,F401  (shared engine fixtures)
