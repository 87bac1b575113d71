"""Region tokens from links and the custom-region store: parsed safely, round-tripped."""


import pytest

from data_pipeline import regions
from data_pipeline.regions import Region, RegionError


@pytest.mark.parametrize("token, expected", [
    ("state:39", Region("state", "39")),
    ("metro:C1814", Region("metro", "C1814")),
    ("metro:18140", Region("metro", "C1814")),
    ("metro:20260", Region("metro", "C2026")),
    ("county:39049", Region("county", "39049")),
    ("custom:Central Ohio", Region("custom", "Central Ohio")),
    ("nation:US", Region("nation", "US")),
])
def test_valid_region_tokens_parse(token, expected):
    assert regions.parse_token(token) == expected


@pytest.mark.parametrize("token", [
    "state:99;DROP", "state:3", "county:39049 OR 1=1", "metro:36837", "metro:2026", "custom:../../etc/passwd",
    "custom:", "planet:earth", "", None, "state:39\n", "custom:" + "x" * 100, 42,
])
def test_malformed_region_tokens_are_error_values_not_exceptions(token):
    assert isinstance(regions.parse_token(token), RegionError)


def test_metro_links_use_the_five_digit_cbsa_code_and_accept_the_qcew_form():
    duluth = regions.parse_token("metro:C2026")
    assert duluth == regions.parse_token("metro:20260")
    assert duluth.token == "metro:20260" and duluth.cbsa == "20260"
    assert regions.parse_token(duluth.token) == duluth


def test_a_refused_metro_code_shows_the_cbsa_form():
    refused = regions.parse_token("metro:Duluth")
    assert isinstance(refused, RegionError) and "metro:20260" in refused.reason


def test_custom_regions_round_trip_through_the_json_file(tmp_path):
    store = regions.regions_path(tmp_path)
    saved = regions.save_custom(store, "  Central   Ohio ", ["39049", "39041", "bogus", "39049"])
    assert saved == Region("custom", "Central Ohio", "Central Ohio")
    assert regions.load_custom(store) == {"Central Ohio": ("39041", "39049")}
    assert saved.qcew_areas(regions.load_custom(store)) == ("39041", "39049")
    assert not list(tmp_path.glob(".regions-*"))  # no temporary file left behind
    assert regions.delete_custom(store, "Central Ohio") and regions.load_custom(store) == {}


@pytest.mark.parametrize("name", ["../evil", "<script>", "", "x" * 61, "a/b"])
def test_custom_region_names_are_plain_text_only(tmp_path, name):
    store = regions.regions_path(tmp_path)
    assert isinstance(regions.save_custom(store, name, ["39049"]), RegionError)
    assert not store.exists()


def test_corrupt_custom_region_file_reads_as_empty(tmp_path):
    store = regions.regions_path(tmp_path)
    store.write_text("{not json", encoding="utf-8")
    assert regions.load_custom(store) == {}


@pytest.mark.parametrize("text", ["", "3904", "39041.abc", "39041;DROP", "../39041", "1" * 2000])
def test_shared_county_lists_are_refused_unless_five_digit_codes(text):
    assert isinstance(regions.parse_counties(text), regions.RegionError)


def test_shared_county_list_is_sorted_and_deduplicated():
    assert regions.parse_counties("39049,39041.39049") == ("39041", "39049")


@pytest.mark.parametrize("region, title, states", [
    (Region("metro", "C2026"), "Duluth, MN-WI", ("27", "55")),
    (Region("metro", "C2026"), "Duluth, MN-WI MSA", ("27", "55")),
    (Region("metro", "C1814"), "Columbus, OH", ("39",)),
    (Region("county", "27137"), "St. Louis County, Minnesota", ("27",)),
    (Region("state", "27"), "Minnesota", ("27",)),
    (Region("nation", "US"), "United States", ()),
])
def test_a_region_names_every_state_it_spans(region, title, states):
    assert regions.region_states(region, title) == states


def test_a_custom_group_spans_the_states_of_its_counties():
    group = {"Twin Ports": ("27137", "55031")}
    assert regions.region_states(Region("custom", "Twin Ports"), custom=group) == ("27", "55")
