"""Project codes made from IATI identifiers longer than a code: cut at a separator, so the code
never starts with half a part or a dash."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from rbm.exchange._import_read import shortened_code


def test_an_identifier_that_fits_is_the_code() -> None:
    assert shortened_code("XM-DAC-41119-GTM-2024-01") == "XM-DAC-41119-GTM-2024-01"


def test_a_long_identifier_loses_whole_parts_of_its_prefix() -> None:
    identifier = "NL-KVK-27284008-2018-2022-BurkinaFaso-COVID-19"  # 46 characters
    assert shortened_code(identifier) == "27284008-2018-2022-BurkinaFaso-COVID-19"


def test_a_cut_that_falls_on_a_separator_keeps_the_whole_tail() -> None:
    tail = "ABCDEFGHIJ-" * 3 + "ABCDEFGHI"  # 42 characters: too long by two
    assert shortened_code("XM-" + tail[2:]) == tail[2:][-40:].lstrip("-")
    assert shortened_code("XM-DAC-" + "B" * 40) == "B" * 40


def test_a_last_part_longer_than_a_code_is_cut_inside() -> None:
    assert shortened_code("GB-COH-" + "A" * 30 + "Z" * 30) == "A" * 10 + "Z" * 30


parts = st.lists(st.text("ABCxyz019", min_size=1, max_size=15), min_size=1, max_size=8)


@given(parts, st.sampled_from("-_./"))
def test_every_code_fits_is_the_identifiers_end_and_starts_with_a_whole_part(
    chunks: list[str], separator: str
) -> None:
    identifier = separator.join(chunks)
    code = shortened_code(identifier)
    assert len(code) <= 40 and identifier.endswith(code) and code
    if len(identifier) <= 40:
        assert code == identifier
    elif len(chunks[-1]) <= 40:
        # The longest end made of whole parts that fits (parts may be empty: "a--b").
        whole = [
            identifier[i + 1 :]
            for i, ch in enumerate(identifier)
            if ch == separator and 0 < len(identifier) - i - 1 <= 40
        ]
        assert code == max(whole, key=len).lstrip(separator)
