"""The index itself (search/index.py, search/bulk.py, search/engine.py), without the portal.

One writer at a time across processes; the fast bulk writer writes what Whoosh's
own writer writes; a rebuild swaps atomically and replays what changed meanwhile.
"""
from __future__ import annotations

import multiprocessing
import os

import pytest
from whoosh import index as whoosh_index

from search import schema as f
from search import whoosh_private
from search.bulk import BulkWriter
from search.documents import SearchDocument, SearchDocumentPart
from search.fields import index_fields
from search.index import MERGE_AFTER, RebuildRunning, SearchIndex, build_segments
from search.results import SearchRequest, execute

WORDS = "lưu trữ tài liệu văn thư công tác hồ sơ kiểm tra Đồng Nai quy định cơ quan mã ma".split()


def doc(n: int, title: str | None = None, mode: str = "01") -> SearchDocument:
    text = " ".join(WORDS[(n * 7 + k * 3) % len(WORDS)] for k in range(40))
    return SearchDocument(
        id=n, file_code=f"F.2020.{n:04d}", title=title or f"Hồ sơ số {n} về {WORDS[n % len(WORDS)]}",
        fonds_code=f"F{n % 3}", fonds_name=f"Phông số {n % 3}", mode=mode, keywords="lưu trữ; văn thư",
        start_date=str(1990 + n % 30), end_date=str(1990 + n % 30 + n % 3), digitised=n % 2 == 0,
        documents=[SearchDocumentPart(number=str(100 + n), notation="UBND-VX", doc_type="Công văn",
                                      issuer="UBND tỉnh", date=f"{1990 + n % 30}-05-0{1 + n % 9}",
                                      summary=f"Về việc {WORDS[(n + 3) % len(WORDS)]} {WORDS[(n + 5) % len(WORDS)]}")],
        text=text,
    )


def ids(index: SearchIndex, text: str, **kwargs) -> list[int]:
    return [r.id for r in execute(index, SearchRequest(text=text, per_page=500, **kwargs)).results]


def test_bulk_writer_writes_what_whoosh_writes(tmp_path):
    docs = [doc(n) for n in range(1, 301)]
    readers = []
    for name, make in (("plain", lambda ix: ix.writer()), ("bulk", lambda ix: BulkWriter(ix))):
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), f.make_schema())
        writer = make(ix)
        for d in docs:
            writer.add_document(**index_fields(d))
        writer.commit(merge=False)
        readers.append(ix.reader())
    plain, bulk = readers
    for field in (f.TEXT, f.EXACT, f.PAIRS, f.TITLE, f.REF, f.YEAR, f.FONDS, f.START):
        terms = list(plain.lexicon(field))
        assert terms == list(bulk.lexicon(field)), field
        for term in terms:
            assert list(plain.postings(field, term).items_as("weight")) == \
                list(bulk.postings(field, term).items_as("weight")), (field, term)
    for d in range(len(docs)):
        assert plain.stored_fields(d) == bulk.stored_fields(d)
        assert plain.doc_field_length(d, f.TEXT) == bulk.doc_field_length(d, f.TEXT)


def _update_from_process(root: str, start: int, count: int) -> None:
    """A job worker: five files at a time (an error ends the process with a non-zero exit code)."""
    index = SearchIndex(root)
    for n in range(start, start + count, 5):
        batch = list(range(n, min(n + 5, start + count)))
        index.update(batch, lambda wanted: [doc(i, title=f"Bản cập nhật {i} zeta") for i in wanted])


def test_concurrent_writers_in_several_processes_lose_nothing(tmp_path):
    index = SearchIndex(tmp_path / "search")
    index.rebuild([[doc(n) for n in range(1, 41)]], lambda wanted: [])
    context = multiprocessing.get_context("spawn")  # fork would copy the test process's locks and threads
    workers = [context.Process(target=_update_from_process, args=(str(index.root), 1 + 40 * k, 40))
               for k in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(180)
        assert worker.exitcode == 0, worker.exitcode
    assert sorted(ids(index, "zeta")) == list(range(1, 161))
    assert execute(index, SearchRequest(text="zeta")).total == 160
    everything = execute(index, SearchRequest(match_all=True))
    assert everything.total == 160  # no file twice
    assert sum(everything.facets[f.MODE].values()) == 160 and sum(everything.facets[f.FONDS].values()) == 160
    # 32 updates, yet few segments: small ones were merged (with the bulk-built one, inlined postings and all)
    assert len(list(whoosh_index.open_dir(str(index.current_path())).reader().leaf_readers())) <= MERGE_AFTER


def test_updates_delete_what_the_loader_no_longer_has(tmp_path):
    index = SearchIndex(tmp_path / "search")
    index.update([1, 2, 3], lambda wanted: [doc(i) for i in wanted])
    assert execute(index, SearchRequest(match_all=True)).total == 3
    report = index.update([2], lambda wanted: [])
    assert report.deleted == 1
    assert sorted(r.id for r in execute(index, SearchRequest(match_all=True)).results) == [1, 3]


def test_rebuild_replays_changes_made_while_it_builds_and_swaps(tmp_path, monkeypatch):
    index = SearchIndex(tmp_path / "search")
    index.update([1, 2], lambda wanted: [doc(i) for i in wanted])
    before = index.current_path()
    import search.index as module

    def build_then_edit(path, batches, **kwargs):
        build_segments(path, batches, **kwargs)
        assert index.current_path() == before  # still the old one while building
        index.update([2, 3], lambda wanted: [doc(i, title="Sửa trong lúc dựng omega") for i in wanted])
        with pytest.raises(RebuildRunning):
            index.rebuild([[doc(9)]], lambda wanted: [])

    monkeypatch.setattr(module, "build_segments", build_then_edit)
    index.rebuild([[doc(1), doc(2)]], lambda wanted: [doc(i, title="Sửa trong lúc dựng omega") for i in wanted])
    assert index.current_path() != before
    assert sorted(ids(index, "omega")) == [2, 3]
    assert not (index.root / "rebuild.journal").exists()


def test_a_journal_left_by_a_crashed_rebuild_is_ignored(tmp_path):
    index = SearchIndex(tmp_path / "search")
    index.update([1], lambda wanted: [doc(i) for i in wanted])
    (index.root / "rebuild.journal").write_text("")
    index.update([1], lambda wanted: [doc(i) for i in wanted])
    assert not (index.root / "rebuild.journal").exists()


def test_segments_built_in_worker_processes(tmp_path):
    index = SearchIndex(tmp_path / "search")
    index.rebuild([[doc(n) for n in range(1, 101)]], lambda wanted: [], procs=2, segment_docs=30)
    reader = whoosh_index.open_dir(str(index.current_path())).reader()
    assert len(list(reader.leaf_readers())) == 4
    assert execute(index, SearchRequest(match_all=True)).total == 100
    assert ids(index, "F.2020.0042") == [42]


def test_search_before_any_index_exists(tmp_path):
    result = execute(SearchIndex(tmp_path / "none"), SearchRequest(text="lưu trữ"))
    assert not result.ready and result.total == 0
    assert not os.path.exists(tmp_path / "none" / "CURRENT")


def test_stored_impacts_score_exactly_like_computed_ones(tmp_path, monkeypatch):
    import search.bulk as bulk
    from search.engine import CACHE
    from search.vectors import SegmentVectors

    docs = [doc(n) for n in range(1, 201)]
    outcomes = []
    for name, min_df in (("computed", 10**9), ("stored", 0)):
        monkeypatch.setattr(bulk, "STORED_MIN_DF", min_df)
        index = SearchIndex(tmp_path / name)
        index.rebuild([docs], lambda wanted: [])
        ix = whoosh_index.open_dir(str(index.current_path()))
        assert bool(SegmentVectors(ix.reader(), ("test",)).stored_impacts()) == (name == "stored")
        CACHE.retain("", [])  # nothing cached from the other index
        outcomes.append([[(r.id, r.score) for r in execute(index, SearchRequest(text=q, per_page=50)).results]
                         for q in ("lưu trữ", "tài liệu văn thư", "Đồng Nai", "mã", '"lưu trữ"')])
    assert outcomes[0] == outcomes[1]
    assert all(outcomes[0])


def test_date_range_to_the_day(tmp_path):
    index = SearchIndex(tmp_path / "search")
    docs = [doc(1), doc(2), doc(3)]
    docs[0].start_date, docs[0].end_date = "2020-01-10", "2020-02-01"
    docs[1].start_date, docs[1].end_date = "2020-03", "2020-03"
    docs[2].start_date, docs[2].end_date = "2019", "2021"
    index.rebuild([docs], lambda wanted: [])

    def found(date_from, date_to):
        request = SearchRequest(match_all=True, date_from=date_from, date_to=date_to)
        return sorted(r.id for r in execute(index, request).results)

    assert found("2020-02-15", "2020-12-31") == [2, 3]
    assert found("2020-01-01", "2020-01-31") == [1, 3]
    assert found("2020", "2020") == [1, 2, 3]
    assert found("2021-06-01", None) == [3]
    assert found(None, "2019-12-31") == [3]
    assert found("2022", None) == []


def test_vectors_read_what_whoosh_matchers_read(tmp_path):
    """search.vectors reads posting blocks itself; it must see what Whoosh's matchers see."""
    from search.vectors import SPARSE_LIMIT, SegmentVectors, positions

    index = SearchIndex(tmp_path / "search")
    index.rebuild([[doc(n) for n in range(1, 301)]], lambda wanted: [])
    index.update([5, 6], lambda wanted: [doc(i, title="Sửa lại") for i in wanted])  # a Whoosh-written segment too
    reader = whoosh_index.open_dir(str(index.current_path())).reader()
    seen_dense = seen_sparse = False
    for leaf, _offset in reader.leaf_readers():
        vectors = SegmentVectors(leaf, ("test",))
        lengths = vectors.length_codes(f.TEXT)
        for d in range(leaf.doc_count_all()):
            assert leaf.doc_field_length(d, f.TEXT) in (0, None) or lengths[d] > 0
        for field in (f.TEXT, f.PAIRS, f.REF, f.YEAR):
            for term in list(leaf.lexicon(field))[:400]:
                text = term.decode("utf-8")
                expected = [d for d, _w in leaf._terms.matcher(field, term, leaf.schema[field].format)
                            .items_as("weight")]
                vector = vectors.term(field, text, impacts=field != f.YEAR)
                assert positions(vector.bits) == expected, (field, text)
                assert vector.df == len(expected)
                if field != f.YEAR:
                    assert all(vector.impact(d) > 0 for d in expected)
                seen_dense |= vector.df > SPARSE_LIMIT
                seen_sparse |= 0 < vector.df <= SPARSE_LIMIT
    assert seen_dense and seen_sparse


def test_search_refuses_a_whoosh_version_it_was_not_written_for():
    whoosh_private.check_version(whoosh_private.TESTED_VERSION)  # the pinned one passes
    with pytest.raises(RuntimeError, match="whoosh-reloaded 2.7.5"):
        whoosh_private.check_version("2.8.0")
    assert whoosh_private.installed_version() == whoosh_private.TESTED_VERSION
