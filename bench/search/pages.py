"""Search over page text at archive scale: our index against SQLite FTS5 and tantivy, on the same files.

    .venv/bin/python -m bench.search.pages [--sizes 500,1000,2000] [--pages 20] [--words 250]

Files as the OCR leaves them: each carries ``--pages`` pages of ``--words`` syllables (drawn from the five
corpus documents, as ``bench.search.run`` draws its text) beside the catalogue fields. All files are open
here, so all three engines search the same words (the portal's visibility rules would hide conditional
page text from the public, which the two baselines do not model). For each size the script builds

* **whoosh**: the portal's index (``search.index``, page text in the ``page_*`` fields), 2 processes;
* **fts5**: SQLite FTS5, ``unicode61 remove_diacritics 2`` plus đ→d (``bench.search.fts5``);
* **tantivy**: the ``tantivy`` package (Rust), ``simple`` tokenizer + lowercase + ASCII folding, every word
  required, BM25 — the fastest engine a Python user would pick instead;

and times the bare query (top 20 and the total) for each query class of ``bench.search.run``, the
engines taking turns query by query, printing build time, index size and p95 (and p50) per class per
engine, then how build time and p95 grow with the number of files (the exponent ``k`` in
time ≈ c·files^k, fitted on every size given) and what that law gives
for 100,000 files. Goals (issue 15): p95 ≤ 50 ms for every class, ≤ 0.5× FTS5 and ≤ 1× tantivy.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import tantivy

from search.analysis import fold
from search.index import SearchIndex
from search.results import SearchRequest, execute

from . import fts5
from .corpus import DEFAULT_CORPUS, generate, load_source
from .run import CLASSES, folder_size, percentile, query_mix

TARGET_FILES = 100_000


def with_pages(docs, source, pages: int, words: int, seed: int):
    """The files, all open, each with ``pages`` pages of ``words`` syllables instead of one text."""
    rng = random.Random(seed + 1)
    out = []
    for doc in docs:
        texts = [source.syllables(rng, words) for _ in range(pages)]
        out.append(replace(doc, mode="01", digitised=True, text="", pages=texts))
    return out


def build_tantivy(folder: Path, docs) -> tuple[tantivy.Index, float]:
    """A tantivy index of the same fields (catalogue words and page text), ASCII-folded."""
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    builder = tantivy.SchemaBuilder()
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    for name in ("title", "meta", "body"):
        builder.add_text_field(name, stored=name == "title", tokenizer_name="vi_fold")
    schema = builder.build()
    index = tantivy.Index(schema, path=str(folder))
    analyzer = (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
                .filter(tantivy.Filter.lowercase()).filter(tantivy.Filter.ascii_fold()).build())
    index.register_tokenizer("vi_fold", analyzer)
    writer = index.writer(heap_size=400_000_000, num_threads=2)
    for doc in docs:
        meta = " ; ".join([doc.keywords, doc.notes, doc.fonds_name, doc.file_code,
                           *(f"{p.reference} {p.doc_type or ''} {p.issuer or ''} {p.summary}" for p in doc.documents)])
        writer.add_document(tantivy.Document(id=doc.id, title=doc.title, meta=meta, body=" ".join(doc.pages)))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.perf_counter() - started


def tantivy_query(index: tantivy.Index, text: str) -> int:
    """Every word required (folded), over all fields; returns the total (the top 20 are fetched too)."""
    words = [w for w in fold(text).replace('"', " ").split() if any(c.isalnum() for c in w)]
    if not words:
        return 0
    expression = " AND ".join(f'"{w}"' for w in words)
    query = index.parse_query(expression, ["title", "meta", "body"])
    searcher = index.searcher()
    result = searcher.search(query, 20, count=True)
    for _score, address in result.hits:
        searcher.doc(address)
    return result.count or 0


def time_class(queries, engines: dict, runs: int) -> dict[str, tuple[float, float, float]]:
    """(p50, p95, p50 of the first, cold round) in ms per engine: one warm-up round, then ``runs`` rounds.

    The engines take turns query by query (in a rotating order), so a burst of load on the shared
    machine falls on all of them alike rather than on whichever engine's block it hit.
    """
    names = list(engines)
    cold: dict[str, list[float]] = {name: [] for name in names}
    for q in queries:  # the warm-up round: our first look-up of a term reads its postings into vectors
        for name in names:
            started = time.perf_counter()
            engines[name](q)
            cold[name].append((time.perf_counter() - started) * 1000)
    timings: dict[str, list[float]] = {name: [] for name in names}
    turn = 0
    for _ in range(runs):
        for q in queries:
            turn += 1
            for name in names[turn % len(names):] + names[:turn % len(names)]:
                started = time.perf_counter()
                engines[name](q)
                timings[name].append((time.perf_counter() - started) * 1000)
    return {name: (percentile(t, 0.5), percentile(t, 0.95), percentile(cold[name], 0.5))
            for name, t in timings.items()}


def measure(size: int, source, args, workdir: Path) -> dict:
    """Build the three indexes for ``size`` files and time the query classes."""
    docs = with_pages(generate(size, source, seed=args.seed), source, args.pages, args.words, args.seed)
    folder = workdir / str(size)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    out: dict = {"size": size, "build": {}, "bytes": {}, "p95": {}}

    index = SearchIndex(folder / "whoosh")
    started = time.perf_counter()
    index.rebuild((docs[i:i + 500] for i in range(0, len(docs), 500)), lambda ids: [], procs=2,
                  segment_docs=max(500, -(-len(docs) // 2)))
    out["build"]["whoosh"] = time.perf_counter() - started
    out["bytes"]["whoosh"] = folder_size(index.current_path())

    flat = [replace(d, text=" ".join(d.pages), pages=[]) for d in docs]
    out["build"]["fts5"] = fts5.build(folder / "fts5.sqlite3", flat)
    out["bytes"]["fts5"] = folder_size(folder / "fts5.sqlite3")
    del flat
    tindex, out["build"]["tantivy"] = build_tantivy(folder / "tantivy", docs)
    out["bytes"]["tantivy"] = folder_size(folder / "tantivy")

    mix = query_mix(source, docs, args.seed, args.queries)
    baseline = fts5.Baseline(folder / "fts5.sqlite3")
    engines = {
        "whoosh": lambda q: execute(index, SearchRequest(text=q.text, per_page=20, with_facets=False,
                                                         with_snippets=False)).total,
        "fts5": lambda q: baseline.page(q.text, facets=False)[0],
        "tantivy": lambda q: tantivy_query(tindex, q.text),
    }
    for name in CLASSES:
        if name == "word + fonds + dates":
            continue  # the filters are the catalogue's business, measured by bench.search.run
        timed = time_class(mix[name], engines, args.runs)
        out["p95"][name] = {engine: row[1] for engine, row in timed.items()}
        out.setdefault("p50", {})[name] = {engine: row[0] for engine, row in timed.items()}
        out.setdefault("cold", {})[name] = {engine: row[2] for engine, row in timed.items()}
        out.setdefault("hits", {})[name] = {engine: run(mix[name][0]) for engine, run in engines.items()}
    out["load"] = os.getloadavg()[0]
    print(f"  {size:,} files measured (load average {out['load']:.1f})", flush=True)
    return out


def growth(results: list[dict], value) -> tuple[float, float]:
    """The law value ≈ c · files^k fitted by least squares on log–log over every size: (k, c).

    With two sizes it is the line through both points; with more, one noisy size (a loaded
    machine) weighs less on the projection.
    """
    points = [(math.log(r["size"]), math.log(value(r))) for r in results if value(r) > 0]
    if len(points) < 2 or len({x for x, _y in points}) < 2:
        return float("nan"), float("nan")
    mean_x = sum(x for x, _y in points) / len(points)
    mean_y = sum(y for _x, y in points) / len(points)
    k = (sum((x - mean_x) * (y - mean_y) for x, y in points)
         / sum((x - mean_x) ** 2 for x, _y in points))
    return k, math.exp(mean_y - k * mean_x)


def report(results: list[dict]) -> None:
    engines = ("whoosh", "fts5", "tantivy")
    print()
    for r in results:
        print(f"== {r['size']:,} files (load average {r['load']:.1f} when measured)")
        print("build s  " + "  ".join(f"{e} {r['build'][e]:7.1f}" for e in engines)
              + "   |  MB  " + "  ".join(f"{e} {r['bytes'][e] / 1e6:6.0f}" for e in engines))
        print(f"{'class (p95 ms)':24} {'whoosh':>8} {'fts5':>8} {'tantivy':>8} | {'÷fts5':>6} {'÷tantivy':>8} | "
              f"{'p50 w/f/t ms':>20} | {'cold p50 w/f/t':>20} | hits w/f/t (first query) | goal")
        for name, row in r["p95"].items():
            w, s, t = row["whoosh"], row["fts5"], row["tantivy"]
            mid, cold = r["p50"][name], r["cold"][name]
            hits = r["hits"][name]
            met = w <= 50 and w <= 0.5 * s and w <= t
            print(f"{name:24} {w:8.2f} {s:8.1f} {t:8.2f} | {w / s:6.2f} {w / t:8.2f} | "
                  f"{mid['whoosh']:6.2f}/{mid['fts5']:6.1f}/{mid['tantivy']:6.2f} | "
                  f"{cold['whoosh']:6.2f}/{cold['fts5']:6.1f}/{cold['tantivy']:6.2f} | "
                  f"{hits['whoosh']}/{hits['fts5']}/{hits['tantivy']:<14} | {'met' if met else 'NOT met'}")
        print()
    if len(results) >= 2:
        sizes = ", ".join(f"{r['size']:,}" for r in results)
        print(f"== growth over {sizes} files (time ≈ c·files^k, least squares on log–log), "
              f"and what it gives for {TARGET_FILES:,}")
        for engine in engines:
            k, c = growth(results, lambda r: r["build"][engine])
            print(f"build {engine:8} k={k:4.2f}  → {c * TARGET_FILES ** k / 60:7.1f} min")
        # p50 too: on a shared machine a p95 of tens of timings catches preemptions, and its law jumps.
        for stat in ("p95", "p50"):
            for name in results[-1][stat]:
                parts = []
                for engine in engines:
                    k, c = growth(results, lambda r: r[stat][name][engine])
                    parts.append(f"{engine} k={k:5.2f} → {c * TARGET_FILES ** k:9.1f} ms")
                print(f"{stat} {name:22} " + "  ".join(parts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="500,1000,2000")
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--words", type=int, default=250)
    parser.add_argument("--queries", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args(argv)
    sizes = sorted(int(s) for s in args.sizes.split(","))
    source = load_source(args.corpus)
    print(f"Page-text search: {args.pages} pages × {args.words} syllables per file, sizes {sizes}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}", flush=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench-pages-"))
    try:
        results = [measure(size, source, args, workdir) for size in sizes]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    report(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
