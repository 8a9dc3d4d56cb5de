"""Report layer: turning runs into pages and documents. ``keys`` + ``schedule`` + ``steps`` + ``report`` + ``sweep``
(cache keys, the plan, the pipeline), ``pages`` + ``pdfcheck`` + ``layoutcheck`` (export, checks), ``review_table``, ``findings`` + ``leaderboard`` +
``document`` + ``text/`` + ``templates/`` (numbers, prose in two languages, layout), ``plots``, ``compare``, ``demos``,
``explore``. Imports the layers below; only ``cvae_lib.__main__`` imports it.
"""
