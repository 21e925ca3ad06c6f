import os
import sys

# CXWB_TEST_WITHOUT=pyarrow,duckdb runs tests as the library-only install would, without the
# packages of those extras (tests/test_packaging.py); set before anything imports pandas, which
# looks for pyarrow once, at import
for _name in filter(None, os.environ.get("CXWB_TEST_WITHOUT", "").split(",")):
    sys.modules[_name] = None

import matplotlib  # noqa: E402
from hypothesis import settings  # noqa: E402

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")

# Property tests check invariants, not speed: no per-example deadline (two busy cores make timing
# noise). `ci` replays the same examples on every run, so a clean checkout passes or fails for the
# code, not for the draw; `sweep` draws many more examples to look for new counterexamples.
settings.register_profile("default", deadline=None, print_blob=True)
settings.register_profile("ci", deadline=None, print_blob=True, derandomize=True, database=None)
settings.register_profile("sweep", deadline=None, print_blob=True, max_examples=1500)
settings.load_profile(os.environ.get("CXWB_HYPOTHESIS_PROFILE", "default"))

from engines import engine_frame, spark  # noqa: E402,F401  (shared engine fixtures)
