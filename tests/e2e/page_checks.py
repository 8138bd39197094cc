"""What every main page must pass in the browser, read from the rendered page itself: axe-core's
rules (from frontend/node_modules, the version package-lock.json pins), a name for every form
control, and nothing wider than the window. Screenshots go to test-artifacts/screenshots/ so
anyone can look at the pages at a desktop's and a phone's width."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}


@cache
def _axe_source() -> str:
    if not AXE.exists():
        pytest.fail(
            f"{AXE} is missing: run 'cd frontend && npm ci' (bin/test does it when needed)."
        )
    return AXE.read_text()


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it stands. The source goes in over the DevTools
    protocol, which the portal's Content-Security-Policy (no inline scripts) does not stop."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations: list[dict[str, Any]] = page.evaluate(
        """async () => {
          const result = await axe.run(document, { resultTypes: ["violations"] });
          return result.violations.map((v) => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 4).map((n) => n.target.join(" ")),
          }));
        }"""
    )
    return violations


def blocking(violations: list[dict[str, Any]]) -> list[str]:
    """The serious and critical ones, one readable line each."""
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {', '.join(v['nodes'])}"
        for v in violations
        if v["impact"] in BLOCKING_IMPACTS
    ]


def unlabelled_controls(page: Any) -> list[str]:
    """Form controls (visible now or shown later by a script) without a name a person can
    read: no <label>, no aria-label, no aria-labelledby pointing at text."""
    names: list[str] = page.evaluate(
        """() => [...document.querySelectorAll("input, select, textarea")]
          .filter((el) => !["hidden", "submit", "button", "reset"].includes(el.type))
          .filter((el) => {
            const labelled = [...el.labels].some((l) => l.textContent.trim());
            const aria = (el.getAttribute("aria-label") || "").trim();
            const by = (el.getAttribute("aria-labelledby") || "").split(/\\s+/)
              .map((id) => document.getElementById(id)?.textContent.trim()).some(Boolean);
            return !(labelled || aria || by);
          })
          .map((el) => el.outerHTML.slice(0, 120))"""
    )
    return names


def horizontal_overflow(page: Any) -> int:
    """How many pixels the page is wider than the window (0 when it fits)."""
    overflow: int = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return max(overflow, 0)


def widest_elements(page: Any) -> list[str]:
    """The elements that stick out on the right, to say what makes a page too wide."""
    found: list[str] = page.evaluate(
        """() => {
          const limit = document.documentElement.clientWidth;
          return [...document.querySelectorAll("body *")]
            .filter((el) => el.getBoundingClientRect().right > limit + 1)
            .slice(-4)
            .map((el) => `${el.tagName.toLowerCase()}.${el.className} (right ${
              Math.round(el.getBoundingClientRect().right)})`);
        }"""
    )
    return found


def screenshot(page: Any, name: str, width: int) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}-{width}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def problems_of(page: Any) -> list[str]:
    """Everything wrong with the page as it stands."""
    found = blocking(axe_violations(page))
    found += [f"control without a label: {html}" for html in unlabelled_controls(page)]
    overflow = horizontal_overflow(page)
    if overflow:
        found.append(f"{overflow} px wider than the window; sticking out: {widest_elements(page)}")
    return found
