"""Column mappings: your export's columns and answer labels → the data dictionary's names and codes.

A mapping file (``mapping.yml`` in your data folder, found automatically by
:func:`cxlib.datasets.load`) says, per table, which file holds it and how its
columns and answers translate::

    dataset: hotel
    tables:
      survey:
        file: 问卷导出.csv          # .csv (UTF-8 or GBK), .xlsx or .parquet; relative to the data folder
        errors: exclude             # optional: leave invalid rows out and report them (default: raise)
        columns:                    # your column: the dictionary's column
          答卷编号: response_id
          推荐意愿: nps
          总体满意度: overall_sat
        values:                     # per column (yours or the dictionary's): your label → the code
          overall_sat: {非常满意: 5, 满意: 4, 一般: 3, 不满意: 2, 非常不满意: 1}
          nps: {"10（非常愿意）": 10, "0（完全不愿意）": 0}
          tp_breakfast: {未用早餐: null}      # null: a missing answer, counted as missing
        formats:                    # dates not written YYYY-MM-DD: a strptime format
          survey_date: "%Y/%m/%d %H:%M"
      stays:
        file: 入住记录.xlsx
        sheet: 入住明细             # Excel: the sheet by name (default: the first)
        header_row: 2               # the header is on row 2 (row 1 is a title)
        columns: {入住单号: stay_id}

Rules, so that nothing is guessed:

* Columns the mapping does not name keep their own name: a column already
  called like the dictionary needs no line, any other stays as an extra column
  (kept and reported).
* Two of your columns mapped to the same dictionary column is an error naming
  both; so is a key written twice, a dictionary column or table that does not
  exist, and a ``values``/``formats`` entry for a column the table does not have.
* Labels are matched exactly (after trimming spaces at both ends); answers
  without a label stay as they are, so a label you forgot is reported by the
  validation, never turned into a number silently. ``true``/``false`` are YAML
  booleans, but ``yes``/``no``/``on``/``off`` are plain text here (YAML 1.2).
* ``formats``: a value that does not fit the format stays as it is (and is
  reported if it is not a date either). For a ``date`` column a time of day in
  the format is read and dropped: the survey was answered on that day.

:func:`suggest_mapping` (``cxwb map init DIR``) writes a first mapping by
recognising columns: the dictionary's own names, their English and Chinese
meanings, and a small list of synonyms (推荐意愿/NPS/recommend, 满意度/CSAT,
入住日期, …); it proposes label codes for common answer scales
(非常满意…非常不满意, 是/否, "10（非常愿意）") and leaves the rest as TODO comments.
"""

from __future__ import annotations

import json
import re
import reprlib
from dataclasses import dataclass, field
from difflib import get_close_matches
from pathlib import Path

import pandas as pd

from . import strict_yaml
from .dictionary import WORLDS, dictionary, table_spec
from .errors import CXDataError

__all__ = ["MAPPING_FILE", "MappingError", "TableMapping", "Mapping", "find_mapping", "load_mapping",
           "parse_mapping", "apply_mapping", "suggest_mapping", "write_mapping", "SYNONYMS", "LABEL_SETS"]

MAPPING_FILE = "mapping.yml"
_TABLE_KEYS = ("file", "sheet", "sep", "encoding", "header_row", "errors", "columns", "values", "formats")
ERROR_POLICIES = ("raise", "exclude")


class MappingError(CXDataError):
    """The mapping file itself is wrong: bad YAML, unknown names, a column mapped twice."""


# --------------------------------------------------------------------------- YAML

MAX_MAPPING_BYTES = 1_000_000
MAX_HEADER_ROW = 1000  # title rows above a header are a few, not thousands


def _shown(value) -> str:
    """A value of the mapping file for a message: bounded, so a nested alias is never expanded in full."""
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} items"
    if isinstance(value, dict):
        return f"a mapping of {len(value)} keys"
    return reprlib.repr(value)


# --------------------------------------------------------------------------- model

@dataclass(frozen=True)
class TableMapping:
    """How one table is read: its file and how its columns and labels translate."""

    table: str
    file: str | None = None
    sheet: str | None = None
    sep: str | None = None
    encoding: str | None = None
    header_row: int = 1
    errors: str | None = None
    columns: dict[str, str] = field(default_factory=dict)  # your column → dictionary column
    values: dict[str, dict[str, str | None]] = field(default_factory=dict)  # dictionary column → label → code text
    formats: dict[str, str] = field(default_factory=dict)  # dictionary column → strptime format


@dataclass(frozen=True)
class Mapping:
    """A parsed, checked mapping file."""

    path: Path | None
    dataset: str | None
    tables: dict[str, TableMapping] = field(default_factory=dict)
    roles: dict | None = None  # the raw ``roles:`` section, read by :mod:`cxlib.roles`


def _code_text(code) -> str | None:
    """A label's code as the text the validator reads."""
    if code is None:
        return None
    if isinstance(code, bool):
        return "true" if code else "false"
    if isinstance(code, float) and code.is_integer():
        return str(int(code))
    return str(code)


def _label_text(label) -> str:
    if isinstance(label, bool):
        return "true" if label else "false"
    return str(label).strip()


def _parse_labels(labels: dict, here: str) -> dict[str, str | None]:
    """Label → code text, refusing labels that are not text and labels equal after trimming."""
    out: dict[str, str | None] = {}
    written: dict[str, object] = {}
    for label, code in labels.items():
        if label is None:
            raise MappingError(f"{here}: a label written null or ~ is no text in YAML; write the label in quotes "
                               "(\"null\") if the file holds that word")
        if isinstance(label, float | list | dict | tuple):
            hint = (f"; labels are matched as text: write \"{label}\" in quotes if the file holds {label}, or "
                    f"{int(label)} if it holds {int(label)}" if isinstance(label, float) and label.is_integer() else "")
            raise MappingError(f"{here}: the label {label!r} is a {type(label).__name__} in YAML, not text{hint}")
        if isinstance(code, list | dict | tuple):
            raise MappingError(f"{here}: the code of {label!r} must be one value (a number, text, true/false or null), "
                               f"got {_shown(code)}")
        text = _label_text(label)
        if text in written:
            raise MappingError(f"{here}: the labels {written[text]!r} and {label!r} are the same after trimming spaces "
                               f"({text!r}); give each label once")
        written[text] = label
        out[text] = _code_text(code)
    return out


_DATE_PARTS = {"year": ("%Y", "%y"), "month": ("%m", "%b", "%B"), "day": ("%d", "%j")}


def _check_format(fmt, here: str) -> str:
    """A strptime format that names year, month and day, with valid directives only."""
    if not isinstance(fmt, str) or not fmt.strip():
        raise MappingError(f"{here}: a format is text in quotes with strptime codes, e.g. \"%Y/%m/%d %H:%M\"; got {_shown(fmt)}")
    try:
        pd.to_datetime(pd.Series(["2000-01-01"]), format=fmt, errors="coerce")
    except (ValueError, TypeError) as err:
        raise MappingError(f"{here}: {fmt!r} is not a valid date format ({err}); use strptime codes such as "
                           "%Y %m %d %H %M %S") from None
    absent = [part for part, codes in _DATE_PARTS.items() if not any(c in fmt for c in codes)]
    if absent:
        raise MappingError(f"{here}: {fmt!r} does not say where the {' and '.join(absent)} are; a date needs a year "
                           "(%Y), a month (%m) and a day (%d): nothing is guessed")
    return fmt


def find_mapping(folder: str | Path) -> Path | None:
    """``folder/mapping.yml`` when it exists."""
    path = Path(folder) / MAPPING_FILE
    return path if path.is_file() else None


def load_mapping(path: str | Path, dataset: str | None = None) -> Mapping:
    """Read and check a mapping file (see the module docstring for the format).

    Parameters
    ----------
    path : str or Path
        The YAML file.
    dataset : {"hotel", "ecommerce"}, optional
        The dataset it is used with; must agree with the file's ``dataset:`` if it has one.

    Raises
    ------
    MappingError
        Naming the file and what is wrong in it.
    """
    from .readers import ReadError, decode, read_bytes, regular_file

    path = Path(path)
    try:
        if regular_file(path, "a mapping file").stat().st_size > MAX_MAPPING_BYTES:
            raise MappingError(f"{path}: {path.stat().st_size} bytes; a mapping file is a few kilobytes "
                               f"(at most {MAX_MAPPING_BYTES})")
        text, _ = decode(read_bytes(path, "a mapping file"), str(path))  # UTF-8, or GBK from a Chinese editor
    except ReadError as err:
        raise MappingError(str(err)) from None
    return parse_mapping(text, dataset=dataset, path=path)


def parse_mapping(text: str, dataset: str | None = None, path: Path | None = None) -> Mapping:
    """Parse and check mapping YAML text (what :func:`load_mapping` does after reading the file)."""
    where = str(path) if path else "mapping"
    raw = strict_yaml.load(text, where, error=MappingError, once="each column or label may be mapped only once") or {}
    if not isinstance(raw, dict):
        raise MappingError(f"{where}: expected keys 'dataset' and 'tables' at the top")
    unknown = set(raw) - {"dataset", "tables", "roles"}
    if unknown:
        raise MappingError(f"{where}: unknown top-level key(s) {', '.join(map(repr, sorted(map(str, unknown))))}; "
                           "expected 'dataset', 'tables' and 'roles'")
    roles = raw.get("roles")
    if roles is not None and not isinstance(roles, dict):
        raise MappingError(f"{where}: 'roles' must map role names to their columns (see cxlib.roles)")
    declared = raw.get("dataset")
    if declared is not None and declared not in WORLDS:
        raise MappingError(f"{where}: dataset must be one of {', '.join(WORLDS)}, got {_shown(declared)}")
    if dataset is not None and declared is not None and dataset != declared:
        raise MappingError(f"{where} is written for the {declared} dataset, but it is used with {dataset}")
    world = dataset or declared
    tables_raw = raw.get("tables") or {}
    if not isinstance(tables_raw, dict):
        raise MappingError(f"{where}: 'tables' must map table names to their settings")
    tables = {}
    for name, entry in tables_raw.items():
        tables[name] = _parse_table(name, entry or {}, world, where)
    return Mapping(path=path, dataset=declared, tables=tables, roles=roles)


def _parse_table(name: str, entry: dict, world: str | None, where: str) -> TableMapping:
    here = f"{where}, table {name!r}"
    spec = None
    if world is not None:
        known = list(dictionary(world)["tables"])
        if name not in known:
            hint = get_close_matches(str(name), known, n=1)
            raise MappingError(f"{where}: the {world} dataset has no table {name!r}"
                               + (f"; did you mean {hint[0]!r}?" if hint else f"; tables: {', '.join(known)}"))
        spec = table_spec(world, name)
    if not isinstance(entry, dict):
        raise MappingError(f"{here}: expected settings such as file:, columns:, values:")
    unknown = [k for k in entry if k not in _TABLE_KEYS]
    if unknown:
        raise MappingError(f"{here}: unknown setting(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(_TABLE_KEYS)}")
    errors = entry.get("errors")
    if errors is not None and errors not in ERROR_POLICIES:
        raise MappingError(f"{here}: errors must be 'raise' or 'exclude', got {_shown(errors)}")
    header_row = entry.get("header_row", 1)
    if not isinstance(header_row, int) or isinstance(header_row, bool) or not 1 <= header_row <= MAX_HEADER_ROW:
        raise MappingError(f"{here}: header_row must be a row number from 1 to {MAX_HEADER_ROW} (the row holding the "
                           f"column names), got {_shown(header_row)}")
    file, sheet, sep, encoding = (entry.get(k) for k in ("file", "sheet", "sep", "encoding"))
    if file is not None and (not isinstance(file, str) or not file.strip()):
        raise MappingError(f"{here}: file must be a file name in quotes, e.g. \"问卷导出.csv\", got {_shown(file)}")
    if sheet is not None and (isinstance(sheet, bool) or not isinstance(sheet, str | int)):
        raise MappingError(f"{here}: sheet must be a sheet's name, got {_shown(sheet)}")
    if sep is not None:
        sep = {"tab": "\t", "\\t": "\t"}.get(sep, sep) if isinstance(sep, str) else sep
        if not isinstance(sep, str) or len(sep) != 1 or sep in "\"\r\n":
            raise MappingError(f"{here}: sep must be one character in quotes, e.g. \";\" or \"\\t\" (tab), got {_shown(sep)}")
    if encoding is not None:
        import codecs

        try:
            if not isinstance(encoding, str):
                raise LookupError
            codecs.lookup(encoding)
        except LookupError:
            raise MappingError(f"{here}: encoding must be an encoding's name such as gbk, gb18030, big5 or utf-8 "
                               f"(a code page is written cp936), got {_shown(encoding)}") from None

    columns_raw = entry.get("columns") or {}
    if not isinstance(columns_raw, dict):
        raise MappingError(f"{here}: 'columns' must map your column names to the dictionary's")
    columns: dict[str, str] = {}
    by_target: dict[str, str] = {}
    for source, target in columns_raw.items():
        if not isinstance(target, str | None) or not isinstance(source, str | int) or isinstance(source, bool):
            raise MappingError(f"{here}: columns maps your column's name to a dictionary column's name, "
                               f"got {_shown(source)}: {_shown(target)}")
        source, target = str(source).strip(), target.strip() if target is not None else None
        if target is None:
            raise MappingError(f"{here}: column {source!r} is mapped to nothing; give a dictionary column or remove the line")
        if spec is not None and target not in spec.columns:
            hint = get_close_matches(target, list(spec.columns), n=1)
            raise MappingError(f"{here}: column {source!r} is mapped to {target!r}, which is not a column of table {name!r}"
                               + (f"; did you mean {hint[0]!r}?" if hint else ""))
        if target in by_target:
            raise MappingError(f"{here}: columns {by_target[target]!r} and {source!r} are both mapped to {target!r}; "
                               "map only one of them (the other stays as an extra column)")
        by_target[target] = source
        columns[source] = target

    def target_of(key, what: str) -> str:
        key = str(key).strip()
        col = columns.get(key, key)
        if spec is not None and col not in spec.columns:
            raise MappingError(f"{here}: {what} for {key!r}, which is neither a mapped column nor a column of table {name!r}")
        return col

    values: dict[str, dict[str, str | None]] = {}
    values_raw = entry.get("values") or {}
    if not isinstance(values_raw, dict):
        raise MappingError(f"{here}: 'values' must map columns to their labels, e.g. overall_sat: {{非常满意: 5}}")
    for key, labels in values_raw.items():
        col = target_of(key, "labels")
        if col in values:
            raise MappingError(f"{here}: labels for {col!r} are given twice (as {key!r} and under another name)")
        if not isinstance(labels, dict):
            raise MappingError(f"{here}: the labels of {key!r} must map each label to its code, e.g. {{非常满意: 5}}")
        values[col] = _parse_labels(labels, f"{here}, labels of {key!r}")
    formats: dict[str, str] = {}
    formats_raw = entry.get("formats") or {}
    if not isinstance(formats_raw, dict):
        raise MappingError(f"{here}: 'formats' must map date columns to formats, e.g. survey_date: \"%Y/%m/%d\"")
    for key, fmt in formats_raw.items():
        col = target_of(key, "a format")
        if spec is not None and spec.columns[col].type not in ("date", "datetime"):
            raise MappingError(f"{here}: a format is given for {col!r}, which is not a date column")
        formats[col] = _check_format(fmt, f"{here}, format of {key!r}")
    return TableMapping(
        table=name,
        file=file,
        sheet=None if sheet is None else str(sheet),
        sep=sep,
        encoding=encoding,
        header_row=header_row,
        errors=errors,
        columns=columns,
        values=values,
        formats=formats,
    )


# --------------------------------------------------------------------------- applying

def apply_mapping(raw: pd.DataFrame, entry: TableMapping | None, spec) -> tuple[pd.DataFrame, pd.DataFrame, list[dict]]:
    """Rename columns and translate labels of a text table read from a file.

    Returns
    -------
    mapped : DataFrame
        Dictionary column names, labels replaced by their codes (as text), dates in the
        given ``formats`` rewritten as ``YYYY-MM-DD``; everything else untouched.
    shown : DataFrame
        The same columns with the file's own values, for messages and the exclusion report.
    problems : list of dict
        Table-level validation problems: mapped columns that the file does not have.

    Raises
    ------
    MappingError
        When a mapped column and a column already named like its target are both in the file.
    """
    if entry is None:
        return raw, raw, []
    problems = []
    absent = [s for s in entry.columns if s not in raw.columns]
    if absent:
        problems.append({
            "table": spec.name,
            "column": ", ".join(f"{s} → {entry.columns[s]}" for s in absent),
            "message": "mapped column(s) not in the file",
            "rows": None, "values": None, "count": None,
            "expected": "one of the file's columns: " + ", ".join(map(str, raw.columns)),
        })
    rename = {s: t for s, t in entry.columns.items() if s in raw.columns and s != t}
    for source, target in rename.items():
        if target in raw.columns and target not in rename:
            raise MappingError(
                f"table {spec.name!r}: the file has a column {target!r} and the mapping also maps {source!r} to "
                f"{target!r}; map only one of them"
            )
    shown = raw.rename(columns=rename)
    mapped = shown.copy()
    for col, labels in entry.values.items():
        if col not in mapped.columns:
            continue
        text = mapped[col].astype(object)
        stripped = text.map(lambda v: v.strip() if isinstance(v, str) else v)
        hit = stripped.isin(list(labels)).to_numpy()
        if hit.any():
            text = text.copy()
            text[hit] = stripped[hit].map(labels)
            mapped[col] = text.astype(object).where(text.notna(), None)
    for col, fmt in entry.formats.items():
        if col not in mapped.columns:
            continue
        text = mapped[col]
        parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        ok = parsed.notna().to_numpy()
        if ok.any():
            out_fmt = "%Y-%m-%d" if spec.columns[col].type == "date" else "%Y-%m-%d %H:%M:%S"
            text = text.astype(object).copy()
            text[ok] = parsed[ok].dt.strftime(out_fmt)
            mapped[col] = text
    for key in ("source", "format", "first_row", "encoding", "sheet"):
        if key in raw.attrs:
            mapped.attrs[key] = raw.attrs[key]
    if "types" in raw.attrs:  # Parquet column types, under the dictionary's names
        mapped.attrs["types"] = {rename.get(c, c): t for c, t in raw.attrs["types"].items()}
    return mapped, shown, problems


# --------------------------------------------------------------------------- suggesting

SYNONYMS: dict[str, tuple[str, ...]] = {
    "response_id": ("答卷编号", "问卷编号", "答卷id", "答卷序号", "序号", "response id", "responseid", "survey id"),
    "respondent_id": ("受访者编号", "受访者id", "respondent"),
    "stay_id": ("入住编号", "入住单号", "入住id", "订单号", "预订号", "stay id", "booking id", "reservation id"),
    "guest_id": ("客人编号", "会员号", "会员编号", "会员id", "客户编号", "客户id", "用户id", "guest id", "member id"),
    "customer_id": ("客户编号", "客户id", "用户id", "用户编号", "会员号", "customer id", "user id"),
    "order_id": ("订单编号", "订单号", "订单id", "order id", "order no"),
    "property_id": ("门店", "酒店", "分店", "门店名称", "酒店名称", "hotel", "property"),
    "survey_date": ("调研日期", "问卷日期", "填写日期", "提交日期", "提交时间", "提交答卷时间", "答题时间", "survey date", "submitted"),
    "checkin_date": ("入住日期", "入住时间", "到店日期", "check-in date", "checkin", "arrival date", "arrival"),
    "booking_date": ("预订日期", "预订时间", "下单日期", "booking date", "booked"),
    "nights": ("间夜数", "入住晚数", "晚数", "间夜", "nights"),
    "spend": ("消费金额", "消费", "总消费", "房费", "金额", "spend", "revenue", "amount"),
    "checkin_wait_min": ("入住等待", "等待时间", "办理入住等待时间", "等待分钟", "check-in wait", "wait"),
    "channel": ("预订渠道", "渠道", "booking channel"),
    "room_type": ("房型", "房间类型", "room type"),
    "overall_sat": ("总体满意度", "整体满意度", "满意度", "总满意度", "csat", "satisfaction", "overall satisfaction"),
    "csat": ("满意度", "购物满意度", "总体满意度", "csat", "satisfaction"),
    "nps": ("推荐意愿", "推荐度", "推荐可能性", "推荐指数", "净推荐值", "nps", "nps得分", "recommend", "likelihood to recommend"),
    "ces": ("费力度", "客户费力度", "省力度", "ces", "effort", "customer effort"),
    "intent_return": ("再次入住意愿", "回头意愿", "复购意愿", "再次入住", "intent to return", "return intent"),
    "segment": ("出行类型", "客群", "细分", "segment"),
    "loyalty_member": ("是否会员", "会员", "loyalty", "member"),
    "review_date": ("点评日期", "点评时间", "评价日期", "review date"),
    "rating": ("星级", "评分", "星级评分", "stars", "rating"),
    "text": ("点评内容", "评价内容", "内容", "评论", "review", "comment text"),
    "lang": ("语言", "language"),
    "order_time": ("下单时间", "order time"),
    "platform": ("端", "平台", "下单端", "platform"),
}

TABLE_HINTS: dict[str, tuple[str, ...]] = {
    "survey": ("问卷", "调研", "调查", "满意度", "survey", "nps"),
    "stays": ("入住", "stays", "stay", "bookings"),
    "guests": ("客人", "会员", "guests"),
    "reviews": ("点评", "评价", "reviews"),
    "orders": ("订单", "orders"),
    "customers": ("客户", "用户", "customers"),
    "kano": ("kano",),
    "servqual": ("servqual",),
    "outcomes": ("outcomes", "复购"),
    "events": ("日志", "events", "埋点"),
    "support": ("客服", "support"),
}

#: Answer scales recognised by ``cxwb map init``: (lowest, highest code) → scales, each label → code.
#: When any label of a scale is found, the whole scale is proposed (an export shows only the answers given).
LABEL_SETS: dict[tuple[int, int], tuple[dict[str, int], ...]] = {
    (1, 5): (
        {"非常满意": 5, "满意": 4, "一般": 3, "不满意": 2, "非常不满意": 1},
        {"very satisfied": 5, "satisfied": 4, "neutral": 3, "dissatisfied": 2, "very dissatisfied": 1},
        {"一定会": 5, "可能会": 4, "不确定": 3, "可能不会": 2, "一定不会": 1},
        {"definitely": 5, "probably": 4, "not sure": 3, "probably not": 2, "definitely not": 1},
        {"非常同意": 5, "同意": 4, "中立": 3, "不同意": 2, "非常不同意": 1},
        {"非常好": 5, "好": 4, "一般": 3, "差": 2, "非常差": 1},
    ),
}
_LABEL_VARIANTS = {"比较满意": 4, "不太满意": 2, "比较不满意": 2, "较好": 4, "较差": 2, "说不准": 3, "neither": 3}
BOOL_LABELS = {"是": True, "否": False, "是的": True, "不是": False, "有": True, "无": False,
               "y": True, "n": False, "√": True, "×": False}
_LEADING_NUMBER = re.compile(r"^\s*(-?\d+)\s*(?:分)?(?:\s*[-–—:：(（、.．]\s*\S.*|\s+\S.*)?$")
_DATE_FORMATS = ("%Y/%m/%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y年%m月%d日", "%Y.%m.%d",
                 "%Y-%m-%d %H:%M", "%d/%m/%Y", "%m/%d/%Y")


def _norm(name: str) -> str:
    """Lower case without spaces, punctuation or unit brackets: 消费金额（元） → 消费金额."""
    text = str(name).strip().lower()
    text = re.sub(r"[（(][^）)]*[)）]", "", text)
    return re.sub(r"[\s_\-:：·.,，、/\\?？!！\"'“”‘’]+", "", text)


def _lookup(world: str, table: str) -> dict[str, str]:
    """Normalised name → dictionary column, for one table."""
    spec = table_spec(world, table)
    tps = {tp.get("column"): tp for tp in dictionary(world)["touchpoints"] if tp.get("column")}
    found: dict[str, str] = {}

    def add(key: str, col: str) -> None:
        key = _norm(key)
        if key:
            found.setdefault(key, col)

    for col in spec.columns.values():  # exact names and meanings first: they win over synonyms
        add(col.name, col.name)
        add(col.en, col.name)
        add(col.zh, col.name)
    for col in spec.columns.values():
        for syn in SYNONYMS.get(col.name, ()):
            add(syn, col.name)
        if col.name in tps:
            tp = tps[col.name]
            for base in (tp["zh"], tp["en"]):
                for suffix in ("", "评分", "满意度", "体验", "rating", "score"):
                    add(base + suffix, col.name)
    return found


def _match_columns(columns: list[str], lookup: dict[str, str]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Source → target for recognised columns (first wins), and (source, target) pairs left out as repeats."""
    matched: dict[str, str] = {}
    repeats = []
    taken: set[str] = set()
    for source in columns:
        target = lookup.get(_norm(source))
        if target is None:
            continue
        if target in taken:
            repeats.append((source, target))
            continue
        matched[source] = target
        taken.add(target)
    return matched, repeats


def _sources(folder: Path) -> list[tuple[Path, str | None, int, pd.DataFrame | str]]:
    """Every table in the folder: (file, sheet, header row, text frame or the read error)."""
    import openpyxl

    from .readers import ReadError, guess_header_row, read_table

    found = []
    for path in sorted(folder.iterdir()):
        suffix = path.suffix.lower()
        if not path.is_file() or suffix not in (".csv", ".tsv", ".xlsx", ".xlsm", ".parquet", ".xls"):
            continue
        sheets: list[str | None] = [None]
        if suffix in (".xlsx", ".xlsm"):
            try:
                book = openpyxl.load_workbook(path, read_only=True)
                sheets = [ws.title for ws in book.worksheets if ws.sheet_state == "visible"]  # hidden: never proposed
                book.close()
            except Exception:  # noqa: BLE001 - reported by read_table below
                sheets = [None]
        for sheet in sheets:
            header_row = 1
            try:
                header_row = guess_header_row(path, sheet)
                frame = read_table(path, sheet=sheet, header_row=header_row)
            except (ReadError, ValueError, KeyError, OSError) as err:
                found.append((path, sheet, header_row, str(err)))
                continue
            found.append((path, sheet, header_row, frame))
    return found


def _q(text) -> str:
    """A YAML scalar in double quotes (JSON strings are valid YAML)."""
    return json.dumps(str(text), ensure_ascii=False)


def _suggest_values(col, series: pd.Series) -> tuple[dict[str, object], list[str]]:
    """Proposed label → code for a column's non-code answers, and the labels left to the analyst."""
    labels = sorted({v.strip() for v in series.dropna().astype(str) if v.strip()})
    proposed: dict[str, object] = {}
    todo: list[str] = []
    scale: dict[str, int] = {}
    if col.type in ("int", "float") and col.min is not None and col.max is not None:
        scales = LABEL_SETS.get((int(col.min), int(col.max)), ())
        hits = [sum(label.lower() in sc for label in labels) for sc in scales]
        if hits and max(hits):
            scale = scales[hits.index(max(hits))]  # the scale that explains most labels
    for label in labels:
        if col.type in ("int", "float"):
            try:
                float(label)
                continue  # already a number
            except ValueError:
                pass
            lo, hi = col.min, col.max
            m = _LEADING_NUMBER.match(label)
            if m and (lo is None or int(m.group(1)) >= lo) and (hi is None or int(m.group(1)) <= hi):
                proposed[label] = int(m.group(1))
                continue
            key = label.lower()
            if key in scale:  # the whole scale, as the file writes the labels it has
                present = {lab.lower(): lab for lab in labels}
                proposed.update({present.get(k, k): v for k, v in scale.items()})
            elif key in _LABEL_VARIANTS and scale:
                proposed[label] = _LABEL_VARIANTS[key]
            else:
                todo.append(label)
        elif col.type == "bool":
            if label.lower() in ("true", "false", "1", "0", "yes", "no"):
                continue
            if label.lower() in BOOL_LABELS:
                proposed[label] = BOOL_LABELS[label.lower()]
            else:
                todo.append(label)
        elif col.type == "category":
            allowed = [str(a) for a in col.allowed]
            if label in allowed:
                continue
            same = [a for a in allowed if a.lower() == label.lower()]
            if same:
                proposed[label] = same[0]
            else:
                todo.append(label)
    proposed = dict(sorted(proposed.items(), key=lambda kv: -kv[1] if isinstance(kv[1], int | float) else 0))
    return proposed, todo


def _suggest_format(col, series: pd.Series) -> str | None:
    values = series.dropna().astype(str).str.strip()
    if values.empty or pd.to_datetime(values, format="ISO8601", errors="coerce").notna().all():
        return None
    best, hits = None, 0
    for fmt in _DATE_FORMATS:
        n = int(pd.to_datetime(values, format=fmt, errors="coerce").notna().sum())
        if n > hits:
            best, hits = fmt, n
    return best if hits >= 0.5 * len(values) else None


def _yaml_code(code) -> str:
    if code is None:
        return "null"
    if isinstance(code, bool):
        return "true" if code else "false"
    if isinstance(code, int):
        return str(code)
    return _q(code)


def suggest_mapping(folder: str | Path, dataset: str | None = None) -> tuple[str, dict]:
    """A first ``mapping.yml`` for the files in ``folder``, with TODO comments for the rest.

    Each file (each sheet of a workbook) is matched to the table whose columns it
    recognises most (the file name breaks ties); its columns are matched by the
    dictionary's names, their en/zh meanings and :data:`SYNONYMS`. Answer labels of
    common scales get codes (:data:`LABEL_SETS`, 是/否, "10（非常愿意）"), dates not
    written YYYY-MM-DD get a ``formats`` line.

    Parameters
    ----------
    folder : str or Path
        The data folder.
    dataset : {"hotel", "ecommerce"}, optional
        Default: the world whose tables the files match best.

    Returns
    -------
    (str, dict)
        The YAML text, and a summary: ``dataset``, ``tables`` (table → file, sheet,
        recognised, todo counts), ``unassigned`` (files not matched to a table).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder")
    sources = _sources(folder)
    readable = [(p, s, h, f) for p, s, h, f in sources if isinstance(f, pd.DataFrame)]
    worlds = [dataset] if dataset else list(WORLDS)

    def score(world: str, table: str, path: Path, frame: pd.DataFrame) -> tuple[int, int]:
        matched, _ = _match_columns(list(frame.columns), _lookup(world, table))
        spec = table_spec(world, table)
        stem = _norm(path.stem)
        hint = int(stem == table or any(_norm(h) in stem for h in
                                        (*TABLE_HINTS.get(table, ()), spec.title_zh, spec.title_en)))
        return len(matched), hint

    best_world, best_total, plans = None, -1, {}
    for world in worlds:
        candidates = []
        for i, (path, _sheet, _header, frame) in enumerate(readable):
            for table in dictionary(world)["tables"]:
                n, hint = score(world, table, path, frame)
                if n or hint:
                    candidates.append((n, hint, i, table))
        candidates.sort(key=lambda c: (-c[0], -c[1], c[2]))
        used_sources, plan = set(), {}
        for n, hint, i, table in candidates:
            if table in plan or i in used_sources or n < 2 and not (hint and n >= 1):
                continue
            plan[table] = i
            used_sources.add(i)
        total = sum(score(world, t, readable[i][0], readable[i][3])[0] for t, i in plan.items())
        if total > best_total:
            best_world, best_total, plans = world, total, plan
    world = best_world or "hotel"

    lines = [
        "# Column mapping for CX Workbook, written by `cxwb map init`.",
        "# Each table: the file that holds it, your column → the dictionary's column, your answer",
        "# labels → codes. Check every line, do the TODOs, then run:",
        f"#   cxwb check {folder} --dataset {world}",
        f"# The dictionary: datasets/{world}/DICTIONARY.md (or cxlib.datasets.dictionary_frame('{world}')).",
        f"dataset: {world}",
        "tables:",
    ]
    summary: dict = {"dataset": world, "tables": {}, "unassigned": []}
    for table in dictionary(world)["tables"]:
        if table not in plans:
            continue
        path, sheet, header_row, frame = readable[plans[table]]
        spec = table_spec(world, table)
        matched, repeats = _match_columns(list(frame.columns), _lookup(world, table))
        rel = path.name
        encoding = {"gb18030": "GBK/GB18030", "utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM"}.get(
            frame.attrs.get("encoding"), frame.attrs.get("encoding"))
        info = f"{len(frame)} data rows" + (f", {encoding}" if encoding else "")
        lines += [f"  {table}:  # {spec.title_en} / {spec.title_zh}", f"    file: {_q(rel)}  # {info}"]
        if sheet is not None:
            lines.append(f"    sheet: {_q(sheet)}")
        if header_row != 1:
            lines.append(f"    header_row: {header_row}  # the rows above it look like a title")
        lines.append("    errors: raise  # or exclude: leave invalid rows out and list them in frame.attrs['excluded']")
        lines.append("    columns:")
        todo = 0
        for source in frame.columns:
            if source in matched:
                col = spec.columns[matched[source]]
                lines.append(f"      {_q(source)}: {col.name}  # {col.en} / {col.zh}")
        for source, target in repeats:
            todo += 1
            lines.append(f"      # TODO {_q(source)} also looks like {target}; the first such column was used")
        for source in frame.columns:
            if source not in matched and not any(source == s for s, _ in repeats):
                todo += 1
                lines.append(f"      # TODO {_q(source)}: not recognised; map it to a dictionary column, "
                             "or leave it out (it stays as an extra column)")
        for col in spec.columns.values():
            if col.name not in matched.values():
                todo += 1
                lines.append(f"      # TODO no column found for {col.name} ({col.en} / {col.zh}): "
                             f"add  \"<your column>\": {col.name}")
        value_lines, format_lines = [], []
        for source, target in matched.items():
            col = spec.columns[target]
            if col.type in ("date", "datetime"):
                fmt = _suggest_format(col, frame[source])
                if fmt:
                    format_lines.append(f"      {target}: {_q(fmt)}")
                continue
            proposed, left = _suggest_values(col, frame[source])
            if proposed:
                pairs = ", ".join(f"{_q(k)}: {_yaml_code(v)}" for k, v in proposed.items())
                value_lines.append(f"      {target}: {{{pairs}}}")
            if left:
                todo += 1
                shown = ", ".join(left[:10]) + (f", … ({len(left)} labels)" if len(left) > 10 else "")
                also = ", or to null (a missing answer)" if col.nullable else ""
                value_lines.append(f"      # TODO {target}: labels {shown}: map each to {col.expected()}{also}")
        if value_lines:
            lines += ["    values:", *value_lines]
        if format_lines:
            lines += ["    formats:", *format_lines]
        summary["tables"][table] = {"file": rel, "sheet": sheet, "recognised": len(matched), "todo": todo}
    used = set(plans.values())
    for i, (path, sheet, _header, _frame) in enumerate(readable):
        if i not in used:
            where = path.name + (f", sheet {sheet}" if sheet else "")
            summary["unassigned"].append(where)
            lines.append(f"# TODO {where}: not matched to a table of the {world} dataset")
    for path, sheet, _header, err in sources:
        if isinstance(err, str):
            where = path.name + (f", sheet {sheet}" if sheet else "")
            summary["unassigned"].append(where)
            lines.append(f"# TODO {where} could not be read: {err}")
    return "\n".join(lines) + "\n", summary


def write_mapping(folder: str | Path, dataset: str | None = None, out: str | Path | None = None,
                  force: bool = False) -> tuple[Path, dict]:
    """Write :func:`suggest_mapping`'s text to ``folder/mapping.yml`` (or ``out``); never overwrites unless ``force``."""
    target = Path(out) if out else Path(folder) / MAPPING_FILE
    if target.exists() and not force:
        raise FileExistsError(f"{target} already exists; pass --force to overwrite it, or --out to write elsewhere")
    text, summary = suggest_mapping(folder, dataset)
    from .atomic import write_text

    write_text(target, text)
    return target, summary
