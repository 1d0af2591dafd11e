"""How the scheduler reads scrapyd nodes: the least busy one, and nodes that do not answer or
answer nonsense (the real nodes are in ``test_cluster``)."""

import json

import pytest

from crawler.scheduling.scrapyd import NodeError, ScrapydNode, least_busy, node_urls
from tests.loopback import free_port, serve


def test_the_least_busy_node_gets_the_crawl():
    assert least_busy({"http://a:6800": 3, "http://b:6800": 1, "http://c:6800": 2}) == "http://b:6800"


def test_on_a_tie_the_first_listed_node_gets_the_crawl():
    assert least_busy({"http://a:6800": 1, "http://b:6800": 1}) == "http://a:6800"


def test_a_node_that_does_not_answer_gets_nothing():
    assert least_busy({"http://a:6800": None, "http://b:6800": 7}) == "http://b:6800"
    assert least_busy({"http://a:6800": None}) is None


def test_node_urls_are_split_on_commas_or_spaces_without_repeats():
    assert node_urls(" http://a:6800/, http://b:6800  http://a:6800") == ["http://a:6800", "http://b:6800"]
    assert node_urls(None) == []


def json_page(answer) -> tuple[int, str, bytes]:
    return 200, "application/json", json.dumps(answer).encode()


def test_a_node_s_load_is_its_running_and_pending_crawls():
    with serve({"/daemonstatus.json": json_page({"status": "ok", "running": 2, "pending": 3})}) as base:
        assert ScrapydNode(base).load() == 5


@pytest.mark.parametrize(
    "page",
    [
        (200, "text/html", b"<h1>It works!</h1>"),
        json_page({"status": "error", "message": "boom"}),
        json_page({"status": "ok", "running": "many"}),
        json_page(["status", "ok"]),
        (500, "application/json", b"{}"),
    ],
    ids=["not-json", "error", "nonsense-counts", "not-an-object", "server-error"],
)
def test_a_node_answering_nonsense_has_no_load(page):
    with serve({"/daemonstatus.json": page}) as base:
        assert ScrapydNode(base).load() is None


def test_an_unreachable_node_has_no_load_and_no_jobs():
    node = ScrapydNode(f"http://127.0.0.1:{free_port()}")
    assert (node.load(), node.jobs()) == (None, None)


def test_a_job_list_keeps_only_well_formed_entries():
    answer = {"status": "ok", "pending": [{"id": "a"}, "junk"], "running": 3, "finished": [{"id": "b"}, {}]}
    with serve({"/listjobs.json": json_page(answer)}) as base:
        assert ScrapydNode(base).jobs() == {"a": "pending", "b": "finished"}


def test_a_refused_crawl_is_a_node_error_with_the_node_s_message():
    refused = json_page({"status": "error", "message": "project 'newsarchive' not found"})
    with serve({"/schedule.json": refused}) as base, pytest.raises(NodeError, match="not found"):
        ScrapydNode(base).submit("thanhnien", [], {})
