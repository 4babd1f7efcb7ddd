"""The person's language: gettext catalogues (Babel) and locale formats for numbers, money and
dates.

Text people read is written in English in the code and marked for translation:

- `_("Target {value} is below the baseline", value=v)` translates now, into the language of the
  current run, then fills the parameters (`str.format`);
- `N_("Achieved")` only marks a constant for extraction; it is translated where it is shown,
  with `_(constant)`;
- `Msg("Row {row}: ...", row=3)` is a message kept for later: `str()` translates it into the
  language current at that moment (problems of a named error, rows of an import report);
- named errors (`rbm.errors`) carry their English template and parameters the same way and
  are translated when a page shows them.

The current language is a context variable set once per script run (`set_language`); it is
English by default, so services, the CLI, exports for analysis and tests read English.
Catalogues live in `rbm/locale/<lang>/LC_MESSAGES/messages.po` (`make i18n-update` extracts and
merges, `make i18n-check` compiles with statistics); they are read and compiled in memory at
first use, so no compiled file is kept in git.

The pseudo-locale `qps` wraps every translated string in ⟦ ⟧: a page rendered in it shows at a
glance (and a test asserts) which labels did not come from the catalogue.
"""

from __future__ import annotations

import gettext
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar, Token
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date as _babel_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal
from babel.support import Translations

__all__ = [
    "DEFAULT",
    "LANGUAGES",
    "N_",
    "PSEUDO",
    "Labels",
    "Msg",
    "Text",
    "_",
    "country_name",
    "format_date",
    "format_money",
    "format_number",
    "format_percent",
    "language",
    "negotiate",
    "ngettext",
    "set_language",
    "using",
]

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"
#: The languages a person can choose, by code, each named in itself.
LANGUAGES: dict[str, str] = {"en": "English", "es": "Español", "fr": "Français"}
PSEUDO = "qps"
_PSEUDO_OPEN, _PSEUDO_CLOSE = "⟦", "⟧"

_current: ContextVar[str] = ContextVar("rbm_language", default=DEFAULT)


def set_language(code: str) -> Token[str]:
    """Make `code` the language of the current run (unknown codes fall back to English)."""
    return _current.set(code if code in LANGUAGES or code == PSEUDO else DEFAULT)


def language() -> str:
    """The language of the current run."""
    return _current.get()


@contextmanager
def using(code: str) -> Iterator[None]:
    """Run a block in another language (a test, an export written for one reader)."""
    token = set_language(code)
    try:
        yield
    finally:
        _current.reset(token)


@cache
def _translations(code: str) -> gettext.NullTranslations:
    path = LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=code)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(fp=compiled)


def _translated(message: str) -> str:
    code = _current.get()
    if code == PSEUDO:
        return f"{_PSEUDO_OPEN}{message}{_PSEUDO_CLOSE}"
    if code == DEFAULT or not message:
        return message
    return _translations(code).gettext(message)


def _(message: str, /, **params: object) -> str:
    """`message` in the current language, with `params` filled in."""
    text = _translated(message)
    return text.format(**params) if params else text


def N_(message: str, /) -> str:
    """Mark a constant for extraction; translate it where it is shown, with `_`."""
    return message


def ngettext(singular: str, plural: str, n: int, /, **params: object) -> str:
    """The singular or plural form for `n` in the current language; `n` is a parameter too."""
    code = _current.get()
    if code == PSEUDO:
        text = f"{_PSEUDO_OPEN}{singular if n == 1 else plural}{_PSEUDO_CLOSE}"
    elif code == DEFAULT:
        text = singular if n == 1 else plural
    else:
        text = _translations(code).ngettext(singular, plural, n)
    return text.format(n=n, **params)


class Msg:
    """A message translated when it is read (`str()`), not when it is made."""

    # (`Text` below: what a list of problems may hold, plain English or a Msg.)

    __slots__ = ("params", "template")

    def __init__(self, template: str, /, **params: object) -> None:
        self.template = template
        self.params = params

    def __str__(self) -> str:
        return _(self.template, **self.params)

    def __repr__(self) -> str:
        return f"Msg({self.template!r}, **{self.params!r})"

    def __eq__(self, other: object) -> bool:
        """Equal to another Msg with the same template and parameters, or to the text it reads
        as now (a report line compared with what a person sees)."""
        if isinstance(other, Msg):
            return (self.template, self.params) == (other.template, other.params)
        if isinstance(other, str):
            return str(self) == other
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # equal to text, so not hashable


class Labels(Mapping[str, str]):
    """A constant table of labels (`N_`-marked English) read in the current language: every
    lookup (`[key]`, `.get`, `.items()`, `.values()`) translates, so a module-level table of
    status or enum labels serves every reader in their own language."""

    __slots__ = ("_english",)

    def __init__(self, english: Mapping[str, str]) -> None:
        self._english = dict(english)

    def __getitem__(self, key: str) -> str:
        return _(self._english[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._english)

    def __len__(self) -> int:
        return len(self._english)

    def english(self, key: str) -> str:
        """The label of `key` as written in the code (before translation)."""
        return self._english[key]


# --- Locale formats ----------------------------------------------------------------------------


#: The Babel locale that formats each language (British English: 3 Dec 2026, not Dec 3).
_FORMAT_LOCALES = {"en": "en_GB", "es": "es", "fr": "fr"}


def _locale() -> str:
    return _FORMAT_LOCALES.get(_current.get(), _FORMAT_LOCALES[DEFAULT])


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_number(value: object, *, digits: int = 1) -> str:
    """A number with the locale's separators and up to `digits` decimals (none shown when 0)."""
    if _missing(value):
        return "—"
    pattern = "#,##0" + ("." + "#" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=_locale())  # type: ignore[arg-type]


def format_percent(value: object, *, digits: int = 1) -> str:
    """A percentage given in percent (45.3 -> "45.3%", "45,3 %" in French)."""
    if _missing(value):
        return "—"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    number = format_decimal(value, format=pattern, locale=_locale())  # type: ignore[arg-type]
    # CLDR: a no-break space before the sign in French and Spanish, none in English.
    return number + ("%" if _current.get() in (DEFAULT, PSEUDO) else "\u00a0%")


def format_money(value: object, currency: str = "USD") -> str:
    """An amount in whole units of `currency`, by its ISO code (amounts in several currencies
    sit side by side), placed as the locale places currencies: USD 1,200 / 1 200 USD."""
    if _missing(value):
        return "—"
    standard = Locale.parse(_locale()).currency_formats["standard"].pattern
    pattern = standard.replace(".00", "").replace("¤", "¤¤").replace("¤¤#", "¤¤\u00a0#")
    return format_currency(
        round(float(value)),  # type: ignore[arg-type]
        currency,
        format=pattern,
        locale=_locale(),
        currency_digits=False,
    )


def format_millions(value: object, currency: str = "USD", *, digits: int = 1) -> str:
    """A headline amount in millions with a fixed number of decimals, as the reader's language
    writes it (USD 1.0 M, 1,0 M USD); from a thousand millions, in thousands of millions with
    two (USD 1.67 bn), which a headline figure has room for. "—" for no amount (a sum over
    nothing: `sum(min_count=1)`)."""
    if _missing(value):
        return "—"
    amount = float(value)  # type: ignore[arg-type]  # a number or a Decimal, by now
    if abs(amount) >= 1e9:
        shown = format_decimal(amount / 1e9, format="#,##0.00", locale=_locale())
        return _("{currency} {amount} bn", currency=currency, amount=shown)
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    shown = format_decimal(amount / 1e6, format=pattern, locale=_locale())
    return _("{currency} {amount} M", currency=currency, amount=shown)


def format_money_short(value: object, currency: str = "USD") -> str:
    """An amount as a headline figure has room for: in full under a million (USD 878,060),
    else in millions (`format_millions`: USD 200.0 M, 200,0 M USD)."""
    if _missing(value) or abs(float(value)) < 1_000_000:  # type: ignore[arg-type]
        return format_money(value, currency)
    return format_millions(value, currency)


def format_amounts(
    amounts: Sequence[tuple[str, float]], *, unstated: bool = False, short: bool = False
) -> str:
    """Amounts in several currencies, each in its own, never added: "USD 1,000,000 + EUR
    200,000" (`short`: as a headline has room for, "USD 1m + EUR 200,000"). With none: "not
    stated" where there is money of unknown amount (`unstated`), else "—"."""
    write = format_money_short if short else format_money
    if amounts:
        return " + ".join(write(amount, currency) for currency, amount in amounts)
    return _("not stated") if unstated else "—"


def format_date(day: date | datetime | None, *, style: str = "medium") -> str:
    """A date as the locale writes it (`medium`: 3 Dec 2026, 3 dic 2026, 3 déc. 2026)."""
    if day is None:
        return "—"
    return _babel_date(day, format=style, locale=_locale())


def country_name(alpha2: str, fallback: str | None = None) -> str:
    """A country's name in the current language (Babel's territory names), else `fallback`."""
    names = Locale.parse(_locale()).territories
    return str(names.get(alpha2.upper()) or fallback or alpha2)


def negotiate(accept_language: str | None) -> str:
    """The best of `LANGUAGES` for a browser's Accept-Language header; English when none fits."""
    weighted: list[tuple[float, str]] = []
    for part in (accept_language or "").split(","):
        tag, _sep, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        if tag:
            weighted.append((weight, tag))
    for _weight, tag in sorted(weighted, key=lambda wt: -wt[0]):
        try:
            code = Locale.parse(tag.replace("-", "_")).language
        except (ValueError, UnknownLocaleError):
            continue
        if code in LANGUAGES:
            return code
    return DEFAULT


#: A message either already in words (English, or data) or kept for translation when read.
Text = str | Msg
