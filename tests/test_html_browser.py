"""report.html in a real browser: Debian's chromium + chromium-driver, headless, through Selenium.

`make test` installs both packages when missing. One browser serves every test
of this module (it starts in about a second); each example's report is loaded
from ``file://``, must log no console error (a CSP violation, a script error or
a network attempt all log one), must show the numbers report.json has, and
must filter and sort. A full-page PNG and a print PDF of each are saved under
tests/.cache/screenshots/ (not committed) for a person to look at.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support.ui import Select

from replatform.cli import main

from .conftest import EXAMPLES, ROOT
from .hostile_names import write_hostile_repository

ARTIFACTS = ROOT / "tests" / ".cache" / "screenshots"
NAMES = ["aftersales-graph", "ai-studio", "ec2-mnist", "porting-samples", "rem-transcription"]
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,1000",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if chromium is None or driver is None:
        pytest.fail("chromium/chromedriver are not installed: `make test` installs them (chromium chromium-driver)")
    options = Options()
    options.binary_location = chromium
    for flag in (*FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    session = webdriver.Chrome(service=Service(executable_path=driver), options=options)
    try:
        yield session
    finally:
        session.quit()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`replatform assess` of every example (with its usage file when it has one)."""
    folders = {}
    for name in NAMES:
        folder = tmp_path_factory.mktemp(name)
        args = ["assess", str(EXAMPLES / name), "--output-dir", str(folder), "--offline"]
        if (EXAMPLES / name / "usage.yaml").exists():
            args += ["--usage", str(EXAMPLES / name / "usage.yaml")]
        main(args)
        folders[name] = folder
    return folders


def _errors(browser: WebDriver) -> list[dict[str, Any]]:
    return [entry for entry in browser.get_log("browser") if entry["level"] in ("SEVERE", "ERROR")]


def _dollars(text: str) -> float:
    sign = -1.0 if text.startswith("-$") else 1.0  # a negative amount is written -$21.91 (price/money.py)
    assert text.removeprefix("-").startswith("$"), text
    return sign * float(text.removeprefix("-")[1:].replace(",", ""))


def _visible(browser: WebDriver) -> list[Any]:
    return [row for row in browser.find_elements(By.CSS_SELECTOR, "#findings tbody tr") if row.is_displayed()]


def _save_artifacts(browser: WebDriver, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, min(int(height) + 120, 16000))
    png = ARTIFACTS / f"{name}.png"
    browser.save_screenshot(str(png))
    browser.set_window_size(1280, 1000)
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
    import base64

    (ARTIFACTS / f"{name}.pdf").write_bytes(base64.b64decode(pdf["data"]))
    return png


@pytest.mark.parametrize("name", NAMES)
def test_report_shows_report_json(browser: WebDriver, reports: dict[str, Path], name: str) -> None:
    folder = reports[name]
    data = json.loads((folder / "report.json").read_text())
    browser.get((folder / "report.html").as_uri())
    assert _errors(browser) == []
    assert browser.title == f"replatform report: {name}"

    # summary tiles and the cost table: the numbers report.json has
    by_severity = {s: sum(1 for f in data["findings"] if f["severity"] == s) for s in ("blocker", "warning", "info")}
    for severity, count in by_severity.items():
        assert browser.find_element(By.ID, f"count-{severity}").text == str(count)
    assert browser.find_element(By.ID, "count-components").text == str(len(data["components"]))
    assert browser.find_element(By.ID, "count-plan-items").text == str(len(data["plan"]["items"]))
    totals = data["costs"]["totals"]
    if totals["current"]:
        assert _dollars(browser.find_element(By.ID, "summary-current").text) == totals["current"]
        for target, value in totals.items():
            cell = browser.find_element(By.ID, f"total-{target.replace('+', '-')}").text
            total = data["costs"]["by_target"][target]
            if not total["priced"]:  # said in words, never $0.00
                unpriced = ", ".join(total["unpriced"])
                words = f"nothing priced (depends on usage: {unpriced})" if unpriced else "not applicable"
                assert (value, cell) == (0, words)
                continue
            assert _dollars(cell) == value
        for target in ("graviton", "spot", "graviton+spot"):
            # the saving compares the same components today (a Lambda is n/a on Spot, so it is on neither side)
            tile = browser.find_element(By.ID, f"summary-saving-{target.replace('+', '-')}").text
            assert _dollars(tile) == data["costs"]["by_target"][target]["saving"]
    else:  # nothing priced: said in words, not shown as $0.00
        assert browser.find_element(By.ID, "summary-current").text == "not priced"
        assert browser.find_element(By.ID, "costs-unknown").is_displayed()

    # one card per plan item, in plan order, with its readiness, effort and saving
    cards = browser.find_elements(By.CSS_SELECTOR, "article.card")
    assert [c.get_attribute("data-component") for c in cards] == [i["component"] for i in data["plan"]["items"]]
    for card, item in zip(cards, data["plan"]["items"], strict=True):
        assert card.find_element(By.CSS_SELECTOR, "[data-field=readiness]").text == item["readiness"]
        assert card.find_element(By.CSS_SELECTOR, "[data-field=effort]").text == f"{item['effort_hours']:g} h"
        saving = card.find_element(By.CSS_SELECTOR, "[data-field=saving]").text
        assert (
            (saving == "depends on usage")
            if item["monthly_saving"] is None
            else _dollars(saving) == item["monthly_saving"]
        )
    phases = sorted({i["phase"] for i in data["plan"]["items"]})
    assert [e.get_attribute("id") for e in browser.find_elements(By.CSS_SELECTOR, ".timeline > li")] == [
        f"phase-{p}" for p in phases
    ]

    # every finding, in report order, each linking to its rule page inside the report
    rows = browser.find_elements(By.CSS_SELECTOR, "#findings tbody tr")
    assert [r.get_attribute("data-fingerprint") for r in rows] == [f["fingerprint"] for f in data["findings"]]
    for row, finding in zip(rows, data["findings"], strict=True):
        anchor = row.find_element(By.CSS_SELECTOR, "a")
        assert anchor.get_attribute("href").endswith(f"#rule-{finding['rule_id']}")
        page = browser.find_element(By.ID, f"rule-{finding['rule_id']}")
        assert f"docs/rules/{finding['rule_id']}.md" in page.text
    png = _save_artifacts(browser, name)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _errors(browser) == []


def test_findings_filter_and_sort(browser: WebDriver, reports: dict[str, Path]) -> None:
    folder = reports["porting-samples"]
    findings = json.loads((folder / "report.json").read_text())["findings"]
    browser.get((folder / "report.html").as_uri())
    assert browser.find_element(By.ID, "findings-controls").is_displayed()
    shown = browser.find_element(By.ID, "findings-shown")
    assert shown.text == f"{len(findings)} of {len(findings)} findings shown"

    severity = Select(browser.find_element(By.ID, "filter-severity"))
    severity.select_by_value("blocker")
    blockers = [f["fingerprint"] for f in findings if f["severity"] == "blocker"]
    assert [r.get_attribute("data-fingerprint") for r in _visible(browser)] == blockers
    assert shown.text == f"{len(blockers)} of {len(findings)} findings shown"

    path = browser.find_element(By.ID, "filter-path")
    path.send_keys("C-SAMPLES")  # case-insensitive substring
    expected = [f["fingerprint"] for f in findings if f["severity"] == "blocker" and "c-samples" in f["path"].lower()]
    assert 0 < len(expected) < len(blockers)
    assert [r.get_attribute("data-fingerprint") for r in _visible(browser)] == expected
    severity.select_by_value("")
    path.clear()
    path.send_keys(" ")  # clear() sends no input event; an edit does, and blanks are trimmed
    rule = Select(browser.find_element(By.ID, "filter-rule"))
    rule.select_by_value("c-inline-asm")
    assert [r.get_attribute("data-rule") for r in _visible(browser)] == ["c-inline-asm"] * sum(
        1 for f in findings if f["rule_id"] == "c-inline-asm"
    )
    rule.select_by_value("")
    assert len(_visible(browser)) == len(findings)

    header = browser.find_element(By.XPATH, "//table[@id='findings']//th[button[text()='location']]")
    header.find_element(By.TAG_NAME, "button").click()
    assert header.get_attribute("aria-sort") == "ascending"
    ascending = sorted(findings, key=lambda f: (f["path"].lower(), f["line"]))  # case-insensitive, as people sort
    order = [r.get_attribute("data-fingerprint") for r in _visible(browser)]
    assert [(f["path"], f["line"]) for f in (next(x for x in findings if x["fingerprint"] == fp) for fp in order)] == [
        (f["path"], f["line"]) for f in ascending
    ]
    header.find_element(By.TAG_NAME, "button").click()
    assert header.get_attribute("aria-sort") == "descending"
    first = next(f for f in findings if f["fingerprint"] == _visible(browser)[0].get_attribute("data-fingerprint"))
    assert (first["path"], first["line"]) == (ascending[-1]["path"], ascending[-1]["line"])
    severity_header = browser.find_element(By.XPATH, "//table[@id='findings']//th[button[text()='severity']]")
    assert severity_header.get_attribute("aria-sort") is None

    # print: the controls go, every finding stays
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not browser.find_element(By.ID, "findings-controls").is_displayed()
        assert len(_visible(browser)) == len(findings)
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert _errors(browser) == []


def test_scan_html_and_hostile_names_stay_text(browser: WebDriver, tmp_path: Path) -> None:
    repository = tmp_path / "repo"
    payloads = write_hostile_repository(repository)
    page = tmp_path / "scan.html"
    main(["scan", str(repository), "--format", "html", "--output", str(page), "--fail-on", "never"])
    browser.get(page.as_uri())
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.dismiss()
    assert browser.title == "replatform report: repo"
    assert browser.execute_script("return window.pwned === undefined")
    assert _errors(browser) == []
    text = browser.find_element(By.TAG_NAME, "body").text
    for payload in payloads:
        assert payload in text  # shown as the text it is, not run and not dropped
    assert len(browser.find_elements(By.TAG_NAME, "script")) == 1
    assert browser.find_elements(By.CSS_SELECTOR, "img, iframe, object, embed") == []
    _save_artifacts(browser, "hostile-scan")
