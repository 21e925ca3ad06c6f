"""Text from results: sentences and tables rendered from computed numbers, in one language.

A lesson states a number or a finding only through this module, so that the
text follows the data, the parameters and the chosen language. The sentence
templates live in the label catalogues (``cxlib/resources/labels_*.yml``, under
``<lesson>.say.<name>``) in English and Chinese; :func:`text` fills one from a
result (a dataclass, a dict, a DataFrame row or keyword values) and :func:`say`
returns it as Markdown for a notebook cell. :func:`table` is the one formatter
for tables shown to people: rounding, p-values, flags, missing values, and the
translation of headers and values in a single call.

Placeholders use Python's format syntax with a few extra format specs, chosen
so that a template never formats a number by hand:

=============  =========================================  ==================
spec           meaning                                    example (en / zh)
=============  =========================================  ==================
``:p``         a p-value; below 0.001 as "< 0.001"        ``p = 0.03``; ``p < 0.001``
``:pct``       a share 0–1 as a whole percentage          ``41 %`` / ``41%``
``:pct1``      a share as a percentage, one decimal       ``4.5 %`` / ``4.5%``
``:pts``       points with a sign, whole                  ``+10``, ``−16``
``:pts1``      points with a sign, one decimal            ``+2.5``
``:abs``       magnitude without sign, whole              ``28``
``:abs1``      magnitude without sign, one decimal        ``2.5``
``:n``         a count with thousands separators          ``3,634``
``:?a|b``      ``a`` when the value is true, else ``b``   ``{up:?rose|fell}``
=============  =========================================  ==================

Any other spec is Python's own (``{r:.2f}``). Minus signs are the typographic
"−" (U+2212). Chinese output has no ASCII space between two Chinese characters
and uses full-width punctuation next to Chinese text.

Examples
--------
>>> from cxlib.narrate import fmt_p
>>> fmt_p(0.00002), fmt_p(0.0312), fmt_p(0.15)
('< 0.001', '0.031', '0.15')
"""

from __future__ import annotations

import dataclasses
import math
import re
import string
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .i18n import check_lang, has_label, labels, t

__all__ = ["Table", "fmt_p", "fmt_number", "text", "say", "table", "tidy_zh", "join_zh_lines", "join", "listing", "template_fields"]

MINUS = "\u2212"
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef"
_P_FLOOR = 0.001


def fmt_p(p: float) -> str:
    """A p-value for people: never "0.0"; below 0.001 as "< 0.001", else 2 significant digits.

    Parameters
    ----------
    p : float
        A probability in [0, 1]; NaN gives "–".

    Returns
    -------
    str

    Examples
    --------
    >>> fmt_p(0.0), fmt_p(0.0494), fmt_p(0.5)
    ('< 0.001', '0.049', '0.50')
    """
    if p is None or p is pd.NA or (isinstance(p, float | np.floating) and math.isnan(p)):
        return "–"  # also pandas' nullable missing value and NumPy float32 NaN
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"a p-value lies in [0, 1], got {p!r}")
    if p < _P_FLOOR:
        return f"< {_P_FLOOR:g}"
    # two significant digits: 0.031, 0.15, 0.50
    digits = max(2, 1 - math.floor(math.log10(p))) if p > 0 else 3
    return f"{p:.{digits}f}"


def _signed(x: float, digits: int) -> str:
    s = f"{x:+,.{digits}f}"
    if float(s.replace(",", "")) == 0:
        s = f"{0:.{digits}f}"
    return s.replace("-", MINUS)


def fmt_number(value, spec: str, lang: str = "en") -> str:
    """Format ``value`` with one of the module's specs (see the module docstring) or Python's own."""
    if spec.startswith("?"):
        yes, _, no = spec[1:].partition("|")
        return yes if bool(value) else no
    if value is None or (isinstance(value, float | np.floating) and math.isnan(value)):
        return "–"
    if spec == "p":
        shown = fmt_p(value)
        return f"p {shown}" if shown.startswith("<") else f"p = {shown}"
    if spec in ("pct", "pct1"):
        digits = 1 if spec == "pct1" else 0
        number = f"{100 * float(value):.{digits}f}".replace("-", MINUS)
        return number + ("%" if lang == "zh" else " %")
    if spec in ("pts", "pts1"):
        return _signed(float(value), 1 if spec == "pts1" else 0)
    if spec in ("abs", "abs1"):
        return f"{abs(float(value)):,.{1 if spec == 'abs1' else 0}f}"
    if spec == "n":
        return f"{int(round(float(value))):,}"
    out = format(value, spec)
    return out.replace("-", MINUS) if isinstance(value, int | float | np.number) else out


class _Formatter(string.Formatter):
    def __init__(self, lang: str):
        self.lang = lang

    def format_field(self, value, format_spec):
        return fmt_number(value, format_spec, self.lang)


def _values(result) -> dict:
    if result is None:
        return {}
    if dataclasses.is_dataclass(result) and not isinstance(result, type):
        return {f.name: getattr(result, f.name) for f in dataclasses.fields(result)}
    if isinstance(result, pd.Series):
        return result.to_dict()
    if isinstance(result, pd.DataFrame):
        if len(result) != 1:
            raise ValueError(f"a sentence is rendered from one row, got a table of {len(result)} rows")
        return result.iloc[0].to_dict()
    if isinstance(result, Mapping):
        return dict(result)
    raise TypeError(f"render from a dataclass, a dict or one DataFrame row, got {type(result).__name__}")


def tidy_zh(text: str) -> str:
    """Chinese typography: no ASCII space between Chinese characters, full-width punctuation beside them.

    Line breaks inside a paragraph (a single newline between two Chinese
    characters) are joined, because a browser shows them as a space.

    Examples
    --------
    >>> tidy_zh("城市店 的 NPS, 下降了\\n28 分: 显著")
    '城市店的 NPS，下降了\\n28 分：显著'
    """
    cjk = f"[{_CJK}]"
    text = re.sub(f"(?<={cjk})[ \t]+(?={cjk})", "", text)
    text = re.sub(f"(?<={cjk})\n(?={cjk})", "", text)
    for ascii_mark, wide in ((",", "，"), (":", "："), (";", "；"), ("?", "？"), ("!", "！")):
        text = re.sub(f"(?<=[{_CJK}\\w%）)]){re.escape(ascii_mark)}(?=\\s*{cjk})", wide, text)
        text = re.sub(f"(?<={cjk}){re.escape(ascii_mark)}", wide, text)
    text = re.sub(f"(?<={cjk})[ \t]*\\(([^()]*)\\)", r"（\1）", text)
    text = re.sub(f"(?<={cjk})[ \t]*([，。：；？！、（）])[ \t]*", r"\1", text)
    return re.sub(f"[ \t]*([，。：；？！、（）])[ \t]*(?={cjk})", r"\1", text)


def template_fields(key: str, lang: str) -> set[str]:
    """The placeholder names of one template (for tests: both languages must use the same)."""
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(t(key, lang)) if name}


def text(key: str, lang: str = "en", result=None, **values) -> str:
    """The sentence ``key`` in ``lang``, filled from ``result`` and ``values`` (values win).

    Parameters
    ----------
    key : str
        A template key in the label catalogues, e.g. ``"lesson02.say.headline"``.
    lang : {"en", "zh"}
    result : dataclass, dict, Series or one-row DataFrame, optional
        Its fields are the template's placeholders.
    **values
        More placeholders (names, labels, parameters).

    Returns
    -------
    str
        Markdown text; in Chinese tidied by :func:`tidy_zh`.

    Raises
    ------
    KeyError
        When the template names a placeholder that neither ``result`` nor ``values`` holds.

    Examples
    --------
    >>> text("narrate.example", "en", {"nps": 10.46, "p_value": 0.00001})
    'NPS +10 (p < 0.001).'
    >>> text("narrate.example", "zh", nps=-3.2, p_value=0.0312)
    'NPS 为 −3（p = 0.031）。'
    """
    check_lang(lang)
    filled = {**_values(result), **values}
    template = t(key, lang)
    try:
        out = _Formatter(lang).vformat(template, (), filled)
    except KeyError as err:
        raise KeyError(f"template {key!r} needs {err.args[0]!r}; the result has {sorted(filled)}") from None
    return tidy_zh(out) if lang == "zh" else out


def join(items, lang: str = "en", sep: str | None = None) -> str:
    """Items as one phrase: "a, b and c" / "a、b 和 c"; an empty list gives "–".

    ``sep`` replaces the separator (the last pair keeps "and"/"和"), e.g. "; " for
    items that hold commas themselves (Chinese: "；").

    Examples
    --------
    >>> join(["a", "b", "c"]), join(["甲", "乙"], "zh"), join(["x"])
    ('a, b and c', '甲和乙', 'x')
    """
    items = [str(i) for i in items]
    if not items:
        return "–"
    if len(items) == 1:
        return items[0]
    if lang == "zh":
        return ("；" if sep else "、").join(items[:-1]) + ("；" if sep else "和") + items[-1]
    return (sep or ", ").join(items[:-1]) + (sep if sep else " and ") + items[-1]


def listing(frame: pd.DataFrame, key: str, lang: str = "en", **values) -> str:
    """Each row of ``frame`` rendered with template ``key`` (row fields and ``values``), joined by "; " / "；"."""
    return join([text(key, lang, row, **values) for _, row in frame.iterrows()], lang, sep="; ")


def say(key: str, lang: str = "en", result=None, **values):
    """:func:`text` as IPython Markdown, for the last line of a notebook cell."""
    from IPython.display import Markdown

    return Markdown(text(key, lang, result, **values))


def _header(name: str, lang: str, prefixes: list[str]) -> str:
    for prefix in prefixes:
        if isinstance(prefix, Mapping):
            if name in prefix:
                return prefix[name]
        elif has_label(f"{prefix}.{name}"):
            return t(f"{prefix}.{name}", lang)
    return name


class Table(pd.DataFrame):
    """A DataFrame of display strings whose HTML shows every cell in full.

    pandas cuts long text in a notebook's table at 50 characters
    (``display.max_colwidth``); item wordings and goal–signal–metric sentences are
    longer, so :func:`table` returns this frame, which renders them whole.
    """

    @property
    def _constructor(self):
        return Table

    def _repr_html_(self):
        with pd.option_context("display.max_colwidth", None):
            return super()._repr_html_()


def table(
    frame: pd.DataFrame,
    lang: str = "en",
    columns: list[str] | None = None,
    *,
    headers: str | Mapping | list[str | Mapping] = (),
    values: Mapping[str, str | Mapping] | None = None,
    digits: int | Mapping[str, int] = 1,
    percent: list[str] | tuple = (),
    index: bool = False,
) -> pd.DataFrame:
    """A table for people, translated and rounded, in one call.

    Parameters
    ----------
    frame : DataFrame
    lang : {"en", "zh"}
    columns : list of str, optional
        The columns to show, in order (default: all).
    headers : str, mapping, or a list of them
        Label prefixes searched, in order, for each header (``f"{prefix}.{column}"``),
        or ``{column: header}`` mappings (e.g. the data dictionary's names);
        ``"col"`` (the shared headers) is always searched last. A header without a
        label keeps its name.
    values : mapping, optional
        ``{column: label prefix or {value: text}}``: the column's values are
        translated (e.g. ``{"property_id": "property"}``); values without a label stay.
    digits : int or mapping
        Decimals of float columns, one for all or per column.
    percent : list of str
        Share columns (0–1) shown as percentages with ``digits`` decimals.
    index : bool
        Keep the index as the first column(s) (translated like a column), also when
        ``columns`` names only the other columns.

    Returns
    -------
    Table
        A DataFrame of strings ready to display, long text shown whole: p-value columns (``p_value``, ``p_adjusted``,
        ``p_*``) through :func:`fmt_p`, booleans as "✓" or blank, missing values
        as "–", negative numbers with the typographic minus.

    Examples
    --------
    >>> df = pd.DataFrame({"nps": [10.46, -3.0], "p_value": [0.0, 0.2], "small_n": [False, True]})
    >>> table(df)["p_value"].tolist(), table(df)["nps"].tolist()
    (['< 0.001', '0.20'], ['10.5', '−3.0'])
    """
    check_lang(lang)
    out = frame.reset_index() if index else frame
    kept = list(out.columns[: frame.index.nlevels]) if index else []  # the index stays first, also with columns=
    out = out[kept + [c for c in columns if c not in kept] if columns is not None else list(out.columns)].copy()
    prefixes = ([headers] if isinstance(headers, str | Mapping) else list(headers)) + ["col"]
    for col, spec in (values or {}).items():
        names = labels(spec, lang) if isinstance(spec, str) else dict(spec)
        out[col] = out[col].map(lambda v, names=names: names.get(v, v))
    for col in out.columns:
        series = out[col]
        places = digits.get(col, 1) if isinstance(digits, Mapping) else digits
        if pd.api.types.is_bool_dtype(series):
            shown = series.map({True: "✓", False: ""})
        elif str(col).startswith("p_"):
            shown = series.map(fmt_p)
        elif col in percent:
            shown = series.map(lambda v, d=places: fmt_number(v, "pct1" if d else "pct", lang))
        elif pd.api.types.is_float_dtype(series):
            shown = series.map(lambda v, d=places: "–" if pd.isna(v) else f"{v:,.{d}f}".replace("-", MINUS))
        elif pd.api.types.is_integer_dtype(series):
            shown = series.map(lambda v: f"{v:,}".replace("-", MINUS))
        else:
            shown = series.astype(object).where(series.notna(), "–")
        out[col] = shown.astype(object)
    out.columns = [_header(str(c), lang, prefixes) for c in out.columns]
    return Table(out)


_BLOCK = re.compile(r"^\s*(#|\||>|[*+-]\s|\d+[.)]\s|```|$)")


def join_zh_lines(markdown: str) -> str:
    """Join the line breaks inside Chinese paragraphs that a browser would show as a space.

    A soft line break between two Chinese characters (or full-width marks) is
    removed; breaks before a heading, list item, quote, table row, code fence or
    blank line, and breaks next to Latin text, stay.

    Examples
    --------
    >>> join_zh_lines("第一行\\n第二行\\n\\n* 列表\\n* 项")
    '第一行第二行\\n\\n* 列表\\n* 项'
    """
    lines = markdown.split("\n")
    out = [lines[0]] if lines else []
    fence = lines[0].lstrip().startswith("```") if lines else False
    for line in lines[1:]:
        prev = out[-1]
        if line.lstrip().startswith("```"):
            fence = not fence
        joinable = (
            not fence and prev and line.strip() and not _BLOCK.match(line)
            and not prev.lstrip().startswith(("#", "|"))
            and re.search(f"[{_CJK}]$", prev.rstrip()) and re.match(f"\\s*[{_CJK}]", line)
        )
        if joinable:
            out[-1] = prev.rstrip() + line.lstrip()
        else:
            out.append(line)
    return "\n".join(out)
