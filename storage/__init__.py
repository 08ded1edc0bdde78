"""SQLite storage behind the core's `Store` protocol."""
