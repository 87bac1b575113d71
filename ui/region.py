"""Sidebar region picker bound to the URL (`?region=state:39`), with a custom county-group builder."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import streamlit as st

from data_pipeline import regions
from data_pipeline.regions import NATION, Region, RegionError
from ui import data

KIND_LABELS = {"state": "State", "metro": "Metro area", "county": "County", "custom": "Custom region",
               "nation": "United States", "wib": "Workforce area (QWI)"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def plain(text: object, limit: int = 80) -> str:
    """Text safe to place inside Streamlit markdown: every markdown character escaped, length capped."""
    s = str(text)
    s = s if len(s) <= limit else s[:limit] + "…"
    return _MARKDOWN_SPECIAL.sub(r"\\\1", s.replace("\n", " "))


@dataclass(frozen=True)
class RegionContext:
    region: Region
    label: str
    areas: tuple[str, ...]
    counties: tuple[str, ...] = ()
    state_label: str | None = None
    state_areas: tuple[str, ...] = ()
    comparisons: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    @property
    def is_custom(self) -> bool:
        return self.region.kind == "custom"


def current() -> RegionContext:
    """The region chosen in the sidebar on this run (the nation if the picker has not run)."""
    ctx = st.session_state.get("_region_ctx")
    return ctx if isinstance(ctx, RegionContext) else _context(NATION, {}, {})


def _options(custom: dict[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
    """{kind: {code: title}} for every kind that has something to pick."""
    out: dict[str, dict[str, str]] = {}
    for kind in ("state", "metro", "county"):
        df = data.list_areas(kind)
        if not df.empty:
            out[kind] = _county_titles(df) if kind == "county" else dict(zip(df["code"], df["title"], strict=True))
    wibs = data.qwi_wib_areas()
    if not wibs.empty:
        out["wib"] = dict(zip(wibs["code"], wibs["title"], strict=True))
    if custom:
        out["custom"] = {name: name for name in sorted(custom)}
    if not data.list_areas("nation").empty or not out:
        out["nation"] = {"US": "United States"}
    return out


NO_DATA_MARK = " — no data loaded (QCEW)"  # in the picker only: the region's own name never carries it


def _county_titles(counties) -> dict[str, str]:
    """{code: title} of counties, those with QCEW data loaded first (the picker marks the others)."""
    ordered = counties.sort_values("has_qcew", ascending=False, kind="stable")
    return dict(zip(ordered["code"], ordered["title"], strict=True))


def _county_label(code: str, titles: dict[str, str], without: frozenset[str]) -> str:
    """A county as the picker lists it: its title, marked when no QCEW data is loaded for it."""
    return titles.get(code, code) + (NO_DATA_MARK if code in without else "")


def _without_qcew() -> frozenset[str]:
    """Counties with no QCEW loaded, worked out once per run (format_func runs once per option; it must stay a
    pure function of what it closes over, since AppTest and the browser call it outside the run)."""
    counties = data.list_areas("county")
    return frozenset(counties.loc[~counties["has_qcew"], "code"]) if not counties.empty else frozenset()


def _default(options: dict[str, dict[str, str]]) -> Region:
    """The first state with QCEW data, else the first place any source offers, else the nation."""
    states = data.list_areas("state")
    with_data = states[states["has_qcew"]]
    if not with_data.empty:
        code = str(with_data["code"].iloc[0])
        return Region("state", code, options["state"][code])
    for kind in ("state", "metro", "county", "nation"):
        if options.get(kind):
            code = next(iter(options[kind]))
            return NATION if kind == "nation" else Region(kind, code, options[kind][code])
    return NATION


def _option_label(kind: str, code: str, options: dict[str, dict[str, str]],
                  without: frozenset[str] = frozenset()) -> str:
    """A picker entry: metros carry their CBSA code, the form links use (`metro:20260`)."""
    if kind == "county":
        return _county_label(code, options[kind], without)
    title = options[kind].get(code, code)
    return f"{title} ({Region(kind, code).cbsa})" if kind == "metro" else title


def _apply_token(token: str | None, options: dict[str, dict[str, str]]) -> Region:
    """Turn the URL token into a region, warning (as plain text) and falling back when it is unusable."""
    if token is None:
        return _default(options)
    # A broken link shows the whole country, not whichever state sorts first, and says why in one line.
    fallback = NATION if "nation" in options else _default(options)
    instead = f"Showing {plain(fallback.name or fallback.code)} instead."
    parsed = regions.parse_token(token)
    if isinstance(parsed, RegionError):
        st.warning(f"The link's region “{plain(parsed.token)}” is not a region code: {plain(parsed.reason)}. {instead}")
        return fallback
    if parsed.code not in options.get(parsed.kind, {}):
        st.warning(f"The link's region “{plain(parsed.token)}” is not in the loaded data. {instead}")
        return fallback
    return parsed


def _context(region: Region, options: dict[str, dict[str, str]], custom: dict[str, tuple[str, ...]]) -> RegionContext:
    name = options.get(region.kind, {}).get(region.code, region.name or region.code)
    region = Region(region.kind, region.code, name)
    areas = region.qcew_areas(custom)
    state = region.state_fips
    if region.kind == "metro":
        state = data.metro_state(region.code)
    elif region.kind == "custom" and areas:
        state = areas[0][:2]
    state_label = options.get("state", {}).get(state) if state else None
    state_areas = (f"{state}000",) if state_label else ()
    comparisons = [(name, areas)]
    if state_label and region.kind != "state":
        comparisons.append((state_label, state_areas))
    if region.kind != "nation" and "nation" in options:
        comparisons.append(("United States", ("US000",)))
    counties = areas if region.kind == "custom" else ()
    return RegionContext(region, name, areas, counties, state_label, state_areas, tuple(comparisons))


def _county_state_picker(options: dict[str, dict[str, str]]) -> list[str]:
    """A state first, then the counties of that state: the picker sends ~250 names, not all ~3,200 (which cost
    every county page ~95 KB and a slower reload), and a county is found by its state as users look for it."""
    counties = options["county"]
    states: dict[str, list[str]] = {}
    for code in counties:
        states.setdefault(code[:2], []).append(code)
    names = options.get("state", {})
    ordered = sorted(states, key=lambda s: (names.get(s, f"~{s}"), s))
    if st.session_state.get("region_county_state") not in states:
        # the county already picked, else the state the user was looking at, else the first state
        near = [str(st.session_state.get("region_county") or "")[:2], st.session_state.get("region_state")]
        st.session_state["region_county_state"] = next((s for s in near if s in states), ordered[0])
    state = st.selectbox("State of the county", ordered, key="region_county_state",
                         format_func=lambda s: names.get(s, f"State FIPS {s}"))
    return states[state]


def region_picker() -> RegionContext:
    """Draw the sidebar picker; keep st.query_params['region'] in step; return the chosen region."""
    store = regions.regions_path(data.data_dir())
    custom = regions.load_custom(store)
    token = st.query_params.get("region")
    shared = _shared_group(token, custom)
    if shared:
        custom = {**custom, shared[0]: shared[1]}  # from the link; saved only if the user asks
    options = _options(custom)
    if token is None and st.session_state.get("_region_applied"):
        token = st.session_state["_region_applied"]  # page switches clear the URL; the region stays
    if token != st.session_state.get("_region_applied") or "region_kind" not in st.session_state:
        chosen = _apply_token(token, options)
        st.session_state["region_kind"] = chosen.kind
        st.session_state[f"region_{chosen.kind}"] = chosen.code
        if chosen.kind == "county":
            st.session_state["region_county_state"] = chosen.code[:2]
        st.session_state["_region_applied"] = token
    kinds = list(options)
    if st.session_state.get("region_kind") not in kinds:
        st.session_state["region_kind"] = kinds[0]
    with st.sidebar:
        st.subheader("Region")
        kind = st.radio("Region type", kinds, key="region_kind", format_func=KIND_LABELS.get)
        codes = _county_state_picker(options) if kind == "county" else list(options[kind])
        if st.session_state.get(f"region_{kind}") not in codes:
            st.session_state[f"region_{kind}"] = codes[0]
        without = _without_qcew() if kind == "county" else frozenset()
        code = st.selectbox(KIND_LABELS[kind], codes, key=f"region_{kind}",
                            format_func=lambda c: _option_label(kind, c, options, without))
        region = Region(kind, code, options[kind].get(code, code))
        ctx = _context(region, options, custom)
        if ctx.is_custom:
            titles = data.list_areas("county").set_index("code")["title"].to_dict()
            st.caption("Counties: " + plain("; ".join(titles.get(c, c) for c in ctx.counties), 400))
        _custom_builder(store, custom)
    if st.query_params.get("region") != region.token:
        st.query_params["region"] = region.token
    if region.kind == "custom":
        st.query_params["counties"] = regions.counties_param(ctx.counties)
        if shared and region.code == shared[0] and shared[0] not in regions.load_custom(store):
            with st.sidebar:
                st.caption("This county group came with the link and is not saved on this computer.")
                if st.button("Save this region", key="custom_save_shared"):
                    regions.save_custom(store, shared[0], shared[1])
                    st.rerun()
    else:
        st.query_params.pop("counties", None)
    st.session_state["_region_applied"] = region.token
    st.session_state["_region_ctx"] = ctx
    return ctx


def comparison_choices(exclude: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    """{token: (label, QCEW areas)} for every place with QCEW rows and every saved custom region."""
    out: dict[str, tuple[str, tuple[str, ...]]] = {}
    for kind in ("state", "metro", "county"):
        df = data.list_areas(kind)
        for code, area, title in df[df["has_qcew"]][["code", "area_fips", "title"]].itertuples(index=False):
            out[f"{kind}:{code}"] = (str(title), (str(area),))
    for name, counties in regions.load_custom(regions.regions_path(data.data_dir())).items():
        out[f"custom:{name}"] = (name, counties)
    out.pop(exclude, None)
    return out


def _shared_group(token: str | None, saved: dict[str, tuple[str, ...]]) -> tuple[str, tuple[str, ...]] | None:
    """(name, counties) when the link carries a custom region's counties (a view shared from another computer)."""
    parsed = regions.parse_token(token) if token else None
    if not isinstance(parsed, Region) or parsed.kind != "custom":
        return None
    counties = regions.parse_counties(st.query_params.get("counties"))
    if isinstance(counties, RegionError):
        return None
    if saved.get(parsed.code) == counties:
        return None
    return parsed.code, counties


def _custom_builder(store, custom: dict[str, tuple[str, ...]]) -> None:
    """Name + counties -> a saved custom region (plain-text name, saved atomically by data_pipeline.regions)."""
    counties = data.list_areas("county")
    if counties.empty:
        return
    # A toggle, not an expander: an expander's widgets are sent and mounted while it is closed, and the county list
    # (~3,200 names) was most of what every page sent to the browser for a state or metro.
    if not st.toggle("Build a custom region", key="custom_open"):
        return
    titles = _county_titles(counties)
    without = _without_qcew()
    with st.container(border=True):
        name = st.text_input("Name", max_chars=regions.MAX_NAME, key="custom_name",
                             help="Letters, digits, spaces and . , ' & ( ) - _")
        picked = st.multiselect("Counties", list(titles), key="custom_counties",
                                format_func=lambda c: _county_label(c, titles, without))
        if st.button("Save region", key="custom_save"):
            result = regions.save_custom(store, name, picked)
            if isinstance(result, RegionError):
                st.error(f"Not saved: {plain(result.reason)}.")
            else:
                st.query_params["region"] = result.token
                st.rerun()
        if custom:
            gone = st.selectbox("Delete a saved region", ["—", *sorted(custom)], key="custom_delete_pick")
            if gone != "—" and st.button("Delete", key="custom_delete"):
                regions.delete_custom(store, gone)
                st.query_params.pop("region", None)
                st.rerun()
