"""The dashboard in a real headless browser: Debian's chromium opens the static HTML file with the network cut off,
plotly draws its charts (checked in the DOM after the scripts ran), and a screenshot shows them (checked pixel by
pixel). The screenshot is kept in build/test-artifacts/ (and the test's tmp dir) for a person to look at.

Chromium is installed with apt-get when it is missing (as root, or with password-less sudo).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from pathlib import Path

import pytest

import carerules
from carerules import reports

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "build" / "test-artifacts"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
DEBIAN_PACKAGES = ("chromium", "fonts-dejavu-core")
AS_OF = "2026-11-01"
CHARTS = 4  # completion heatmap, completion trend, overdue by home, admissions per resident-year


def find_browser() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


def install_browser() -> None:
    """apt-get install Debian's chromium (root, or sudo without a password); quietly does nothing otherwise."""
    if os.environ.get("CARERULES_NO_APT"):
        return
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0:
        prefix = ["sudo", "-n"]
    else:
        return
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*prefix, "apt-get", "update", "-qq"], env=env, capture_output=True, check=False, timeout=900)
    subprocess.run([*prefix, "apt-get", "install", "-y", "-qq", *DEBIAN_PACKAGES], env=env, capture_output=True,
                   check=False, timeout=1800)


@pytest.fixture(scope="session")
def browser() -> str:
    path = find_browser()
    if path is None:
        install_browser()
        path = find_browser()
    if path is None:
        pytest.fail("the dashboard tests need a headless browser: apt-get install " + " ".join(DEBIAN_PACKAGES))
    return path


def run_browser(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    """Headless chromium with the network cut off: an unreachable proxy, and every host name unresolvable."""
    command = [
        browser, "--headless", "--disable-gpu", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run",
        "--hide-scrollbars", f"--user-data-dir={profile}", "--proxy-server=http://127.0.0.1:9",
        "--host-resolver-rules=MAP * ~NOTFOUND", "--virtual-time-budget=30000", *args,
    ]
    return subprocess.run(command, capture_output=True, check=False, timeout=240)


@pytest.fixture(scope="session")
def dashboards(tmp_path_factory: pytest.TempPathFactory, demo_population: carerules.Population) -> list[Path]:
    out = tmp_path_factory.mktemp("dashboard")
    r = reports.Reports(demo_population, ["care-homes-es", "case-management-les"], AS_OF)
    return r.dashboard(out)


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of RGB(A) bytes of an 8-bit, non-interlaced PNG (what chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    width = height = channels = 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, "unexpected PNG layout"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prior = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 0xFF
        elif kind == 2:
            line = bytearray((a + b) & 0xFF for a, b in zip(line, prior))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prior[i]) >> 1)) & 0xFF
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b = prior[i]
                c = prior[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prior = line
    return width, height, rows


def test_dashboards_are_written_one_per_practice_and_one_across(dashboards: list[Path]) -> None:
    assert [p.name for p in dashboards] == ["dashboard-P1.html", "dashboard-P2.html", "dashboard-all.html"]
    html = dashboards[0].read_text(encoding="utf-8")
    assert "Dashboard: Park Surgery" in html
    # Self-contained: plotly.js is inlined; no script, stylesheet or image is fetched from anywhere.
    assert re.search(r"<script[^>]*\bsrc=", html) is None
    assert re.search(r"<link[^>]*\bhref=", html) is None
    assert "Plotly.newPlot" in html and len(html) > 1_000_000
    for chart in ("completion-heatmap", "completion-trend", "overdue-by-home", "admissions-rate"):
        assert f'id="{chart}"' in html


def test_dashboard_renders_its_charts_in_a_headless_browser(browser: str, dashboards: list[Path], tmp_path: Path) -> None:
    page = dashboards[-1]  # across practices
    out = run_browser(browser, tmp_path / "profile", "--dump-dom", page.as_uri())
    assert out.returncode == 0, out.stderr.decode(errors="replace")[-2000:]
    dom = out.stdout.decode("utf-8", errors="replace")
    assert f'data-charts-rendered="{CHARTS}"' in dom, "plotly did not draw every chart"
    assert dom.count('class="main-svg"') >= CHARTS
    for marker in ('class="hm"', 'class="trace bars"', 'class="scatterlayer', 'class="xtick"'):
        assert marker in dom, marker  # heatmap, bar and line traces, axes
    assert "Park Surgery" in dom and "Riverside Medical Centre" in dom


def test_dashboard_screenshot_shows_the_charts(browser: str, dashboards: list[Path], tmp_path: Path) -> None:
    shot = tmp_path / "dashboard.png"
    out = run_browser(browser, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1400,1800",
                      dashboards[-1].as_uri())
    assert out.returncode == 0 and shot.exists(), out.stderr.decode(errors="replace")[-2000:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, ARTIFACTS / "dashboard.png")
    data = shot.read_bytes()
    assert len(data) > 50_000  # a blank page of this size compresses to a few kilobytes
    width, height, rows = png_pixels(data)
    assert (width, height) == (1400, 1800)
    channels = len(rows[0]) // width
    colours: Counter[bytes] = Counter()
    for row in rows[::4]:
        for x in range(0, width * channels, channels * 4):
            colours[row[x:x + 3]] += 1
    total = sum(colours.values())
    white = colours[b"\xff\xff\xff"]
    assert len(colours) > 200, "too few colours for a page of charts"
    assert (total - white) / total > 0.15, "the page is nearly blank"
    # The heatmap's red-to-green cells are there: strongly green and strongly red pixels.
    assert any(c[1] > 100 and c[0] < 60 and c[2] < 90 for c in colours), "no green heatmap cell"
    assert any(c[0] > 150 and c[1] < 60 and c[2] < 60 for c in colours), "no red heatmap cell"
