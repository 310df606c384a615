"""Amounts in words (Arabic, Persian, English) with the currency's major and minor unit names.

Owns number words and the counted-noun grammar (Arabic gender, dual and plural forms) from integer
minor units — never a float. Does not own formatting of figures (backoffice.core.money).
num2words was checked and not used (decision 0009): it knows four Arabic currencies and names the rest
riyal/halala with two decimals (12.345 JOD came out as riyals), and its Persian amounts are all in toman.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from backoffice.core.money import currency


@dataclass(frozen=True)
class ArabicNoun:
    """A counted noun: singular, dual, plural (3–10), accusative singular (11–99), and its gender."""

    one: str
    two: str
    few: str
    many: str
    feminine: bool = False


@dataclass(frozen=True)
class Unit:
    """A currency's names: English (singular, plural), Arabic (counted noun), Persian."""

    en: tuple[str, str]
    ar: ArabicNoun
    fa: str


_RIYAL = Unit(("riyal", "riyals"), ArabicNoun("ريال", "ريالان", "ريالات", "ريالاً"), "ریال")
_RIAL = Unit(("rial", "rials"), _RIYAL.ar, "ریال")
_HALALA = Unit(("halala", "halalas"), ArabicNoun("هللة", "هللتان", "هللات", "هللة", feminine=True), "هلله")
_DINAR = Unit(("dinar", "dinars"), ArabicNoun("دينار", "ديناران", "دنانير", "ديناراً"), "دینار")
_FILS = Unit(("fils", "fils"), ArabicNoun("فلس", "فلسان", "فلوس", "فلساً"), "فلس")
_DIRHAM = Unit(("dirham", "dirhams"), ArabicNoun("درهم", "درهمان", "دراهم", "درهماً"), "درهم")
_POUND = Unit(("pound", "pounds"), ArabicNoun("جنيه", "جنيهان", "جنيهات", "جنيهاً"), "پوند")
_PIASTRE = Unit(("piastre", "piastres"), ArabicNoun("قرش", "قرشان", "قروش", "قرشاً"), "قرش")
_BAISA = Unit(("baisa", "baisa"), ArabicNoun("بيسة", "بيستان", "بيسات", "بيسة", feminine=True), "بیسه")
_DOLLAR = Unit(("dollar", "dollars"), ArabicNoun("دولار", "دولاران", "دولارات", "دولاراً"), "دلار")
_EURO = Unit(("euro", "euros"), ArabicNoun("يورو", "يورو", "يورو", "يورو"), "یورو")
_CENT = Unit(("cent", "cents"), ArabicNoun("سنت", "سنتان", "سنتات", "سنتاً"), "سنت")

# Currency code -> (major unit, minor unit or None when the minor unit is not named)
UNITS: dict[str, tuple[Unit, Unit | None]] = {
    "SAR": (_RIYAL, _HALALA),
    "QAR": (_RIYAL, _DIRHAM),
    "YER": (_RIAL, None),
    "IRR": (_RIAL, None),
    "OMR": (_RIAL, _BAISA),
    "AED": (_DIRHAM, _FILS),
    "MAD": (_DIRHAM, Unit(("centime", "centimes"), ArabicNoun("سنتيم", "سنتيمان", "سنتيمات", "سنتيماً"), "سانتیم")),
    "JOD": (_DINAR, _FILS),
    "KWD": (_DINAR, _FILS),
    "BHD": (_DINAR, _FILS),
    "IQD": (_DINAR, _FILS),
    "TND": (_DINAR, Unit(("millime", "millimes"), ArabicNoun("مليم", "مليمان", "مليمات", "مليماً"), "میلیم")),
    "LYD": (_DINAR, Unit(("dirham", "dirhams"), _DIRHAM.ar, "درهم")),
    "DZD": (_DINAR, Unit(("centime", "centimes"), ArabicNoun("سنتيم", "سنتيمان", "سنتيمات", "سنتيماً"), "سانتیم")),
    "EGP": (_POUND, _PIASTRE),
    "LBP": (Unit(("pound", "pounds"), ArabicNoun("ليرة", "ليرتان", "ليرات", "ليرة", True), "لیره"), _PIASTRE),
    "SYP": (Unit(("pound", "pounds"), ArabicNoun("ليرة", "ليرتان", "ليرات", "ليرة", True), "لیره"), _PIASTRE),
    "USD": (_DOLLAR, _CENT),
    "EUR": (_EURO, _CENT),
    "GBP": (Unit(("pound", "pounds"), ArabicNoun("جنيه", "جنيهان", "جنيهات", "جنيهاً"), "پوند"), Unit(("penny", "pence"), ArabicNoun("بنس", "بنسان", "بنسات", "بنساً"), "پنی")),
}  # fmt: skip


# ---------------------------------------------------------------- Arabic

_AR_ONES_M = ["", "واحد", "اثنان", "ثلاثة", "أربعة", "خمسة", "ستة", "سبعة", "ثمانية", "تسعة", "عشرة"]
_AR_ONES_F = ["", "واحدة", "اثنتان", "ثلاث", "أربع", "خمس", "ست", "سبع", "ثماني", "تسع", "عشر"]
_AR_TENS = ["", "عشرة", "عشرون", "ثلاثون", "أربعون", "خمسون", "ستون", "سبعون", "ثمانون", "تسعون"]
_AR_HUNDREDS = [
    "",
    "مائة",
    "مائتان",
    "ثلاثمائة",
    "أربعمائة",
    "خمسمائة",
    "ستمائة",
    "سبعمائة",
    "ثمانمائة",
    "تسعمائة",
]
_AR_SCALES = [  # thousand, million, billion, trillion as counted (masculine) nouns
    ArabicNoun("ألف", "ألفان", "آلاف", "ألفاً"),
    ArabicNoun("مليون", "مليونان", "ملايين", "مليوناً"),
    ArabicNoun("مليار", "ملياران", "مليارات", "ملياراً"),
    ArabicNoun("تريليون", "تريليونان", "تريليونات", "تريليوناً"),
]


def _ar_below_100(n: int, feminine: bool) -> str:
    ones = _AR_ONES_F if feminine else _AR_ONES_M
    if n <= 10:
        return ones[n]
    if n == 11:
        return "إحدى عشرة" if feminine else "أحد عشر"
    if n == 12:
        return "اثنتا عشرة" if feminine else "اثنا عشر"
    if n < 20:
        return f"{ones[n - 10]} {'عشرة' if feminine else 'عشر'}"
    tens, unit = divmod(n, 10)
    if unit == 0:
        return _AR_TENS[tens]
    if unit == 1:
        first = "إحدى" if feminine else "واحد"
    elif unit == 2:
        first = "اثنتان" if feminine else "اثنان"
    else:
        first = ones[unit]
    return f"{first} و{_AR_TENS[tens]}"


def _ar_below_1000(n: int, feminine: bool, construct: bool = False) -> str:
    """`construct`: a noun follows directly, so exactly 200 is «مائتا» (مائتا ريال, مائتا ألف)."""
    hundreds, rest = divmod(n, 100)
    parts = [_AR_HUNDREDS[hundreds]] if hundreds else []
    if construct and hundreds == 2 and not rest:
        parts = ["مائتا"]
    if rest:
        parts.append(_ar_below_100(rest, feminine))
    return " و".join(parts)


def _ar_counted(n: int, noun: ArabicNoun) -> str:
    """«ريال واحد», «ريالان», «ثلاثة ريالات», «أحد عشر ريالاً», «مائة ريال» — number then noun."""
    if n == 0:
        return f"صفر {noun.one}"
    if n == 1:
        return f"{noun.one} {'واحدة' if noun.feminine else 'واحد'}"
    if n == 2:
        return noun.two
    return f"{arabic_number(n, noun.feminine, before_noun=True)} {_ar_noun_form(n, noun)}"


def _ar_noun_form(n: int, noun: ArabicNoun) -> str:
    last = n % 100
    if 3 <= last <= 10:
        return noun.few
    if 11 <= last <= 99:
        return noun.many
    return noun.one


def arabic_number(n: int, feminine: bool = False, before_noun: bool = False) -> str:
    """A whole number in Arabic words, in agreement with a masculine or feminine counted noun.

    `before_noun`: the counted noun follows, so a last «ألفاً» is in construct form («أحد عشر ألف ريال»).
    """
    if n < 0:
        return "سالب " + arabic_number(-n, feminine)
    if n == 0:
        return "صفر"
    groups = []
    scale = 0
    while n:
        n, group = divmod(n, 1000)
        groups.append((scale, group))
        scale += 1
    parts = []
    last_scale = min(scale for scale, group in groups if group)
    for scale, group in reversed(groups):
        if not group:
            continue
        construct = before_noun and scale == last_scale  # the currency's noun comes right after
        if scale == 0:
            parts.append(_ar_below_1000(group, feminine, construct))
            continue
        noun = _AR_SCALES[scale - 1]
        if group == 1:
            parts.append(noun.one)
        elif group == 2:
            parts.append(noun.two[:-1] if construct else noun.two)  # ألفا ريال
        else:
            form = _ar_noun_form(group, noun)
            if construct and form == noun.many:
                form = noun.one  # أحد عشر ألف ريال
            parts.append(f"{_ar_below_1000(group, False, True)} {form}")
    return " و".join(parts)


# ---------------------------------------------------------------- Persian

_FA_ONES = [
    "",
    "یک",
    "دو",
    "سه",
    "چهار",
    "پنج",
    "شش",
    "هفت",
    "هشت",
    "نه",
    "ده",
    "یازده",
    "دوازده",
    "سیزده",
    "چهارده",
    "پانزده",
    "شانزده",
    "هفده",
    "هجده",
    "نوزده",
]
_FA_TENS = ["", "", "بیست", "سی", "چهل", "پنجاه", "شصت", "هفتاد", "هشتاد", "نود"]
_FA_HUNDREDS = ["", "صد", "دویست", "سیصد", "چهارصد", "پانصد", "ششصد", "هفتصد", "هشتصد", "نهصد"]
_FA_SCALES = ["", "هزار", "میلیون", "میلیارد", "هزار میلیارد"]


def _fa_below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = [_FA_HUNDREDS[hundreds]] if hundreds else []
    if rest >= 20:
        tens, unit = divmod(rest, 10)
        parts.append(_FA_TENS[tens])
        if unit:
            parts.append(_FA_ONES[unit])
    elif rest:
        parts.append(_FA_ONES[rest])
    return " و ".join(parts)


def persian_number(n: int) -> str:
    """A whole number in Persian words: ۱۲۳۴ → «یک هزار و دویست و سی و چهار»."""
    if n < 0:
        return "منفی " + persian_number(-n)
    if n == 0:
        return "صفر"
    return _by_thousands(n, _fa_below_1000, _FA_SCALES, " و ")


# ---------------------------------------------------------------- English

_EN_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_SCALES = ["", "thousand", "million", "billion", "trillion"]


def _en_below_1000(n: int) -> str:
    hundreds, rest = divmod(n, 100)
    parts = [f"{_EN_ONES[hundreds]} hundred"] if hundreds else []
    if rest >= 20:
        tens, unit = divmod(rest, 10)
        parts.append(_EN_TENS[tens] + (f"-{_EN_ONES[unit]}" if unit else ""))
    elif rest:
        parts.append(_EN_ONES[rest])
    return " ".join(parts)


def english_number(n: int) -> str:
    """A whole number in English words: 1234 → «one thousand two hundred thirty-four»."""
    if n < 0:
        return "minus " + english_number(-n)
    if n == 0:
        return "zero"
    return _by_thousands(n, _en_below_1000, _EN_SCALES, " ")


def _by_thousands(n: int, below_1000: Callable[[int], str], scales: Sequence[str], joiner: str) -> str:
    """Persian and English alike: each non-zero group of three digits in words with its scale word, largest first."""
    groups = []
    scale = 0
    while n:
        n, group = divmod(n, 1000)
        if group:
            groups.append(f"{below_1000(group)} {scales[scale]}".strip())
        scale += 1
    return joiner.join(reversed(groups))


# ---------------------------------------------------------------- amounts


def _units(code: str) -> tuple[Unit, Unit | None]:
    if code in UNITS:
        return UNITS[code]
    fallback = Unit((code, code), ArabicNoun(code, code, code, code), code)
    return fallback, None


def amount_in_words(minor: int, currency_code: str, language: str) -> str:
    """An amount in integer minor units, in words: «فقط مائة وتسعة وأربعون ريالاً وخمسون هللة لا غير»."""
    if isinstance(minor, bool) or not isinstance(minor, int):
        raise TypeError("amounts are integer minor units")
    cur = currency(currency_code)
    major_unit, minor_unit = _units(cur.code)
    sign, magnitude = ("-" if minor < 0 else ""), abs(minor)
    major, rest = divmod(magnitude, 10**cur.exponent) if cur.exponent else (magnitude, 0)
    fraction = f"{rest:0{cur.exponent}d}/{10**cur.exponent}" if cur.exponent else ""
    if language == "ar":
        text = _ar_counted(major, major_unit.ar) if major or not rest else ""
        if rest:
            tail = _ar_counted(rest, minor_unit.ar) if minor_unit else fraction
            text = f"{text} و{tail}" if text else tail
        return f"فقط {'سالب ' if sign else ''}{text} لا غير"
    if language == "fa":
        text = f"{persian_number(major)} {major_unit.fa}" if major or not rest else ""
        if rest:
            tail = f"{persian_number(rest)} {minor_unit.fa}" if minor_unit else fraction
            text = f"{text} و {tail}" if text else tail
        return f"{'منفی ' if sign else ''}{text}"
    text = f"{english_number(major)} {major_unit.en[0 if major == 1 else 1]}" if major or not rest else ""
    if rest:
        tail = f"{english_number(rest)} {minor_unit.en[0 if rest == 1 else 1]}" if minor_unit else fraction
        text = f"{text} and {tail}" if text else tail
    text = ("minus " if sign else "") + text
    return text[:1].upper() + text[1:] + " only"
