"""What one server holds: N concurrent sessions spoken to over Streamlit's own websocket protocol, no browser.

Each session is what a browser tab opens: a websocket to /_stcore/stream and a `rerun_script` request for a page
and region (the same BackMsg the browser sends); it ends at the server's `script_finished`, after every element
of the page was sent. So the figure is the server's share of page-ready (session start, script, queries, figure
serialisation, transfer), measured without Chromium competing for the same 2 cores. The browser figures in
benchmarks.browser keep the whole of page-ready, rendering included.
"""

from __future__ import annotations

import asyncio
import statistics
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.browser import PAGES, pct


async def render(url: str, page: str, query: str, timeout_s: float = 120.0) -> dict:
    """One page render in a new session: seconds to script_finished, bytes and elements received."""
    import websockets

    t = time.perf_counter()
    async with websockets.connect(url.replace("http", "ws", 1) + "/_stcore/stream", subprotocols=["streamlit"],
                                  max_size=None, open_timeout=timeout_s) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page
        await ws.send(msg.SerializeToString())
        received = deltas = 0
        while True:
            raw = await asyncio.wait_for(ws.recv(), timeout_s)
            received += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            deltas += kind == "delta"
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element" \
                    and fwd.delta.new_element.WhichOneof("type") == "exception":
                raise RuntimeError(f"page {page or 'overview'} raised: {fwd.delta.new_element.exception.message}")
            if kind == "script_finished":
                return {"s": time.perf_counter() - t, "bytes": received, "deltas": deltas}


async def _level(url: str, n: int, loads: int, query: str) -> dict:
    async def session(i: int) -> list[float]:
        await render(url, PAGES[i % len(PAGES)][0], query)  # untimed: imports and caches warm, as in the browser
        return [(await render(url, PAGES[(i + k) % len(PAGES)][0], query))["s"] for k in range(loads)]

    t = time.perf_counter()
    times = [s for part in await asyncio.gather(*(session(i) for i in range(n))) for s in part]
    wall = time.perf_counter() - t
    return {"sessions": n, "n": len(times), "p50_s": statistics.median(times), "p95_s": pct(times, 95),
            "max_s": max(times), "wall_s": wall, "loads_per_s": len(times) / wall}


def bench_sessions(url: str, token: str, levels: list[int], loads: int, say) -> list[dict]:
    """For each level: n protocol sessions, each rendering `loads` pages of one region in turn, back to back."""
    out = []
    for n in levels:
        row = asyncio.run(_level(url, n, loads, f"region={token}"))
        out.append(row)
        say(f"  {n:>2} sessions (server only): p50 {row['p50_s']:5.2f} s  p95 {row['p95_s']:5.2f} s "
            f"({row['n']} renders, {row['loads_per_s']:.1f} renders/s)")
    return out
