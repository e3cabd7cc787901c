"""What the page and the command line both show, one home each: ``formatting`` (numbers and text
tables), ``palette`` (every colour), ``table`` (the accuracy table and how a change reads),
``titles`` (a model's name with what it changes) and ``outcomes`` (why a run is not a trained
model).  Imported by module (``from nnreg.report import table``), so that loading ``formatting``
loads nothing else: the data files and the sweeps use it too.
"""
