"""Each room's discussion as a read-only web page, updated live (server-sent events)."""
