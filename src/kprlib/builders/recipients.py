"""Tables 2.1-2.3: recipients through the year, by age and sex (with population shares), and functional level."""
