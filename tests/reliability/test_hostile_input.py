"""Hostile input: links and region names are text, shown escaped; import stays inside what the user named."""

from __future__ import annotations

import os
import re
import stat
import struct
import zipfile
from pathlib import Path

import pytest

from data_pipeline import regions
from tests.app_fixtures import build_test_warehouse, open_app
from tests.qcew_files import county_slice
from tests.reliability.helpers import Snapshot, env_for, error_lines, run_cli

HOSTILE = {
    "sql": "state:39'; DROP TABLE qcew_annual; --",
    "sql_custom": "custom:x' OR '1'='1",
    "path": "custom:../../../../etc/passwd",
    "html_script": "county:<script>alert(document.cookie)</script>",
    "html_img": 'metro:<img src=x onerror="alert(1)">',
    "markdown_link": "state:[click](javascript:alert(1))",
    "control_chars": "state:\x1b[31m\u202eevil\x07\r\nSet-Cookie: a=b",
    "unicode": "custom:Ｃｏｌｕｍｂｕｓ 🏙️ \u200b",
    "latex_and_emoji_codes": "state:$$\\sum$$ :red[big] :material/home:",
    "oversized": "custom:" + "A" * 10_000,
    "oversized_html": "county:" + "<b>" * 3_400,
}


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    build_test_warehouse(folder / "warehouse.duckdb")
    regions.save_custom(regions.regions_path(folder), "Delaware and Fairfield", ["39041", "39045"])
    return folder


@pytest.fixture
def app(loaded, monkeypatch):
    return open_app(monkeypatch, loaded / "warehouse.duckdb")


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_hostile_region_link_is_shown_escaped_and_falls_back(app, loaded, kind, tally):
    token = HOSTILE[kind]
    saved_before = (loaded / "regions.json").read_bytes()
    app.query_params["region"] = token
    app.query_params["counties"] = "39041.<script>"
    at = app.run()
    tally("inputs tried")
    assert not at.exception, at.exception
    assert len(at.warning) == 1, [w.value for w in at.warning]
    shown = at.warning[0].value
    visible = " ".join(token[: regions.MAX_TOKEN].replace("\n", " ").split())[:40]
    assert " ".join(unescape(shown).split()).find(visible) >= 0, shown
    for special in "<>[]()`*_$:":
        assert not re.search(r"(?<!\\)" + re.escape(special), shown.split("“", 1)[1].split("”", 1)[0]), shown
    assert len(shown) < 1000  # a 10 kB link is cut, not echoed whole
    assert at.query_params["region"] == "nation:US"  # a broken link shows the whole country, not the first state
    assert (loaded / "regions.json").read_bytes() == saved_before  # nothing saved from a link
    assert "United States" in at.title[0].value  # the page still shows real data


@pytest.mark.parametrize("name", [
    "'; DROP TABLE qcew_annual; --", "../../etc/passwd", "<script>alert(1)</script>", "A" * 10_000,
    "\x00\x1b[31m", "\u202eevil", "Central Ohio\nSecond line", "  ", "Ｃｏｌｕｍｂｕｓ",
])
def test_hostile_custom_region_name_is_refused_with_a_plain_message(loaded, monkeypatch, tmp_path, name, tally):
    (tmp_path / "warehouse.duckdb").write_bytes((loaded / "warehouse.duckdb").read_bytes())
    at = open_app(monkeypatch, tmp_path / "warehouse.duckdb").run()
    at.toggle(key="custom_open").set_value(True).run()
    at.text_input(key="custom_name").input(name)
    at.multiselect(key="custom_counties").set_value(["39041"])
    at.button(key="custom_save").click()
    at.run()
    tally("inputs tried")
    assert not at.exception, at.exception
    saved = regions.load_custom(regions.regions_path(tmp_path))
    if name == "Central Ohio\nSecond line":  # whitespace is folded: a legitimate name
        assert list(saved) == ["Central Ohio Second line"]
        return
    assert saved == {}
    errors = [e.value for e in at.error if "TEST DATA" not in e.value]  # the fixture warehouse is synthetic
    assert errors and errors[0].startswith("Not saved:")
    assert "<script" not in errors[0]


# --- import --------------------------------------------------------------------------------------

@pytest.fixture
def imported(tmp_path):
    """A warehouse holding one imported county slice, and the environment to run the CLI against it."""
    env = env_for(tmp_path)
    good = county_slice(tmp_path / "good" / "39041.csv")
    assert run_cli("import", str(good.parent), "--sources", "qcew", env=env).returncode == 0
    return tmp_path, env


def refused(result, folder: Path, before: Snapshot, phrase: str) -> None:
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (1, 2), result.stderr
    assert len(error_lines(result.stderr)) == 1 and phrase in result.stderr, result.stderr
    assert Snapshot.take(folder).warehouse_sha == before.warehouse_sha


def make_zip(path: Path, entries: list[tuple[str, bytes, int | None]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            if mode is not None:
                info.external_attr = mode << 16
            zf.writestr(info, data)
    return path


ESCAPES = {
    "parent": "../../outside.csv",
    "nested_parent": "ok/../../outside.csv",
    "absolute": "/tmp/sector-pulse-outside.csv",
    "backslash_parent": "..\\..\\outside.csv",
    "drive_letter": "C:/outside.csv",
}


@pytest.mark.parametrize("kind", list(ESCAPES))
def test_zip_entry_escaping_its_folder_is_refused(imported, kind, tally):
    folder, env = imported
    before = Snapshot.take(folder)
    good = (folder / "good" / "39041.csv").read_bytes()
    archive = make_zip(folder / f"{kind}.zip", [("fine.csv", good, None), (ESCAPES[kind], good, None)])
    result = run_cli("import", str(archive), "--sources", "qcew", env=env)
    tally("inputs tried")
    refused(result, folder, before, "escapes its folder")
    assert not (folder.parent / "outside.csv").exists() and not Path("/tmp/sector-pulse-outside.csv").exists()


def test_zip_symlink_entry_is_refused(imported, tally):
    folder, env = imported
    before = Snapshot.take(folder)
    archive = make_zip(folder / "link.zip", [("passwd.csv", b"/etc/passwd", stat.S_IFLNK | 0o777)])
    tally("inputs tried")
    refused(run_cli("import", str(archive), "--sources", "qcew", env=env), folder, before, "symbolic link")


def test_zip_declaring_more_than_the_limit_is_refused_before_extracting(imported, tally):
    """A zip bomb's central directory declares a huge expanded size: refused from the directory alone."""
    folder, env = imported
    before = Snapshot.take(folder)
    archive = make_zip(folder / "bomb.zip", [(f"part{i}.csv", b"area_fips\n", None) for i in range(6)])
    data = bytearray(archive.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:  # uncompressed size sits 24 bytes into each central directory entry
        struct.pack_into("<I", data, at + 24, 0xF0000000)
        at = data.find(b"PK\x01\x02", at + 4)
    archive.write_bytes(bytes(data))
    tally("inputs tried")
    refused(run_cli("import", str(archive), "--sources", "qcew", env=env), folder, before, "GB")


def test_damaged_zip_is_refused_in_one_line(imported, tally):
    folder, env = imported
    before = Snapshot.take(folder)
    good = (folder / "good" / "39041.csv").read_bytes()
    archive = make_zip(folder / "damaged.zip", [("2022.annual.singlefile.csv", good, None)])
    data = bytearray(archive.read_bytes())
    data[40] ^= 0xFF  # flip a byte of the stored entry: the CRC no longer matches
    archive.write_bytes(bytes(data))
    tally("inputs tried")
    refused(run_cli("import", str(archive), "--sources", "qcew", env=env), folder, before, "damaged.zip")


def test_links_out_of_the_named_folder_are_not_followed(imported, tally):
    folder, env = imported
    before = Snapshot.take(folder)
    outside = county_slice(folder / "elsewhere" / "39045.csv", area="39045")
    drop = folder / "drop"
    drop.mkdir()
    os.symlink(outside, drop / "file_link.csv")
    os.symlink(outside.parent, drop / "dir_link")
    result = run_cli("import", str(drop), "--sources", "qcew", env=env)
    tally("inputs tried", 2)
    assert "Traceback" not in result.stderr and result.returncode == 2, result.stderr
    assert "links outside" in result.stderr
    assert Snapshot.take(folder).tables == before.tables


def test_import_of_a_path_that_does_not_exist_is_a_usage_error(imported, tally):
    folder, env = imported
    result = run_cli("import", str(folder / ".." / "nope" / "x.zip"), env=env)
    tally("inputs tried")
    assert result.returncode == 2 and "does not exist" in result.stderr
