from __future__ import annotations

import pytest

from pipelines.claims.quantities import find_quantities, number_value


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("Ukrainian forces made a two to three kilometer advance", 2, "km"),
        ("Ukrainian forces advanced 14km near Kherson", 14, "km"),
        ("pushing Russian forces back 6-10km", 6, "km"),
        ("over 300 transported to hospitals", 300, "people"),
        ("twenty-two Russian tanks", 22, "tanks"),
        ("Twenty-two Russian tanks", 22, "tanks"),
        ("two Russian Battalion Tactical Groups (BTGs)", 2, "BTGs"),
        ("up to 20 battalion tactical groups", 20, "BTGs"),
        ("Ukrainian forces repelled seven Russian attacks", 7, "attacks"),
        ("repelled five enemy attacks", 5, "attacks"),
        ("At least 35 people killed", 35, "people"),
        ("5 wounded", 5, "people"),
        ("7 civilians+1 policeman were killed", 7, "civilians"),
        ("a dozen people", 12, "people"),
        ("about 100 people", 100, "people"),
        ("80 kilometres", 80, "km"),
        ("40%", 40, "%"),
        ("40 %", 40, "%"),
        ("an entire BTG", 1, "BTGs"),
        ("15 T-72 tanks", 15, "tanks"),
        ("1,500 troops", 1500, "troops"),
        ("two hundred soldiers", 200, "troops"),
        ("100 square kilometers", 100, "km2"),
        ("2.5 km", 2.5, "km"),
    ],
)
def test_first_quantity(text, value, unit):
    first = find_quantities(text)[0]
    assert (first.value, first.unit) == (value, unit)
    assert text[first.start : first.end] == first.text


def test_all_quantities_in_text_order():
    found = find_quantities("Ukrainian forces destroyed nine Russian APCs and two tanks")
    assert [(q.text, q.value, q.unit) for q in found] == [("nine Russian APCs", 9, "APCs"), ("two tanks", 2, "tanks")]


def test_both_counts_of_a_casualty_report():
    found = find_quantities("7 civilians+1 policeman were killed")
    assert [(q.value, q.unit) for q in found] == [(7, "civilians"), (1, "people")]


@pytest.mark.parametrize(
    "text",
    [
        "in 2022 Russian troops",  # a year
        "since 2014 people",
        "spring 2023 conscripts",
        "On March 2 Russian tanks advanced",  # a day of the month
        "On 4:00 pm people gathered",  # a time
        "Russian forces shelled the city.[12] Tanks",  # a citation marker
        "[12] tanks",
        "the 150th Tank Regiment",  # ordinals
        "the 4th Guards Tank Division",
        "the 2nd Army Corps",
        "Su-30 jets and T-72 tanks",  # model names
        "two Tank Armies",  # a singular noun with a count above one
        "one people",  # a plural noun with a count of one
        "No one was killed",
        "half the tanks",
        "50-year-old guns",
        "Russian forces may attack",
        "often tanks",
    ],
)
def test_no_false_quantities(text):
    assert find_quantities(text) == []


def test_a_rejected_number_does_not_hide_the_next():
    found = find_quantities("in 2022 three Russian tanks")
    assert [(q.text, q.value) for q in found] == [("three Russian tanks", 3)]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("14", 14),
        ("1,500", 1500),
        ("2.5", 2.5),
        ("twenty-two", 22),
        ("two hundred", 200),
        ("a dozen", 12),
        ("Ninety", 90),
    ],
)
def test_number_value(text, value):
    assert number_value(text) == value
