"""Weighted means against R ``survey::svymean`` and α against R ``psych::alpha``, run live.

These tests call ``Rscript`` (Debian: ``r-cran-survey``, ``r-cran-psych``) and skip, saying so,
where R or the package is missing. The data come from the R packages themselves (``data(api)``),
so nothing is copied into the repository.
"""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pandas as pd
import pytest

from cxlib import servqual
from cxlib.aggregate.survey import moments
from cxlib.stats.moments import weighted_mean_sd, weighted_mean_se_linearized


def _r(code: str, package: str) -> str:
    if shutil.which("Rscript") is None:
        pytest.skip("Rscript is not installed (Debian: r-base-core)")
    ok = subprocess.run(["Rscript", "-e", f"quit(status = !requireNamespace('{package}', quietly = TRUE))"],
                        capture_output=True)
    if ok.returncode:
        pytest.skip(f"R package {package} is not installed (Debian: r-cran-{package})")
    res = subprocess.run(["Rscript", "-e", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr
    return res.stdout


def test_weighted_mean_equals_svymean_on_apistrat(tmp_path):
    csv = tmp_path / "apistrat.csv"
    out = _r(f"""
        suppressMessages(library(survey)); data(api)
        write.csv(apistrat[, c("api00", "pw", "stype")], "{csv}", row.names = FALSE)
        d1 <- svydesign(ids = ~1, weights = ~pw, data = apistrat)
        m1 <- svymean(~api00, d1)
        ds <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
        m2 <- svymean(~api00, ds)
        cat(sprintf("%.15g %.15g %.15g %.15g", coef(m1), SE(m1), coef(m2), SE(m2)))
    """, "survey")
    mean_r, se_r, mean_strat, se_strat = (float(v) for v in out.split())
    df = pd.read_csv(csv)
    m = moments(df, "api00", weights="pw").iloc[0]
    mean, sd, n_eff = weighted_mean_sd(m["sum_w"], m["sum_wx"], m["sum_wx2"], m["sum_w2"])
    # the point estimate is svymean's, with or without the strata; the survey package's documentation
    # prints svymean(~api00, dstrat) = 662.29
    assert mean == pytest.approx(mean_r, rel=1e-12) and mean == pytest.approx(mean_strat, rel=1e-12)
    assert round(mean, 2) == 662.29
    # the linearised SE of a one-stage design without strata is svymean's exactly
    se = weighted_mean_se_linearized(m["n"], m["sum_w"], m["sum_wx"], m["sum_w2"], m["sum_w2x"], m["sum_w2x2"])
    assert se == pytest.approx(se_r, rel=1e-10)
    # Kish's SE (the library's default) is a different, model-based number: checked by hand
    x, w = df["api00"].to_numpy(float), df["pw"].to_numpy(float)
    by_hand = np.sqrt(np.sum(w * (x - mean) ** 2) / w.sum() * n_eff / (n_eff - 1) / n_eff)
    assert sd / np.sqrt(n_eff) == pytest.approx(by_hand, rel=1e-12)
    assert sd / np.sqrt(n_eff) != pytest.approx(se_strat, rel=1e-3)  # and not the stratified SE


def test_alpha_with_missing_answers_equals_psych_229(tmp_path):
    rng = np.random.default_rng(23)
    latent = rng.normal(size=(60, 1))
    x = np.round(4 + latent + rng.normal(scale=0.9, size=(60, 5)))
    x[rng.random(x.shape) < 0.15] = np.nan
    csv = tmp_path / "items.csv"
    pd.DataFrame(x, columns=list("abcde")).to_csv(csv, index=False)
    out = _r(f"""
        suppressMessages(library(psych))
        x <- read.csv("{csv}")
        a <- suppressWarnings(psych::alpha(x, use = "pairwise", check.keys = FALSE))
        cat(sprintf("%.15g %.15g", a$total$raw_alpha, a$total$std.alpha), "\\n")
        cat(sprintf("%.15g", a$alpha.drop$raw_alpha), "\\n")
        cat(sprintf("%.15g", a$item.stats$r.drop), "\\n")
    """, "psych")
    lines = out.strip().splitlines()
    raw, std = (float(v) for v in lines[0].split())
    r = servqual.reliability(pd.DataFrame(x, columns=list("abcde")))
    assert r.alpha == pytest.approx(raw, rel=1e-12)
    assert r.alpha_std == pytest.approx(std, rel=1e-12)
    np.testing.assert_allclose(r.items["alpha_if_dropped"], [float(v) for v in lines[1].split()], rtol=1e-12)
    np.testing.assert_allclose(r.items["r_drop"], [float(v) for v in lines[2].split()], rtol=1e-12)
