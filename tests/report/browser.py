"""Render an HTML file in headless Chromium and report, from inside the page, what a reader would see wrong.

The page is a copy of the report with a small script added at the end of its body (the report itself has
no scripts). Once the page has loaded, the script writes into a ``<pre id="layout-check">`` element, as
JSON: the viewport width, ``document.documentElement.scrollWidth``, every image that did not load
(``naturalWidth == 0``) and every element whose right edge is beyond the viewport unless an ancestor
that scrolls or clips horizontally (``overflow-x: auto | scroll | hidden``, itself inside the viewport)
contains it. ``chromium --headless --dump-dom`` prints the resulting DOM, which is parsed here.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

CHECK = r"""
<script>
window.addEventListener('load', function () {
  var width = window.innerWidth;
  var clipped = function (el) {
    for (var p = el.parentElement; p; p = p.parentElement) {
      var o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') {
        return p.getBoundingClientRect().right <= width + 0.5;
      }
    }
    return false;
  };
  var images = Array.prototype.slice.call(document.images);
  var broken = images.filter(function (im) { return !(im.complete && im.naturalWidth > 0); })
                     .map(function (im) { return im.alt.slice(0, 80); });
  var over = [];
  Array.prototype.forEach.call(document.body.querySelectorAll('*'), function (el) {
    if (el.id === 'layout-check') return;
    var r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 0.5 && !clipped(el)) {
      over.push(el.tagName.toLowerCase() + (el.className ? '.' + el.className : '') + ' right=' + Math.round(r.right));
    }
  });
  var out = document.createElement('pre');
  out.id = 'layout-check';
  out.textContent = JSON.stringify({viewport: width, scroll_width: document.documentElement.scrollWidth,
                                    images: images.length, broken: broken, overflowing: over.slice(0, 20),
                                    alts: images.map(function (im) { return im.alt; })});
  document.body.appendChild(out);
});
</script>
"""


def chromium_binary() -> str | None:
    """The Chromium (or Chrome) executable on PATH, None when there is none."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def layout_check(html_file: Path, work_dir: Path, width: int, height: int = 900, timeout_s: float = 180.0) -> dict:
    """The findings of :data:`CHECK` on ``html_file`` rendered ``width`` CSS pixels wide."""
    binary = chromium_binary()
    if binary is None:
        raise FileNotFoundError("no chromium binary on PATH")
    page = work_dir / f"check_{width}.html"
    text = Path(html_file).read_text(encoding="utf-8")
    page.write_text(text.replace("</body>", CHECK + "</body>"), encoding="utf-8")
    profile = work_dir / f"chromium-profile-{width}"
    command = [binary, "--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run", "--disable-extensions",
               f"--user-data-dir={profile}", f"--window-size={width},{height}", "--virtual-time-budget=20000", "--dump-dom", page.as_uri()]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s, check=False)
    found = re.search(r'<pre id="layout-check">(.*?)</pre>', done.stdout, flags=re.DOTALL)
    if found is None:
        raise AssertionError(f"chromium did not run the check (exit {done.returncode}): {done.stderr[-2000:]}")
    import html

    return json.loads(html.unescape(found.group(1)))
