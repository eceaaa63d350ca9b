"""Programs that run inside the test beds' pods, each runnable and tested on loopback here."""
