/// SHA-256 and API keys.
