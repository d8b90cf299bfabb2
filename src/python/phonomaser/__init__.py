"""phonomaser from Python: the exact master equation of a spin (x) oscillator
(the phonon maser) with numpy arrays and QuTiP objects in and out.

    import phonomaser as pm
    r = pm.steadystate("data/table1.ini", N="auto")      # the paper's operating point
    r.n_mean, r.g2, r.p_n                                # floats, numpy arrays
    r = pm.steadystate(H, c_ops)                         # qutip.Qobj on spin (x) Fock
    rho = r.to_qobj()                                    # dims [[2, N], [2, N]]
    out = pm.mesolve(H, rho0, tlist, c_ops, e_ops)       # out.expect[m], out.times
    W = pm.wigner(r).W                                   # W[iz, ip]
    data = pm.load("results/table1_steady.h5")           # every file the CLI writes

Calls: steadystate, mesolve, converge, compare, wigner, load.  Parameters
are the command line's keys (a dict, an INI path, keyword overrides), with
its validation: a bad key or value raises ValueError (InvalidInput) with the
library's one-line message.  Ctrl-C stops a running call (Interrupted, a
KeyboardInterrupt, with .partial); progress=True draws a tqdm bar (if tqdm
is installed); the GIL is released while C works.

Threads: calls may run in several Python threads at once (each builds its
own objects; the library's error messages are per thread).  Ctrl-C reaches
calls made from the main thread; calls in other threads run to the end."""

from ._lib import FileError, Interrupted, InvalidInput, NumericError, OutOfMemory, PhonomaserError  # noqa: F401
from .core import (Config, PhonomaserWarning, Result, compare, converge, map, mesolve, spectrum, steadystate,  # noqa: F401,A004
                   version, wigner)
from .h5 import density_matrix, load, to_qobj  # noqa: F401

__all__ = ["steadystate", "mesolve", "converge", "compare", "wigner", "map", "spectrum", "load", "density_matrix", "to_qobj",
           "Result", "Config", "version", "PhonomaserError", "InvalidInput", "OutOfMemory", "FileError",
           "NumericError", "Interrupted", "PhonomaserWarning"]
