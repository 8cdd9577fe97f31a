"""Reviewing the records: the named rules (fixes, drops, flags), paired brackets, the register tagger."""
