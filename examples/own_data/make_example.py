"""Write the example export of examples/own_data/ (run once; the outputs are committed).

    .venv/bin/python examples/own_data/make_example.py

A small hotel group's Q4 2025 data as its systems export it: the post-stay survey
as a GBK-encoded CSV with Chinese column names and labelled answers (问卷导出_2025Q4.csv),
and the stays as an Excel workbook whose data sheet has a merged title row above
the header (入住记录_2025Q4.xlsx, sheet 入住明细), and the online reviews as a UTF-8 CSV
with a byte-order mark (点评导出_2025Q4.csv), written by the guests of these stays in line with
their survey answers; one review holds an HTML script tag, which the report must show as text.
Five rows are bad on purpose: an NPS of 11, a response exported twice, a survey date that does
not exist (2025/11/31), a stay whose check-in date is 待定 ("to be decided"), and a 6-star review.
Deterministic: the same bytes on every run (fixed seed, fixed workbook timestamps).
"""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from datetime import date, timedelta
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
SURVEY = HERE / "问卷导出_2025Q4.csv"
STAYS = HERE / "入住记录_2025Q4.xlsx"
REVIEWS = HERE / "点评导出_2025Q4.csv"
STORES = {"city": "城市店", "resort": "度假村", "airport": "机场店"}
CHANNELS = {"direct_web": "官网", "app": "App", "ota": "OTA", "phone": "电话"}
ROOMS = {"standard": "标准间", "deluxe": "豪华间", "suite": "套房"}
SAT = {5: "非常满意", 4: "满意", 3: "一般", 2: "不满意", 1: "非常不满意"}
INTENT = {5: "一定会", 4: "可能会", 3: "不确定", 2: "可能不会", 1: "一定不会"}
OPENING = {5: ("整体体验非常好！", "A great experience overall!"), 4: ("很满意的一次住宿。", "Lovely stay."),
           3: ("总体一般。", "An average stay overall."), 2: ("这次入住很失望。", "Very disappointing stay."),
           1: ("体验很差。", "Bad experience.")}
NOTES = ["", "", "", "前台排队太久", "房间很干净", "早餐种类少", "员工很热情", "Wi-Fi 信号差", "下次还来"]


def clip(x: float, lo: int, hi: int) -> int:
    return max(lo, min(hi, round(x)))


def make(rng: random.Random) -> tuple[list[dict], list[dict]]:
    stays, survey = [], []
    for i in range(1, 61):
        prop = rng.choice(list(STORES))
        checkin = date(2025, 10, 1) + timedelta(days=rng.randrange(80))
        wait = round(rng.choice([rng.uniform(1, 8), rng.uniform(1, 8), rng.uniform(10, 45)]), 1)
        nights = rng.choice([1, 1, 2, 2, 3, 4])
        room = rng.choice(["standard", "standard", "deluxe", "suite"])
        rate = {"standard": 520, "deluxe": 780, "suite": 1380}[room]
        stays.append({
            "入住单号": f"S25Q4{i:04d}", "会员号": f"M{30000 + i * 7}", "门店": STORES[prop],
            "预订渠道": CHANNELS[rng.choice(list(CHANNELS))], "预订日期": checkin - timedelta(days=rng.randrange(0, 30)),
            "入住日期": checkin, "间夜数": nights, "房型": ROOMS[room],
            "消费金额（元）": round(nights * rate * rng.uniform(0.9, 1.3), 2), "入住等待（分钟）": wait,
        })
    stays[51]["入住日期"] = "待定"  # bad: a check-in date that is not a date (this stay has no survey)
    answered = [s for k, s in enumerate(stays) if k % 4 != 3][:44]
    for n, stay in enumerate(answered, 1):
        checkin_rating = clip(5.2 - stay["入住等待（分钟）"] / 10 + rng.gauss(0, 0.6), 1, 5)
        room = clip(rng.gauss(4.1, 0.8), 1, 5)
        overall = clip((checkin_rating + room) / 2 + rng.gauss(0.2, 0.5), 1, 5)
        nps = clip(overall * 2 + rng.gauss(0, 1.2), 0, 10)
        submitted = stay["入住日期"] + timedelta(days=stay["间夜数"] + rng.randrange(0, 4))
        survey.append({
            "答卷编号": f"Q{n:04d}", "入住单号": stay["入住单号"], "会员号": stay["会员号"], "门店": stay["门店"],
            "提交时间": f"{submitted:%Y/%m/%d} {rng.randrange(8, 23):02d}:{rng.randrange(60):02d}",
            "预订体验": clip(rng.gauss(4.2, 0.7), 1, 5), "办理入住": checkin_rating, "客房清洁": room,
            "早餐": rng.choice([clip(rng.gauss(3.8, 0.8), 1, 5)] * 3 + ["未用早餐"]),
            "员工服务": clip(rng.gauss(4.3, 0.7), 1, 5), "退房": clip(rng.gauss(4.4, 0.6), 1, 5),
            "无线网络": rng.choice([clip(rng.gauss(3.6, 0.9), 1, 5)] * 5 + [""]),
            "总体满意度": SAT[overall],
            "推荐意愿": {10: "10（非常愿意）", 0: "0（完全不愿意）"}.get(nps, str(nps)),
            "费力度": clip(rng.gauss(5.5, 1.0), 1, 7), "再次入住意愿": INTENT[clip(overall + rng.gauss(0, 0.7), 1, 5)],
            "备注": rng.choice(NOTES),
        })
    survey[12]["推荐意愿"] = "11"  # bad: outside the 0-10 scale
    survey[30]["提交时间"] = "2025/11/31 21:04"  # bad: there is no 31 November
    survey.append(dict(survey[16]))  # bad: the same response exported twice
    return stays, survey


def make_reviews(stays: list[dict], survey: list[dict], rng: random.Random) -> list[dict]:
    """Reviews by about half the guests, their stars and words following their survey answers."""
    answers = {r["入住单号"]: r for r in survey}
    reviews = []
    for k, stay in enumerate(stays):
        if k == 51 or rng.random() > 0.55:
            continue
        wait = stay["入住等待（分钟）"]
        answer = answers.get(stay["入住单号"]) or {"总体满意度": SAT[clip(4.6 - wait / 12 + rng.gauss(0, 0.6), 1, 5)],
                                                   "客房清洁": clip(rng.gauss(4.1, 0.8), 1, 5)}
        stars = clip({v: c for c, v in SAT.items()}[answer["总体满意度"]] + rng.gauss(0, 0.4), 1, 5)
        en = rng.random() < 0.2
        words = [OPENING[stars][en]]
        if wait > 10 and stars <= 4:
            words.append(f"Check-in took forever, a {wait:.0f} minute queue at the front desk." if en
                         else f"前台排队太久了，等了{wait:.0f}分钟才办好入住。")
        if answer["客房清洁"] <= 2 or (answer["客房清洁"] == 3 and stars <= 3):
            words.append("The room was not clean, hair in the bathroom." if en else "房间打扫得不干净，浴室里有头发。")
        elif answer["客房清洁"] == 5:
            words.append("The room was spotless." if en else "房间干净整洁。")
        date = stay["入住日期"] + timedelta(days=stay["间夜数"] + rng.randrange(0, 6))
        reviews.append({
            "点评编号": f"R{len(reviews) + 1:04d}", "入住单号": stay["入住单号"], "会员号": stay["会员号"],
            "门店": stay["门店"], "点评日期": f"{date.year}年{date.month}月{date.day}日", "语言": "英文" if en else "中文",
            "星级": stars, "点评内容": " ".join(words) if en else "".join(words),
        })
    unhappy = next(r for r in reviews if r["星级"] <= 2 and r["语言"] == "中文" and "不干净" in r["点评内容"])
    cut = unhappy["点评内容"].index("。") + 1  # pasted into the review form: the report must show it as text
    unhappy["点评内容"] = unhappy["点评内容"][:cut] + "<script>alert(1)</script>" + unhappy["点评内容"][cut:]
    reviews[7]["星级"] = 6  # bad: the review site's scale is 1-5 stars
    return reviews


def write_reviews(rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    REVIEWS.write_bytes(buffer.getvalue().encode("utf-8-sig"))  # the review platform's export: UTF-8 with BOM


def write_survey(rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    SURVEY.write_bytes(buffer.getvalue().encode("gbk"))  # what Excel/WPS on Chinese Windows saves as "CSV"


def write_stays(rows: list[dict]) -> None:
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "说明"
    notes.append(["本工作簿由前台系统（PMS）导出：2025 年第四季度全部入住记录。"])
    notes.append(["数据在「入住明细」表；金额单位为元，等待时间单位为分钟。"])
    sheet = book.create_sheet("入住明细")
    columns = list(rows[0])
    sheet.append(["2025 年第四季度入住明细（PMS 导出）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet.append(columns)
    for row in rows:
        sheet.append([row[c] for c in columns])
    for cells in sheet.iter_rows(min_row=3):
        for cell in cells:
            if isinstance(cell.value, date):
                cell.number_format = "yyyy-mm-dd"
    buffer = io.BytesIO()
    book.save(buffer)
    # Fixed timestamps (the workbook's own and the zip entries') so that every run writes the same bytes.
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(STAYS, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2026-01-05T09:00:00Z", data)
            out.writestr(zipfile.ZipInfo(info.filename, date_time=(2026, 1, 5, 9, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)


def main() -> None:
    rng = random.Random(20251231)
    stays, survey = make(rng)
    reviews = make_reviews(stays, survey, rng)
    write_survey(survey)
    write_stays(stays)
    write_reviews(reviews)
    print(f"wrote {SURVEY.name} ({len(survey)} responses), {STAYS.name} ({len(stays)} stays) "
          f"and {REVIEWS.name} ({len(reviews)} reviews)")


if __name__ == "__main__":
    main()
