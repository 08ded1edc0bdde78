"""articlebot core: platform-neutral article reading, commenting and moderation."""
