"""Chart images (PNG at print resolution, SVG) rendered server-side by kaleido in Debian's Chromium.

Kaleido >= 1.0 drives an installed Chromium; we hand it /usr/bin/chromium (or $SECTOR_PULSE_CHROMIUM) and
never let it download a browser. MathJax is switched off so the render page makes no network request
(kaleido loads it from a CDN by default); plotly.js comes from the installed plotly package.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
from pathlib import Path

import plotly.graph_objects as go

DEFAULT_CHROMIUM = "/usr/bin/chromium"
PRINT_WIDTH = 1100
PRINT_HEIGHT = 650
PRINT_SCALE = 3  # 1100 px * 3 = 3300 px: 11 in at 300 dpi
RENDER_TIMEOUT = 60


class ImageExportError(Exception):
    """A chart could not be rendered to an image (no Chromium, or the render failed)."""


def chromium_path() -> str | None:
    """The Chromium kaleido should drive, or None when it is not installed."""
    path = os.environ.get("SECTOR_PULSE_CHROMIUM") or DEFAULT_CHROMIUM
    return path if Path(path).is_file() else None


def _opts(fig: go.Figure, fmt: str, scale: float, width: int | None, height: int | None) -> dict:
    height = height or int(fig.layout.height or PRINT_HEIGHT)
    return {"format": fmt, "width": width or PRINT_WIDTH, "height": height, "scale": scale if fmt == "png" else 1}


async def _render(jobs: list[tuple[go.Figure, dict]], path: str) -> list[bytes]:
    import kaleido

    async with kaleido.Kaleido(n=1, timeout=RENDER_TIMEOUT, mathjax=False, path=path) as k:
        return [await k.calc_fig(fig, opts=opts) for fig, opts in jobs]


def figure_images(figs: list[go.Figure], fmt: str = "png", *, scale: float = PRINT_SCALE, width: int | None = None,
                  height: int | None = None) -> list[bytes]:
    """Render several figures in one Chromium session: one bytes object per figure (png or svg)."""
    if fmt not in ("png", "svg"):
        raise ImageExportError(f"unsupported image format {fmt!r}")
    path = chromium_path()
    if path is None:
        raise ImageExportError("Chromium is not installed (apt-get install chromium), so charts cannot be "
                               "rendered to images")
    jobs = [(fig, _opts(fig, fmt, scale, width, height)) for fig in figs]
    # A fresh thread owns its own event loop, so this works inside Streamlit and inside a running loop alike.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        try:
            return pool.submit(asyncio.run, _render(jobs, path)).result(timeout=RENDER_TIMEOUT * (len(jobs) + 1))
        except ImageExportError:
            raise
        except Exception as exc:  # kaleido and choreographer raise many types; the caller needs one
            raise ImageExportError(f"chart rendering failed: {str(exc).splitlines()[0] if str(exc) else exc!r}") \
                from exc


def figure_image(fig: go.Figure, fmt: str = "png", **kwargs) -> bytes:
    """One figure as PNG (print resolution) or SVG bytes."""
    return figure_images([fig], fmt, **kwargs)[0]
