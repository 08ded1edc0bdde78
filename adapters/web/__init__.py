"""The web as a source of articles: guarded page fetching for import by link."""
