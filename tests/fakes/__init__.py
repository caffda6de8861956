"""Stand-ins for the server's outside world (runners, ...) so tests can drive every branch in milliseconds."""
