"""Labels exist in both languages; Chinese charts render with no missing glyph."""

import warnings

import matplotlib.pyplot as plt
import pytest

from cxlib import i18n, plots


def test_every_label_has_both_languages_and_lookup_fails_loudly():
    catalog = i18n._catalog()
    assert catalog, "no labels loaded"
    for key, value in catalog.items():
        assert value["en"].strip() and value["zh"].strip(), key
    assert i18n.t("stage.purchase", "zh") == "购买"
    with pytest.raises(KeyError, match="no label 'stage.nowhere'"):
        i18n.t("stage.nowhere")
    with pytest.raises(ValueError, match="lang must be one of"):
        i18n.t("stage.use", "fr")


def test_relabel_translates_known_headers_only():
    import pandas as pd

    frame = pd.DataFrame({"rows": [1], "wifi": [2]})
    assert list(i18n.relabel(frame, "zh").columns) == ["行数", "wifi"]


def test_zh_chart_renders_without_missing_glyph_warnings(tmp_path):
    plots.use_theme("zh")
    words = "".join(v["zh"] for v in i18n._catalog().values())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.bar(["推荐者", "被动者", "贬损者"], [40, 35, -25])
        ax.set_title("净推荐值 NPS：−5（95% 置信区间）")
        ax.set_xlabel(words[:200])
        fig.savefig(tmp_path / "zh.png")
        plt.close(fig)
    glyph = [str(w.message) for w in caught if "Glyph" in str(w.message) or "missing from" in str(w.message)]
    assert glyph == []


def test_cjk_font_is_registered_first():
    plots.use_theme("en")
    import matplotlib as mpl

    assert mpl.rcParams["font.sans-serif"][0] == plots.register_cjk_font() == "CXWB Noto Sans SC"


def test_relabel_with_several_prefixes_first_match_wins():
    import pandas as pd

    frame = pd.DataFrame({"rows": [1], "action": ["x"], "other": [0]})
    out = i18n.relabel(frame, "zh", columns=["best.col", "col"])
    assert list(out.columns) == ["行数", "行动建议", "other"]
