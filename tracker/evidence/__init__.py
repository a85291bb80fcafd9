"""Evidence that cannot vanish: safe fetching, archived copies (WARC) and link health."""
