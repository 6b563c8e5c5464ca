"""The COTECH's page in a real browser (Debian's chromium driven by Selenium).

Signs in with the link captured by the SMTP sink, goes through every page,
downloads a proof, attaches the held message to a member and sees the proofs
filed in her dossier; takes screenshots of the main pages (into docs/screenshots/
with MAILBOT_SCREENSHOTS=1).
Skipped when /usr/bin/chromium or /usr/bin/chromedriver is missing
(scripts/test.sh installs them).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot.models import Member, utcnow
from mailbot.models.proofs import Proof
from mailbot.models.subscriptions import RefreshCampaign, RefreshEntry

from tests.support.helpers import ROOT, SAMPLES, deliver, wait_until
from tests.support.servers import SmtpCapture
from tests.web.kit import COTECH, GO, STRANGER, Served, Site, make_site

CHROMIUM, DRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
# MAILBOT_SCREENSHOTS=1: the screenshots go to docs/screenshots/ (committed); else to a temp dir
SHOTS = ROOT / "docs" / "screenshots" if os.environ.get("MAILBOT_SCREENSHOTS") else None
pytestmark = pytest.mark.skipif(not (CHROMIUM.exists() and DRIVER.exists()),
                                reason="chromium and chromium-driver are not installed")

if CHROMIUM.exists():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select


@pytest.fixture
def browser(tmp_path: Path) -> Iterator["webdriver.Chrome"]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
                 "--window-size=1280,900", "--lang=fr-FR"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {
        "download.default_directory": str(tmp_path / "downloads"),
        "download.prompt_for_download": False, "safebrowsing.enabled": False})
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    driver.implicitly_wait(5)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Site]:
    maildir = tmp_path / "maildir"
    for name in sorted(p.stem for p in (SAMPLES / "list").glob("*.eml")):
        deliver(maildir, "list", f"2000.{name}.mbox", (SAMPLES / "list" / f"{name}.eml").read_bytes())
    for name in ("proof-thankyou-gmail-forward", "proof-funded-elsewhere", "cmd-desinscription"):
        deliver(maildir, "inbox", f"1500.{name}.mbox", (SAMPLES / "inbox" / f"{name}.eml").read_bytes())
    with SmtpCapture() as smtp:
        site = make_site(tmp_path, smtp, fresh=True)
        _refresh_campaign(site)
        with Served(site):
            yield site


def _refresh_campaign(site: Site) -> None:
    """A mid-AMI refresh under way, for the Membres page."""
    states = ["kept"] * 7 + ["changed"] * 2 + ["changing", "bounced"] + ["pending"] * 5
    with Session(site.app.engine) as s:
        campaign = RefreshCampaign(started_by="cli", deadline_at=utcnow() + timedelta(days=21))
        s.add(campaign)
        s.flush()
        assert campaign.id is not None
        people = s.exec(select(Member).order_by(Member.id)).all()
        for n, (member, state) in enumerate(zip(people, states, strict=False)):
            s.add(RefreshEntry(campaign_id=campaign.id, member_id=member.id,
                               address=member.email, reference=f"REF{n:04d}", state=state))
        s.commit()


def shot(driver: "webdriver.Chrome", name: str) -> None:
    """A full-page screenshot in docs/screenshots/<name>.png (or the profile's temp dir)."""
    shots = SHOTS or Path(driver.capabilities["chrome"]["userDataDir"]).parent / "shots"
    shots.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1280, "height": max(700, min(int(height), 2400)), "deviceScaleFactor": 1,
        "mobile": False})
    assert driver.save_screenshot(str(shots / f"{name}.png"))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def _owner_of_a_proof(site: Site) -> int:
    with Session(site.app.engine) as s:
        proof = s.exec(select(Proof).where(Proof.content_type == "application/pdf")).first()
        assert proof is not None
        member = s.exec(select(Member).where(Member.email == proof.member_email)).one()
        assert member.id is not None
        return member.id


def nav(driver: "webdriver.Chrome", text: str) -> None:
    driver.find_element(By.LINK_TEXT, text).click()
    wait_until(lambda: driver.find_element(By.CSS_SELECTOR, "nav a.on").text == text, 5,
               what=f"page {text}")


def test_the_cotech_signs_in_and_settles_a_held_message(served: Site, browser: "webdriver.Chrome",
                                                         tmp_path: Path) -> None:
    site, b = served, browser
    b.get(site.base_url + "/")
    assert b.current_url.endswith("/connexion")
    shot(b, "connexion")
    b.find_element(By.NAME, "email").send_keys(COTECH)
    b.find_element(By.CSS_SELECTOR, "form button").click()
    assert b.find_element(By.ID, "sent")
    link = wait_until(lambda: site.links(COTECH), 10, what="the sign-in mail")[-1]
    b.get(link)
    b.find_element(By.ID, "signin").click()
    wait_until(lambda: "Tableau de bord" in b.title, 5, what="the dashboard")
    shot(b, "tableau-de-bord")

    nav(b, "Dossiers")
    shot(b, "dossiers")
    owner = _owner_of_a_proof(site)
    b.find_element(By.CSS_SELECTOR, f'a[href="/dossiers/{owner}"]').click()
    shot(b, "dossier")
    b.find_element(By.CSS_SELECTOR, "a.download").click()
    downloads = tmp_path / "downloads"
    got = wait_until(lambda: [p for p in downloads.glob("*") if not p.name.endswith(".crdownload")]
                     if downloads.exists() else [], 10, what="the downloaded proof")
    assert got[0].read_bytes()[:4] == b"%PDF"

    nav(b, "À traiter")
    shot(b, "a-traiter")
    assert STRANGER in b.find_element(By.ID, "held").text
    row = site.held_row()
    b.find_element(By.CSS_SELECTOR, f'a.button[href="/a-traiter/{row.id}"]').click()
    shot(b, "message")
    Select(b.find_element(By.NAME, "member")).select_by_value(GO)
    b.find_element(By.ID, "attach").click()
    wait_until(lambda: "rattaché" in b.find_element(By.CLASS_NAME, "flash").text, 10,
               what="the attach confirmation")
    assert not b.find_elements(By.ID, "held") or STRANGER not in b.find_element(By.ID, "held").text

    nav(b, "Dossiers")
    b.find_element(By.PARTIAL_LINK_TEXT, "Julien Roux").click()
    assert "Feuille d'émargement - atelier Villeneuve" in b.find_element(By.TAG_NAME, "main").text
    nav(b, "Membres")
    shot(b, "membres")
    b.find_element(By.LINK_TEXT, "Julien Roux").click()
    assert STRANGER in b.find_element(By.TAG_NAME, "main").text  # the alias recorded
    nav(b, "La liste")
    shot(b, "liste")
    nav(b, "Tâches")
    shot(b, "taches")
    b.find_element(By.CSS_SELECTOR, ".who button").click()
    wait_until(lambda: b.current_url.endswith("/connexion"), 5, what="sign-out")
    assert shutil.which("true")
