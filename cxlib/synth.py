"""Seeded generator of the two sample worlds (hotel and e-commerce).

The sample data are synthetic, made here from a fixed seed, so that every
lesson finds something real and every number in a lesson can be regenerated
byte for byte. Each world is a dict of tidy tables that match the data
dictionary in ``cxlib/dictionaries/<world>.yml``.

Planted effects (their sizes are in ``datasets/<world>/EFFECTS.md``, written
from :data:`EFFECTS`, and tested in ``tests/test_synth.py``):

Hotel
    * long check-in waits and room cleanliness drive detractors;
    * the city hotel's NPS dips for three months after a staffing change
      (longer waits, more housekeeping lapses, less attentive staff);
    * Responsiveness has the largest SERVQUAL gap at the airport hotel;
    * promoters return and spend more than detractors;
    * KANO: Wi-Fi must-be, fast check-in one-dimensional, personalised
      welcome attractive, smart room controls mixed (A/I), pillow menu and
      robot delivery indifferent.

E-commerce
    * the web payment step leaks carts until the one-click-pay release;
    * delivery time and product quality drive satisfaction;
    * happier customers order more often and refer more friends;
    * KANO: order tracking must-be, one-click pay one-dimensional, AR try-on
      attractive, personalised recommendations mixed (A/I), dark mode
      indifferent.

``size`` scales the number of customers (and so every table); ``size=1`` is
the committed sample, small enough for every notebook to run in seconds.
Generation is vectorised with NumPy so that benchmarks can ask for 10⁶+ rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["DEFAULT_SEED", "WORLDS", "EFFECTS", "generate", "write", "write_docs", "regenerate", "kano_pairs"]

DEFAULT_SEED = 20251123
WORLDS = ("hotel", "ecommerce")

HOTEL_START = pd.Timestamp("2025-01-01")
HOTEL_END = pd.Timestamp("2026-06-30")
STAFFING_CHANGE = pd.Timestamp("2025-11-01")  # city hotel: new front-office rota
STAFFING_RECOVERY = pd.Timestamp("2026-02-01")

SHOP_START = pd.Timestamp("2025-10-01")
SHOP_END = pd.Timestamp("2026-09-30")
ONE_CLICK_RELEASE = pd.Timestamp("2026-04-01")

PROPERTIES = ("city", "resort", "airport")
SERVQUAL_DIMENSIONS = {
    "tangibles": range(1, 5),
    "reliability": range(5, 10),
    "responsiveness": range(10, 14),
    "assurance": range(14, 18),
    "empathy": range(18, 23),
}

# Berger et al. (1993) evaluation table: rows functional answer 1..5, columns dysfunctional 1..5.
_KANO_TABLE = np.array(
    [
        list("QAAAO"),
        list("RIIIM"),
        list("RIIIM"),
        list("RIIIM"),
        list("RRRRQ"),
    ]
)

# Category shares per KANO feature (A, O, M, I, R, Q); each row sums to 1.
KANO_SHARES = {
    "hotel": {
        "wifi": (0.06, 0.20, 0.54, 0.13, 0.03, 0.04),
        "fast_checkin": (0.15, 0.50, 0.20, 0.10, 0.02, 0.03),
        "personalised_welcome": (0.50, 0.12, 0.05, 0.25, 0.05, 0.03),
        "smart_room_controls": (0.34, 0.12, 0.05, 0.33, 0.11, 0.05),
        "pillow_menu": (0.20, 0.05, 0.05, 0.60, 0.05, 0.05),
        "robot_delivery": (0.18, 0.04, 0.02, 0.48, 0.24, 0.04),
    },
    "ecommerce": {
        "order_tracking": (0.05, 0.22, 0.55, 0.12, 0.02, 0.04),
        "one_click_pay": (0.18, 0.48, 0.18, 0.11, 0.02, 0.03),
        "live_chat": (0.20, 0.40, 0.15, 0.19, 0.03, 0.03),
        "ar_try_on": (0.52, 0.10, 0.03, 0.27, 0.05, 0.03),
        "personalised_recommendations": (0.32, 0.13, 0.04, 0.34, 0.13, 0.04),
        "dark_mode": (0.15, 0.05, 0.03, 0.68, 0.05, 0.04),
    },
}
_KANO_IMPORTANCE = {"A": 6.0, "O": 7.6, "M": 8.0, "I": 3.6, "R": 2.5, "Q": 5.0}

EFFECTS = {
    "hotel": [
        {
            "id": "checkin_wait",
            "en": "Long check-in waits drive detractors: guests who waited more than 15 minutes are far more often detractors.",
            "zh": "办理入住等待过长导致贬损者增多：等待超过 15 分钟的客人成为贬损者的比例高得多。",
            "size": "detractor share ≈ 45% when the wait is over 15 min vs ≈ 25% otherwise (about 15% of stays wait over 15 min)",
            "lessons": "01, 05, 08, 09",
        },
        {
            "id": "room_cleanliness",
            "en": "Room cleanliness is the strongest driver of overall satisfaction; about one stay in eight has a housekeeping lapse.",
            "zh": "客房清洁是总体满意度最强的驱动因素；约八分之一的入住出现清洁问题。",
            "size": "largest LMG share of overall satisfaction among the touchpoints (≈ 30–40% of R²)",
            "lessons": "01, 05, 08",
        },
        {
            "id": "city_nps_dip",
            "en": "The city hotel's NPS dips for three months (Nov 2025 – Jan 2026) after a staffing change.",
            "zh": "城市店在人员调整后（2025 年 11 月至 2026 年 1 月）NPS 连续三个月下滑。",
            "size": "≈ −25 NPS points against the city hotel's other months",
            "lessons": "02",
        },
        {
            "id": "airport_responsiveness",
            "en": "Responsiveness has the largest SERVQUAL gap (P − E) at the airport hotel.",
            "zh": "机场店 SERVQUAL 差距（P − E）最大的维度是响应性。",
            "size": "airport Responsiveness gap ≈ −1.8 vs ≈ −0.9 for Reliability (the largest gap elsewhere)",
            "lessons": "04",
        },
        {
            "id": "promoters_return",
            "en": "Promoters return and spend more in the following 12 months than detractors.",
            "zh": "推荐者在随后 12 个月内回头率和消费都高于贬损者。",
            "size": "return rate ≈ 55% for promoters vs ≈ 20% for detractors; next-12-month revenue per guest ≈ 4–5×",
            "lessons": "06, 09",
        },
        {
            "id": "kano_categories",
            "en": "KANO categories: Wi-Fi must-be, fast check-in one-dimensional, personalised welcome attractive, smart room controls mixed A/I, pillow menu and robot delivery indifferent.",
            "zh": "KANO 分类：无线网络为必备型，快速入住为期望型，个性化欢迎为魅力型，智能客控为魅力/无差异混合，枕头菜单与机器人送物为无差异型。",
            "size": "modal category share ≈ 50–60% (mixed feature: top two within 1 percentage point)",
            "lessons": "03",
        },
    ],
    "ecommerce": [
        {
            "id": "web_payment_leak",
            "en": "The web payment step leaks carts until the one-click-pay release on 2026-04-01.",
            "zh": "网页端支付环节流失严重，直到 2026-04-01 上线一键支付。",
            "size": "payment → order conversion on web ≈ 50% before vs ≈ 82% after (the biggest leak of the web funnel before the release); app ≈ 80% → 86%",
            "lessons": "01, 07",
        },
        {
            "id": "delivery_quality_drivers",
            "en": "Delivery time and product quality drive satisfaction and NPS.",
            "zh": "配送时效与商品质量是满意度和 NPS 的主要驱动因素。",
            "size": "the two largest LMG shares of CSAT among the touchpoint ratings",
            "lessons": "05, 08",
        },
        {
            "id": "happy_customers_buy_more",
            "en": "Happier customers order more often, spend more and refer more friends; promoters repurchase more.",
            "zh": "更满意的客户下单更频繁、消费更多、推荐更多好友；推荐者复购更多。",
            "size": "promoters place ≈ 1.5× the orders of detractors after their survey",
            "lessons": "06, 09",
        },
        {
            "id": "one_click_adoption",
            "en": "One-click pay is used in about half of the payment sessions after its release.",
            "zh": "一键支付上线后，约一半的支付会话使用了它。",
            "size": "≈ 50–60% of payment sessions use it after release; ≈ 20% of all active users use it within 30 days (most sessions never reach payment)",
            "lessons": "07",
        },
        {
            "id": "kano_categories",
            "en": "KANO categories: order tracking must-be, one-click pay one-dimensional, AR try-on attractive, personalised recommendations mixed A/I, dark mode indifferent.",
            "zh": "KANO 分类：订单跟踪为必备型，一键支付为期望型，AR 试穿为魅力型，个性化推荐为魅力/无差异混合，深色模式为无差异型。",
            "size": "modal category share ≈ 50–68%",
            "lessons": "03",
        },
    ],
}


# --------------------------------------------------------------------------- helpers
def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    """Zero-padded identifiers like G000001 (1-based), vectorised."""
    numbers = np.char.zfill(np.arange(1, n + 1).astype(str), width)
    return np.char.add(prefix, numbers).astype(object)


def _likert(latent: np.ndarray, low: int, high: int) -> np.ndarray:
    """Round a latent score to the nearest scale point (the generator's own scale, not user data)."""
    return np.clip(np.rint(latent), low, high).astype("int64")


def _with_missing(rng: np.random.Generator, values: np.ndarray, share: float) -> np.ndarray:
    out = values.astype("float64")
    out[rng.random(len(out)) < share] = np.nan
    return out


def _choice(rng: np.random.Generator, options, p, size) -> np.ndarray:
    return np.asarray(options, dtype=object)[rng.choice(len(options), size=size, p=p)]


def _dates(start: pd.Timestamp, days: np.ndarray) -> pd.Series:
    return pd.Series(start + pd.to_timedelta(np.asarray(days, dtype="int64"), unit="D")).dt.normalize()


def kano_pairs(rng: np.random.Generator, categories: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Draw a (functional, dysfunctional) answer pair for each KANO category.

    Each pair is drawn uniformly among the cells of the Berger et al. (1993)
    table that give that category, so classifying the pair returns the category.
    """
    func = np.empty(len(categories), dtype="int64")
    dys = np.empty(len(categories), dtype="int64")
    for cat in "AOMIRQ":
        rows, cols = np.nonzero(_KANO_TABLE == cat)
        idx = np.flatnonzero(categories == cat)
        pick = rng.integers(0, len(rows), size=len(idx))
        func[idx] = rows[pick] + 1
        dys[idx] = cols[pick] + 1
    return func, dys


def _kano_survey(rng: np.random.Generator, world: str, n: int) -> dict[str, np.ndarray]:
    out: dict[str, np.ndarray] = {}
    for feature, shares in KANO_SHARES[world].items():
        cats = np.asarray(list("AOMIRQ"))[rng.choice(6, size=n, p=np.asarray(shares) / sum(shares))]
        func, dys = kano_pairs(rng, cats)
        importance = np.vectorize(_KANO_IMPORTANCE.get, otypes=[float])(cats) + rng.normal(0, 1.2, n)
        out[f"{feature}_func"] = func
        out[f"{feature}_dys"] = dys
        out[f"{feature}_imp"] = _with_missing(rng, _likert(importance, 1, 9), 0.03)
    return out


@dataclass(frozen=True)
class _Phrases:
    """Review phrases per theme: (zh, en) lists; ``{m}`` is filled with minutes or days."""

    items: dict[str, tuple[list[str], list[str]]]


HOTEL_PHRASES = _Phrases(
    {
        "open_pos": (["这次入住很愉快。", "整体体验非常好！", "很满意的一次住宿。"],
                     ["Lovely stay.", "A great experience overall!", "Really enjoyed our stay."]),
        "open_neg": (["这次入住很失望。", "体验很差。", "不会再来了。"],
                     ["Very disappointing stay.", "Bad experience.", "Would not come back."]),
        "open_mid": (["还行吧。", "总体一般。"], ["It was okay.", "An average stay overall."]),
        "wait": (["办理入住排队等了{m}分钟，太慢了。", "前台办理入住等了{m}分钟才拿到房卡。", "入住等太久，排了{m}分钟的队。"],
                 ["We waited {m} minutes to check in.", "Check-in took forever, a {m} minute queue at the front desk.", "The check-in line was slow, {m} minutes before we got our keys."]),
        "fast_checkin": (["入住办理很快。", "前台办理入住非常迅速。"], ["Check-in was quick.", "Fast and smooth check-in."]),
        "dirty": (["房间不干净，浴室有头发。", "卫生很差，床单有污渍。", "房间打扫得不干净。"],
                  ["The room was not clean, hair in the bathroom.", "Dirty sheets and a dusty room.", "Housekeeping was poor, the room was not cleaned properly."]),
        "clean": (["房间很干净，很舒服。", "房间干净整洁。"], ["The room was spotless and comfortable.", "Very clean room."]),
        "staff_pos": (["前台服务热情周到。", "员工态度很好，很热情。"], ["The staff were friendly and helpful.", "Lovely, attentive staff."]),
        "staff_neg": (["服务员态度冷淡。", "员工不太专业。"], ["The staff were rude.", "Staff seemed unprofessional."]),
        "breakfast_pos": (["早餐很丰富，味道不错。"], ["Breakfast was excellent with lots of choice."]),
        "breakfast_neg": (["早餐种类太少，不好吃。"], ["Breakfast was poor and the choice was limited."]),
        "wifi_neg": (["无线网络太慢，经常断线。", "WiFi信号很差。"], ["The Wi-Fi was slow and kept dropping.", "Terrible Wi-Fi."]),
        "wifi_pos": (["网速很快。"], ["Fast Wi-Fi."]),
        "location": (["位置方便，交通便利。"], ["Great location."]),
        "not_bad": (["价格不算贵，还不错。"], ["Not bad for the price."]),
    }
)

SHOP_PHRASES = _Phrases(
    {
        "open_pos": (["很满意的一次购物！", "非常好，会回购。"], ["Very happy with this order!", "Great, will buy again."]),
        "open_neg": (["很失望。", "购物体验很差。"], ["Very disappointed.", "Bad shopping experience."]),
        "open_mid": (["一般般。", "还可以。"], ["It's okay.", "Average."]),
        "late": (["物流太慢了，等了{m}天才到。", "快递{m}天才送到，太慢。"], ["Delivery was slow, it took {m} days.", "Took {m} days to arrive, far too slow."]),
        "fast_delivery": (["物流很快，第二天就到了。", "发货迅速，快递给力。"], ["Fast delivery, arrived the next day.", "Shipping was quick."]),
        "quality_pos": (["质量很好，做工精细。", "东西质量不错，和描述一致。"], ["Great quality, exactly as described.", "Well made and good quality."]),
        "quality_neg": (["质量很差，用了两天就坏了。", "做工粗糙，和图片不符。"], ["Poor quality, broke after two days.", "Cheaply made, not as pictured."]),
        "payment_neg": (["付款的时候一直报错，试了好几次。", "支付页面卡住了，付不了款。"], ["The payment page kept failing, had to try several times.", "Checkout payment got stuck and would not go through."]),
        "payment_pos": (["一键支付很方便。"], ["One-click pay is so convenient."]),
        "packaging_neg": (["包装破损了。"], ["The package arrived damaged."]),
        "service_pos": (["客服回复很快，很耐心。"], ["Customer service was quick and patient."]),
        "service_neg": (["客服不理人，问题一直没解决。"], ["Customer service never answered, the problem is still not solved."]),
        "returns_neg": (["退货流程太麻烦了。"], ["The return process was a hassle."]),
        "not_bad": (["价格不贵，还不错。"], ["Not bad for the price."]),
    }
)


def _compose_reviews(rng, phrases: _Phrases, lang: np.ndarray, themes: dict[str, np.ndarray],
                     numbers: np.ndarray) -> np.ndarray:
    """Join theme phrases into review texts; ``themes`` maps phrase key -> boolean mask (in order)."""
    n = len(lang)
    parts = [[] for _ in range(n)]
    is_zh = lang == "zh"
    for key, mask in themes.items():
        zh_opts, en_opts = phrases.items[key]
        pick_zh = rng.integers(0, len(zh_opts), n)
        pick_en = rng.integers(0, len(en_opts), n)
        for i in np.flatnonzero(mask):
            text = zh_opts[pick_zh[i]] if is_zh[i] else en_opts[pick_en[i]]
            parts[i].append(text.replace("{m}", str(int(numbers[i]))))
    sep = np.where(is_zh, "", " ")
    texts = np.array([sep[i].join(p) for i, p in enumerate(parts)], dtype=object)
    # A little of the mess that real exports carry: emoji and HTML line breaks.
    emoji = rng.random(n) < 0.03
    texts[emoji] = texts[emoji] + np.where(is_zh[emoji], "👍", " 🙂")
    html = np.flatnonzero(rng.random(n) < 0.01)
    for i in html:
        texts[i] = texts[i].replace("。", "。<br>").replace(". ", ".<br>")
    return texts


# --------------------------------------------------------------------------- hotel
def _hotel(size: float, seed: int) -> dict[str, pd.DataFrame]:
    ss = np.random.SeedSequence(seed)
    r_guest, r_stay, r_survey, r_sq, r_kano, r_review, r_out = (np.random.default_rng(s) for s in ss.spawn(7))

    properties = pd.DataFrame(
        {
            "property_id": list(PROPERTIES),
            "name_en": ["Harbour City Hotel", "Lakeside Resort", "Airport Hotel"],
            "name_zh": ["海港城市酒店", "湖畔度假酒店", "机场酒店"],
            "rooms": [320, 180, 260],
        }
    )

    n_guests = max(int(round(4000 * size)), 10)
    segment = _choice(r_guest, ["business", "leisure", "family"], [0.4, 0.4, 0.2], n_guests)
    guests = pd.DataFrame(
        {
            "guest_id": _ids("G", n_guests, 7),
            "segment": segment,
            "age_band": _choice(r_guest, ["18-29", "30-44", "45-59", "60+"], [0.22, 0.38, 0.27, 0.13], n_guests),
            "home_region": _choice(r_guest, ["domestic", "international"], [0.82, 0.18], n_guests),
            "loyalty_member": r_guest.random(n_guests) < 0.3,
        }
    )

    # Stays: business travellers come back more often within the period.
    extra = r_stay.poisson(np.where(segment == "business", 0.9, 0.35))
    n_per_guest = 1 + extra
    g_idx = np.repeat(np.arange(n_guests), n_per_guest)
    n_stays = len(g_idx)
    seg = segment[g_idx]
    prop_p = {
        "business": [0.50, 0.15, 0.35],
        "leisure": [0.35, 0.50, 0.15],
        "family": [0.30, 0.60, 0.10],
    }
    prop = np.empty(n_stays, dtype=object)
    for s, p in prop_p.items():
        m = seg == s
        prop[m] = _choice(r_stay, PROPERTIES, p, int(m.sum()))
    span = (HOTEL_END - HOTEL_START).days - 20
    checkin_day = r_stay.integers(0, span, n_stays)
    order = np.lexsort((checkin_day, g_idx))  # stays of a guest in time order
    g_idx, prop, checkin_day, seg = g_idx[order], prop[order], checkin_day[order], seg[order]
    checkin = _dates(HOTEL_START, checkin_day)
    lead = np.minimum(r_stay.geometric(1 / 15, n_stays) - 1, 180)
    nights = np.where(prop == "resort", 2 + r_stay.poisson(1.4, n_stays),
                      np.where(prop == "city", 1 + r_stay.poisson(0.9, n_stays), 1 + r_stay.poisson(0.3, n_stays)))
    nights = np.minimum(nights, 30)
    room_type = _choice(r_stay, ["standard", "deluxe", "suite"], [0.6, 0.3, 0.1], n_stays)
    rate = np.select([room_type == "standard", room_type == "deluxe"], [620.0, 940.0], 1650.0)
    rate = rate * np.where(prop == "resort", 1.3, np.where(prop == "airport", 0.85, 1.0))
    spend = np.round(nights * rate * r_stay.lognormal(0.05, 0.18, n_stays), 2)

    dip = (prop == "city") & (checkin >= STAFFING_CHANGE).to_numpy() & (checkin < STAFFING_RECOVERY).to_numpy()
    wait = r_stay.lognormal(np.log(6.0), 0.75, n_stays)
    wait = wait * np.where(prop == "airport", 1.25, 1.0) * np.where(dip, 2.6, 1.0)
    wait = np.round(np.minimum(wait, 240.0), 1)
    stays = pd.DataFrame(
        {
            "stay_id": _ids("S", n_stays, 8),
            "guest_id": guests["guest_id"].to_numpy()[g_idx],
            "property_id": prop,
            "channel": _choice(r_stay, ["direct_web", "app", "ota", "phone"], [0.25, 0.2, 0.42, 0.13], n_stays),
            "booking_date": checkin - pd.to_timedelta(lead, unit="D"),
            "checkin_date": checkin,
            "nights": nights.astype("int64"),
            "room_type": room_type,
            "spend": spend,
            "checkin_wait_min": wait,
        }
    )

    # Post-stay survey: latent experience per stay drives every rating.
    rs = r_survey
    mood = rs.normal(0, 0.45, n_stays)
    lapse = rs.random(n_stays) < np.where(dip, 0.30, 0.12)  # housekeeping lapse
    lat = {
        "tp_booking": 4.3 + mood + rs.normal(0, 0.55, n_stays),
        "tp_checkin": 4.85 - 0.075 * wait + mood + rs.normal(0, 0.5, n_stays),
        "tp_room": 4.35 - 2.3 * lapse + mood + rs.normal(0, 0.5, n_stays),
        "tp_breakfast": 4.0 + mood + rs.normal(0, 0.7, n_stays),
        "tp_staff": 4.35 - 0.8 * dip + mood + rs.normal(0, 0.55, n_stays),
        "tp_checkout": 4.4 + mood + rs.normal(0, 0.5, n_stays),
        "tp_wifi": 4.0 - 0.5 * (prop == "airport") + mood + rs.normal(0, 0.8, n_stays),
    }
    centre = {"tp_booking": 4.3, "tp_checkin": 4.4, "tp_room": 4.07, "tp_breakfast": 4.0,
              "tp_staff": 4.35, "tp_checkout": 4.4, "tp_wifi": 3.85}
    c = {k: v - centre[k] for k, v in lat.items()}
    took_breakfast = rs.random(n_stays) < 0.65
    u = (0.40 * c["tp_room"] + 0.28 * c["tp_checkin"] + 0.14 * c["tp_staff"]
         + 0.06 * np.where(took_breakfast, c["tp_breakfast"], 0) + 0.05 * c["tp_booking"]
         + 0.04 * c["tp_checkout"] + 0.30 * np.minimum(c["tp_wifi"], 0)
         + 0.55 * mood + rs.normal(0, 0.35, n_stays))
    responded = rs.random(n_stays) < 0.6
    idx = np.flatnonzero(responded)
    n_resp = len(idx)
    ratings = {}
    for k, v in lat.items():
        r = _likert(v, 1, 5).astype("float64")
        if k == "tp_breakfast":
            r[~took_breakfast] = np.nan
        ratings[k] = _with_missing(rs, r[idx], 0.015)
    overall = _likert(4.05 + 1.15 * u[idx] + rs.normal(0, 0.3, n_resp), 1, 5)
    nps = _with_missing(rs, _likert(8.3 + 2.6 * u[idx] + rs.normal(0, 0.9, n_resp), 0, 10), 0.02)
    ces = _with_missing(rs, _likert(5.6 + 0.9 * c["tp_checkin"][idx] + 0.4 * mood[idx] + rs.normal(0, 0.7, n_resp), 1, 7), 0.02)
    intent = _with_missing(rs, _likert(3.9 + 1.0 * u[idx] + rs.normal(0, 0.6, n_resp), 1, 5), 0.02)
    survey_date = stays["checkin_date"].to_numpy()[idx] + pd.to_timedelta(nights[idx] + rs.integers(0, 4, n_resp), unit="D")
    survey = pd.DataFrame(
        {
            "response_id": _ids("R", n_resp, 7),
            "stay_id": stays["stay_id"].to_numpy()[idx],
            "guest_id": stays["guest_id"].to_numpy()[idx],
            "property_id": prop[idx],
            "survey_date": pd.Series(survey_date).dt.normalize(),
            **ratings,
            "overall_sat": overall,
            "nps": nps,
            "ces": ces,
            "intent_return": intent,
        }
    )

    # SERVQUAL: items of a dimension share a latent factor (so alpha is high).
    n_sq_per = max(int(round(300 * size)), 5)
    sq_prop = np.repeat(np.asarray(PROPERTIES, dtype=object), n_sq_per)
    n_sq = len(sq_prop)
    gaps = {
        "city": {"tangibles": -0.35, "reliability": -0.95, "responsiveness": -0.6, "assurance": -0.3, "empathy": -0.5},
        "resort": {"tangibles": -0.25, "reliability": -0.85, "responsiveness": -0.55, "assurance": -0.25, "empathy": -0.4},
        "airport": {"tangibles": -0.45, "reliability": -0.9, "responsiveness": -1.8, "assurance": -0.35, "empathy": -0.6},
    }
    sq: dict[str, np.ndarray] = {}
    person_e = r_sq.normal(0, 0.35, n_sq)
    person_p = r_sq.normal(0, 0.45, n_sq)
    for dim, items in SERVQUAL_DIMENSIONS.items():
        e_dim = 6.05 + person_e + r_sq.normal(0, 0.35, n_sq)
        gap = np.vectorize(lambda p, d=dim: gaps[p][d], otypes=[float])(sq_prop)
        p_dim = e_dim + gap + person_p + r_sq.normal(0, 0.45, n_sq)
        for i in items:
            sq[f"e{i:02d}"] = _with_missing(r_sq, _likert(e_dim + r_sq.normal(0, 0.45, n_sq), 1, 7), 0.005)
            sq[f"p{i:02d}"] = _with_missing(r_sq, _likert(p_dim + r_sq.normal(0, 0.5, n_sq), 1, 7), 0.005)
    mean_w = np.array([13, 30, 22, 19, 16], dtype=float)
    shares = np.vstack([r_sq.dirichlet(mean_w * 0.8) for _ in range(n_sq)]) if n_sq < 50_000 else r_sq.dirichlet(mean_w * 0.8, n_sq)
    points = np.vstack([r_sq.multinomial(100, s) for s in shares]) if n_sq < 50_000 else r_sq.multinomial(100, shares)
    servqual = pd.DataFrame(
        {
            "response_id": _ids("Q", n_sq, 6),
            "property_id": sq_prop,
            "survey_date": _dates(pd.Timestamp("2026-03-01"), r_sq.integers(0, 61, n_sq)),
            **{k: sq[k] for k in [f"e{i:02d}" for i in range(1, 23)] + [f"p{i:02d}" for i in range(1, 23)]},
            "w_tangibles": points[:, 0],
            "w_reliability": points[:, 1],
            "w_responsiveness": points[:, 2],
            "w_assurance": points[:, 3],
            "w_empathy": points[:, 4],
        }
    )

    n_kano = max(int(round(400 * size)), 5)
    kano = pd.DataFrame(
        {
            "respondent_id": _ids("K", n_kano, 6),
            "segment": _choice(r_kano, ["business", "leisure", "family"], [0.4, 0.4, 0.2], n_kano),
            **_kano_survey(r_kano, "hotel", n_kano),
        }
    )

    # Reviews: unhappy and delighted guests write more; text follows the stay's real experience.
    rr = r_review
    p_review = np.clip(0.12 + 0.22 * np.abs(u), 0, 0.9)
    rev = np.flatnonzero(rr.random(n_stays) < p_review)
    n_rev = len(rev)
    stars = _likert(3.9 + 1.5 * u[rev] + rr.normal(0, 0.4, n_rev), 1, 5)
    intl = (guests["home_region"].to_numpy()[g_idx[rev]] == "international")
    lang = np.where(rr.random(n_rev) < np.where(intl, 0.1, 0.85), "zh", "en").astype(object)
    tp = {k: _likert(v[rev], 1, 5) for k, v in lat.items()}
    mention = rr.random((8, n_rev))
    themes = {
        "open_pos": stars >= 4,
        "open_mid": stars == 3,
        "open_neg": stars <= 2,
        "wait": (tp["tp_checkin"] <= 3) & (wait[rev] > 15) & (mention[0] < 0.85),
        "fast_checkin": (tp["tp_checkin"] >= 5) & (mention[1] < 0.3),
        "dirty": (tp["tp_room"] <= 2) & (mention[2] < 0.85),
        "clean": (tp["tp_room"] >= 5) & (mention[3] < 0.35),
        "staff_pos": (tp["tp_staff"] >= 5) & (mention[4] < 0.35),
        "staff_neg": (tp["tp_staff"] <= 2) & (mention[4] < 0.6),
        "breakfast_pos": took_breakfast[rev] & (tp["tp_breakfast"] >= 5) & (mention[5] < 0.3),
        "breakfast_neg": took_breakfast[rev] & (tp["tp_breakfast"] <= 2) & (mention[5] < 0.5),
        "wifi_neg": (tp["tp_wifi"] <= 2) & (mention[6] < 0.5),
        "wifi_pos": (tp["tp_wifi"] >= 5) & (mention[6] < 0.15),
        "location": (stars >= 4) & (mention[7] < 0.25),
        "not_bad": (stars == 3) & (mention[7] < 0.3),
    }
    texts = _compose_reviews(rr, HOTEL_PHRASES, lang, themes, np.rint(wait[rev]))
    review_date = stays["checkin_date"].to_numpy()[rev] + pd.to_timedelta(nights[rev] + rr.integers(0, 10, n_rev), unit="D")
    reviews = pd.DataFrame(
        {
            "review_id": _ids("V", n_rev, 7),
            "stay_id": stays["stay_id"].to_numpy()[rev],
            "guest_id": stays["guest_id"].to_numpy()[rev],
            "property_id": prop[rev],
            "review_date": pd.Series(review_date).dt.normalize(),
            "lang": lang,
            "rating": stars,
            "text": texts,
        }
    )

    # Outcomes: the guest's last answered NPS category drives return and spend.
    last_nps = pd.Series(nps, index=g_idx[idx]).groupby(level=0).last()
    guest_nps = np.full(n_guests, np.nan)
    guest_nps[last_nps.index.to_numpy()] = last_nps.to_numpy()
    cat = np.where(np.isnan(guest_nps), 1, np.where(guest_nps >= 9, 2, np.where(guest_nps >= 7, 1, 0)))
    p_return = np.array([0.20, 0.34, 0.55])[cat]
    returned = r_out.random(n_guests) < p_return
    n_next = np.where(returned, 1 + r_out.poisson(np.array([0.2, 0.4, 0.8])[cat]), 0)
    per_stay = np.array([950.0, 1050.0, 1200.0])[cat] * r_out.lognormal(0, 0.25, n_guests)
    outcomes = pd.DataFrame(
        {
            "guest_id": guests["guest_id"],
            "returned_12m": returned,
            "stays_12m": n_next.astype("int64"),
            "revenue_12m": np.round(n_next * per_stay, 2),
        }
    )
    return {
        "properties": properties,
        "guests": guests,
        "stays": stays,
        "survey": survey,
        "servqual": servqual,
        "kano": kano,
        "reviews": reviews,
        "outcomes": outcomes,
    }


# --------------------------------------------------------------------------- e-commerce
FUNNEL_STEPS = ("home", "search", "product", "cart", "checkout", "payment", "order")


def _ecommerce(size: float, seed: int) -> dict[str, pd.DataFrame]:
    ss = np.random.SeedSequence(seed + 1)
    r_cust, r_sess, r_order, r_sup, r_survey, r_kano, r_review = (np.random.default_rng(s) for s in ss.spawn(7))

    n_cust = max(int(round(4000 * size)), 10)
    happiness = r_cust.normal(0, 1, n_cust)
    early = r_cust.random(n_cust) < 0.7
    pre_days = (SHOP_START - pd.Timestamp("2023-01-01")).days
    win_days = (SHOP_END - SHOP_START).days + 1
    signup_day = np.where(early, r_cust.integers(0, pre_days, n_cust), pre_days + r_cust.integers(0, win_days - 30, n_cust))
    signup = _dates(pd.Timestamp("2023-01-01"), signup_day)
    preferred = _choice(r_cust, ["app", "web"], [0.6, 0.4], n_cust)
    customers = pd.DataFrame(
        {
            "customer_id": _ids("C", n_cust, 7),
            "signup_date": signup,
            "city_tier": _choice(r_cust, ["tier1", "tier2", "tier3"], [0.35, 0.4, 0.25], n_cust),
            "acquisition_channel": _choice(r_cust, ["search_ad", "social", "referral", "organic"], [0.3, 0.3, 0.15, 0.25], n_cust),
            "preferred_platform": preferred,
            "referrals": r_cust.poisson(np.exp(-1.2 + 0.6 * happiness)),
        }
    )

    # Sessions: happier customers visit more often.
    active_from = np.maximum(signup_day - pre_days, 0)  # day within the window
    active_days = win_days - active_from
    n_sess_c = r_sess.poisson(8.0 * np.exp(0.3 * happiness) * active_days / win_days)
    c_idx = np.repeat(np.arange(n_cust), n_sess_c)
    n_sess = len(c_idx)
    start_sec = (active_from[c_idx] + r_sess.random(n_sess) * active_days[c_idx]) * 86400.0
    order = np.lexsort((start_sec, c_idx))
    c_idx, start_sec = c_idx[order], start_sec[order]
    plat = np.where(r_sess.random(n_sess) < 0.85, preferred[c_idx], np.where(preferred[c_idx] == "app", "web", "app")).astype(object)
    start_ts = SHOP_START + pd.to_timedelta(np.floor(start_sec), unit="s")
    after = np.asarray(start_ts >= ONE_CLICK_RELEASE)
    web = plat == "web"
    p_next = np.column_stack(
        [
            np.full(n_sess, 0.80),
            np.full(n_sess, 0.80),
            np.full(n_sess, 0.68),
            np.full(n_sess, 0.72),
            np.full(n_sess, 0.85),
            np.where(web, np.where(after, 0.82, 0.50), np.where(after, 0.86, 0.80)),
        ]
    )
    p_next[:, 2] *= np.clip(1 + 0.05 * happiness[c_idx], 0.8, 1.2)
    go = r_sess.random((n_sess, 6)) < p_next
    depth = 1 + np.cumprod(go, axis=1).sum(axis=1)  # number of steps reached
    one_click_session = after & (r_sess.random(n_sess) < np.where(web, 0.6, 0.5))
    pay_error = r_sess.random(n_sess) < np.where(web & ~after, 0.15, 0.03)

    ev_s = np.repeat(np.arange(n_sess), depth)
    ev_step = np.arange(len(ev_s)) - np.repeat(np.cumsum(depth) - depth, depth)
    # Seconds spent before each step; payment on web is slow before one-click pay.
    gap_scale = np.array([0, 40, 60, 90, 45, 60, 50], dtype=float)[ev_step]
    slow = (ev_step == 6) & ~one_click_session[ev_s] & (plat[ev_s] == "web")
    gap = r_sess.lognormal(0, 0.6, len(ev_s)) * gap_scale * np.where(slow, 2.2, 1.0)
    gap = np.where(ev_step == 0, 0.0, gap)
    cum = np.cumsum(gap)
    sess_first = np.repeat(np.cumsum(depth) - depth, depth)
    offset = cum - cum[sess_first]
    ts = pd.Series(start_ts[ev_s] + pd.to_timedelta(np.floor(offset), unit="s"))
    session_ids = _ids("W", n_sess, 8)
    events = pd.DataFrame(
        {
            "session_id": session_ids[ev_s],
            "customer_id": customers["customer_id"].to_numpy()[c_idx[ev_s]],
            "platform": plat[ev_s],
            "step": np.asarray(FUNNEL_STEPS, dtype=object)[ev_step],
            "timestamp": ts,
            "one_click": one_click_session[ev_s] & (ev_step >= 5),
            "error": pay_error[ev_s] & (ev_step == 5),
        }
    )

    # Orders: one per session that reached the order step.
    ordered = np.flatnonzero(depth == 7)
    n_ord = len(ordered)
    h = happiness[c_idx[ordered]]
    order_time = ts.to_numpy()[np.cumsum(depth)[ordered] - 1]
    amount = np.round(r_order.lognormal(np.log(180) + 0.12 * h, 0.6, n_ord), 2)
    tier = customers["city_tier"].to_numpy()[c_idx[ordered]]
    delivery = np.minimum(1 + r_order.poisson(np.where(tier == "tier3", 2.6, np.where(tier == "tier2", 1.7, 1.1)), n_ord), 30)
    quality = r_order.normal(0, 1, n_ord)
    returned = r_order.random(n_ord) < np.clip(0.06 + 0.06 * (quality < -1) + 0.01 * (delivery > 4), 0, 1)
    orders = pd.DataFrame(
        {
            "order_id": _ids("O", n_ord, 8),
            "customer_id": customers["customer_id"].to_numpy()[c_idx[ordered]],
            "session_id": session_ids[ordered],
            "order_time": pd.Series(order_time),
            "platform": plat[ordered],
            "amount": amount,
            "margin": np.round(amount * r_order.uniform(0.15, 0.35, n_ord), 2),
            "items": (1 + r_order.poisson(0.8, n_ord)).astype("int64"),
            "delivery_days": delivery.astype("int64"),
            "returned": returned,
        }
    )

    # Support contacts: late deliveries, returns and payment errors make people call.
    o_pay_err = pay_error[ordered]
    p_contact = 0.05 + 0.12 * (delivery > 4) + 0.5 * returned + 0.3 * o_pay_err
    contact = np.flatnonzero(r_sup.random(n_ord) < p_contact)
    n_con = len(contact)
    reason = np.where(returned[contact], "returns", np.where(o_pay_err[contact], "payment",
                      np.where(delivery[contact] > 4, "delivery", np.where(r_sup.random(n_con) < 0.6, "product", "account")))).astype(object)
    channel = _choice(r_sup, ["chat", "phone", "email"], [0.5, 0.3, 0.2], n_con)
    resolved = r_sup.random(n_con) < np.where(channel == "chat", 0.78, np.where(channel == "phone", 0.72, 0.5))
    ces_lat = np.select([channel == "chat", channel == "phone"], [5.3, 4.8], 4.1) + 1.0 * resolved - 0.5 + r_sup.normal(0, 0.9, n_con)
    support = pd.DataFrame(
        {
            "contact_id": _ids("T", n_con, 7),
            "customer_id": orders["customer_id"].to_numpy()[contact],
            "order_id": orders["order_id"].to_numpy()[contact],
            "contact_date": (pd.Series(orders["order_time"].to_numpy()[contact]) + pd.to_timedelta(delivery[contact] + r_sup.integers(0, 3, n_con), unit="D")).dt.normalize(),
            "channel": channel,
            "reason": reason,
            "resolved_first_contact": resolved,
            "ces": _with_missing(r_sup, _likert(ces_lat, 1, 7), 0.05),
        }
    )
    had_contact = np.zeros(n_ord, bool)
    had_contact[contact] = True
    contact_ease = np.zeros(n_ord)
    contact_ease[contact] = ces_lat - 4.8

    # Post-purchase survey.
    rs = r_survey
    took = np.flatnonzero(rs.random(n_ord) < 0.45)
    n_resp = len(took)
    hh = h[took]
    web_o = (orders["platform"].to_numpy()[took] == "web")
    after_o = (pd.Series(order_time[took]) >= ONE_CLICK_RELEASE).to_numpy()
    lat = {
        "tp_search": 4.0 + 0.25 * hh + rs.normal(0, 0.6, n_resp),
        "tp_product_page": 4.1 + 0.25 * hh + rs.normal(0, 0.6, n_resp),
        "tp_checkout": 4.2 + 0.2 * hh + rs.normal(0, 0.6, n_resp),
        "tp_payment": np.where(web_o & ~after_o, 3.3, 4.3) - 1.0 * o_pay_err[took] + 0.2 * hh + rs.normal(0, 0.6, n_resp),
        "tp_delivery": 5.0 - 0.38 * delivery[took] + 0.2 * hh + rs.normal(0, 0.55, n_resp),
        "tp_product": 4.0 + 0.75 * quality[took] + 0.2 * hh + rs.normal(0, 0.5, n_resp),
        "tp_returns": 3.4 + 0.2 * hh + rs.normal(0, 0.9, n_resp),
        "tp_support": 3.8 + 0.6 * contact_ease[took] + rs.normal(0, 0.6, n_resp),
    }
    u = (0.38 * (lat["tp_delivery"] - 4.3) + 0.42 * (lat["tp_product"] - 4.0) + 0.12 * (lat["tp_payment"] - 4.0)
         + 0.06 * (lat["tp_search"] - 4.0) + 0.06 * (lat["tp_checkout"] - 4.2)
         + 0.25 * returned[took] * (lat["tp_returns"] - 3.4) + 0.3 * hh + rs.normal(0, 0.3, n_resp))
    ratings = {}
    for k, v in lat.items():
        r = _likert(v, 1, 5).astype("float64")
        if k == "tp_returns":
            r[~returned[took]] = np.nan
        if k == "tp_support":
            r[~had_contact[took]] = np.nan
        ratings[k] = _with_missing(rs, r, 0.015)
    survey = pd.DataFrame(
        {
            "response_id": _ids("P", n_resp, 7),
            "customer_id": orders["customer_id"].to_numpy()[took],
            "order_id": orders["order_id"].to_numpy()[took],
            "survey_date": (pd.Series(order_time[took]) + pd.to_timedelta(delivery[took] + 1, unit="D")).dt.normalize(),
            "platform": orders["platform"].to_numpy()[took],
            **ratings,
            "csat": _likert(4.1 + 1.2 * u + rs.normal(0, 0.35, n_resp), 1, 5),
            "ces": _with_missing(rs, _likert(5.4 + 0.6 * (lat["tp_checkout"] - 4.2) + 0.6 * (lat["tp_payment"] - 4.0) + rs.normal(0, 0.7, n_resp), 1, 7), 0.02),
            "nps": _with_missing(rs, _likert(8.0 + 2.4 * u + rs.normal(0, 0.9, n_resp), 0, 10), 0.02),
        }
    )

    n_kano = max(int(round(400 * size)), 5)
    kano = pd.DataFrame(
        {
            "respondent_id": _ids("K", n_kano, 6),
            "platform": _choice(r_kano, ["app", "web"], [0.6, 0.4], n_kano),
            **_kano_survey(r_kano, "ecommerce", n_kano),
        }
    )

    rr = r_review
    exp_u = 0.5 * (lat_delivery := (5.0 - 0.38 * delivery - 4.3)) + 0.6 * quality + 0.3 * h
    p_review = np.clip(0.12 + 0.12 * np.abs(exp_u), 0, 0.8)
    rev = np.flatnonzero(rr.random(n_ord) < p_review)
    n_rev = len(rev)
    stars = _likert(4.0 + 1.1 * exp_u[rev] - 0.8 * o_pay_err[rev] + rr.normal(0, 0.45, n_rev), 1, 5)
    lang = np.where(rr.random(n_rev) < 0.85, "zh", "en").astype(object)
    mention = rr.random((7, n_rev))
    after_r = (pd.Series(order_time[rev]) >= ONE_CLICK_RELEASE).to_numpy()
    themes = {
        "open_pos": stars >= 4,
        "open_mid": stars == 3,
        "open_neg": stars <= 2,
        "late": (delivery[rev] >= 4) & (mention[0] < 0.7),
        "fast_delivery": (delivery[rev] <= 1) & (mention[0] < 0.4),
        "quality_pos": (quality[rev] > 0.8) & (mention[1] < 0.5),
        "quality_neg": (quality[rev] < -0.8) & (mention[1] < 0.75),
        "payment_neg": o_pay_err[rev] & (mention[2] < 0.7),
        "payment_pos": after_r & one_click_session[ordered][rev] & (mention[2] < 0.15),
        "packaging_neg": (mention[3] < 0.03),
        "service_pos": had_contact[rev] & (contact_ease[rev] > 0.8) & (mention[4] < 0.5),
        "service_neg": had_contact[rev] & (contact_ease[rev] < -1.0) & (mention[4] < 0.6),
        "returns_neg": returned[rev] & (mention[5] < 0.4),
        "not_bad": (stars == 3) & (mention[6] < 0.3),
    }
    del lat_delivery
    texts = _compose_reviews(rr, SHOP_PHRASES, lang, themes, delivery[rev])
    reviews = pd.DataFrame(
        {
            "review_id": _ids("V", n_rev, 7),
            "order_id": orders["order_id"].to_numpy()[rev],
            "customer_id": orders["customer_id"].to_numpy()[rev],
            "review_date": (pd.Series(order_time[rev]) + pd.to_timedelta(delivery[rev] + rr.integers(0, 6, n_rev), unit="D")).dt.normalize(),
            "lang": lang,
            "rating": stars,
            "text": texts,
        }
    )

    releases = pd.DataFrame(
        {
            "feature": ["one_click_pay"],
            "release_date": [ONE_CLICK_RELEASE],
            "platforms": ["app|web"],
            "name_en": ["One-click pay"],
            "name_zh": ["一键支付"],
        }
    )
    return {
        "customers": customers,
        "events": events,
        "orders": orders,
        "support": support,
        "survey": survey,
        "kano": kano,
        "reviews": reviews,
        "releases": releases,
    }


# --------------------------------------------------------------------------- public
def generate(world: str, size: float = 1.0, seed: int = DEFAULT_SEED) -> dict[str, pd.DataFrame]:
    """Generate every table of one sample world.

    Parameters
    ----------
    world : {"hotel", "ecommerce"}
    size : float
        Scale factor on the number of guests/customers and survey respondents;
        1 gives the committed sample (hotel ≈ 6 k stays, e-commerce ≈ 70 k events).
    seed : int
        Seed of the generator; the same ``(world, size, seed)`` always gives the
        same tables.

    Returns
    -------
    dict of str to pandas.DataFrame
        One DataFrame per table named in the world's data dictionary.

    Examples
    --------
    >>> tables = generate("hotel", size=0.1)
    >>> sorted(tables)[:3]
    ['guests', 'kano', 'outcomes']
    """
    if world not in WORLDS:
        raise ValueError(f"world must be one of {WORLDS}, got {world!r}")
    if not (isinstance(size, int | float) and size > 0):
        raise ValueError(f"size must be a positive number, got {size!r}")
    return _hotel(size, seed) if world == "hotel" else _ecommerce(size, seed)


def _csv_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Format dates and datetimes explicitly so the CSV text is stable across pandas versions."""
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            has_time = bool(((s - s.dt.normalize()) != pd.Timedelta(0)).any()) or col in ("timestamp", "order_time")
            out[col] = s.dt.strftime("%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d")
        elif s.dtype == "float64" and np.all(np.isnan(s) | (s == np.round(s))) and col not in ("spend", "amount", "margin", "revenue_12m", "checkin_wait_min"):
            out[col] = s.astype("Int64")  # whole-number answers with gaps: write 4, not 4.0
    return out


def write(world: str, out_dir: str | Path, size: float = 1.0, seed: int = DEFAULT_SEED) -> list[Path]:
    """Generate a world and write one CSV per table (UTF-8, ``\\n`` line ends) to ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in generate(world, size=size, seed=seed).items():
        path = out / f"{name}.csv"
        _csv_frame(frame).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")
        paths.append(path)
    return paths


def _markdown_table(frame: pd.DataFrame) -> str:
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    body = ["| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join([header, rule, *body])


def write_docs(world: str, out_dir: str | Path) -> list[Path]:
    """Write ``DICTIONARY.md`` (column, type, unit, allowed values, meaning en/zh) and ``EFFECTS.md``."""
    from .datasets import dictionary, dictionary_frame, table_spec

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    meta = dictionary(world)
    lines = [
        f"# Data dictionary: {meta['title']['en']} / 数据字典：{meta['title']['zh']}",
        "",
        "Generated by `cxwb data regenerate` from `cxlib/dictionaries/"
        f"{world}.yml`, which `cxlib.datasets.load` also uses to validate data. "
        "Missing answers are allowed only where *missing* says yes.",
        "",
    ]
    en = dictionary_frame(world, lang="en")
    zh = dictionary_frame(world, lang="zh")
    for name in meta["tables"]:
        spec = table_spec(world, name)
        part = en[en["table"] == name].drop(columns="table").rename(columns={"meaning": "meaning (en)"})
        part["meaning (zh)"] = zh.loc[zh["table"] == name, "meaning"].to_numpy()
        part["missing"] = np.where(part.pop("missing_allowed"), "yes", "no")
        lines += [
            f"## `{name}.csv` — {spec.title_en} / {spec.title_zh}",
            "",
            f"{spec.kind}; key: {', '.join(spec.key)}"
            + (f"; the columns {', '.join(spec.sum_to_100)} add up to 100" if spec.sum_to_100 else ""),
            "",
            _markdown_table(part),
            "",
        ]
    (out / "DICTIONARY.md").write_text("\n".join(lines), encoding="utf-8")
    eff = [
        f"# Planted effects: {meta['title']['en']} / 预设效应：{meta['title']['zh']}",
        "",
        "The sample data are synthetic (`cxlib.synth`, seed "
        f"{DEFAULT_SEED}). These effects were planted so that each lesson finds something real; "
        "`tests/test_synth.py` checks that each is present with the stated size.",
        "",
        "| effect | size | lessons |",
        "|---|---|---|",
    ]
    for e in EFFECTS[world]:
        eff.append(f"| **{e['id']}**: {e['en']}<br>{e['zh']} | {e['size']} | {e['lessons']} |")
    (out / "EFFECTS.md").write_text("\n".join(eff) + "\n", encoding="utf-8")
    return [out / "DICTIONARY.md", out / "EFFECTS.md"]


def regenerate(world: str, out_dir: str | Path | None = None, size: float = 1.0,
               seed: int = DEFAULT_SEED) -> list[Path]:
    """Write a world's CSVs and its DICTIONARY.md / EFFECTS.md (default: the committed sample folder)."""
    from .datasets import sample_dir

    folder = Path(out_dir) if out_dir is not None else sample_dir(world)
    return write(world, folder, size=size, seed=seed) + write_docs(world, folder)
