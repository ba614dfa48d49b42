"""The seed's practical advice (issue 10, point 6): cited data, attached to the rows it belongs to, in en and ru.

Every piece names its seed lines; ``tests/seed/`` holds the seed text (a copy of
``shared/seed/000_8c3276f768d0a039.txt``), so each citation is checked against the very line.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from aliexp_lib import Setting, analyse
from aliexp_lib.guidance import KEYS, advice, load_guidance
from aliexp_lib.options import ITEM_PROBLEMS
from aliexp_lib.views import tables, todo
from aliexp_lib.views.widgets import calendar_file
from tests.conftest import TODAY, book

SEED = Path(__file__).parent / "seed" / "000_8c3276f768d0a039.txt"
LINES = SEED.read_text(encoding="utf-8").splitlines()
WORD = re.compile(r"[а-яё]{5,}")


def stems(text: str) -> set[str]:
    """The Russian words of ``text`` of five letters or more, cut to their first five (a crude stem: «упаковку»
    and «упаковки» meet)."""
    return {w[:5] for w in WORD.findall(text.lower().replace("ё", "е"))}


@pytest.mark.parametrize("piece", load_guidance().to_dict("records"), ids=lambda p: p["id"])
def test_every_cited_line_is_in_the_seed_and_says_part_of_the_advice(piece):
    assert piece["lines"], "advice without a seed line"
    for number in piece["lines"]:
        assert 1 <= number <= len(LINES), f"L{number} is not a line of the seed"
        line = LINES[number - 1]
        assert line.strip(), f"L{number} is blank"
        shared = stems(piece["ru"]) & stems(line)
        assert shared, f"{piece['id']}: L{number} shares no word with the advice: {line[:120]}"
    assert re.search("[а-яё]", piece["ru"]) and not re.search("[а-яё]", piece["en"], re.IGNORECASE)


def test_the_advice_the_issue_asks_for_is_there_with_its_lines():
    cited = {p: set(lines) for p, lines in load_guidance().set_index("id")["lines"].items()}
    wanted = {
        "unboxing": {130},  # evidence to keep
        "evidence_item": {89, 130},
        "evidence_route": {89, 177, 183},
        "return_packing": {338, 340, 342},
        "seller_first": {159, 161, 163},
        "dispute_reason": {69, 177},
        "postage_first": {334},
        "border": {71},
        "mall": {316},
        "messages_no_force": {398},
        "card": {422, 430},
        "qiwi": {414},
        "yoomoney": {418},
        "webmoney": {422},
        "payments_tab": {424, 426},
        "refund_search": {430, 432},
        "cancel_unshipped": {1, 239},
        "settle_on_platform": {99, 227},
    }
    assert {k: cited.get(k) for k in wanted} == wanted


def test_every_key_is_a_code_of_the_engines():
    guidance = load_guidance()
    for column, known in KEYS.items():
        used = {code for codes in guidance[column] for code in codes}
        assert not known or used <= set(known), column
    payout = pd.read_csv(Path(__file__).parents[1] / "data" / "payout_times.csv")["payment_method"]
    assert {m for ms in guidance["payment_methods"] for m in ms} <= set(payout)


def rows_of(table: pd.DataFrame, order_id: str) -> pd.DataFrame:
    return table[table["order_id"] == order_id]


def test_a_return_to_post_carries_the_packing_video_receipt_and_mall_advice():
    orders = book(
        {"order_id": "R", "title": "Lamp", "price": "1500", "currency": "RUB", "shipped_at": "2026-01-10",
         "received_at": "2026-02-01", "dispute_opened_at": "2026-02-10", "return_address_at": "2026-02-26",
         "problem": "defective", "payment_method": "card"},
    )  # fmt: skip
    analysis = analyse(orders, TODAY, Setting.default().with_choices(lang="ru"))
    shown = todo.your_actions(analysis)
    text = shown.loc[shown["order_id"] == "R", "advice"].iloc[0]
    assert "снимите упаковку на видео" in text and "чек об отправке" in text  # L338-342
    assert "«Молл»" in text and "(источник: L316)" in text
    page = todo.page_table(shown, "ru").data
    assert "<th>Совет</th>" in page and "источник: L338, L340, L342" in page  # the lines in the tooltip
    assert "(источник" not in re.sub(r'title="[^"]*"', "", page)  # ... not in the text


def test_evidence_follows_the_problem():
    lost = {"order_id": "N", "shipped_at": "2026-01-10", "problem": "not_received"}
    broken = {"order_id": "D", "shipped_at": "2026-01-10", "received_at": "2026-02-20", "problem": "defective"}
    rows = pd.DataFrame({"order_id": ["N", "D"], "kind": ["protection_ends", "protection_ends"]})
    said = advice(rows, "kind", "en", orders=book(lost, broken).table)
    assert "route" in said[0] and "unboxing" not in said[0]  # L177, L183: the route and your address
    assert "unboxing" in said[1] and "route" not in said[1]  # L130: the video of the unboxing


def test_payment_method_advice_only_for_its_own_method():
    refunded = {"shipped_at": "2026-01-10", "refund_issued_at": "2026-02-20", "problem": "not_received"}
    orders = book({"order_id": "Q", **refunded, "payment_method": "Qiwi"}, {"order_id": "C", **refunded})
    week = tables.week_actions(analyse(orders, TODAY, Setting.default()), days=60)
    qiwi, card = (week.loc[week["Order"] == o, "Advice"].str.cat() for o in ("Q", "C"))
    assert "Forgot password" in qiwi and "Forgot password" not in card  # L414
    assert "Payments tab" in qiwi and "Payments tab" in card  # L424-426: every method


def test_ways_out_carry_their_advice_in_both_languages():
    orders = book(
        {"order_id": "D", "price": "1500", "currency": "RUB", "received_at": "2026-02-20", "problem": "defective",
         "offer_partial": "500"},
        {"order_id": "A", "price": "900", "currency": "RUB", "received_at": "2026-02-20",
         "refund_issued_at": "2026-02-01", "problem": "arrived_after_refund"},
    )  # fmt: skip
    for lang, post_office, same_order in (
        ("en", "ask at the post office", "place the same order again"),
        ("ru", "сходите на почту", "сделаете такой же заказ"),
    ):
        analysis = analyse(orders, TODAY, Setting.default().with_choices(lang=lang))
        ranking = tables.ranking_table(analysis.options, lang)
        options = analysis.options["option"].to_numpy()
        said = dict(zip(zip(analysis.options["order_id"], options, strict=True), ranking.iloc[:, -1], strict=True))
        assert post_office in said[("D", "return_for_refund")]  # L334
        assert post_office in said[("D", "partial_refund_keep")]
        assert post_office not in said[("D", "dispute_full_refund")]
        assert same_order in said[("A", "pay_matching_order")]  # L99, L227
        assert same_order not in said.get(("D", "keep_and_close"), "")


def test_an_unpaid_for_unshipped_order_says_how_to_cancel_and_the_calendar_says_it_in_russian():
    orders = book({"order_id": "U", "title": "Lamp", "paid_at": "2026-02-28"})
    analysis = analyse(orders, TODAY, Setting.default().with_choices(lang="ru"))
    calendar = calendar_file(analysis).decode().replace("\r\n ", "")
    assert "отмените заказ и повторите покупку" in calendar  # L239
    assert "источник: L1\\, L239" in calendar
    assert "X-WR-CALNAME:Сроки по заказам AliExpress" in calendar


def test_an_order_without_a_problem_gets_no_problem_advice():
    rows = pd.DataFrame({"order_id": ["T"], "kind": ["protection_ends"]})
    assert advice(rows, "kind", "en", orders=book({"order_id": "T", "shipped_at": "2026-02-20"}).table)[0] == (
        "When you open the dispute, pick the reason that matches your case; for a parcel that never came, "
        "'not received', asking for the full amount paid (seed L69, L177)."
    )


@pytest.mark.parametrize("problem", ITEM_PROBLEMS)
def test_every_item_problem_has_evidence_to_keep(problem):
    rows = pd.DataFrame({"option": ["dispute_full_refund"], "problem": [problem]})
    assert "(seed L89, L130)" in advice(rows, "option", "en")[0]


@pytest.fixture(scope="module")
def russian() -> dict[str, str]:
    from babel.messages.pofile import read_po

    with (Path(__file__).parents[1] / "data" / "i18n" / "ru.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale="ru") if m.id}


def test_russian_names_the_ways_out_and_clocks_as_the_seed_does(russian):
    """Issue 10, point 8: the seed's own terms (L113, L320, L326: «Возврат товара и денег»; L195: «передан на
    рассмотрение»; L75: «продлить срок защиты»; L334: «частичный возврат ... без отправки товара»)."""
    from aliexp_lib.i18n import label

    assert label("return_for_refund", "ru") == "Возврат товара и денег"
    assert label("return_refund_by", "ru") == "Деньги за возвращённый товар"
    assert label("wait_and_extend", "ru") == "Продлить защиту и ждать"
    assert label("partial_refund_keep", "ru") == "Частичный возврат без отправки товара"
    assert russian[
        "Protection over: receipt confirmed, dispute opened, or the parcel arrived and the term ran out"
    ].startswith("Защита закончилась")
    assert (
        "передайте спор на рассмотрение AliExpress"
        in russian["The seller's time to answer is over: check the dispute; if the seller refused, escalate it"]
    )
    assert label("dispute_escalated", "ru") == "Спор передан на рассмотрение AliExpress"
    assert not [s for s in russian.values() if "обостр" in s.lower() or "эскалац" in s.lower()]


def test_russian_headings_are_words_not_fragments(russian):
    """A heading never ends in a preposition or a comma pair such as «Итог, деньги», «Деньги к»."""
    from aliexp_lib.i18n import LABELS, label

    headings = [label(code, "ru") for code in LABELS] + [russian[h] for h in ("You end up with", "Money back by")]
    assert "Итог, деньги" not in headings and "Деньги к" not in headings
    assert not [h for h in headings if re.search(r"\s(к|по|от|до|за|в|на|с)$", h)]
    assert label("net", "ru") == "Итоговая сумма" and label("money_by", "ru") == "Когда придут деньги"


def test_payment_methods_and_chart_months_in_russian():
    from aliexp_lib.i18n import payment_names
    from aliexp_lib.views.figures import month_name, spend_chart, timeline

    assert payment_names(pd.Series(["card", "Qiwi", "YooMoney", "phone balance"]), "ru").tolist() == [
        "Банковская карта", "Qiwi-кошелёк", "ЮMoney (Яндекс Деньги)", "Счёт телефона"
    ]  # fmt: skip
    assert month_name("2026-02", "ru") == "февраль 2026"
    orders = book({"order_id": "1", "title": "Lamp", "price": "100", "currency": "RUB", "ordered_at": "2026-02-01",
                   "shipped_at": "2026-02-03"})  # fmt: skip
    analysis = analyse(orders, TODAY, Setting.default().with_choices(lang="ru"))
    assert list(spend_chart(analysis).layout.xaxis.ticktext) == ["февраль 2026"]
    ticks = list(timeline(analysis).layout.xaxis.ticktext)
    assert ticks[0] == "15 февр. 2026" and "1 мар." in ticks and not [t for t in ticks if re.search("[A-Za-z]", t)]


def test_advice_joins_each_distinct_key_once_and_keeps_every_row_in_place():
    one = pd.DataFrame(
        {
            "kind": ["return_ship_by", "tracking_stalled", "refund_overdue", "tracking_stalled"],
            "problem": ["defective", "not_received", "", ""],
            "payment_method": ["card", "PayPal ", "paypal", None],
        }
    )
    many = one.sample(n=4000, replace=True, random_state=1).reset_index(drop=True)
    shown = advice(many, "kind", "en")
    assert isinstance(shown.dtype, pd.CategoricalDtype) and len(shown.cat.categories) <= len(one)
    each = {i: advice(one.iloc[[i]], "kind", "en").iloc[0] for i in range(len(one))}
    by_row = many.merge(one.reset_index(), how="left")["index"]  # which row of ``one`` each row copies
    assert shown.tolist() == [each[i] for i in by_row]
