"""Inspection-note parsing in Chinese and English phrasings, and reading .txt/.md/.docx/.pdf."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from extractors.errors import UnsupportedFormatError
from extractors.notes import ParsedNote, parse_note, read_note_file

D = Decimal

ZH_FORMAL = """贷后现场检查记录
检查日期：2026年10月15日
检查人：王敏、李强
检查地点：宁夏中卫光伏电站二期项目现场
一、项目进度：截至检查日，工程形象进度完成65%，计划进度80%，滞后约15个百分点。
二、投资情况：累计完成投资3.2亿元，总投资预算4亿元。
三、经营情况：企业目前已停产，仅留守人员看护。
四、发现问题：
1. 主体工程施工进度滞后；
2. 部分设备款未按期支付。
五、下一步措施：加强监控。
"""

ZH_TABLE_STYLE = """# 项目现场走访纪要

- 走访日期：2026-03-18
- 检查人员：赵磊
- 项目地点：沪杭高速连接线K12段

工程进度：实际62%，计划75%。
已投入资金12,500万元，批复概算40,000万元。
目前施工正常，未发现停工情况。

存在问题：雨季导致路基施工延误；部分征地补偿未到位
"""

ZH_REDUCED = """检查时间：2026年7月2日
客户经理：刘洋
现场：污水处理厂
生产情况：受订单减少影响，企业部分停产，两条产线中仅一条运行。
进度62%（计划：70%）
"""

EN_FORMAL = """Site visit report
Date of visit: 15 October 2026
Inspector: J. Smith
Site: Phase II solar plant, Zhongwei
Progress: 62% complete vs 75% planned.
Cost: spent CNY 320 million of a CNY 400 million budget.
Operating status: production stopped since September; only security staff on site.
Problems found:
- Main works behind schedule
- Equipment supplier unpaid
"""

EN_NARRATIVE = """**Visit date:** March 3rd, 2026
Visited by: Maria Chen
Location: Riverside hospital PPP, Block B

Actual progress 48%, planned 50%. Costs incurred: 32.5m; total project cost 80m.
The hospital wards in Block A are operating normally; production is not stopped anywhere.

Issues:
1) Lift installation two weeks late
2) Fire inspection pending
"""


def test_chinese_formal_note():
    n = parse_note(ZH_FORMAL, source="visit.txt")
    assert n.visit_date == dt.date(2026, 10, 15)
    assert (n.inspector, n.site) == ("王敏、李强", "宁夏中卫光伏电站二期项目现场")
    assert (n.progress_actual, n.progress_planned) == (D(65), D(80))
    assert (n.cost_spent, n.cost_budget) == (D(320_000_000), D(400_000_000))
    assert n.operating_status == "stopped"
    assert n.problems == ["主体工程施工进度滞后", "部分设备款未按期支付"]
    assert n.language == "zh" and n.text == ZH_FORMAL and n.source == "visit.txt"


def test_chinese_markdown_list_note_with_negated_stop():
    n = parse_note(ZH_TABLE_STYLE)
    assert n.visit_date == dt.date(2026, 3, 18)
    assert (n.inspector, n.site) == ("赵磊", "沪杭高速连接线K12段")
    assert (n.progress_actual, n.progress_planned) == (D(62), D(75))
    assert (n.cost_spent, n.cost_budget) == (D(125_000_000), D(400_000_000))
    assert n.operating_status == "normal"  # 未发现停工 is not a stop
    assert n.problems == ["雨季导致路基施工延误", "部分征地补偿未到位"]


def test_chinese_partial_stop_is_reduced_not_stopped():
    n = parse_note(ZH_REDUCED)
    assert n.visit_date == dt.date(2026, 7, 2)
    assert n.inspector == "刘洋"
    assert n.operating_status == "reduced"
    assert (n.progress_actual, n.progress_planned) == (D(62), D(70))
    assert n.cost_spent is None and n.cost_budget is None  # not stated: not guessed


def test_english_formal_note():
    n = parse_note(EN_FORMAL)
    assert n.visit_date == dt.date(2026, 10, 15)
    assert (n.inspector, n.site) == ("J. Smith", "Phase II solar plant, Zhongwei")
    assert (n.progress_actual, n.progress_planned) == (D(62), D(75))
    assert (n.cost_spent, n.cost_budget) == (D(320_000_000), D(400_000_000))
    assert n.operating_status == "stopped"
    assert n.problems == ["Main works behind schedule", "Equipment supplier unpaid"]
    assert n.language == "en"


def test_english_narrative_note():
    n = parse_note(EN_NARRATIVE)
    assert n.visit_date == dt.date(2026, 3, 3)
    assert (n.inspector, n.site) == ("Maria Chen", "Riverside hospital PPP, Block B")
    assert (n.progress_actual, n.progress_planned) == (D(48), D(50))
    assert (n.cost_spent, n.cost_budget) == (D(32_500_000), D(80_000_000))
    assert n.operating_status == "normal"
    assert n.problems == ["Lift installation two weeks late", "Fire inspection pending"]


@pytest.mark.parametrize("text, status", [
    ("Production halted after the flood.", "stopped"),
    ("The plant is idle pending repairs.", "stopped"),
    ("Plant running at reduced capacity (60%).", "reduced"),
    ("全面停工，工人已撤场。", "stopped"),
    ("企业开工不足，产量下降。", "reduced"),
    ("生产经营正常。", "normal"),
    ("未停产。", "unknown"),
    ("The weather was fine.", "unknown"),
])
def test_operating_status_phrasings(text, status):
    assert parse_note(text).operating_status == status


@pytest.mark.parametrize("text, actual, planned", [
    ("形象进度45%，按计划应达到60%。", D(45), D(60)),
    ("计划完成进度70%，实际完成55.5%。", D("55.5"), D(70)),
    ("Progress is 30% against a plan of 40%.", D(30), D(40)),
    ("Planned progress 90%, actual 85%.", D(85), D(90)),
    ("Construction 72% done.", D(72), None),
])
def test_progress_phrasings(text, actual, planned):
    n = parse_note(text)
    assert (n.progress_actual, n.progress_planned) == (actual, planned)


@pytest.mark.parametrize("text", ["累计完成进度65%，计划80%。", "We spent 3 days on site; budget review pending.",
                                  "已投入施工人员120人。"])
def test_counts_and_percents_are_not_money(text):
    n = parse_note(text)
    assert n.cost_spent is None and n.cost_budget is None


def test_empty_note_has_no_fields_but_keeps_text():
    n = parse_note("走访记录（待补充）")
    assert n == ParsedNote(text="走访记录（待补充）", language="en")


def test_read_markdown_and_gbk_text(tmp_path):
    md = tmp_path / "visit.md"
    md.write_text(ZH_TABLE_STYLE, encoding="utf-8")
    assert read_note_file(md).inspector == "赵磊"
    gbk = tmp_path / "visit.txt"
    gbk.write_bytes(ZH_FORMAL.encode("gb18030"))
    n = read_note_file(gbk)
    assert n.operating_status == "stopped" and n.source == "visit.txt"


def test_read_docx_with_paragraphs_and_a_table(tmp_path):
    import docx

    document = docx.Document()
    document.add_heading("现场检查报告", 1)
    table = document.add_table(rows=3, cols=2)
    for row, (k, v) in zip(table.rows, [("检查日期", "2026年9月9日"), ("检查人", "陈晨"), ("检查地点", "制造基地")]):
        row.cells[0].text, row.cells[1].text = k, v
    document.add_paragraph("实际进度80%，计划进度82%。企业生产经营正常。")
    path = tmp_path / "visit.docx"
    document.save(str(path))
    n = read_note_file(path)
    assert (n.visit_date, n.inspector, n.site) == (dt.date(2026, 9, 9), "陈晨", "制造基地")
    assert (n.progress_actual, n.progress_planned, n.operating_status) == (D(80), D(82), "normal")


def test_read_pdf_note_in_chinese(tmp_path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    path = tmp_path / "visit.pdf"
    c = canvas.Canvas(str(path))
    c.setFont("STSong-Light", 11)
    for i, line in enumerate(ZH_FORMAL.splitlines()):
        c.drawString(40, 800 - 18 * i, line)
    c.showPage()
    c.save()
    n = read_note_file(path)
    assert n.visit_date == dt.date(2026, 10, 15)
    assert (n.progress_actual, n.progress_planned, n.operating_status) == (D(65), D(80), "stopped")
    assert n.pages == 1 and n.source == "visit.pdf"


def test_spreadsheet_is_not_a_note(tmp_path):
    import openpyxl

    path = tmp_path / "x.xlsx"
    openpyxl.Workbook().save(str(path))
    with pytest.raises(UnsupportedFormatError):
        read_note_file(path)
