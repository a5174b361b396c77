"""Tables 3.7-3.12: waiting list, BPA, rehabilitation and habilitation, and the coercion table of seed 002."""
