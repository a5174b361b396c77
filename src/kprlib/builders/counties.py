"""Tables 4.1-4.2 (counties, with regions, changes and population shares) and the key-figure panel (seed 003)."""
