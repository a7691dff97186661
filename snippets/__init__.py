"""Reference code shown on the site. Each module is plain NumPy/Python, runs as a script
(its own asserts), and is cut into named sections that the pages include."""
