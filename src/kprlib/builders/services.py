"""Tables 2.4-2.5: recipients by service group and category (2019 and 2024 views), and per service."""
