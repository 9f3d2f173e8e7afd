"""``python -m eval soak``'s detectors: what it reads from the app's replies and what it calls a leak.

The soak itself (a demo book, a served app, sessions for minutes) is far over a test's budget; it
runs as ``python -m eval soak`` and its figures are in README's Evaluation table. These tests keep
its judgement honest: a changed upload line or a leaked figure must not pass unnoticed.
"""

from __future__ import annotations

from decimal import Decimal

from assistant.ingest import FileResult
from eval.soak import _upload_lines, answer_leaks


def test_the_soak_reads_every_upload_line_the_app_prints():
    lines = [FileResult("/x/a.pdf", "stored", kind="statement", client="华信光伏电力有限公司", document_id=12, pages=4,
                        statements=3, figures=198, flagged=["balance_sheet: read by OCR"]).line(),
             FileResult("/x/b.pdf", "duplicate", kind="statement", client="华信光伏电力有限公司", document_id=7).line(),
             FileResult("/x/c.pdf", "failed", reason="c.pdf: the statements are issued by BEST BUY CO., INC.").line()]
    text = "\n".join(f"[{i}/3] {line} · 1.0 s" for i, line in enumerate(lines, 1))
    parsed = _upload_lines(text + "\nsearch index: 2/2 document(s) indexed · 3.0 s")
    assert [(p["status"], p["document"], p["statements"]) for p in parsed] == [
        ("stored", 12, 3), ("duplicate", 7, None), ("FAILED", None, None)]
    assert "BEST BUY" in parsed[2]["text"]


def test_a_leak_is_another_clients_name_not_typed_or_its_figure_in_any_unit():
    foreign = {Decimal("303976019.63"), Decimal("150000000.00")}
    names = ["江华高速公路有限公司", "江华高速"]
    clean = "存储中没有“江华高速”的资料：您可查看的客户中没有这家公司，因此无法回答。"
    assert answer_leaks(clean, "江华高速2026年三季度营业收入是多少？", names, foreign) == []  # the name it typed, echoed
    assert answer_leaks("华信光伏的营业收入为12,345,678.00元", "华信光伏营业收入？", names, foreign) == []
    assert answer_leaks("江华高速公路有限公司的资料", "江华高速营业收入？", names, foreign) == ["names 江华高速公路有限公司"]
    assert answer_leaks("营业收入为人民币303,976,019.63元", "营业收入？", names, foreign) == [
        "prints 303,976,019.63, another client's figure"]
    assert answer_leaks("营业收入1.5亿元", "营业收入？", names, foreign) == ["prints 1.5亿, another client's figure"]


def test_rss_growth_is_the_slope_of_the_second_half_of_the_longest_run():
    from eval.soak import rss_at, rss_growth

    flat = [(0, 200), (60, 600), (120, 610), (180, 600), (240, 610), (300, 605)]
    assert rss_growth(flat) == 2.5  # the warm-up climb (200 → 600 MB) is not growth
    rising = [(t, 300 + t) for t in range(0, 601, 60)]  # +60 MB a minute
    assert rss_growth(rising) == 60.0
    # a restart at 400 s: the longest run is 0–360 s, growing 60 MB/min; the short run after it is not used
    cut = rising[:7] + [(420, 200), (480, 205)]
    assert rss_growth(cut, [400.0]) == 60.0
    assert rss_growth([(0, 100)]) is None
    assert rss_at(flat, 300) == 605 and rss_at([], 300) is None
