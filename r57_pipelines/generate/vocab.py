"""Vocabularies of the sample estate: pools of names and addresses, and code lists.

Person names, addresses and place names come from r57_pipelines.domain.names (reviewed vocabulary and
weights). Calling it per row would cost minutes at 50M rows, so each run draws fixed-size pools once
with a seeded random.Random and rows pick from the pools by index (weighted draws repeat common names
in the pool, so pool frequencies follow the reviewed weights). Code lists below are illustrative.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from r57_pipelines.domain.identifiers import FEMALE, MALE
from r57_pipelines.domain.names import random_address, random_commune_name, random_full_name
from r57_pipelines.generate.geography import geography
from r57_pipelines.generate.seeding import py_rng_for

NAME_POOL_SIZE = 8192  # per sex
ADDRESS_POOL_SIZE = 16  # per commune
SEXES = (MALE, FEMALE)  # index 0 = Nam, 1 = Nữ


@cache
def name_pool(seed: int) -> pa.StringArray:
    """Full names, male pool then female pool: name of (sex, i) is at sex * NAME_POOL_SIZE + i."""
    names: list[str] = []
    for sex in SEXES:
        rng = py_rng_for(seed, "name-pool", sex)
        names.extend(random_full_name(rng, sex) for _ in range(NAME_POOL_SIZE))
    return pa.array(names, pa.string())


@cache
def address_pool(seed: int) -> pa.StringArray:
    """Addresses per current commune (geography().commune_codes order): commune i owns [i*ADDRESS_POOL_SIZE, ...)."""
    addresses: list[str] = []
    for code in geography().commune_codes:
        rng = py_rng_for(seed, "address-pool", int(code))
        addresses.extend(random_address(rng, f"{code:05d}") for _ in range(ADDRESS_POOL_SIZE))
    return pa.array(addresses, pa.string())


@cache
def place_names(seed: int) -> tuple[str, ...]:
    """Distinct two-syllable place names ("Tân Hòa") in a seeded order, for entity names."""
    rng = py_rng_for(seed, "place-names")
    seen: dict[str, None] = {}
    for _ in range(20_000):
        seen.setdefault(random_commune_name(rng), None)
    return tuple(seen)


# --- Entity names ----------------------------------------------------------------------------------

ENTERPRISE_FORMS = ("Công ty TNHH", "Công ty Cổ phần", "Công ty TNHH Một thành viên", "Doanh nghiệp tư nhân")
COOPERATIVE_FORMS = ("Hợp tác xã", "Hợp tác xã Nông nghiệp", "Hợp tác xã Dịch vụ", "Liên hiệp Hợp tác xã")
BUSINESS_LINES = (
    "Thương mại", "Dịch vụ", "Xây dựng", "Đầu tư", "Sản xuất", "Công nghệ", "Vận tải", "Thực phẩm",
    "Du lịch", "Nông sản", "Thủy sản", "Dệt may", "Cơ khí", "Điện tử", "Bất động sản", "Môi trường",
    "Giáo dục", "Y tế", "Logistics", "Nội thất",
)

FACILITY_KINDS = {
    "construction": ("Công trình", "Dự án Khu đô thị", "Nhà máy", "Cầu"),
    "culture": ("Di tích", "Đình", "Nhà văn hóa", "Bảo tàng"),
    "transport": ("Cầu", "Tuyến đường", "Bến xe", "Trạm thu phí"),
    "energy": ("Trạm biến áp", "Nhà máy điện", "Điện mặt trời", "Thủy điện"),
    "tourism": ("Khách sạn", "Nhà nghỉ", "Homestay", "Khu nghỉ dưỡng"),
    "religion": ("Chùa", "Nhà thờ", "Thánh thất", "Tịnh xá"),
    "banking": ("Ngân hàng TMCP", "Quỹ tín dụng nhân dân", "Chi nhánh Ngân hàng", "Phòng giao dịch"),
    "fire_safety": ("Chợ", "Trung tâm thương mại", "Kho hàng", "Nhà xưởng"),
    "environment": ("Bãi chôn lấp", "Trạm quan trắc", "Nhà máy xử lý nước thải", "Điểm tập kết rác"),
    "health": ("Bệnh viện Đa khoa", "Trạm Y tế", "Phòng khám Đa khoa", "Nhà thuốc"),
    "education": ("Trường Mầm non", "Trường Tiểu học", "Trường THCS", "Trường THPT"),
    "public_service": ("Ủy ban nhân dân", "Trung tâm Phục vụ hành chính công", "Ban Quản lý dự án", "Trung tâm Y tế"),
    "agriculture": ("Trang trại", "Hồ chứa", "Trạm bơm", "Kênh"),
    "postal": ("Bưu cục", "Điểm bưu điện văn hóa", "Tòa nhà", "Khu dân cư"),
    "investment": ("Dự án", "Công trình", "Khu tái định cư", "Đường giao thông"),
    "trade": ("Cửa hàng xăng dầu", "Chợ", "Siêu thị", "Tổng kho"),
    "public_order": ("Cơ sở kinh doanh dịch vụ cầm đồ", "Khách sạn", "Cơ sở karaoke", "Cơ sở in"),
    "industry": ("Nhà máy", "Cơ sở sản xuất", "Kho hóa chất", "Khu công nghiệp"),
    "press": ("Báo", "Tạp chí", "Đài Phát thanh", "Trang tin điện tử"),
}
DEFAULT_FACILITY_KINDS = ("Cơ sở", "Trung tâm", "Văn phòng", "Chi nhánh")


def entity_names(
    seed: int, forms: tuple[str, ...], lines: tuple[str, ...], index: np.ndarray
) -> pa.StringArray:
    """Names like "Công ty TNHH Thương mại Tân Hòa": index -> a distinct name (mixed radix), beyond the
    space a " <k>" suffix keeps them distinct."""
    places = place_names(seed)
    radix_form, radix_line, radix_place = len(forms), len(lines) + 1, len(places)
    space = radix_form * radix_line * radix_place
    idx = index.astype(np.int64)
    base, extra = idx % space, idx // space
    form, rest = base % radix_form, base // radix_form
    line, place = rest % radix_line, rest // radix_line
    line_words = pa.array((None, *lines), pa.string())  # line 0: no business line
    suffix = pa.array(np.where(extra > 0, extra + 1, 0)).cast(pa.string())
    suffix = pc.if_else(pa.array(extra > 0), suffix, pa.scalar(None, pa.string()))
    return pc.binary_join_element_wise(
        pa.array(forms, pa.string()).take(form),
        line_words.take(line),
        pa.array(places, pa.string()).take(place),
        suffix,
        " ",
        null_handling="skip",
    )


def entity_name_space(seed: int, forms: tuple[str, ...], lines: tuple[str, ...]) -> int:
    return len(forms) * (len(lines) + 1) * len(place_names(seed))


# --- Code lists: (value, weight); keyed by (table, column), then by column ---------------------------

CODE_LISTS: dict[tuple[str | None, str], tuple[tuple[str, float], ...]] = {
    ("person", "status"): (("DANG_HOAT_DONG", 0.86), ("TAM_NGUNG", 0.05), ("DA_CHAM_DUT", 0.09)),
    ("enterprise", "status"): (
        ("DANG_HOAT_DONG", 0.78), ("TAM_NGUNG_KINH_DOANH", 0.08), ("CHO_GIAI_THE", 0.04), ("DA_GIAI_THE", 0.10),
    ),
    ("dossier", "status"): (
        ("DA_TIEP_NHAN", 0.08), ("DANG_XU_LY", 0.12), ("DA_TRA_KET_QUA", 0.74), ("TU_CHOI", 0.03), ("RUT_HO_SO", 0.03),
    ),
    (None, "status"): (("HIEU_LUC", 0.9), ("HET_HIEU_LUC", 0.1)),
    (None, "land_use"): (
        ("ONT", 0.22), ("ODT", 0.12), ("LUC", 0.18), ("CLN", 0.15), ("BHK", 0.08), ("RSX", 0.1),
        ("NTS", 0.06), ("SKC", 0.03), ("TMD", 0.03), ("DGT", 0.03),
    ),
    (None, "vehicle_type"): (("XE_MAY", 0.82), ("O_TO_CON", 0.12), ("O_TO_TAI", 0.04), ("O_TO_KHACH", 0.02)),
    ("facility", "category"): (("01", 0.35), ("02", 0.25), ("03", 0.2), ("04", 0.12), ("05", 0.08)),
    ("item", "category"): (
        ("DAT", 0.18), ("NHA", 0.2), ("O_TO", 0.12), ("MAY_MOC", 0.25), ("TAI_SAN_KHAC", 0.15), ("VO_HINH", 0.1),
    ),
}
CAR_TYPES = frozenset({"O_TO_CON", "O_TO_TAI", "O_TO_KHACH"})
FEES_VND = (0.0, 10_000.0, 20_000.0, 30_000.0, 50_000.0, 100_000.0, 200_000.0, 500_000.0)
FEE_WEIGHTS = (0.35, 0.12, 0.12, 0.1, 0.13, 0.1, 0.05, 0.03)


def code_list(table: str, column: str) -> tuple[tuple[str, float], ...] | None:
    return CODE_LISTS.get((table, column)) or CODE_LISTS.get((None, column))


def procedure_codes(seed: int, database_id: str, count: int = 40) -> tuple[str, ...]:
    """Administrative-procedure codes in the national catalogue's shape ("1.001234", "2.000567")."""
    rng = py_rng_for(seed, "procedures", database_id)
    codes = {f"{rng.choice('12')}.{rng.randint(0, 12_999):06d}" for _ in range(count * 2)}
    return tuple(sorted(codes))[:count]
