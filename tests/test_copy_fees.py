"""Fees (reductions, postage, rounding, effective dates, quotes kept) and page selection."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from portal.db import utcnow
from portal.errors import ValidationError
from portal.extensions import db
from portal.models import FeeSchedule, User
from portal.services.copies import fees
from portal.services.copies.pages import format_pages, parse_pages

from .copies_helpers import EXAMPLE_FEES, build_copy_world, place_order


def schedule(**values) -> FeeSchedule:
    base = {"id": 1, "version": 1, "effective_from": date(2026, 1, 1), "page_plain_digital": 2000,
            "page_plain_paper": 3000, "page_certified_digital": 2500, "page_certified_paper": 3000,
            "certification_fee": 20000, "postage": 25000, "reductions": {}}
    base.update(values)
    return FeeSchedule(**base)


def test_plain_digital_is_pages_times_price():
    quote = fees.compute_quote(schedule(), kind="plain", delivery="download", pages=7, sets=3, fee_category="10")
    assert quote.amount == 14000  # sets count only on paper
    assert [line["item"] for line in quote.lines] == ["pages"]


def test_certified_paper_by_post_counts_sets_certification_and_postage():
    quote = fees.compute_quote(schedule(), kind="certified", delivery="post", pages=5, sets=2, fee_category="10")
    # 5 pages × 2 sets × 3.000 + 2 × 20.000 certification + 25.000 postage
    assert quote.amount == 30000 + 40000 + 25000


def test_reduction_applies_before_postage_and_rounds_half_up_to_the_dong():
    odd = schedule(page_plain_paper=3333, reductions={"01": 50, "03": 33})
    quote = fees.compute_quote(odd, kind="plain", delivery="post", pages=3, sets=1, fee_category="01")
    # 9.999 × 50% = 4.999,5 → 5.000 off (half up); postage is never reduced
    assert quote.amount == 9999 - 5000 + 25000
    quote = fees.compute_quote(odd, kind="plain", delivery="pickup", pages=1, sets=1, fee_category="03")
    assert quote.amount == 3333 - 1100  # 33% of 3.333 = 1.099,89 → 1.100
    assert all(isinstance(line["amount"], int) for line in quote.lines)


def test_full_exemption_costs_nothing():
    quote = fees.compute_quote(schedule(reductions={"02": 100}), kind="certified", delivery="download", pages=40,
                               sets=1, fee_category="02")
    assert quote.amount == 0


@pytest.mark.parametrize("spec,total,expected", [
    ("", 4, [1, 2, 3, 4]), ("2", 4, [2]), ("1-3", 4, [1, 2, 3]), (" 1 - 2 , 4 ", 4, [1, 2, 4]), ("3-3", 4, [3]),
    ("4,1", 4, [4, 1]),
])
def test_page_selection(ctx, spec, total, expected):
    assert parse_pages(spec, total) == expected


@pytest.mark.parametrize("spec,words", [
    ("0", "bắt đầu từ 1"), ("5-2", "ngược"), ("1-3,2", "hai lần"), ("999", "không có trang 999"),
    ("abc", "không phải số trang"), ("1-", "không phải số trang"), ("1,,2", "không phải số trang"),
    ("-1", "không phải số trang"), ("1.5", "không phải số trang"),
])
def test_bad_page_ranges_say_what_is_wrong(ctx, spec, words):
    with pytest.raises(ValidationError, match=words):
        parse_pages(spec, 10)


def test_format_pages():
    assert format_pages([1, 2, 3, 7, 9, 10]) == "1-3, 7, 9-10"


def test_effective_dates_pick_the_version_in_force(app, ctx):
    fees.save_schedule(None, dict(EXAMPLE_FEES, effective_from=date(2025, 1, 1)), allow_past=True)
    fees.save_schedule(None, dict(EXAMPLE_FEES, page_plain_digital="4000", effective_from=date(2026, 6, 1)),
                       allow_past=True)
    fees.save_schedule(None, dict(EXAMPLE_FEES, page_plain_digital="5000", effective_from=date(2030, 1, 1)),
                       allow_past=True)
    assert fees.schedule_on(date(2025, 12, 31)).page_plain_digital == 2000
    assert fees.schedule_on(date(2026, 6, 1)).page_plain_digital == 4000
    assert fees.schedule_on(date(2029, 12, 31)).page_plain_digital == 4000
    assert fees.schedule_on(date(2030, 1, 1)).page_plain_digital == 5000
    assert fees.schedule_on(date(2024, 12, 31)) is None


def test_schedule_input_is_checked(app, ctx, make_user):
    admin = db.session.get(User, make_user(role="admin").id)
    bad = dict(EXAMPLE_FEES, page_plain_digital="12,5", postage="-1", reduction_01="120",
               effective_from=date(2020, 1, 1))
    with pytest.raises(ValidationError) as caught:
        fees.save_schedule(admin, bad)
    assert {"page_plain_digital", "postage", "reduction_01", "effective_from"} <= set(caught.value.fields)
    assert fees.all_schedules() == []


def test_an_order_keeps_its_quote_when_the_schedule_changes(app, make_user, make_file, tmp_path):
    world = build_copy_world(app, make_user, make_file, tmp_path)
    with app.test_request_context():
        order = place_order(world.reader.id, [(world.open_file.file_code, "1-2")], "keep-1", kind="plain")
        assert order.amount == 4000
        admin = db.session.get(User, world.admin.id)
        newer = fees.save_schedule(admin, dict(EXAMPLE_FEES, page_plain_digital="9000",
                                               effective_from=(utcnow() + timedelta(hours=7)).date()))
        db.session.refresh(order)
        assert (order.amount, order.fee_schedule.version) == (4000, 1)
        second = place_order(world.reader.id, [(world.open_file.file_code, "1-2")], "keep-2", kind="plain")
        assert (second.amount, second.fee_schedule_id) == (18000, newer.id)
