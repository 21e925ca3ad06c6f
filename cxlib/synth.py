"""Seeded generator of the two sample worlds (hotel and e-commerce).

The sample data are synthetic, made here from a fixed seed, so that every
lesson finds something real and every number in a lesson can be regenerated
byte for byte. Each world is a dict of tidy tables that match the data
dictionary in ``cxlib/dictionaries/<world>.yml``.

Planted effects (stated, with their sizes, in ``cxlib/dictionaries/effects.yml``,
rendered to ``datasets/<world>/EFFECTS.md`` and recomputed from the data by
``tests/test_effects.py``):

Hotel
    * long check-in waits and room cleanliness drive detractors;
    * the city hotel's NPS dips for three months after a staffing change
      (longer waits, more housekeeping lapses, less attentive staff);
    * Responsiveness has the largest SERVQUAL gap at the airport hotel;
    * promoters return and spend more than detractors;
    * KANO: Wi-Fi must-be, fast check-in one-dimensional, personalised
      welcome attractive, smart room controls mixed (A/I), pillow menu and
      robot delivery indifferent;
    * digital booking journey: the app's payment step leaks until the
      express-pay release (the web, without the release, stays level);
    * complaints: the service-recovery paradox only for fast (first response
      within 1 h), fully resolved complaints; a first response later than 4 h
      costs NPS (the complaint handling moves the stay's post-stay answers);
    * a randomised check-in experiment at the city hotel (new flow shortens
      check-in; a pre-period covariate for CUPED).

E-commerce
    * the web payment step leaks carts until the one-click-pay release;
    * delivery time and product quality drive satisfaction;
    * happier customers order more often and refer more friends;
    * peak–end: the worst touchpoint rating predicts NPS better than the mean;
    * E-S-QUAL: Fulfilment has the largest gap; System availability is worse
      on the web;
    * support contacts: fast, fully resolved contacts get a high follow-up
      NPS, a first response over 12 h a low one;
    * a randomised checkout experiment (single-page checkout converts more;
      pre-period revenue for CUPED);
    * KANO: order tracking must-be, one-click pay one-dimensional, AR try-on
      attractive, personalised recommendations mixed (A/I), dark mode
      indifferent.

Reviews are composed from clause banks (see :func:`_compose_reviews`): each
aspect the customer met becomes a clause in their language, clauses vary in
wording, intensity and order, and a mixed review puts the minority view before
a "but" and the verdict that matches the stars after it.

``size`` scales the number of customers (and so every table); ``size=1`` is
the committed sample, small enough for every notebook to run in seconds.
Generation is vectorised with NumPy so that benchmarks can ask for 10⁶+ rows.
"""

from __future__ import annotations

import itertools
import re
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from . import strict_yaml

__all__ = ["DEFAULT_SEED", "WORLDS", "EFFECTS", "effect_size_text", "generate", "write", "write_docs", "regenerate", "kano_pairs"]

DEFAULT_SEED = 20251123
WORLDS = ("hotel", "ecommerce")

HOTEL_START = pd.Timestamp("2025-01-01")
HOTEL_END = pd.Timestamp("2026-06-30")
STAFFING_CHANGE = pd.Timestamp("2025-11-01")  # city hotel: new front-office rota
STAFFING_RECOVERY = pd.Timestamp("2026-02-01")

SHOP_START = pd.Timestamp("2025-10-01")
SHOP_END = pd.Timestamp("2026-09-30")
ONE_CLICK_RELEASE = pd.Timestamp("2026-04-01")
PEAK_WEIGHT = 3.0  # shop NPS: weight of the worst touchpoint (peak–end) beyond the overall experience

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



def _load_effects() -> dict[str, list[dict]]:
    """The planted effects and their stated sizes (``cxlib/dictionaries/effects.yml``)."""
    text = (resources.files("cxlib") / "dictionaries" / "effects.yml").read_text(encoding="utf-8")
    return strict_yaml.load(text, "dictionaries/effects.yml")


#: Planted effects per world: ``id``, ``en``, ``zh``, ``size`` (a template), ``values``, ``tolerance``,
#: ``checks``, ``lessons``; EFFECTS.md is rendered from it and tests/test_effects.py checks every value.
EFFECTS = _load_effects()


def effect_size_text(effect: dict) -> str:
    """The ``size`` sentence of an effect with its stated values filled in."""
    return effect["size"].format(**effect["values"])


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


# --------------------------------------------------------------------------- review texts
# Reviews are composed from clause banks: each aspect the customer met is written as a clause
# (wording drawn from the bank, intensifiers and numbers filled in), clauses are put in a random
# order and joined with varied connectors; a mixed review puts the minority view first and the
# verdict that matches the stars after "but". Banks are written per language, never translated
# word for word. "[a|b]" gives alternatives, "{i}" an intensifier, "{m}" the stay's or order's number.
_INTENSIFIERS = {"en": ("", "", "very ", "really ", "so ", "incredibly "), "zh": ("很", "非常", "特别", "超级", "真的很")}
_JOIN = {"en": (", ", " and ", "; ", ", and "), "zh": ("，", "，而且", "；", "，还有", "，")}
_CONTRAST = {"en": (", but ", ", but ", "; however, ", ", yet "), "zh": ("，但是", "，不过", "，可是", "，只是")}


def _expand(template: str, lang: str) -> list[str]:
    """Every wording of a bank template: ``[a|b]`` alternatives times ``{i}`` intensifiers."""
    parts = re.split(r"\[([^\]]*)\]", template)
    options = [[p] if k % 2 == 0 else p.split("|") for k, p in enumerate(parts)]
    out = ["".join(c) for c in itertools.product(*options)]
    if "{i}" in template:
        out = [t.replace("{i}", i) for t in out for i in _INTENSIFIERS[lang]]
    return out


def _bank(raw: dict) -> dict:
    return {aspect: {pol: {lang: [v for t in temps for v in _expand(t, lang)] for lang, temps in by_lang.items()}
                     for pol, by_lang in pols.items()}
            for aspect, pols in raw.items()}


def _frames(raw: dict) -> dict:
    """Frame sentences (openers, context, closers) per language, alternatives expanded."""
    return {key: {lang: _expand(t, lang) for lang, t in by_lang.items()} for key, by_lang in raw.items()}


HOTEL_BANK = _bank({
    "wait": {"neg": {
        "en": ["we [waited|queued] {m} minutes to check in", "check-in took {m} minutes, [far too long|way too slow]",
               "the check-in queue was {i}slow, {m} minutes before we got our keys",
               "{m} minutes at reception just to get a key card", "there was a {m} minute wait at the front desk",
               "only one person at the front desk and a {m} minute queue"],
        "zh": ["办理入住排队等了{m}分钟", "前台办理入住等了{m}分钟才拿到房卡", "入住[等太久|等很久]，排了{m}分钟的队",
               "登记入住花了{m}分钟，[太慢了|效率太低]", "前台只有一个人，等了{m}分钟", "到店后排队{m}分钟才办好入住"]}},
    "fast_checkin": {"pos": {
        "en": ["check-in was {i}[quick|fast|smooth]", "[quick|smooth] check-in, keys in [two|five] minutes",
               "the front desk checked us in {i}quickly"],
        "zh": ["入住办理{i}[快|顺利]", "办理入住{i}迅速，几分钟就拿到房卡", "前台办理入住效率{i}高"]}},
    "dirty": {"neg": {
        "en": ["the [room|bathroom] was not clean", "[hair|stains] [in the bathroom|on the sheets|in the shower]",
               "the room was {i}dirty", "housekeeping was poor, [dust everywhere|towels were stained|the bin was never emptied]",
               "dirty [sheets|towels] and a dusty [desk|floor]", "the bathroom was filthy"],
        "zh": ["房间[不干净|打扫得不干净]", "[浴室|床单|毛巾]上有[头发|污渍]", "卫生{i}差，[地上有灰尘|床单有污渍]",
               "房间有[霉味|异味]，保洁不到位", "房间{i}脏，[浴室|地毯]都没打扫"]}},
    "clean": {"pos": {
        "en": ["the room was {i}clean", "[spotless|very clean] [room|bathroom]", "housekeeping did a [great|lovely] job",
               "the room was clean and tidy"],
        "zh": ["[房间|浴室|卫生间]{i}干净", "房间干净整洁，[一尘不染|很舒心]", "卫生{i}好，[床单|毛巾|浴巾]都很干净", "房间打扫得干干净净"]}},
    "staff": {
        "pos": {"en": ["the staff were {i}[friendly|helpful|attentive]", "[lovely|friendly] staff", "the [concierge|manager] was {i}helpful"],
                "zh": ["[员工|服务员|礼宾]态度{i}好", "服务{i}[热情|周到|贴心]", "[经理|服务员|管家]{i}热情"]},
        "neg": {"en": ["the staff were [rude|unhelpful|unprofessional]", "staff seemed {i}unfriendly", "the service attitude was poor"],
                "zh": ["服务员态度[冷淡|很差]", "员工[不太专业|爱答不理]", "服务态度{i}差"]}},
    "breakfast": {
        "pos": {"en": ["breakfast was [excellent|great|delicious] with lots of choice", "[great|lovely] buffet breakfast",
                       "the coffee at breakfast was {i}good"],
                "zh": ["早餐{i}丰富，味道不错", "自助早餐{i}好吃", "早餐品种{i}多"]},
        "neg": {"en": ["breakfast was [poor|disappointing] and the choice was limited", "the breakfast buffet was [cold|bland]",
                       "breakfast was {i}poor"],
                "zh": ["早餐种类太少，[不好吃|味道差]", "早餐[很差|太简单了]", "自助早餐{i}难吃"]}},
    "wifi": {
        "pos": {"en": ["[fast|reliable] Wi-Fi", "the Wi-Fi was {i}fast"], "zh": ["网速{i}快", "无线网络{i}稳定"]},
        "neg": {"en": ["the Wi-Fi was {i}slow and kept dropping", "[terrible|useless] Wi-Fi", "the internet connection was {i}poor"],
                "zh": ["无线网络{i}慢，经常断线", "WiFi信号{i}差", "网络[连不上|总是断]"]}},
    "location": {"pos": {
        "en": ["[great|perfect|convenient] location[| near the metro| close to the station]", "the location is {i}convenient"],
        "zh": ["位置{i}方便，交通便利", "[离地铁站|离景点|离会展中心]{i}近", "周边[吃饭|购物|逛街]{i}方便", "地段{i}好，出行[方便|便利]"]}},
    "comfort": {
        "pos": {"en": ["the bed was {i}comfortable", "[quiet|comfortable] room with a [nice|lovely] view"],
                "zh": ["床{i}舒服", "房间安静，[睡得很好|隔音不错]"]},
        "neg": {"en": ["the room was {i}noisy", "[thin walls|street noise] kept us awake", "the air conditioning was [noisy|broken]"],
                "zh": ["隔音[太差|不好]，[晚上很吵|半夜被吵醒]", "空调[噪音很大|不制冷]"]}},
    "price": {
        "pos": {"en": ["[good|great] value for the price", "[reasonably priced|good value for money]"],
                "zh": ["性价比{i}高", "价格{i}[实惠|划算]"]},
        "neg": {"en": ["[overpriced|far too expensive] for what you get", "not worth the price"],
                "zh": ["价格[太贵|偏贵]，不值", "性价比{i}低"]},
        "mid": {"en": ["not bad for the price", "[fair|okay] value"], "zh": ["价格不算贵，还不错", "性价比还行"]}},
    "checkout": {"pos": {"en": ["check-out was [quick|easy]"], "zh": ["退房{i}[快|方便]"]}},
})

HOTEL_FRAMES = _frames({
    "open_pos": {"en": "[Lovely stay.|A great experience overall!|Really enjoyed our stay.|Excellent hotel.|Would recommend.]",
                 "zh": "[这次入住很愉快。|整体体验非常好！|很满意的一次住宿。|非常推荐这家酒店。|住得很开心。]"},
    "open_neg": {"en": "[Very disappointing stay.|Bad experience.|Not what we expected.|Terrible stay.]",
                 "zh": "[这次入住很失望。|体验很差。|和预期差很多。|非常糟糕的一次入住。]"},
    "open_mid": {"en": "[It was okay.|An average stay overall.|Nothing special.|Okay for a short stay.]",
                 "zh": "[还行吧。|总体一般。|中规中矩。|一般般。]"},
    "context": {"en": "Stayed [one night|two nights|three nights|four nights] [for work|with family|on holiday|with friends|for a conference].",
                "zh": "[出差|带家人|周末|和朋友|开会]住了[一晚|两晚|三晚|四晚]。"},
    "close_pos": {"en": "[Would stay again.|Highly recommended!|Will be back.|Thank you!]",
                  "zh": "[下次还会再来。|推荐！|下次还选这里。|谢谢！]"},
    "close_neg": {"en": "[Would not come back.|Avoid.|Will not return.|Not recommended.]",
                  "zh": "[不会再来了。|不推荐。|太失望了。|再也不来了。]"},
    "close_mid": {"en": "[Might stay again if the price is right.|Acceptable.]",
                  "zh": "[价格合适的话可能还会来。|凑合吧。]"},
})

SHOP_BANK = _bank({
    "late": {"neg": {
        "en": ["delivery was {i}slow, it took {m} days", "it took {m} days to arrive, far too slow",
               "the parcel arrived after {m} days", "shipping took {m} days[| with no tracking updates]"],
        "zh": ["物流{i}慢，等了{m}天才到", "快递{m}天才送到，太慢", "下单{m}天才到货", "发货{i}慢，{m}天才收到"]}},
    "fast_delivery": {"pos": {
        "en": ["fast delivery, it arrived the next day", "shipping was {i}quick", "the parcel arrived [early|on time]"],
        "zh": ["物流{i}快，[第二天|当天|隔天]就到了", "发货迅速，快递[给力|小哥很负责]", "配送{i}快"]}},
    "quality": {
        "pos": {"en": ["[great|excellent] quality, exactly as described", "{i}well made and [sturdy|durable]", "the material feels {i}good"],
                "zh": ["质量{i}好，做工[精细|扎实]", "东西质量不错，和[描述|图片]一致", "材质{i}好，[很耐用|很结实|手感不错]", "[做工|品质]{i}好"]},
        "neg": {"en": ["poor quality, it broke after [two days|a week]", "cheaply made and not as pictured",
                       "the material is {i}flimsy", "it arrived [broken|defective]"],
                "zh": ["质量{i}差，[用了两天就坏了|一周就坏了]", "做工粗糙，和图片不符", "材质{i}差，有质量问题"]}},
    "payment": {
        "pos": {"en": ["one-click pay is {i}convenient", "payment was [quick|easy]"], "zh": ["一键支付{i}方便", "付款{i}顺利"]},
        "neg": {"en": ["the payment page kept failing, I had to try several times", "the payment got stuck and would not go through",
                       "my card was charged twice at checkout"],
                "zh": ["付款的时候一直报错，试了好几次", "支付页面卡住了，付不了款", "支付{i}麻烦，扣款还失败了"]}},
    "packaging": {"neg": {"en": ["the package arrived damaged", "the box was [crushed|torn]"], "zh": ["包装破损了", "纸箱[压坏了|破了]"]}},
    "service": {
        "pos": {"en": ["customer service was {i}[quick|patient|helpful]", "the seller replied {i}quickly"],
                "zh": ["客服回复{i}快，很耐心", "客服{i}耐心"]},
        "neg": {"en": ["customer service never answered", "support was {i}unhelpful and the problem is still not solved"],
                "zh": ["客服不理人，问题一直没解决", "联系客服{i}麻烦"]}},
    "returns": {"neg": {"en": ["the return process was a hassle", "the refund took {i}long"], "zh": ["退货流程太麻烦了", "退款{i}慢"]}},
    "app": {
        "pos": {"en": ["the app is {i}easy to use", "search found what I wanted {i}quickly"], "zh": ["App{i}好用", "搜索{i}方便"]},
        "neg": {"en": ["the app crashed twice", "search results were {i}poor"], "zh": ["App[闪退|卡顿]", "搜索{i}不准"]}},
    "price": {
        "pos": {"en": ["[good|great] value for the price", "cheaper than in the shops"], "zh": ["性价比{i}高", "价格{i}实惠"]},
        "neg": {"en": ["overpriced for what it is", "not worth the price"], "zh": ["价格偏贵，不值", "性价比{i}低"]},
        "mid": {"en": ["not bad for the price", "okay for the price"], "zh": ["价格不贵，还不错", "这个价格还行"]}},
})

SHOP_FRAMES = _frames({
    "open_pos": {"en": "[Very happy with this order!|Great, will buy again.|Love it!|Excellent purchase.]",
                 "zh": "[很满意的一次购物！|非常好，会回购。|很喜欢！|买得很值。]"},
    "open_neg": {"en": "[Very disappointed.|Bad shopping experience.|Not happy with this order.|Terrible.]",
                 "zh": "[很失望。|购物体验很差。|这次购物很不满意。|太差了。]"},
    "open_mid": {"en": "[It's okay.|Average.|Nothing special.|As expected.]",
                 "zh": "[一般般。|还可以。|中规中矩。|还行吧。]"},
    "context": {"en": "[Bought it|Ordered this] [as a gift|for my daughter|for the office|for myself].",
                "zh": "[买来|下单]是[送人的|给孩子用的|办公室用的|自己用的]。"},
    "close_pos": {"en": "[Will order again.|Recommended!|Five stars.|Thanks!]",
                  "zh": "[还会回购。|推荐购买！|好评！|谢谢卖家！]"},
    "close_neg": {"en": "[Will not buy again.|Not recommended.|Avoid.]",
                  "zh": "[不会再买了。|不推荐。|差评。]"},
    "close_mid": {"en": "[Fine for the price.|It does the job.]",
                  "zh": "[凑合用吧。|能用。]"},
})


def _code(pos: np.ndarray, neg: np.ndarray) -> np.ndarray:
    """Mention code per review: 1 praise, -1 complaint (a complaint wins), 0 not mentioned."""
    return np.where(neg, -1, np.where(pos, 1, 0))


def _price_code(stars: np.ndarray, draw: np.ndarray) -> np.ndarray:
    """Price is mentioned as middling in 3-star reviews, as praise or complaint in the others."""
    return np.select([(stars == 3) & (draw < 0.35), (stars >= 4) & (draw < 0.15), (stars <= 2) & (draw < 0.08)], [2, 1, -1], 0)


def _at_least_one(mentions: dict[str, np.ndarray], stars: np.ndarray, fallback_pos: str) -> None:
    """Good and middling reviews mention at least one aspect (a complaint without one stays a verdict)."""
    none = np.all(np.column_stack(list(mentions.values())) == 0, axis=1)
    mentions[fallback_pos] = np.where(none & (stars >= 4), 1, mentions[fallback_pos])
    mentions["price"] = np.where(none & (stars == 3), 2, mentions["price"])  # low stars: the frame sentences speak


def _pick(rng, options: dict, is_zh: np.ndarray) -> np.ndarray:
    """One wording per row from a per-language list (vectorised)."""
    n = len(is_zh)
    en = np.asarray(options["en"], dtype=str)[rng.integers(0, len(options["en"]), n)]
    zh = np.asarray(options["zh"], dtype=str)[rng.integers(0, len(options["zh"]), n)]
    return np.where(is_zh, zh, en)


def _join_block(rng, clauses: list[np.ndarray], is_zh: np.ndarray) -> np.ndarray:
    """Join each row's non-empty clauses in a random order with varied connectors."""
    n = len(is_zh)
    if not clauses:
        return np.full(n, "", dtype=str)
    m = np.column_stack(clauses)
    keys = rng.random(m.shape) + 10.0 * (m == "")
    m = np.take_along_axis(m, np.argsort(keys, axis=1), axis=1)
    out = m[:, 0]
    for j in range(1, m.shape[1]):
        sep = _pick(rng, _JOIN, is_zh)
        both = (out != "") & (m[:, j] != "")
        out = np.strings.add(np.strings.add(out, np.where(both, sep, "")), m[:, j])
    return out


def _sentence(body: np.ndarray, is_zh: np.ndarray, end_en: np.ndarray, end_zh: np.ndarray) -> np.ndarray:
    """Capitalise an English clause chain and end it with a full stop or exclamation mark."""
    cap = np.strings.add(np.strings.upper(np.strings.slice(body, 0, 1)), np.strings.slice(body, 1, None))
    text = np.where(is_zh, body, cap)
    return np.where(body == "", "", np.strings.add(text, np.where(is_zh, end_zh, end_en)))


def _compose_reviews(rng, bank: dict, frames: dict, lang: np.ndarray, stars: np.ndarray,
                     mentions: dict[str, np.ndarray], numbers: np.ndarray) -> np.ndarray:
    """Review texts from aspect mentions (``1`` praise, ``-1`` complaint, ``2`` middling), vectorised over reviews."""
    n = len(lang)
    is_zh = lang == "zh"
    mstr = np.asarray(numbers, dtype="int64").astype(str)
    blocks: dict[int, list[np.ndarray]] = {1: [], -1: [], 2: []}
    for aspect, code in mentions.items():
        for pol, key in ((1, "pos"), (-1, "neg"), (2, "mid")):
            if key in bank[aspect] and (code == pol).any():
                text = np.strings.replace(_pick(rng, bank[aspect][key], is_zh), "{m}", mstr)
                blocks[pol].append(np.where(code == pol, text, ""))
    pos, neg, mid = (_join_block(rng, blocks[k], is_zh) for k in (1, -1, 2))
    contrast = _pick(rng, _CONTRAST, is_zh)
    high, low = stars >= 4, stars <= 2
    first = np.where(high, neg, pos)  # the minority view comes first, the verdict after "but"
    last = np.where(high, pos, neg)
    mixed = (first != "") & (last != "")
    body = np.where(mixed, np.strings.add(np.strings.add(first, contrast), last), np.strings.add(first, last))
    middle = _join_block(rng, [pos, neg, mid], is_zh)
    body = np.where(high | low, body, middle)
    end_en = np.where(high & (rng.random(n) < 0.3), "!", ".")
    end_zh = np.where(high & (rng.random(n) < 0.3), "！", np.where(rng.random(n) < 0.15, "～", "。"))
    body = _sentence(body, is_zh, end_en, end_zh)
    group = np.where(high, "pos", np.where(low, "neg", "mid"))
    opener = np.select([group == "pos", group == "neg"], [_pick(rng, frames["open_pos"], is_zh),
                       _pick(rng, frames["open_neg"], is_zh)], _pick(rng, frames["open_mid"], is_zh))
    closer = np.select([group == "pos", group == "neg"], [_pick(rng, frames["close_pos"], is_zh),
                       _pick(rng, frames["close_neg"], is_zh)], _pick(rng, frames["close_mid"], is_zh))
    opener = np.where((rng.random(n) < 0.7) | (group == "mid") | (body == ""), opener, "")
    bare = body == ""
    closer = np.where((rng.random(n) < 0.45) | bare, closer, "")
    context = np.where((rng.random(n) < 0.35) | bare, _pick(rng, frames["context"], is_zh), "")
    space = np.where(is_zh, "", " ")
    texts = context
    for part in (opener, body, closer):
        texts = np.strings.add(np.strings.add(texts, np.where((texts != "") & (part != ""), space, "")), part)
    texts = texts.astype(object)
    # A little of the mess that real exports carry: emoji and HTML line breaks.
    emoji = rng.random(n) < 0.03
    texts[emoji] = texts[emoji] + np.where(is_zh[emoji], "👍", " 🙂")
    html = rng.random(n) < 0.01
    if html.any():
        texts[html] = np.strings.replace(np.strings.replace(texts[html].astype(str), "。", "。<br>"), ". ", ".<br>").astype(object)
    return texts


# --------------------------------------------------------------------------- shared new tables
RECOVERY_FAST_H = 1.0  # a first response within this many hours counts as fast
HOTEL_SLOW_H = 4.0  # hotel: a first response later than this costs NPS
SHOP_SLOW_H = 12.0  # shop: the same threshold for support contacts

_OUTCOMES = np.array(["resolved", "partly_resolved", "not_resolved"], dtype=object)


def _case_handling(rng, channel: np.ndarray, median_h: dict[str, float], start: pd.Series,
                   extracted: pd.Timestamp, slow_factor: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """First response, outcome, resolution time and open/closed status of complaint cases (vectorised).

    Fast first responses are more often fully resolved; a case still open when the data
    were extracted has no resolution time (a censored duration) and outcome ``open``.
    """
    n = len(channel)
    med = np.vectorize(median_h.get, otypes=[float])(channel)
    if slow_factor is not None:
        med = med * slow_factor
    first = np.round(rng.lognormal(np.log(med), 0.9, n), 2)
    fast = first <= RECOVERY_FAST_H
    u = rng.random(n)
    cut1 = np.where(fast, 0.72, 0.50)
    cut2 = cut1 + np.where(fast, 0.20, 0.30)
    outcome = _OUTCOMES[(u >= cut1).astype(int) + (u >= cut2).astype(int)]
    fcr = (outcome == "resolved") & (rng.random(n) < np.where(np.isin(channel, ["front_desk", "chat", "phone"]), 0.75, 0.45))
    extra = np.where(fcr, rng.lognormal(np.log(0.4), 0.6, n), rng.lognormal(np.log(20.0), 0.9, n))
    resolution = np.round(first + extra, 2)
    done_at = start + pd.to_timedelta(resolution * 3600.0, unit="s")
    closed = ((done_at <= extracted).to_numpy()) & (rng.random(n) >= 0.02)  # 2% stay stuck open
    outcome = np.where(closed, outcome, "open").astype(object)
    fcr &= closed
    resolution = np.where(closed, resolution, np.nan)
    return {"first": first, "fast": fast, "outcome": outcome, "fcr": fcr, "resolution": resolution, "closed": closed}


def _recovery_shift(first: np.ndarray, outcome: np.ndarray, slow_h: float) -> np.ndarray:
    """Change of the latent experience after a complaint (planted service-recovery effects).

    The service-recovery paradox holds only for fast, fully resolved complaints; a first
    response later than ``slow_h`` hours costs, and so does an unresolved complaint.
    """
    fast_full = (first <= RECOVERY_FAST_H) & (outcome == "resolved")
    return -0.15 + 1.35 * fast_full - 0.5 * (first > slow_h) - 0.35 * (outcome == "not_resolved")


def _points(rng, mean_w: np.ndarray, n: int) -> np.ndarray:
    """Point allocations (constant sum 100) drawn around ``mean_w``, vectorised."""
    shares = rng.dirichlet(mean_w * 0.8, n)
    return rng.multinomial(100, shares)


ESQUAL_DIMENSIONS = {
    "efficiency": range(1, 9),
    "system_availability": range(9, 13),
    "fulfilment": range(13, 20),
    "privacy": range(20, 23),
}


def _esqual(rng, size: float, customers: pd.DataFrame) -> pd.DataFrame:
    """E-S-QUAL survey (Parasuraman, Zeithaml & Malhotra 2005) with expectations and point allocation.

    The published instrument asks perceptions only (5-point); here each item is asked as
    expectation and perception on 1–7, as in SERVQUAL, so the gap analysis of lesson 04 runs.
    Planted gap: Fulfilment is the largest (P − E ≈ −1.4); System availability is worse on web.
    """
    n = min(max(int(round(600 * size)), 8), len(customers))
    pick = np.sort(rng.choice(len(customers), size=n, replace=False))
    platform = customers["preferred_platform"].to_numpy()[pick]
    web = platform == "web"
    gaps = {"efficiency": np.full(n, -0.6), "system_availability": np.where(web, -1.0, -0.3),
            "fulfilment": np.full(n, -1.4), "privacy": np.full(n, -0.3)}
    person_e = rng.normal(0, 0.35, n)
    person_p = rng.normal(0, 0.45, n)
    cols: dict[str, np.ndarray] = {}
    for dim, items in ESQUAL_DIMENSIONS.items():
        e_dim = 6.0 + person_e + rng.normal(0, 0.35, n)
        p_dim = e_dim + gaps[dim] + person_p + rng.normal(0, 0.45, n)
        k = len(items)
        e_items = _likert(e_dim[:, None] + rng.normal(0, 0.45, (n, k)), 1, 7)
        p_items = _likert(p_dim[:, None] + rng.normal(0, 0.5, (n, k)), 1, 7)
        for j, i in enumerate(items):
            cols[f"e{i:02d}"] = _with_missing(rng, e_items[:, j], 0.005)
            cols[f"p{i:02d}"] = _with_missing(rng, p_items[:, j], 0.005)
    points = _points(rng, np.array([30, 15, 35, 20], dtype=float), n)
    return pd.DataFrame(
        {
            "response_id": _ids("E", n, 6),
            "customer_id": customers["customer_id"].to_numpy()[pick],
            "platform": platform,
            "survey_date": _dates(pd.Timestamp("2026-06-01"), rng.integers(0, 61, n)),
            **{k: cols[k] for k in [f"e{i:02d}" for i in range(1, 23)] + [f"p{i:02d}" for i in range(1, 23)]},
            **{f"w_{dim}": points[:, j] for j, dim in enumerate(ESQUAL_DIMENSIONS)},
        }
    )


SHOP_EXPERIMENT_START = pd.Timestamp("2026-07-01")
HOTEL_EXPERIMENT_START = pd.Timestamp("2026-03-01")
#: Planted experiment effects (the truth that lesson 12 estimates).
SHOP_CONVERSION = (0.55, 0.61)  # control, single-page checkout
HOTEL_CHECKIN_RATIO = 0.72  # new flow: check-in takes 0.72× as long


def _shop_experiment(rng, size: float, customers: pd.DataFrame) -> pd.DataFrame:
    """Randomised checkout experiment: customers reaching checkout, 50/50 to a single-page checkout."""
    n = min(max(int(round(3600 * size)), 20), len(customers))
    pick = np.sort(rng.choice(len(customers), size=n, replace=False))
    treat = rng.random(n) < 0.5
    propensity = rng.lognormal(np.log(160.0), 0.7, n)  # the customer's typical basket
    buyer_before = rng.random(n) < 0.85
    pre = np.where(buyer_before, np.round(propensity * rng.gamma(6.0, 0.2, n), 2), 0.0)
    p_conv = np.where(treat, SHOP_CONVERSION[1], SHOP_CONVERSION[0]) + 0.05 * buyer_before - 0.035
    converted = rng.random(n) < p_conv
    revenue = np.where(converted, np.round(propensity * rng.lognormal(0, 0.35, n), 2), 0.0)
    return pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy()[pick],
            "platform": customers["preferred_platform"].to_numpy()[pick],
            "assigned_date": _dates(SHOP_EXPERIMENT_START, rng.integers(0, 28, n)),
            "arm": np.where(treat, "new_checkout", "control").astype(object),
            "pre_revenue_90d": pre,
            "converted": converted,
            "revenue_14d": revenue,
        }
    )


def _hotel_experiment(rng, size: float) -> pd.DataFrame:
    """Randomised check-in experiment at the city hotel: arrivals 50/50 to the new flow."""
    n = max(int(round(1600 * size)), 20)
    treat = rng.random(n) < 0.5
    segment = _choice(rng, ["business", "leisure", "family"], [0.5, 0.3, 0.2], n)
    person = rng.normal(0, 0.35, n) + 0.2 * (segment == "family")
    base = np.log(8.0)
    pre = np.round(np.exp(base + person + rng.normal(0, 0.25, n)), 1)
    minutes = np.round(np.exp(base + person + rng.normal(0, 0.3, n) + np.log(HOTEL_CHECKIN_RATIO) * treat), 1)
    sat = _with_missing(rng, _likert(4.55 - 0.09 * minutes + 0.2 * treat + rng.normal(0, 0.6, n), 1, 5), 0.3)
    day = np.sort(rng.integers(0, 61, n))
    return pd.DataFrame(
        {
            "arrival_id": _ids("A", n, 6),
            "property_id": np.full(n, "city", dtype=object),
            "checkin_date": _dates(HOTEL_EXPERIMENT_START, day),
            "segment": segment,
            "arm": np.where(treat, "new_flow", "control").astype(object),
            "pre_checkin_min": pre,
            "checkin_min": minutes,
            "checkin_sat": sat,
        }
    )


EXPRESS_PAY_RELEASE = pd.Timestamp("2026-01-15")
#: Hotel complaint reason → the touchpoint it is about (order = the generator's cause columns).
COMPLAINT_TOUCHPOINT = {"checkin_wait": "checkin", "room_cleanliness": "room", "wifi": "wifi", "staff": "staff",
                        "breakfast": "breakfast", "noise": "room", "billing": "checkout"}
BOOKING_STEPS = ("home", "search", "room", "details", "payment", "confirmation")


def _booking_journey(rng, size: float, guest_ids: np.ndarray) -> pd.DataFrame:
    """App and web booking sessions of the hotel; the app's payment step leaks until express pay."""
    n = max(int(round(9000 * size)), 20)
    g = rng.integers(0, len(guest_ids), n)
    app = rng.random(n) < 0.55
    span = (HOTEL_END - HOTEL_START).total_seconds()
    start_sec = np.sort(rng.random(n) * span)
    start_ts = HOTEL_START + pd.to_timedelta(np.floor(start_sec), unit="s")
    after = np.asarray(start_ts >= EXPRESS_PAY_RELEASE)
    p_next = np.column_stack(
        [
            np.full(n, 0.82),
            np.full(n, 0.62),
            np.full(n, 0.58),
            np.full(n, 0.85),
            np.where(app, np.where(after, 0.86, 0.55), 0.80),
        ]
    )
    go = rng.random((n, 5)) < p_next
    depth = 1 + np.cumprod(go, axis=1).sum(axis=1)
    express = app & after & (rng.random(n) < 0.65)
    pay_error = rng.random(n) < np.where(app & ~after, 0.20, 0.04)
    ev_s = np.repeat(np.arange(n), depth)
    ev_step = np.arange(len(ev_s)) - np.repeat(np.cumsum(depth) - depth, depth)
    gap_scale = np.array([0, 35, 70, 60, 90, 40], dtype=float)[ev_step]
    slow = (ev_step == 5) & ~express[ev_s]
    gap = rng.lognormal(0, 0.6, len(ev_s)) * gap_scale * np.where(slow, 1.8, 1.0)
    cum = np.cumsum(gap)
    first = np.repeat(np.cumsum(depth) - depth, depth)
    ts = pd.Series(start_ts[ev_s] + pd.to_timedelta(np.floor(cum - cum[first]), unit="s"))
    confirmed = ev_step == 5
    rating = _likert(4.0 + 0.5 * express[ev_s] - 0.9 * pay_error[ev_s] + rng.normal(0, 0.7, len(ev_s)), 1, 5).astype(float)
    rating[~confirmed | (rng.random(len(ev_s)) >= 0.3)] = np.nan
    return pd.DataFrame(
        {
            "session_id": _ids("B", n, 7)[ev_s],
            "guest_id": guest_ids[g[ev_s]],
            "platform": np.where(app[ev_s], "app", "web").astype(object),
            "step": np.asarray(BOOKING_STEPS, dtype=object)[ev_step],
            "timestamp": ts,
            "express_pay": express[ev_s] & (ev_step >= 4),
            "error": pay_error[ev_s] & (ev_step == 4),
            "app_rating": rating,
        }
    )


# --------------------------------------------------------------------------- hotel
def _hotel(size: float, seed: int) -> dict[str, pd.DataFrame]:
    ss = np.random.SeedSequence(seed)
    r_guest, r_stay, r_survey, r_sq, r_kano, r_review, r_out, r_cmp, r_book, r_exp = (
        np.random.default_rng(s) for s in ss.spawn(10))

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
    # Complaints during the stay: the problems the guest met make them complain; how the
    # case is handled then moves the guest's experience (planted service-recovery effects).
    rc = r_cmp
    p_c = (0.01 + 0.38 * (wait > 25) + 0.16 * ((wait > 15) & (wait <= 25)) + 0.26 * lapse
           + 0.10 * (lat["tp_wifi"] < 2.5) + 0.10 * (lat["tp_staff"] < 3.0)
           + 0.05 * (took_breakfast & (lat["tp_breakfast"] < 3.0)))
    ci = np.flatnonzero(rc.random(n_stays) < np.clip(p_c, 0, 0.9))
    n_c = len(ci)
    causes = np.column_stack([3.0 * (wait[ci] > 15), 4.0 * lapse[ci], 2.0 * (lat["tp_wifi"][ci] < 2.5),
                              1.5 * (lat["tp_staff"][ci] < 3.0),
                              1.0 * (took_breakfast[ci] & (lat["tp_breakfast"][ci] < 3.0)),
                              np.zeros(n_c), np.zeros(n_c)]) + rc.random((n_c, 7)) * np.array([0.5] * 5 + [1.2, 0.9])
    reasons = np.array(list(COMPLAINT_TOUCHPOINT), dtype=object)
    c_reason = reasons[causes.argmax(axis=1)]
    c_channel = _choice(rc, ["front_desk", "phone", "app_chat", "email", "ota_message"], [0.45, 0.15, 0.15, 0.15, 0.10], n_c)
    c_time = pd.Series(checkin.to_numpy()[ci] + pd.to_timedelta(np.floor(rc.random(n_c) * nights[ci] * 1440) + 14 * 60, unit="min"))
    case = _case_handling(rc, c_channel, {"front_desk": 0.15, "phone": 0.4, "app_chat": 0.6, "email": 9.0, "ota_message": 16.0},
                          c_time, HOTEL_END + pd.Timedelta(days=1), slow_factor=np.where(dip[ci], 1.8, 1.0))
    u[ci] += _recovery_shift(case["first"], case["outcome"], HOTEL_SLOW_H)
    comp_p = np.where(c_reason == "room_cleanliness", 0.5, np.where(c_reason == "checkin_wait", 0.3, 0.15))
    comp = np.where(np.isin(case["outcome"], ["resolved", "partly_resolved"]) & (rc.random(n_c) < comp_p),
                    rc.choice([100.0, 200.0, 300.0, 500.0], size=n_c, p=[0.4, 0.3, 0.2, 0.1]), 0.0)

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
    mention = rr.random((11, n_rev))
    took_b = took_breakfast[rev]
    mentions = {
        "wait": -1 * ((tp["tp_checkin"] <= 3) & (wait[rev] > 15) & (mention[0] < 0.85)),
        "fast_checkin": 1 * ((tp["tp_checkin"] >= 5) & (mention[1] < 0.35)),
        "dirty": -1 * ((tp["tp_room"] <= 2) & (mention[2] < 0.85)),
        "clean": 1 * ((tp["tp_room"] >= 5) & (mention[3] < 0.55)),
        "staff": _code((tp["tp_staff"] >= 5) & (mention[4] < 0.5), (tp["tp_staff"] <= 2) & (mention[4] < 0.6)),
        "breakfast": _code(took_b & (tp["tp_breakfast"] >= 5) & (mention[5] < 0.45),
                           took_b & (tp["tp_breakfast"] <= 2) & (mention[5] < 0.5)),
        "wifi": _code((tp["tp_wifi"] >= 5) & (mention[6] < 0.2), (tp["tp_wifi"] <= 2) & (mention[6] < 0.5)),
        "location": 1 * (((stars >= 3) & (mention[7] < 0.4)) | ((stars <= 2) & (mention[7] > 0.85))),
        "comfort": _code((stars >= 4) & (mention[8] < 0.35), mention[8] > 0.94),
        "price": _price_code(stars, mention[9]),
        "checkout": 1 * ((tp["tp_checkout"] >= 5) & (mention[10] < 0.12)),
    }
    _at_least_one(mentions, stars, fallback_pos="location")
    texts = _compose_reviews(rr, HOTEL_BANK, HOTEL_FRAMES, lang, stars, mentions, np.rint(wait[rev]))
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
    nps_stay = np.full(n_stays, np.nan)
    nps_stay[idx] = nps
    complaints = pd.DataFrame(
        {
            "complaint_id": _ids("C", n_c, 6),
            "stay_id": stays["stay_id"].to_numpy()[ci],
            "guest_id": stays["guest_id"].to_numpy()[ci],
            "property_id": prop[ci],
            "complaint_time": c_time,
            "channel": c_channel,
            "reason": c_reason,
            "touchpoint": np.vectorize(COMPLAINT_TOUCHPOINT.get, otypes=[object])(c_reason),
            "first_response_h": case["first"],
            "resolution_h": case["resolution"],
            "closed": case["closed"],
            "outcome": case["outcome"],
            "resolved_first_contact": case["fcr"],
            "compensation": comp,
            "nps_after": nps_stay[ci],
            "returned_12m": returned[g_idx[ci]],
        }
    )
    releases = pd.DataFrame(
        {
            "feature": ["express_pay"],
            "release_date": [EXPRESS_PAY_RELEASE],
            "platforms": ["app"],
            "name_en": ["Express pay (saved cards, one-tap WeChat Pay and Alipay)"],
            "name_zh": ["快捷支付（保存银行卡，一键微信支付与支付宝）"],
            "touchpoint": ["payment"],
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
        "booking_events": _booking_journey(r_book, size, guests["guest_id"].to_numpy()),
        "releases": releases,
        "complaints": complaints,
        "experiment": _hotel_experiment(r_exp, size),
    }


# --------------------------------------------------------------------------- e-commerce
FUNNEL_STEPS = ("home", "search", "product", "cart", "checkout", "payment", "order")


def _ecommerce(size: float, seed: int) -> dict[str, pd.DataFrame]:
    ss = np.random.SeedSequence(seed + 1)
    r_cust, r_sess, r_order, r_sup, r_survey, r_kano, r_review, r_esq, r_exp, r_case = (
        np.random.default_rng(s) for s in ss.spawn(10))

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
    # Case handling, follow-up NPS and reorders (the same fields as the hotel's complaints).
    rk = r_case
    c_start = pd.Series(support["contact_date"]) + pd.to_timedelta(9 * 60 + np.floor(rk.random(n_con) * 600), unit="min")
    case = _case_handling(rk, channel, {"chat": 0.05, "phone": 0.1, "email": 8.0}, c_start,
                          SHOP_END + pd.Timedelta(days=1))
    # First-contact resolution as recorded by the agent stays; the case outcome agrees with it.
    outcome = np.where(resolved & case["closed"], "resolved", case["outcome"]).astype(object)
    h_c = happiness[c_idx[ordered]][contact]
    follow = _likert(7.0 + 0.6 * h_c + 1.8 * _recovery_shift(case["first"], outcome, SHOP_SLOW_H)
                     + rk.normal(0, 1.4, n_con), 0, 10).astype(float)
    follow[(rk.random(n_con) >= 0.5) | ~case["closed"]] = np.nan
    later = pd.merge_asof(
        pd.DataFrame({"t": c_start + pd.Timedelta(hours=1), "customer_id": support["customer_id"].to_numpy(), "i": np.arange(n_con)}).sort_values("t"),
        orders[["order_time", "customer_id"]].sort_values("order_time").rename(columns={"order_time": "next"}),
        left_on="t", right_on="next", by="customer_id", direction="forward",
    ).sort_values("i")
    window_end = support["contact_date"] + pd.Timedelta(days=90)
    reordered = np.where(window_end > SHOP_END, None,
                         (later["next"].notna() & (later["next"].to_numpy() <= window_end.to_numpy())).to_numpy()).astype(object)
    support = support.assign(
        touchpoint=np.vectorize({"delivery": "delivery", "returns": "returns", "payment": "payment",
                                 "product": "product", "account": "support"}.get, otypes=[object])(reason),
        first_response_h=case["first"],
        resolution_h=np.where(resolved & case["closed"], np.round(case["first"] + rk.lognormal(np.log(0.3), 0.5, n_con), 2),
                              case["resolution"]),
        closed=case["closed"],
        outcome=outcome,
        compensation=np.where(np.isin(reason, ["delivery", "returns", "product"]) & (rk.random(n_con) < 0.3),
                              rk.choice([10.0, 20.0, 50.0], size=n_con, p=[0.5, 0.35, 0.15]), 0.0),
        nps_after=follow,
        reordered_90d=reordered,
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
    # Peak–end: the worst moment of the purchase weighs on the recommendation beyond the average.
    worst = np.min(np.column_stack([lat[k] for k in ("tp_search", "tp_product_page", "tp_checkout", "tp_payment",
                                                     "tp_delivery", "tp_product")]), axis=1)
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
            "nps": _with_missing(rs, _likert(8.0 + 1.0 * u + 0.5 * hh + PEAK_WEIGHT * (worst - worst.mean()) + rs.normal(0, 0.9, n_resp), 0, 10), 0.02),
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
    exp_u = 0.5 * (5.0 - 0.38 * delivery - 4.3) + 0.6 * quality + 0.3 * h
    p_review = np.clip(0.12 + 0.12 * np.abs(exp_u), 0, 0.8)
    rev = np.flatnonzero(rr.random(n_ord) < p_review)
    n_rev = len(rev)
    stars = _likert(4.0 + 1.1 * exp_u[rev] - 0.8 * o_pay_err[rev] + rr.normal(0, 0.45, n_rev), 1, 5)
    lang = np.where(rr.random(n_rev) < 0.85, "zh", "en").astype(object)
    mention = rr.random((8, n_rev))
    after_r = (pd.Series(order_time[rev]) >= ONE_CLICK_RELEASE).to_numpy()
    mentions = {
        "late": -1 * ((delivery[rev] >= 4) & (mention[0] < 0.7)),
        "fast_delivery": 1 * ((delivery[rev] <= 2) & (mention[0] < 0.45)),
        "quality": _code((quality[rev] > 0.5) & (mention[1] < 0.6), (quality[rev] < -0.8) & (mention[1] < 0.75)),
        "payment": _code(after_r & one_click_session[ordered][rev] & (mention[2] < 0.15), o_pay_err[rev] & (mention[2] < 0.7)),
        "packaging": -1 * (mention[3] < 0.03),
        "service": _code(had_contact[rev] & (contact_ease[rev] > 0.8) & (mention[4] < 0.5),
                         had_contact[rev] & (contact_ease[rev] < -1.0) & (mention[4] < 0.6)),
        "returns": -1 * (returned[rev] & (mention[5] < 0.4)),
        "app": _code(((stars >= 4) & (mention[6] < 0.2)) | ((stars <= 2) & (mention[6] > 0.85)),
                     (stars <= 2) & (mention[6] < 0.08)),
        "price": _price_code(stars, mention[7]),
    }
    _at_least_one(mentions, stars, fallback_pos="quality")
    texts = _compose_reviews(rr, SHOP_BANK, SHOP_FRAMES, lang, stars, mentions, delivery[rev])
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
            "touchpoint": ["payment"],
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
        "esqual": _esqual(r_esq, size, customers),
        "experiment": _shop_experiment(r_exp, size, customers),
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
    from .roles import of as roles_of

    declared = roles_of(world).describe()
    declared = declared[declared["available"]][["role", "table", "columns"]]
    lines += [
        "## Roles / 角色",
        "",
        "Which table and columns play which part in the lessons (`roles:` in the dictionary; see `cxlib.roles`). "
        "A folder of your own files declares the same in its `mapping.yml`.",
        "",
        _markdown_table(declared),
        "",
    ]
    (out / "DICTIONARY.md").write_text("\n".join(lines), encoding="utf-8")
    eff = [
        f"# Planted effects: {meta['title']['en']} / 预设效应：{meta['title']['zh']}",
        "",
        "The sample data are synthetic (`cxlib.synth`, seed "
        f"{DEFAULT_SEED}). These effects were planted so that each lesson finds something real; "
        "every size below is rendered from `cxlib/dictionaries/effects.yml`, and `tests/test_effects.py` "
        "recomputes each from the data with the library and checks it against the stated value.",
        "",
        "| effect | size | lessons |",
        "|---|---|---|",
    ]
    for e in EFFECTS[world]:
        eff.append(f"| **{e['id']}**: {e['en']}<br>{e['zh']} | {effect_size_text(e)} | {e['lessons']} |")
    (out / "EFFECTS.md").write_text("\n".join(eff) + "\n", encoding="utf-8")
    return [out / "DICTIONARY.md", out / "EFFECTS.md"]


def regenerate(world: str, out_dir: str | Path | None = None, size: float = 1.0,
               seed: int = DEFAULT_SEED) -> list[Path]:
    """Write a world's CSVs and its DICTIONARY.md / EFFECTS.md (default: the committed sample folder)."""
    from .datasets import sample_dir

    folder = Path(out_dir) if out_dir is not None else sample_dir(world)
    return write(world, folder, size=size, seed=seed) + write_docs(world, folder)
