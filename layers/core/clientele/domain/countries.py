"""Countries as ISO 3166-1 alpha-2 codes, wherever a country enters (API, CSV import, QuickBooks).

Two steps:

* an assigned alpha-2 code (any case) is answered from :data:`ISO_COUNTRIES`, kept as data here so the
  common case costs nothing: importing pycountry takes ~110 ms of cold start, and phonenumbers' region
  table is not the ISO list (no AQ/BV/HM/TF/UM, and the non-country "001");
* anything else — an alpha-3 code (``USA``, ``GBR``), a numeric code, an English name (``United
  States``, ``United Kingdom``, as QuickBooks and spreadsheets carry them) — is looked up in
  pycountry (the maintained ISO 3166 database), imported only then.

``tests/unit/test_countries.py`` checks that :data:`ISO_COUNTRIES` is exactly pycountry's alpha-2 list.
"""

from __future__ import annotations

from functools import lru_cache

ISO_COUNTRIES: frozenset[str] = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS
    BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE
    EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM
    HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC
    LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA
    NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
    TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()  # noqa: SIM905 - a readable block of codes
)
MAX_COUNTRY_LENGTH = 64  # the longest ISO short name is 44 characters; longer input is not a country


def alpha_2_code(value: str) -> str | None:
    """Upper-cased ``value`` when it is an assigned alpha-2 code (where only a code is accepted:
    the org's ``defaultCountry``); None otherwise."""
    code = value.strip().upper()
    return code if code in ISO_COUNTRIES else None


def normalise_country(value: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of ``value`` (a code of 2 or 3 letters, a numeric code or an English
    name, any case), or None when it names no assigned country."""
    text = " ".join(value.split())
    code = text.upper()
    if code in ISO_COUNTRIES:
        return code
    if len(code) < 3 or len(code) > MAX_COUNTRY_LENGTH:
        return None
    return _looked_up(code)


@lru_cache(maxsize=512)
def _looked_up(text: str) -> str | None:
    import pycountry  # only for values that are not alpha-2 codes (see the module docstring)

    try:
        return str(pycountry.countries.lookup(text).alpha_2)
    except LookupError:
        return None
