"""The layering of docs/ARCHITECTURE.md, checked: imports point down, statistics import no charts,
and the worked example in the document runs and gives its hand-worked numbers."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
CXLIB = ROOT / "cxlib"


def _cxlib_imports(path: Path) -> set[str]:
    """Absolute names of the cxlib modules a file imports (relative imports resolved)."""
    pkg = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.startswith("cxlib"):
                if mod != "cxlib":  # `from .. import engine` names the module, not the package
                    out.add(mod)
                out.update(f"{mod}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("cxlib"))
    return out


@pytest.mark.parametrize("path", sorted((CXLIB / "stats").glob("*.py")), ids=lambda p: p.name)
def test_math_layer_imports_only_itself_and_the_ground(path):
    # below the math layer only the error types and the column check, which import nothing of cxlib
    allowed = ("cxlib.stats", "cxlib.errors", "cxlib._validate")
    outside = {m for m in _cxlib_imports(path) if not m.startswith(allowed)}
    assert not outside, f"{path.name} imports {outside}"


@pytest.mark.parametrize("path", sorted((CXLIB / "aggregate").glob("*.py")), ids=lambda p: p.name)
def test_aggregation_layer_imports_no_concept_module(path):
    allowed = ("cxlib.engine", "cxlib.errors", "cxlib._validate", "cxlib.aggregate", "cxlib.stats")
    bad = {m for m in _cxlib_imports(path) if not m.startswith(allowed)}
    assert not bad, f"{path.name} imports {bad}"


def test_statistics_modules_import_no_charts_or_jupyter():
    mods = ["cxlib.metrics", "cxlib.kano", "cxlib.servqual", "cxlib.drivers", "cxlib.aggregate.survey",
            *(f"cxlib.stats.{p.stem}" for p in (CXLIB / "stats").glob("*.py") if p.stem != "__init__")]
    code = ("import sys\n" + "".join(f"import {m}\n" for m in mods)
            + "print(sorted(m for m in ('matplotlib.pyplot', 'pingouin', 'IPython', 'ipykernel') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


HEAVY = ("scipy", "statsmodels", "pingouin", "matplotlib", "duckdb", "polars", "dask", "pyspark",
         "IPython", "seaborn")


def test_importing_metrics_loads_only_pandas_numpy_and_narwhals():
    # every module the import loads, from Python's own import log; the engines, scipy, statsmodels
    # and the charts come on the first call that needs them (narwhals, ~0.02 s, comes with the
    # aggregation layer: loading it on the first call made that call 1.8× a first pandas groupby)
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", "import cxlib.metrics"],
                         capture_output=True, text=True, cwd=ROOT, check=True)
    loaded = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")}
    assert "cxlib.metrics" in loaded and "pandas" in loaded
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert not heavy, f"import cxlib.metrics loads {heavy}"


def test_chart_names_stay_reachable_from_the_concept_modules():
    from cxlib import drivers, kano, metrics, servqual
    from cxlib.plotting import metrics as plotting_metrics

    assert metrics.plot_nps_by is plotting_metrics.plot_nps_by
    for mod in (metrics, kano, servqual, drivers):
        for name in mod._PLOTS:
            assert callable(getattr(mod, name))
    with pytest.raises(AttributeError):
        metrics.plot_nothing  # noqa: B018


def test_worked_example_runs_and_matches_hand_worked_values():
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    block = re.search(r"<!-- example:start -->\s*```python\n(.*?)```\s*<!-- example:end -->", text, re.S).group(1)
    scope: dict = {}
    exec(compile(block, "ARCHITECTURE.md", "exec"), scope)  # noqa: S102 - the document's own example
    table = scope["table"].set_index("segment")
    assert table.loc["app", "share"] == 0.75 and table.loc["web", "share"] == 0.5
    assert table.loc["app", "n_eff"] == pytest.approx(16 / 10) and table.loc["web", "n_eff"] == pytest.approx(16 / 6)
    from cxlib import metrics

    ref = metrics.csat_by(scope["survey"], "sat", "segment", min_n=1, weights="w").set_index("segment")
    np.testing.assert_allclose(100 * table["share"], ref["csat"], rtol=1e-12)
    np.testing.assert_allclose(100 * table["ci_low"], ref["ci_low"], rtol=1e-12)
    np.testing.assert_allclose(table["n_eff"], ref["n_eff"], rtol=1e-12)
    unweighted = scope["top2_share_by"](scope["survey"], "sat", "segment").set_index("segment")
    ref_u = metrics.csat_by(scope["survey"], "sat", "segment", min_n=1).set_index("segment")
    np.testing.assert_allclose(100 * unweighted["ci_high"], ref_u["ci_high"], rtol=1e-12)
