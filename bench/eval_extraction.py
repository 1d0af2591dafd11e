"""``make eval``: score extract_article's body on the article-extraction benchmark, next to
trafilatura and readability in the same run; then the Fundus development pages
(``bench/eval_fundus.py``: body, title, authors, time, topics) and the WCXB article pages
(``bench/eval_wcxb.py``: word F1, snippets, pages lost).

Reads the benchmark in place (``EVAL_DATA``, default ``../shared/bench/article-extraction``;
the pages are not part of the project) and prints F1, precision, recall, accuracy and
median ms/page per extractor, with the benchmark's own metric: ``\\w+`` words, 4-word
shingles as a multiset, precision averaged over non-empty predictions, recall over
non-empty truths, accuracy = identical word lists.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from bench.timing import interleaved

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return _WORD.findall(text or "")


def shingles(tokens: list[str], n: int = 4) -> Counter:
    if not tokens:
        return Counter()
    if len(tokens) < n:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def score(predictions: dict[str, str], truths: dict[str, str]) -> dict[str, float]:
    precisions, recalls, exact = [], [], 0
    for key, truth in truths.items():
        predicted = predictions.get(key, "")
        p_words, t_words = words(predicted), words(truth)
        p, t = shingles(p_words), shingles(t_words)
        tp = sum((p & t).values())
        if p:
            precisions.append(tp / sum(p.values()))
        if t:
            recalls.append(tp / sum(t.values()))
        exact += p_words == t_words
    precision, recall = statistics.fmean(precisions or [0]), statistics.fmean(recalls or [0])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"f1": f1, "precision": precision, "recall": recall, "accuracy": exact / len(truths)}


def ours(html: str, url: str) -> str:
    from pipelines import extract_article

    return "\n".join(extract_article(html, url)["body"])


def trafilatura_default(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def trafilatura_precision(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, favor_precision=True) or ""


def trafilatura_fast(html: str, url: str) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url, fast=True) or ""


def readability(html: str, url: str) -> str:
    from lxml import html as lxml_html
    from readability import Document

    summary = Document(html, url=url).summary(html_partial=True)
    return lxml_html.fromstring(summary).text_content() if summary.strip() else ""


EXTRACTORS: dict[str, Callable[[str, str], str]] = {
    "newsarchive": ours,
    "trafilatura": trafilatura_default,
    "trafilatura (favor_precision)": trafilatura_precision,
    "trafilatura (fast)": trafilatura_fast,
    "readability-lxml": readability,
}


def run(data: Path, only: list[str] | None = None, show_worst: int = 0) -> dict:
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    pages = {k: gzip.decompress((data / "html" / f"{k}.html.gz").read_bytes()).decode("utf8") for k in truth}
    truths = {k: v["articleBody"] for k, v in truth.items()}
    names = [name for name in EXTRACTORS if not only or name in only]
    found, times = interleaved(list(pages), names, lambda name, key: EXTRACTORS[name](pages[key], truth[key]["url"]))
    results = {}
    for name in names:
        predictions = {k: v or "" for k, v in found[name].items()}
        results[name] = score(predictions, truths) | {"ms_median": statistics.median(times[name])}
        if show_worst and name == "newsarchive":
            per_page = sorted((score({k: predictions[k]}, {k: truths[k]})["f1"], k) for k in truths)
            for f1, key in per_page[:show_worst]:
                print(f"  worst {f1:.3f} {key} {truth[key]['url']}", file=sys.stderr)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("EVAL_DATA", "../shared/bench/article-extraction"))
    parser.add_argument("--only", nargs="*", help="extractor names to run")
    parser.add_argument("--worst", type=int, default=0, help="list this many of our worst pages")
    parser.add_argument("--fundus", default=os.environ.get("EVAL_FUNDUS", "../shared/bench/fundus"))
    parser.add_argument("--wcxb", default=os.environ.get("EVAL_WCXB", "../shared/bench/wcxb"))
    args = parser.parse_args()
    data = Path(args.data)
    if not (data / "ground-truth.json").exists():
        print(f"no benchmark at {data}: nothing to evaluate (set EVAL_DATA)")
        return 0
    results = run(data, args.only, args.worst)
    print(f"{'extractor':32} {'F1':>6} {'prec':>6} {'recall':>6} {'acc':>6} {'ms/page':>8}")
    for name, r in results.items():
        figures = " ".join(f"{r[k]:6.3f}" for k in ("f1", "precision", "recall", "accuracy"))
        print(f"{name:32} {figures} {r['ms_median']:8.1f}")
    if "newsarchive" in results and len(results) > 1:
        print_targets(targets(results))
    fundus = Path(args.fundus)
    if (fundus / "manifest.json").exists():
        print_fundus(fundus, args.only)
    wcxb = Path(args.wcxb)
    if (wcxb / "ground-truth").is_dir():
        print_wcxb(wcxb, args.only, args.worst)
    return 0


def print_wcxb(data: Path, only: list[str] | None, show_worst: int) -> None:
    from bench.eval_wcxb import run as run_wcxb
    from bench.eval_wcxb import targets as wcxb_targets

    scores = run_wcxb(data, {name: fn for name, fn in EXTRACTORS.items() if not only or name in only})
    print(f"\nWCXB article pages ({data}): word-bag F1 per page, snippets with / without, pages lost (recall < 0.5)")
    columns = ("F1", "prec", "recall", "with", "without")
    print(f"{'extractor':32} " + " ".join(f"{c:>7}" for c in columns) + f" {'lost':>5} {'ms/page':>8}")
    for name, r in scores.items():
        cells = " ".join(f"{r[k]:7.3f}" for k in ("f1", "precision", "recall", "with", "without"))
        print(f"{name:32} {cells} {len(r['lost']):5} {r['ms_median']:8.1f}")
    print_targets(wcxb_targets(scores))
    ours = scores["newsarchive"]
    print(f"  newsarchive: title {ours['title']:.3f} on the {ours['titled_pages']} pages with a reference title")
    print("  lost: " + ", ".join(f"{k} ({recall})" for k, recall in sorted(ours["lost"].items())))
    for f1, key in sorted((f1, k) for k, f1 in ours["f1_by_page"].items())[:show_worst]:
        print(f"  worst {f1:.3f} {key}", file=sys.stderr)


def print_fundus(data: Path, only: list[str] | None) -> None:
    from bench.eval_fundus import lost_pages
    from bench.eval_fundus import run as run_fundus
    from bench.eval_fundus import targets as fundus_targets

    extractors = {name: fn for name, fn in EXTRACTORS.items() if not only or name in only}
    bodies, meta = run_fundus(data, extractors, score)
    print(f"\nFundus development pages (latest layout per publisher, {data})")
    columns = ("F1", "prec", "recall", "title", "authors", "time", "topics")
    print(f"{'extractor':32} " + " ".join(f"{c:>7}" for c in columns) + f" {'ms/page':>8}")
    for name, r in bodies.items():
        figures = [r[k] for k in ("f1", "precision", "recall")]
        m = meta.get(name)
        figures += [m[k] for k in ("title", "authors", "date", "topics")] if m else [None] * 4
        cells = " ".join(f"{f:7.3f}" if f is not None else f"{'':7}" for f in figures)
        print(f"{name:32} {cells} {r['ms_median']:8.1f}")
    print(
        "body F1 with the truth's subheadings not counted against the body: "
        + ", ".join(f"{name} {r['f1_without_subheadings']:.3f}" for name, r in bodies.items())
    )
    for name, m in meta.items():
        print(
            f"{name}: authors {m['authors_people']:.3f} on the {m['authors_people_pages']} pages whose expected"
            f" authors do not name the publisher itself; title {m['title_h1']:.3f} on the {m['title_h1_pages']}"
            " pages whose expected title is the visible h1"
        )
    if "newsarchive" in bodies and len(bodies) > 1:
        print_targets(fundus_targets(bodies, meta))
        for page in lost_pages(bodies):
            print(f"  lost: {page}")


def targets(results: dict) -> dict[str, bool]:
    """The extraction issue's targets on the article-extraction pages, checked on this run's figures."""
    ours = results["newsarchive"]
    checks = {"F1 >= 0.985": ours["f1"] >= 0.985, "accuracy >= 0.50": ours["accuracy"] >= 0.50}
    if "trafilatura" in results:
        checks["median time <= trafilatura's"] = ours["ms_median"] <= results["trafilatura"]["ms_median"]
    return checks


def print_targets(checks: dict[str, bool]) -> None:
    print("targets: " + ", ".join(f"{name} {'met' if ok else 'NOT met'}" for name, ok in checks.items()))


if __name__ == "__main__":
    sys.exit(main())
