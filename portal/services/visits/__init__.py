"""Reading-room visits and digitisation on demand: the calendar (``calendar``), booking
(``booking``), the desk's day (``desk``), the digitisation queue (``digitisation``), the
visits register (``register``) and what the reader is told (``notify``).

The hooks of ``notify`` and ``digitisation`` are registered when those modules are
imported (``portal/tasks.py`` does it at start-up); nothing here imports them eagerly,
so the request service can use ``booking`` without pulling the reading-copy code in.
"""
