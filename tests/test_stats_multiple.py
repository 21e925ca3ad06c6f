"""p-value adjustment against statsmodels, and the group-vs-rest rule."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlib.stats.multiple import adjust_pvalues, adjust_vs_rest

METHODS = {"holm": "holm", "bonf": "bonferroni", "sidak": "sidak", "fdr_bh": "fdr_bh", "fdr_by": "fdr_by"}


def test_holm_hand_worked():
    # sorted 0.01, 0.03, 0.04 → 3·0.01, 2·0.03, max(0.06, 1·0.04)
    assert adjust_pvalues([0.01, 0.04, 0.03], "holm").tolist() == pytest.approx([0.03, 0.06, 0.06])


def test_nan_is_not_a_test():
    out = adjust_pvalues([0.01, np.nan, 0.02], "bonf")
    assert np.isnan(out[1]) and out[[0, 2]].tolist() == pytest.approx([0.02, 0.04])


def test_two_groups_against_the_rest_are_one_test():
    assert adjust_vs_rest([0.02, 0.02], "holm").tolist() == [0.02, 0.02]
    with pytest.raises(ValueError, match="correction"):
        adjust_vs_rest([0.1], "tukey")


@settings(deadline=None)
@given(st.lists(st.floats(0, 1), min_size=1, max_size=30), st.sampled_from(sorted(METHODS)))
def test_matches_statsmodels(p, method):
    from statsmodels.stats.multitest import multipletests

    ref = multipletests(p, method=METHODS[method])[1]
    np.testing.assert_allclose(adjust_pvalues(p, method), ref, rtol=1e-10, atol=1e-12)
