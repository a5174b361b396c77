"""Tables 2.6-2.10: hours at 31.12, inflow and outflow, time to start, decisions and complaints, the 31.12 snapshot."""
