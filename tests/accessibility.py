"""Accessibility checks for the browser tests: axe-core (vendored, test-only) and tap-target sizes.

axe.min.js is evaluated by the driver (Playwright's page.evaluate runs outside the page's Content-Security-
Policy), so the page keeps its real CSP while it is checked: no `bypass_csp` is needed, and no page of the
app ever loads the file.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

AXE = Path(__file__).resolve().parent.parent / "static" / "vendor" / "axe.min.js"
BLOCKING = ("serious", "critical")
MIN_TAP = 48  # px, CSS pixels at 390x844


@cache
def _axe_source() -> str:
    return AXE.read_text()


def axe_violations(page) -> list[dict]:
    """axe-core's violations of the WCAG 2 A/AA rules (and best practices) on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(" ") + "  " + n.failureSummary.replace(/\\s+/g, " "))}));
    }""")


def readable(violations: list[dict]) -> str:
    return "\n".join(f"[{v['impact']}] {v['id']}: {v['help']}\n" + "\n".join(f"    {n}" for n in v["nodes"])
                     for v in violations)


def assert_accessible(page, what: str) -> None:
    """No serious or critical axe violation, and exactly one h1."""
    blocking = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not blocking, f"{what}: axe-core found\n{readable(blocking)}"
    h1 = page.locator("h1").count()
    assert h1 == 1, f"{what}: {h1} h1 elements (one expected)"


SMALL_TARGETS = """(min) => {
    const seen = new Set(), out = [], boxes = [];
    const describe = el => {
        const name = (el.innerText || el.value || el.getAttribute("aria-label") || el.name || "").trim().slice(0, 40);
        return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${el.className ? "." + String(el.className).split(" ").join(".") : ""} "${name}"`;
    };
    const visible = el => { const s = getComputedStyle(el), r = el.getBoundingClientRect();
        return s.visibility !== "hidden" && s.display !== "none" && r.width > 0 && r.height > 0 && !el.closest("dialog:not([open])"); };
    for (let el of document.querySelectorAll("a[href], button, select, textarea, input:not([type=hidden]), summary")) {
        // a radio or checkbox is tapped through the label around it
        if (el.matches("input[type=radio], input[type=checkbox]") && el.closest("label")) el = el.closest("label");
        if (seen.has(el) || !visible(el)) continue;
        seen.add(el);
        const r = el.getBoundingClientRect();
        for (const [other, o] of boxes) {  // two targets on top of each other: a tap may hit the wrong one
            const w = Math.min(r.right, o.right) - Math.max(r.left, o.left), h = Math.min(r.bottom, o.bottom) - Math.max(r.top, o.top);
            if (w > 1 && h > 1 && !other.contains(el) && !el.contains(other))
                out.push(`${describe(el)} overlaps ${describe(other)}`);
        }
        boxes.push([el, r]);
        if (el.matches("a, button, label") && el.scrollWidth > el.clientWidth + 1)  // its text spills over others
            out.push(`${describe(el)} text wider than its box (${el.scrollWidth} > ${el.clientWidth})`);
        if (r.width + 0.5 < min || r.height + 0.5 < min) {  // half a pixel: layout rounding
            out.push(`${describe(el)} ${Math.round(r.width)}x${Math.round(r.height)}`);
        }
    }
    return out;
}"""


def assert_tap_targets(page, what: str) -> None:
    """Every link, button, select and input on the page is at least 48 x 48 CSS pixels, none on top of another."""
    small = page.evaluate(SMALL_TARGETS, MIN_TAP)
    assert not small, f"{what}: tap targets under {MIN_TAP}x{MIN_TAP} px or overlapping:\n  " + "\n  ".join(small)
