"""Policy themes: taxonomy (CAP and user theme sets), tagging over stored vectors, storage."""
