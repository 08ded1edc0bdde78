"""The entry point that wires settings, storage and adapters around the platform-neutral core."""
