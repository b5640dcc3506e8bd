"""Related remarks: from one statement (or any text) to other meetings' remarks on the same issue.

Modules: ``sources`` (what the source is: its passages and vectors), ``terms`` (more-like-this
term selection), ``scoring`` (dense pair scores and their aggregation), ``diversity``,
``finder`` (composes them and builds the reasons), ``cases`` (the labelled related set and its
metrics).
"""
