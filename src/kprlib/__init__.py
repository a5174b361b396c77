"""kprlib."""
