"""``archive serve`` speaks the Wayback CDX server API and Memento (RFC 7089): a CDX client
nobody here wrote (cdx_toolkit, in tests/.tools) lists the captures of a URL; TimeMaps and
TimeGates are read with a link-format parser that is not the code that writes them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from email.utils import format_datetime, parsedate_to_datetime

import pytest
import requests
from requests.utils import parse_header_links

from archive.warc import read_response
from tests import browser_archive as fixture
from tests.conftest import ROOT, archive_main, tool
from tests.loopback import free_port, listening_process

KTDT = fixture.KTDT


@pytest.fixture(scope="module")
def served(archive):
    """``python -m archive serve`` on a loopback port, for clients that speak HTTP."""
    database, warc_dir = archive
    port = free_port()
    command = [sys.executable, "-m", "archive", "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATABASE_URL=database, WARC_DIR=str(warc_dir))
    with listening_process(command, port, cwd=ROOT, env=env) as base:
        yield base


def shown_captures(archive, url: str) -> list[dict]:
    """The captures ``archive show`` lists for the article at ``url``, fetched under ``url``."""
    database, _ = archive
    done = archive_main("show", url, "--json", database_url=database)
    assert done.returncode == 0, done.stderr
    return [s for s in json.loads(done.stdout)["snapshots"] if s["url"] == url and s["warc_file"]]


def cdx_lines(client, **params) -> list[dict]:
    response = client.get("/cdx", params={"output": "json", **params})
    assert response.status_code == 200, response.text
    return [json.loads(line) for line in response.text.splitlines()]


# -- CDX server API ------------------------------------------------------------------------
def test_cdx_toolkit_lists_the_captures_of_a_url_as_archive_show_counts_them(archive, served):
    script = (
        "import cdx_toolkit, json, sys\n"
        "cdx = cdx_toolkit.CDXFetcher(source=sys.argv[1])\n"
        "print(json.dumps([dict(c) for c in cdx.iter(sys.argv[2])]))\n"
    )
    env = dict(os.environ, CDXT_DEFAULT_MIN_RETRY_INTERVAL="0.01")
    done = subprocess.run(
        [tool("tools", "python"), "-c", script, f"{served}/cdx", fixture.LIVE_URL],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    listed = json.loads(done.stdout)
    shown = shown_captures(archive, fixture.LIVE_URL)
    assert len(listed) == len(shown) == 2
    assert sorted(c["digest"] for c in listed) == sorted(s["payload_digest"].removeprefix("sha1:") for s in shown)
    assert {c["mime"] for c in listed} == {"text/html", "warc/revisit"}


def test_cdx_answers_with_every_field_of_pywb_and_the_internet_archive(client):
    (line,) = client.get("/cdx", params={"url": fixture.LIVE_URL, "limit": "1"}).text.splitlines()
    urlkey, timestamp, original, mime, status, digest, redirect, robots, length, offset, filename = line.split(" ")
    assert urlkey.startswith("1,0,0,127:") and urlkey.endswith(")/the-gioi/ngoai-truong-my-417984.html")
    assert len(timestamp) == 14 and original == fixture.LIVE_URL and (mime, status) == ("text/html", "200")
    assert (redirect, robots) == ("-", "-")  # the 11-field CDX line pywb reads
    assert len(digest) == 32 and int(length) > 0 and int(offset) >= 0 and filename.endswith(".warc.gz")


def test_a_url_matches_under_http_https_and_www_as_its_surt_key_does(client):
    assert len(cdx_lines(client, url=KTDT.replace("https://", "http://www."))) == len(cdx_lines(client, url=KTDT))


def test_a_host_match_lists_every_page_of_the_host_and_nothing_else(client):
    hosts = {row["url"].split("/")[2] for row in cdx_lines(client, url="kinhtedothi.vn", matchType="host")}
    assert hosts == {"kinhtedothi.vn"}
    assert len(cdx_lines(client, url="kinhtedothi.vn/*")) == len(
        cdx_lines(client, url="kinhtedothi.vn", matchType="prefix")
    )


def test_a_domain_match_takes_in_subdomains(client):
    assert cdx_lines(client, url="*.thanhnien.vn") == cdx_lines(client, url="thanhnien.vn", matchType="domain")
    assert len(cdx_lines(client, url="thanhnien.vn", matchType="domain")) >= 5


def test_fields_from_to_limit_and_filters_narrow_the_answer(client):
    every = cdx_lines(client, url="thanhnien.vn/*")
    xml = [r for r in every if r["mime"] == "text/xml"]
    assert cdx_lines(client, url="thanhnien.vn/*", filter="mimetype:text/xml") == xml
    assert len(cdx_lines(client, url="thanhnien.vn/*", filter="!mime:text/xml")) == len(every) - len(xml)
    assert cdx_lines(client, url="thanhnien.vn/*", filter="~url:sitemap") == [r for r in every if "sitemap" in r["url"]]
    latest = cdx_lines(client, url=KTDT, limit="-1")
    assert latest == cdx_lines(client, url=KTDT)[-1:]
    stamp = latest[0]["timestamp"]
    assert cdx_lines(client, url=KTDT, **{"from": stamp}) == latest
    assert client.get("/cdx", params={"url": KTDT, "fl": "original,statuscode"}).text.split("\n")[0] == f"{KTDT} 200"


def test_a_page_past_the_last_is_a_400_where_paging_clients_stop(client):
    assert client.get("/cdx", params={"url": KTDT, "page": "0"}).status_code == 200
    response = client.get("/cdx", params={"url": KTDT, "page": "1"})
    assert response.status_code == 400 and "past the last page" in response.text


def test_no_captures_is_pywbs_json_404_or_an_empty_text_answer(client):
    response = client.get("/cdx", params={"url": "https://example.org/nothing", "output": "json"})
    assert response.status_code == 404 and "error" in response.json()
    assert client.get("/cdx", params={"url": "https://example.org/nothing"}).text == ""


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({}, "url is required"),
        ({"url": KTDT, "matchType": "everything"}, "matchType"),
        ({"url": KTDT, "from": "2026-01"}, "timestamp"),
        ({"url": KTDT, "to": "20261399"}, "not a valid time"),
        ({"url": KTDT, "limit": "ten"}, "limit"),
        ({"url": KTDT, "filter": "size:1"}, "field"),
        ({"url": KTDT, "filter": "status:(("}, "regular expression"),
        ({"url": KTDT, "fl": "url,colour"}, "colour"),
        ({"url": KTDT, "output": "xml"}, "output"),
        ({"url": "http://[::1"}, ""),
    ],
)
def test_a_malformed_cdx_parameter_is_a_400_with_its_reason(client, params, reason):
    response = client.get("/cdx", params=params)
    assert response.status_code == 400
    assert response.text.startswith("400 Bad Request") and reason in response.text
    assert "Traceback" not in response.text


# -- Memento -------------------------------------------------------------------------------
def timemap(client, url: str) -> list[dict]:
    response = client.get(f"/timemap/link/{url}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/link-format")
    return parse_header_links(response.text.replace("\n", ""))


def test_a_timemap_lists_every_capture_as_a_memento_with_its_datetime(client, archive):
    links = timemap(client, KTDT)
    mementos = [link for link in links if "memento" in link["rel"].split()]
    assert len(mementos) == len(shown_captures(archive, KTDT)) == 2
    assert mementos[0]["rel"] == "first memento" and mementos[-1]["rel"] == "last memento"
    times = [parsedate_to_datetime(m["datetime"]) for m in mementos]
    assert times == sorted(times)
    rels = {link["rel"]: link["url"] for link in links}
    assert rels["original"] == KTDT
    assert rels["timegate"].endswith(f"/timegate/{KTDT}") and rels["self"].endswith(f"/timemap/link/{KTDT}")


def test_a_timegate_redirects_to_the_memento_closest_to_accept_datetime(client):
    first, last = [m for m in timemap(client, KTDT) if "memento" in m["rel"]]
    for wanted in (first, last):
        response = client.get(
            f"/timegate/{KTDT}", headers={"Accept-Datetime": wanted["datetime"]}, follow_redirects=False
        )
        assert response.status_code == 302 and response.headers["location"] == wanted["url"]
        assert response.headers["vary"].lower() == "accept-datetime"
        rels = {link["rel"]: link["url"] for link in parse_header_links(response.headers["link"])}
        assert rels["original"] == KTDT and rels["timemap"].endswith(f"/timemap/link/{KTDT}")


def test_a_timegate_without_accept_datetime_goes_to_the_latest_memento(client):
    *_, last = [m for m in timemap(client, KTDT) if "memento" in m["rel"]]
    assert client.get(f"/timegate/{KTDT}", follow_redirects=False).headers["location"] == last["url"]


def test_a_malformed_accept_datetime_is_a_400(client):
    response = client.get(f"/timegate/{KTDT}", headers={"Accept-Datetime": "last tuesday"})
    assert response.status_code == 400 and "Accept-Datetime" in response.text


def test_a_memento_is_the_original_bytes_with_its_datetime_and_links(client, archive):
    _database, warc_dir = archive
    (memento, *_) = [m for m in timemap(client, fixture.LIVE_URL) if "memento" in m["rel"]]
    response = client.get(memento["url"].removeprefix("http://testserver"))
    assert response.status_code == 200
    assert parsedate_to_datetime(response.headers["memento-datetime"]) == parsedate_to_datetime(memento["datetime"])
    assert {link["rel"] for link in parse_header_links(response.headers["link"])} >= {"original", "timegate", "timemap"}
    (row,) = [s for s in shown_captures(archive, fixture.LIVE_URL) if s["warc_offset"] is not None][:1]
    stored = read_response(warc_dir / row["warc_file"], row["warc_offset"])
    assert response.content == stored.body
    assert response.headers["content-security-policy"].startswith("sandbox")


def test_a_revisit_memento_serves_the_payload_it_repeats(client):
    first, last = [m for m in timemap(client, fixture.LIVE_URL) if "memento" in m["rel"]]
    assert (
        client.get(last["url"].removeprefix("http://testserver")).content
        == client.get(first["url"].removeprefix("http://testserver")).content
    )


def test_a_memento_url_between_captures_redirects_to_the_closest(client):
    first, _ = [m for m in timemap(client, KTDT) if "memento" in m["rel"]]
    year = parsedate_to_datetime(first["datetime"]).strftime("%Y")
    response = client.get(f"/web/{year}/{KTDT}", follow_redirects=False)
    assert response.status_code == 302 and "id_/" in response.headers["location"]


def test_an_unarchived_url_is_a_404_on_every_memento_interface(client):
    url = "https://example.org/never-archived"
    when = format_datetime(parsedate_to_datetime("Sun, 06 Dec 2026 10:00:00 GMT"), usegmt=True)
    assert client.get(f"/timemap/link/{url}").status_code == 404
    assert client.get(f"/timegate/{url}", headers={"Accept-Datetime": when}).status_code == 404
    assert client.get(f"/web/20261206100000id_/{url}").status_code == 404


def test_the_cdx_endpoint_answers_over_http_as_served(served):
    response = requests.get(f"{served}/cdx", params={"url": KTDT}, timeout=30)
    assert response.status_code == 200 and KTDT in response.text


# -- pywb, configured by pywb-config ---------------------------------------------------------
@pytest.fixture(scope="module")
def pywb(archive, served, tmp_path_factory):
    """pywb's ``wayback`` (tests/.pywb) on a loopback port, configured by ``archive pywb-config``
    with the running ``archive serve``'s CDX API as its index and the archive's WARC folders."""
    database, warc_dir = archive
    folder = tmp_path_factory.mktemp("pywb")
    done = archive_main(
        "pywb-config",
        "news",
        "--output",
        str(folder),
        "--cdx-url",
        f"{served}/cdx",
        "--warc-dir",
        str(warc_dir),
        database_url=database,
    )
    assert done.returncode == 0, done.stderr
    port = free_port()
    with listening_process([tool("pywb", "wayback"), "-p", str(port), "-b", "127.0.0.1"], port, cwd=folder) as base:
        yield f"{base}/news"


def test_pywb_replays_an_archived_article_from_the_archive_s_own_warc_folder(pywb, client):
    first, last = [m for m in timemap(client, KTDT) if "memento" in m["rel"]]
    for memento in (first, last):
        stamp = memento["url"].split("/web/", 1)[1].split("id_/", 1)[0]
        replayed = requests.get(f"{pywb}/{stamp}id_/{KTDT}", timeout=60)
        assert replayed.status_code == 200
        assert parsedate_to_datetime(replayed.headers["memento-datetime"]) == parsedate_to_datetime(memento["datetime"])
        assert replayed.content == client.get(memento["url"].removeprefix("http://testserver")).content
    assert fixture.ADDED.split(".")[0] in requests.get(f"{pywb}/{KTDT}", timeout=60).text  # the latest version


def test_pywb_replays_a_revisit_with_the_payload_it_repeats(pywb, client):
    first, last = [m for m in timemap(client, fixture.LIVE_URL) if "memento" in m["rel"]]
    stamps = [m["url"].split("/web/", 1)[1].split("id_/", 1)[0] for m in (first, last)]
    bodies = [requests.get(f"{pywb}/{stamp}id_/{fixture.LIVE_URL}", timeout=60) for stamp in stamps]
    assert [b.status_code for b in bodies] == [200, 200]
    assert bodies[0].content == bodies[1].content and b"</html>" in bodies[1].content
