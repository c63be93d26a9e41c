"""A chart's text alternative: what it shows, then every value, « ; » between them."""

import pandas as pd

from projet_associatif.present import alt_text

FRAME = pd.DataFrame(
    {
        "territoire": ["Moulins", "Allier", "Moulins", "Allier"],
        "periode": ["T1", "T1", "T2", "T2"],
        "taux": [10, 9, 11, 8],
    }
)


def test_sentence_lists_the_items_and_ends_with_a_full_stop():
    assert alt_text.sentence("Barres : ", ["a 1", "b 2"]) == "Barres : a 1 ; b 2."
    assert alt_text.sentence("Vide : ", []) == "Vide : ."


def test_pairs_word_each_row_in_row_order():
    words = alt_text.pairs(FRAME, "territoire", "taux", lambda t, v: f"{t} {v}")
    assert words == ["Moulins 10", "Allier 9", "Moulins 11", "Allier 8"]


def test_series_groups_in_first_appearance_order_unless_sorted():
    def word(period, rate):
        return f"{period} {rate} %"

    assert alt_text.series(FRAME, "territoire", "periode", "taux", word) == [
        "Moulins : T1 10 %, T2 11 %",
        "Allier : T1 9 %, T2 8 %",
    ]
    assert alt_text.series(FRAME, "territoire", "periode", "taux", word, sort=True) == [
        "Allier : T1 9 %, T2 8 %",
        "Moulins : T1 10 %, T2 11 %",
    ]
