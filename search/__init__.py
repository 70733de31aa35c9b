"""Search for the reading room: Vietnamese analysis, a Whoosh index, and a query engine.

Framework-free (no Flask, no database); the portal's ``portal/services/search.py``
feeds it files and asks it questions, and ``bench/search`` measures it.

* :mod:`.analysis`  Vietnamese text → terms (NFC, tokens, lowercase, folding, pairs)
* :mod:`.schema`    every field name, and the Whoosh schema
* :mod:`.documents` what the index knows about a file (plain data)
* :mod:`.fields`    a file → the fields of its index document
* :mod:`.bulk`      a fast writer for building a whole index
* :mod:`.index`     the index folder: one writer at a time, rebuild aside and swap
* :mod:`.query`     the query language and what a query means
* :mod:`.vectors`   terms as bit sets and impact lanes (big integers) per segment
* :mod:`.engine`    running a query: totals, facet counts, ranking
* :mod:`.snippets`  highlighted passages
* :mod:`.results`   one search end to end, with "did you mean"
"""
