"""Asset group names: one group per ministry, named so that an engineer reads the ministry in the UI."""

import re
import unicodedata

from r57_pipelines.registry import Ministry

ESTATE_GROUP = "estate"


def group_name(ministry: Ministry) -> str:
    """`MOJ_Justice`, `MPS_Public_Security`, `SBV_State_Bank_of_Vietnam`: the ministry's code, then its
    English name without "Ministry of" (the code says as much), in ASCII.

    The UI cuts a group's name in the middle past about 25 characters ("MPS_Minis…_Public_Security"), so
    the name is kept short. Dagster group names must match ^[A-Za-z0-9_]+$: accents are dropped (đ
    becomes d) and every other run of characters outside that set becomes one underscore.
    """
    name = re.sub(r"^Ministry of ", "", ministry.name_en)
    text = f"{ministry.code} {name}".replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9]+", "_", ascii_text).strip("_")
