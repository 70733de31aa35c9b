"""The baseline: the same corpus and the same results page on SQLite FTS5.

FTS5's ``unicode61`` tokenizer with ``remove_diacritics 2`` folds Vietnamese
tone and vowel marks but not ``đ`` (it has no decomposition), so ``đ``/``Đ``
are folded by hand, in the text and in queries. A results page is what the
portal's page needs: the top 20 by bm25 with snippets, the total, and the same
eight facet counts, for the files the public may see (classified excluded),
within an optional fonds filter and date range.
"""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from search.analysis import normalize
from search.documents import SearchDocument, date_number, facet_years

FACET_COLUMNS = ("fonds_code", "mode", "language", "digitised")
FACET_TABLES = ("year", "decade", "doc_type", "issuer")
_D = str.maketrans({"đ": "d", "Đ": "D"})


def fold_d(text: str) -> str:
    return normalize(text).translate(_D)


def build(path: Path, docs: list[SearchDocument]) -> float:
    """Create the database at ``path``; return the seconds it took."""
    path.unlink(missing_ok=True)
    started = time.perf_counter()
    con = sqlite3.connect(path)
    con.executescript("""
        PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
        CREATE TABLE files (id INTEGER PRIMARY KEY, fonds_code TEXT, mode TEXT, language TEXT, digitised TEXT,
                            start INTEGER, end INTEGER, title TEXT, file_code TEXT);
        CREATE TABLE facet_values (file_id INTEGER, facet TEXT, value TEXT);
        CREATE VIRTUAL TABLE fts USING fts5(title, keywords, notes, fonds, code, refs, types, issuers, summaries,
                                            body, tokenize='unicode61 remove_diacritics 2');
    """)
    for start in range(0, len(docs), 2000):
        chunk = docs[start:start + 2000]
        con.executemany("INSERT INTO files VALUES (?,?,?,?,?,?,?,?,?)", [
            (d.id, d.fonds_code, d.mode, d.language, "1" if d.digitised else "0", date_number(d.start_date) or 0,
             date_number(d.end_date, end=True) or date_number(d.start_date, end=True) or 0, d.title, d.file_code)
            for d in chunk])
        values = []
        for d in chunk:
            years = facet_years(d)
            values += [(d.id, "year", str(y)) for y in years]
            values += [(d.id, "decade", f"{y}") for y in sorted({y // 10 * 10 for y in years})]
            values += [(d.id, "doc_type", t) for t in sorted({p.doc_type for p in d.documents if p.doc_type})]
            values += [(d.id, "issuer", i) for i in sorted({p.issuer for p in d.documents if p.issuer})]
        con.executemany("INSERT INTO facet_values VALUES (?,?,?)", values)
        con.executemany("INSERT INTO fts(rowid, title, keywords, notes, fonds, code, refs, types, issuers, summaries,"
                        " body) VALUES (?,?,?,?,?,?,?,?,?,?,?)", [
                            (d.id, fold_d(d.title), fold_d(d.keywords), fold_d(d.notes), fold_d(d.fonds_name),
                             d.file_code, fold_d(" ; ".join(p.reference for p in d.documents)),
                             fold_d(" ; ".join(p.doc_type or "" for p in d.documents)),
                             fold_d(" ; ".join(p.issuer or "" for p in d.documents)),
                             fold_d(" . ".join(p.summary for p in d.documents)),
                             fold_d(" ".join([*(p.date or "" for p in d.documents), d.text])))
                            for d in chunk])
    con.executescript("""
        CREATE INDEX ix_facet_values ON facet_values (file_id, facet, value);
        CREATE INDEX ix_files_fonds ON files (fonds_code);
        INSERT INTO fts(fts) VALUES ('optimize');
        ANALYZE;
    """)
    con.commit()
    con.close()
    return time.perf_counter() - started


def match_expression(text: str) -> str:
    """A typed query as an FTS5 query: every word required; a reference string is a phrase of its parts."""
    words = [w.replace('"', "") for w in fold_d(text).split()]
    return " ".join(f'"{w}"' for w in words if w.strip('"'))


class Baseline:
    """Runs results pages on the FTS5 database."""

    def __init__(self, path: Path) -> None:
        self.con = sqlite3.connect(path, check_same_thread=False)
        self.con.execute("PRAGMA cache_size=-262144")  # 256 MB page cache, as generous as Whoosh's vector cache

    def page(self, text: str, fonds: str | None = None, date_from: int | None = None, date_to: int | None = None,
             facets: bool = True, limit: int = 20) -> tuple[int, list[int]]:
        """Total and the ids of the first page (with snippets, and facet counts when asked)."""
        con = self.con
        where = ["files.mode <> '03'"]
        args: list = [match_expression(text)]
        if fonds:
            where.append("files.fonds_code = ?")
            args.append(fonds)
        if date_to:
            where.append("files.start <= ?")
            args.append(date_to)
        if date_from:
            where.append("files.end >= ?")
            args.append(date_from)
        condition = " AND ".join(where)
        top = con.execute(
            f"SELECT fts.rowid, snippet(fts, -1, '<mark>', '</mark>', '…', 24) FROM fts JOIN files "
            f"ON files.id = fts.rowid WHERE fts MATCH ? AND {condition} ORDER BY fts.rank LIMIT {int(limit)}",
            args).fetchall()
        if not facets:
            total = con.execute(f"SELECT count(*) FROM fts JOIN files ON files.id = fts.rowid "
                                f"WHERE fts MATCH ? AND {condition}", args).fetchone()[0]
            return total, [row[0] for row in top]
        con.execute("DROP TABLE IF EXISTS temp.hits")
        con.execute(f"CREATE TEMP TABLE hits AS SELECT files.* FROM fts JOIN files ON files.id = fts.rowid "
                    f"WHERE fts MATCH ? AND {condition}", args)
        total = con.execute("SELECT count(*) FROM temp.hits").fetchone()[0]
        for column in FACET_COLUMNS:
            con.execute(f"SELECT {column}, count(*) FROM temp.hits GROUP BY {column}").fetchall()
        con.execute("SELECT v.facet, v.value, count(*) FROM temp.hits h JOIN facet_values v ON v.file_id = h.id "
                    "GROUP BY v.facet, v.value").fetchall()
        return total, [row[0] for row in top]
