"""The two engines of the same training loop, side by side.

``reference.numpy_loop`` is the course's loop in NumPy, readable next to the equations;
``compiled.numba_loop`` computes the same with Numba, tens of times faster.  Both take
``(X, Y, parameters, settings, stop)`` and return a ``record.Record``; ``nnreg.training`` picks one
and turns the record into a ``TrainResult``.  ``compiled`` is imported only when used: loading
Numba takes a moment.
"""
