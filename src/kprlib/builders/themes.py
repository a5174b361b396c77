"""Tables 3.1-3.6: participation, private help and hours, full-time care, living situation, individual plan,
coordinator."""
