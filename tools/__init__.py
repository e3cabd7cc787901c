"""What measures and tests nnreg from a checkout, kept out of the installed package: the
course-style baseline of ``bench`` and the page served and opened in headless Chromium."""
