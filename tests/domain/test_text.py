"""Clean-text normal form, placeholders, legacy-encoding mojibake and its detector."""

import random
import re
import unicodedata

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from r57_pipelines.domain import text as tx
from r57_pipelines.domain.communes import current_communes
from r57_pipelines.domain.names import random_address, random_full_name

# Real names, places and words. Together they carry every tone on every vowel (checked below), Đ/đ,
# ư, ơ, and the vowel sequences that sit next to the VNI tell-tales (oà, oá, oã, uý, uê, iê, uâ, uô, giù).
REAL_WORDS = """
Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đào Đoàn Trương Đinh Lâm Mai Trịnh
Lương Cao Tô Tạ Phùng Vương Chu Lưu Triệu Châu Kiều Thái Quách Tăng Văn Thị Đức Minh Ngọc Thu Hữu Quang
Công Thành Đình Quốc Xuân Anh Gia Thanh Duy Trung Tuấn Mạnh Tiến Trọng Bá Hải Phúc Nhật Hồng Kim Bảo
Phương Khánh Thùy Thủy Thúy Diệu Quỳnh Bích Như Hoài Ánh Tuyết Cẩm Lan Thảo Yến Dũng Cường Chiến Đạt Định
Hào Hậu Hiếu Hiệp Hòa Huy Hùng Hưng Khải Khang Khoa Khôi Kiên Kiệt Lộc Lợi Long Lực Nam Nghĩa Nguyên Nhân
Phát Phong Phước Quân Quý Quyết Sơn Tài Tâm Thắng Thiện Thịnh Thông Toàn Trí Tú Tùng Việt Vinh Chi Cúc
Diễm Diệp Dung Duyên Giang Hà Hạnh Hằng Hiền Hoa Huế Hương Hường Huyền Lệ Liên Linh Loan Ly Mơ My Nga
Ngân Nguyệt Nhi Nhung Oanh Phượng Thắm Thơ Thư Trâm Trang Trinh Uyên Vân Vy Hà Nội Hồ Chí Minh Đà Nẵng
Hải Phòng Cần Thơ Huế Thừa Thiên Quảng Ninh Quảng Trị Quảng Ngãi Khánh Hòa Thanh Hóa Nghệ An Hà Tĩnh Đắk
Lắk Lâm Đồng Đồng Nai Tây Ninh Đồng Tháp Vĩnh Long An Giang Cà Mau Bạc Liêu Sóc Trăng Bến Tre Trà Vinh
Lạng Sơn Cao Bằng Điện Biên Lai Châu Sơn La Lào Cai Yên Bái Tuyên Quang Thái Nguyên Bắc Ninh Phú Thọ
Hưng Yên Ninh Bình Gia Lai Kon Tum Bà Rịa Vũng Tàu Bình Dương Bình Phước Kiên Giang Hậu Giang Đắk Nông
Buôn Ma Thuột Mường Khương Bảo Thắng Bát Xát Phố Cổ Hoàn Kiếm Ba Đình Thủ Đức
ba bà cả đã cá bạn ăn bằng chẳng hẵng Thắng Đặng ân Trần Cẩm vẫn Tuấn Lập em chè trẻ vẽ bé mẹ Lê Điền
Thể Nguyễn Huế Việt in Trì tỉnh Tĩnh Chí Thị Hoa Hòa nhỏ Võ Hóa Thọ Tô Hồng Tổng Đỗ Quốc Lộc Sơn Trường
bởi rực rỡ Thới Lợi Thu Thùy Thủy Vũ Tú Thụy Hưng Thừa Sử Hữu Đức Lực Vy Quỳnh Kỷ Mỹ Lý quỵ kỵ binh
hoá hoà Hoà Thuý Thuỳ Quế Khuê Tuyên Xuân Luân Khuông Giàu già giáp giùm giữ Xoè Hoè khoẻ ngoãn Tiến
Miên Yên người ngoài Thoại khoái Chuyện khuyến khuya mưa cửa lửa mía kìa múa của Oánh hoạch Ủy Úy ưu
hưu rượu bướu Đường phường xã thôn ấp bản tỉnh thành phố đường số ngõ hẻm đúng đủ sạch sống thống nhất
dùng chung dữ liệu cơ sở quốc gia dân cư đất đai doanh nghiệp bảo hiểm xã hội thuế tư pháp giáo dục
ngân hàng phương tiện giao thông căn cước định danh cá nhân mã số điện thoại di động khai sinh
ầm ẩm ẫm ấm ậm ẻo ẽo ẹo ỉu ĩu ịu ổn ỗng ộp ờ ở ỡ ớ ợ ừ ử ữ ứ ự ỳ ỷ ỹ ý ỵ ằn ẳn ẵn ắn ặn ều ểu ễu ếu ệu
""".split()


def _all_toned_vowels() -> set[str]:
    return {ch for row in tx._VOWEL_ROWS.values() for ch in row}


def test_word_list_is_big_and_covers_every_vowel_and_tone():
    assert len(REAL_WORDS) >= 200
    present = {ch.lower() for w in REAL_WORDS for ch in w}
    assert _all_toned_vowels() <= present
    assert {"đ", "ư", "ơ"} <= present and "Đ" in "".join(REAL_WORDS)


@pytest.mark.parametrize("case", [str, str.upper, str.lower, str.title])
def test_correct_vietnamese_is_not_flagged(case):
    flagged = [w for w in REAL_WORDS if tx.looks_like_mojibake(case(w))]
    assert not flagged
    assert not tx.looks_like_mojibake(case(" ".join(REAL_WORDS)))


def test_every_letter_alone_and_in_a_syllable_is_not_flagged():
    letters = _all_toned_vowels() | {"đ"}
    for letter in letters:
        for form in (letter, letter.upper(), f"ng{letter}n", f"NG{letter.upper()}N", f"Th{letter}"):
            assert not tx.looks_like_mojibake(form), form


# ----------------------------------------------------------------------------------- normal form


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  Nguyễn   Văn\tAn \n", "Nguyễn Văn An"),
        ("Nguye\u0302\u0303n", "Nguyễn"),  # NFD -> NFC
        ("Trần\u00a0Thị\u3000Hồng", "Trần Thị Hồng"),  # NBSP and ideographic space
        ("", ""),
        ("   ", ""),
    ],
)
def test_normalise_text(raw, clean):
    assert tx.normalise_text(raw) == clean


def test_nfc_and_nfd_differ_in_length():
    nfc = tx.normalise_text("Nguyễn")
    assert len(nfc) == 6 and len(unicodedata.normalize("NFD", nfc)) == 8


@given(st.text())
def test_normalise_text_is_idempotent(value):
    once = tx.normalise_text(value)
    assert tx.normalise_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip() and "  " not in once


# ---------------------------------------------------------------------------------- placeholders


@pytest.mark.parametrize("value", ["N/A", "n/a", " NA ", "KHONG CO", "Không có", "KHÔNG CÓ", "0000000000", "-", "NULL",
                                   "none", "Chưa cập nhật", "Kho\u0302ng co\u0301"])
def test_placeholders(value):
    assert tx.is_placeholder(value)


@pytest.mark.parametrize("value", ["", "Nguyễn Văn An", "0912345678", "Trần Thị Na", "Không quân", "0"])
def test_real_values_are_not_placeholders(value):
    assert not tx.is_placeholder(value)


def test_placeholder_constant_is_lowercase_nfc():
    assert all(v == v.lower() and unicodedata.is_normalized("NFC", v) and v == v.strip() for v in tx.PLACEHOLDER_VALUES)


# ------------------------------------------------------------------------------------- mojibake


@pytest.mark.parametrize(
    ("proper", "tcvn3", "vni"),
    [
        ("Nguyễn Văn Đức", "NguyÔn V¨n §øc", "Nguyeãn Vaên Ñöùc"),  # the brief's examples
        ("Trần Thị Hồng Nhung", "TrÇn ThÞ Hång Nhung", "Traàn Thò Hoàng Nhung"),
        ("Xin chào các bạn", "Xin chµo c¸c b¹n", "Xin chaøo caùc baïn"),
        ("Bảo Thắng", "B¶o Th¾ng", "Baûo Thaéng"),
        ("Mường Khương", "M\u00adêng Kh\u00ad¬ng", "Möôøng Khöông"),
        ("Bát Xát", "B¸t X¸t", "Baùt Xaùt"),
        ("NGUYỄN VĂN ĐỨC", "NGUYÔN V¡N §øC", "NGUYEÃN VAÊN ÑÖÙC"),
    ],
)
def test_mojibake_examples(proper, tcvn3, vni):
    assert tx.to_tcvn3_mojibake(proper) == tcvn3
    assert tx.to_vni_mojibake(proper) == vni
    assert tx.looks_like_mojibake(tcvn3) and tx.looks_like_mojibake(vni)
    assert not tx.looks_like_mojibake(proper)


def test_mojibake_is_cp1252_text_and_lowercase_tcvn3_is_injective():
    letters = sorted(_all_toned_vowels() | {"đ"})
    for letter in letters:
        tx.to_tcvn3_mojibake(letter).encode("cp1252")
        tx.to_vni_mojibake(letter).encode("cp1252")
    assert len({tx.to_tcvn3_mojibake(ch) for ch in letters}) == len(letters)
    assert len({tx.to_vni_mojibake(ch) for ch in letters}) == len(letters)


def test_non_vietnamese_characters_pass_through():
    assert tx.to_tcvn3_mojibake("Số 12/3, ABC-xyz") == "Sè 12/3, ABC-xyz"
    assert tx.to_vni_mojibake("Số 12/3, ABC-xyz") == "Soá 12/3, ABC-xyz"


@st.composite
def _persons(draw):
    rng = random.Random(draw(st.integers(0, 2**32)))
    return random_full_name(rng, draw(st.sampled_from(["Nam", "Nữ"])))


_VIETNAMESE_LOOKING = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ ") | {
    c for row in tx._VOWEL_ROWS.values() for ch in row for c in (ch, ch.upper())
} | {"đ", "Đ"}


@given(_persons())
def test_generated_names_are_clean_and_their_mojibake_is_detected(name):
    assert tx.normalise_text(name) == name
    assert not tx.looks_like_mojibake(name)
    for garbled in (tx.to_tcvn3_mojibake(name), tx.to_vni_mojibake(name)):
        if garbled == name:
            continue  # a name without diacritics ("Mai Anh") reads the same in every encoding
        # Some mojibake is spelt entirely with real Vietnamese letters ("Hồ" -> VNI "Hoà", "Vũ" -> TCVN3 "Vò")
        # and cannot be told from a real name; everything else must be caught.
        assert tx.looks_like_mojibake(garbled) or set(garbled) <= _VIETNAMESE_LOOKING, (name, garbled)


def test_detection_rate_on_generated_names():
    rng = random.Random(2025)
    names = [random_full_name(rng, rng.choice(["Nam", "Nữ"])) for _ in range(3000)]
    for convert in (tx.to_tcvn3_mojibake, tx.to_vni_mojibake):
        garbled = [g for g in map(convert, names)]
        missed = sum(not tx.looks_like_mojibake(g) for g, n in zip(garbled, names) if g != n)
        assert missed / len(names) < 0.015, convert.__name__


def test_generated_addresses_are_clean():
    rng = random.Random(7)
    codes = sorted(current_communes())
    for _ in range(500):
        address = random_address(rng, rng.choice(codes))
        assert tx.normalise_text(address) == address
        assert not tx.looks_like_mojibake(address)
        assert tx.looks_like_mojibake(tx.to_tcvn3_mojibake(address))


def test_regex_behaves_the_same_in_duckdb():
    rng = random.Random(3)
    names = [random_full_name(rng, rng.choice(["Nam", "Nữ"])) for _ in range(300)] + REAL_WORDS
    values = names + [tx.to_tcvn3_mojibake(n) for n in names] + [tx.to_vni_mojibake(n) for n in names]
    rows = duckdb.connect().execute(
        "SELECT v, regexp_matches(v, ?) FROM unnest(?::VARCHAR[]) t(v)", [tx.MOJIBAKE_REGEX, values]
    ).fetchall()
    assert len(rows) == len(values)
    for value, matched in rows:
        assert matched == (re.search(tx.MOJIBAKE_REGEX, value) is not None), value
