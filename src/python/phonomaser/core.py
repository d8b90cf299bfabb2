"""phonomaser's calls in QuTiP's vocabulary (the package docstring has the overview)."""

import math
import numbers
import os
import time
import warnings

import numpy as np

from . import _lib
from ._lib import Control, ffi, lib
from .h5 import triplets_to_csr

# Units of the result entries (everything not listed is dimensionless).
UNITS = {
    "t": "s", "call_seconds": "s", "residual": "1/s", "seconds": "s", "total_seconds": "s", "build_seconds": "s",
    "solve_seconds": "s", "ladder_residual": "1/s", "ladder_seconds": "s", "lambda_k1": "1/s",
    "rate_k0": "1/s", "eigenvalue_re": "1/s", "gamma_eff_exact": "1/s", "gamma_eff_reduced": "1/s",
    "lamb_shift_exact": "rad/s", "lamb_shift_reduced": "rad/s", "linewidth_exact": "1/s",
    "linewidth_reduced": "1/s", "intensity_rate_exact": "1/s", "intensity_rate_reduced": "1/s",
}


class Result:
    """What a call computed: every entry is an attribute and an item.

    Scalars are floats, strings str, arrays numpy arrays (complex128 for
    complex quantities).  Units: `unit(name)` ([s] times, [1/s] rates and
    residuals, [rad/s] frequency shifts, [1] the rest: occupations <n>,
    <n^2>, g2, <sigma_z>, populations P(n), W(z, p)).  Common entries:
      steady states: n_mean, n2_mean, g2, sz_mean, a_re, a_im, trace,
        hermiticity_error, min_eigenvalue, tail_population, residual [1/s],
        N, path ("sector" or "full"), path_note, method, p_n (P(n)),
        rho_spin (2 x 2, index 0 = up), seconds [s]; N = auto: ladder_N,
        ladder_n_mean, ... (one per cutoff), chosen_N, converged;
      evolutions: t [s], n_mean, n2_mean, g2, sz_mean, trace, a_mean,
        a2_mean (arrays over t), expect (list, one array per e_op), complete;
      every call: call_seconds [s], the wall time of the C call alone;
      the state (when computed): to_qobj(), density_matrix().
    `keys()` lists all entries."""

    def __init__(self, handle=None, dims=None, permutation=None):
        self._data = {}
        self._dims = dims
        self._permutation = permutation  # basis index of the caller's ordering -> spin (x) Fock index
        if handle is not None:
            self._read(handle)

    def _read(self, handle):
        for kind in (b"s", b"t", b"a"):
            index = 0
            while True:
                name = lib.pm_api_result_name(handle, kind, index)
                if name == ffi.NULL:
                    break
                key = ffi.string(name).decode()
                if kind == b"s":
                    self._data[key] = lib.pm_api_result_scalar(handle, name)
                elif kind == b"t":
                    self._data[key] = ffi.string(lib.pm_api_result_string(handle, name)).decode()
                else:
                    self._data[key] = _copy_array(handle, name)
                index += 1
        for key in ("N", "chosen_N", "K", "sectors", "steps", "rhs_evals", "tail_levels", "sector_step"):
            value = self._data.get(key)
            if isinstance(value, float) and math.isfinite(value):
                self._data[key] = int(value)

    def __getattr__(self, name):
        try:
            return self.__dict__["_data"][name]
        except KeyError:
            raise AttributeError(f"this result has no entry '{name}' (it has: {', '.join(sorted(self._data))})") from None

    def __getitem__(self, name):
        return self._data[name]

    def __contains__(self, name):
        return name in self._data

    def keys(self):
        return self._data.keys()

    def unit(self, name):
        """The unit of an entry ("s", "1/s", "rad/s" or "1")."""
        return UNITS.get(name, "1")

    def __repr__(self):
        shown = [f"{k}={v:.10g}" for k, v in self._data.items()
                 if isinstance(v, float) and k in ("n_mean", "g2", "sz_mean", "N")]
        return f"<phonomaser.Result {' '.join(shown)} ({len(self._data)} entries)>"

    # ---- the state
    def has_state(self):
        return "rho_row" in self._data

    def density_matrix(self):
        """The state as a scipy.sparse.csr_matrix on spin (x) Fock (index
        s N + n, s = 0 up), or in the caller's ordering for a model given
        on Fock (x) spin."""
        if not self.has_state():
            raise ValueError("this result holds no density matrix (steady states and evolutions of operator "
                             "models hold one; with parameters set store_rho = true)")
        rho = triplets_to_csr(self.rho_row, self.rho_col, self.rho_value, int(self.rho_dim),
                              int(self.rho_adjoint_implied), where="result")
        if self._permutation is not None:
            # caller index i is spin (x) Fock index permutation[i]
            rho = rho[self._permutation][:, self._permutation]
        return rho

    def to_qobj(self):
        """The state as a qutip.Qobj with dims [[2, N], [2, N]] (tensor(spin,
        fock)), or the dims of the operators the model was given with."""
        import qutip

        rho = self.density_matrix()
        N = rho.shape[0] // 2
        return qutip.Qobj(rho, dims=self._dims or [[2, N], [2, N]])


def _copy_array(handle, name):
    kind = lib.pm_api_result_array_type(handle, name)
    length = lib.pm_api_result_array_length(handle, name)
    dtype = {b"d": np.float64, b"c": np.complex128, b"i": np.int64}[kind]
    out = np.empty(length, dtype=dtype)
    _lib.check(lib.pm_api_result_array_copy(handle, name, ffi.from_buffer(out), out.nbytes))
    if name == b"rho_spin":
        out = out.reshape(2, 2)
    return out


# ------------------------------------------------------------ configurations

def _text(value):
    """A Python value as the text of a key."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        return f"{value.real!r}{value.imag:+.17g}i"
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, (list, tuple, np.ndarray)):
        return ",".join(_text(v) for v in np.asarray(value).tolist())
    raise TypeError(f"cannot use {type(value).__name__} as a key's value")


class Config:
    """A run configuration (pm_api_config): Table I defaults, then an INI
    file, then keys in order, with the command line's validation."""

    def __init__(self, params=None, config=None, overrides=None):
        out = ffi.new("pm_api_config **")
        _lib.check(lib.pm_api_config_new(out))
        self.handle = ffi.gc(out[0], lib.pm_api_config_free)
        if isinstance(params, (str, os.PathLike)):
            params, config = None, params if config is None else config
        if config is not None:
            _lib.check(lib.pm_api_config_load_ini(self.handle, os.fsencode(config)))
        for source in (params or {}), (overrides or {}):
            for key, value in source.items():
                _lib.check(lib.pm_api_config_set(self.handle, str(key).encode(), _text(value).encode()))

    def ini(self):
        """The effective configuration as INI text (validates it: ValueError)."""
        size = lib.pm_api_config_ini(self.handle, ffi.NULL, 0)
        if size < 0:
            _lib.check(_lib.EINVAL)
        buffer = ffi.new("char[]", size + 1)
        lib.pm_api_config_ini(self.handle, buffer, size + 1)
        return ffi.string(buffer).decode()


class PhonomaserWarning(UserWarning):
    """A warning of the library: parameters outside the model's regime
    (model = dressed at delta <= -omega_m), or the health checks of a steady
    state (not converged, truncated, ...), as `phonomaser` prints them."""


def _config(params, config, overrides):
    cfg = params if isinstance(params, Config) else Config(params, config, overrides)
    text = ffi.new("char[512]")
    if lib.pm_api_config_warning(cfg.handle, text, 512) > 0:
        warnings.warn(ffi.string(text).decode(), PhonomaserWarning, stacklevel=3)
    return cfg


def _check_keys(command, call, keys):
    """A call's own keys (not those of its params or config, which may hold
    the keys of every command, as a file does) must be keys `command` takes,
    as the command line refuses --set of a key the command does not use."""
    for key in keys:
        label = f"{call}({key}=...)"
        _lib.check(lib.pm_api_key_check(command.encode(), str(key).encode(), label.encode()))


def _run(start, progress=None, dims=None, permutation=None):
    """start(control handle, result pointer) -> status; returns a Result."""
    control = Control(progress)
    seconds = [math.nan]

    def work():
        out = ffi.new("pm_api_result **")
        begin = time.perf_counter()
        status = start(control.handle, out)
        seconds[0] = time.perf_counter() - begin
        text = _lib.message() if status != _lib.OK else ""
        handle = ffi.gc(out[0], lib.pm_api_result_free) if out[0] != ffi.NULL else None
        return status, handle, text

    try:
        handle = _lib.call(work, control)
    except _lib.Interrupted as error:
        error.partial = Result(error.partial, dims, permutation) if error.partial is not None else None
        raise
    result = Result(handle, dims, permutation)
    result._data["call_seconds"] = seconds[0]  # the C call alone (wall time) [s]
    for line in result._data.get("warnings", "").splitlines():  # the health checks of a steady state
        warnings.warn(line, PhonomaserWarning, stacklevel=3)
    return result


# --------------------------------------------------------------- operators

def _is_qobj(value):
    return type(value).__name__ == "Qobj" and hasattr(value, "dims")


def _layout(op):
    """(N, permutation or None, dims) of an operator on spin (x) Fock or
    Fock (x) spin; permutation[i] = the spin (x) Fock index of the caller's
    basis index i."""
    dims = op.dims[0]
    if len(dims) != 2 or op.dims[0] != op.dims[1]:
        raise _lib.InvalidInput(f"operator dims {op.dims}: expected [[2, N], [2, N]] (spin (x) Fock) or "
                                "[[N, 2], [N, 2]] (Fock (x) spin)", _lib.EINVAL)
    if dims[0] == 2:
        return dims[1], None, [list(dims), list(dims)]
    if dims[1] == 2:
        N = dims[0]
        index = np.arange(2 * N)
        n, s = index // 2, index % 2  # Fock (x) spin: i = 2 n + s
        return N, s * N + n, [list(dims), list(dims)]
    raise _lib.InvalidInput(f"operator dims {op.dims}: one factor must be the spin (dimension 2)", _lib.EINVAL)


def _triplets(op, permutation):
    """(row, col, interleaved values) of a Qobj (or scipy/numpy matrix) in the spin (x) Fock basis."""
    import scipy.sparse

    data = op.data if _is_qobj(op) else op
    coo = scipy.sparse.coo_matrix(data)
    row, col = coo.row.astype(np.int64), coo.col.astype(np.int64)
    if permutation is not None:
        row, col = permutation[row], permutation[col]
    values = np.ascontiguousarray(coo.data, dtype=np.complex128)
    return np.ascontiguousarray(row), np.ascontiguousarray(col), values


def _model(H, c_ops):
    N, permutation, dims = _layout(H)
    out = ffi.new("pm_api_model **")
    _lib.check(lib.pm_api_model_new(N, out))
    model = ffi.gc(out[0], lib.pm_api_model_free)
    row, col, values = _triplets(H, permutation)
    _lib.check(lib.pm_api_model_set_hamiltonian(model, row.size, ffi.from_buffer("int64_t[]", row),
                                                ffi.from_buffer("int64_t[]", col),
                                                ffi.from_buffer("double[]", values.view(np.float64))))
    for k, c in enumerate(c_ops or []):
        rate = 1.0
        if isinstance(c, tuple):  # (rate, L): rate D[L]
            rate, c = c
        if not _is_qobj(c) or c.dims != H.dims:
            raise _lib.InvalidInput(f"c_ops[{k}]: expected a Qobj with the dims of H, {H.dims}", _lib.EINVAL)
        row, col, values = _triplets(c, permutation)
        _lib.check(lib.pm_api_model_add_jump(model, float(rate), row.size, ffi.from_buffer("int64_t[]", row),
                                             ffi.from_buffer("int64_t[]", col),
                                             ffi.from_buffer("double[]", values.view(np.float64))))
    return model, permutation, dims


def _name(value):
    return ffi.NULL if value is None else str(value).encode()


# ------------------------------------------------------------------- calls

def steadystate(H=None, c_ops=None, *, config=None, path=None, method=None, progress=None, **overrides):
    """The steady state.

    steadystate(H, c_ops): H and the collapse operators C (rate included,
    D[C] as in qutip; a tuple (rate, L) means rate D[L]) as qutip.Qobj on
    spin (x) Fock (dims [[2, N], [2, N]]) or Fock (x) spin ([[N, 2], [N, 2]]),
    H in rad/s, rates in 1/s.  The excitation-number symmetry is detected
    from the operators: the sector path when it holds (path="auto"), the
    full Liouvillian otherwise (path_note says why).  method: "direct"
    (default) or "arpack".

    steadystate(params, config=INI, **keys): the paper's models from keys
    (a dict, an INI path, keyword overrides: steadystate("data/table1.ini",
    S=0.3, N="auto")), exactly as `phonomaser steady` (N = auto searches the
    cutoff; the ladder is in ladder_*).  path/method are keys then too.

    Returns a Result (n_mean, g2, sz_mean, p_n, ..., to_qobj())."""
    if _is_qobj(H):
        model, permutation, dims = _model(H, c_ops)
        return _run(lambda control, out: lib.pm_api_model_steadystate(model, _name(path), _name(method), control, out),
                    progress, dims, permutation)
    if c_ops is not None:
        raise TypeError("c_ops are taken with a Qobj Hamiltonian only")
    keys = dict(overrides)
    if path is not None:
        keys["path"] = path
    if method is not None:
        keys["method"] = method
    _check_keys("steady", "steadystate", keys)
    cfg = _config(H, config, keys)
    return _run(lambda control, out: lib.pm_api_steadystate(cfg.handle, control, out), progress)


def converge(params=None, *, config=None, progress=None, **overrides):
    """The cutoff ladder of `phonomaser converge` (key `ladder = [N1, N2, ...]`
    or the automatic growth): arrays ladder_N, ladder_n_mean, ladder_g2,
    ladder_tail_population, ladder_rel_change_n, ladder_residual [1/s],
    ladder_seconds [s], ...; chosen_N, converged and the final steady state."""
    _check_keys("converge", "converge", overrides)
    cfg = _config(params, config, overrides)
    return _run(lambda control, out: lib.pm_api_converge(cfg.handle, control, out), progress)


def compare(params=None, *, config=None, progress=None, **overrides):
    """`phonomaser compare` at one point.  JC model: for each quantity q of
    the reduced theory (gamma_eff, lamb_shift, n_ss, n_las, n_fp, g2,
    inversion, linewidth, ring_radius, intensity_rate) the entries
    q_exact, q_reduced, q_rel_dev, q_applies; lambda_k1 [1/s], p_n, N.
    model = dressed: the four-way comparison, q_c and q_c_rel_dev for q in
    n_mean, g2, sz_mean, gamma_eff, freq_shift and c in dressed, jc,
    reduced_rwa, reduced_beyond_rwa; N, K, N_jc, N_amplitude_mode."""
    _check_keys("compare", "compare", overrides)
    cfg = _config(params, config, overrides)
    return _run(lambda control, out: lib.pm_api_compare(cfg.handle, control, out), progress)


def map(params=None, axes=(), *, quantities="steady", threads=0, config=None, progress=None, **overrides):
    """`phonomaser map` on threads: axes is one or two specifications as
    --axis takes them ("S=-0.1:0.3:41", "delta=log:10:1000:21",
    "eta=0.05,0.1"); quantities "steady" or "compare".  Every quantity
    (n_mean, g2, ..., or q_exact, q_reduced, ...) comes back as an array
    shaped (first axis, second axis), with "status" (0 ok, a status code
    for a failed point, NaN not computed) and the axes as axis0, axis1
    (their keys axis0_key, axis1_key)."""
    if isinstance(axes, str):
        axes = [axes]
    _check_keys("map", "map", overrides)
    cfg = _config(params, config, overrides)
    texts = [ffi.new("char[]", str(a).encode()) for a in axes]
    pointers = ffi.new("const char *[]", texts)
    result = _run(lambda control, out: lib.pm_api_map(cfg.handle, str(quantities).encode(), pointers, len(texts),
                                                      int(threads), control, out), progress)
    shape = tuple(len(result._data[f"axis{a}"]) for a in range(len(texts)))
    for key, value in list(result._data.items()):
        if isinstance(value, np.ndarray) and not key.startswith("axis") and value.size == int(np.prod(shape)):
            result._data[key] = value.reshape(shape)
    return result


def spectrum(params=None, *, points=0, rtol=0.0, x=True, tau=True, tau_max=0.0, config=None, progress=None,
             **overrides):
    """`phonomaser spectrum`: the exact steady state (N = auto as steady),
    then by the quantum regression theorem the emission spectrum S_a(omega)
    of <a^dag(tau) a> (model frame: rotating at omega_m for jc, lab for
    dressed; omega [rad/s]), the displacement spectrum S_x(omega_x) (lab),
    g1(tau), g2(tau), <x(tau) x> (tau [s]), and the line: linewidth_fwhm,
    line_shift, linewidth_slowest_mode, linewidth_fp, linewidth_reduced
    [rad/s], sum_rule_error (int S domega/2pi against C(0)).  points: the
    grid's budget (0: 2000), rtol: its resolution (0: 1e-3)."""
    _check_keys("spectrum", "spectrum", overrides)
    cfg = _config(params, config, overrides)
    return _run(lambda control, out: lib.pm_api_spectrum(cfg.handle, int(points), float(rtol), int(bool(x)),
                                                         int(bool(tau)), float(tau_max), control, out), progress)


def mesolve(H=None, rho0=None, tlist=None, c_ops=None, e_ops=None, *, config=None, path=None, rtol=None,
            atol=None, progress=None, **overrides):
    """Time evolution drho/dt = L rho.

    mesolve(H, rho0, tlist, c_ops, e_ops): Qobj operators as in
    steadystate; rho0 a density matrix or a ket; tlist [s] increasing (the
    first is the start); e_ops a list of Qobj.  Result.expect[m][i] =
    Tr(e_ops[m] rho(tlist[i])) (real arrays for Hermitian e_ops, as qutip),
    Result.times, the fixed observables (n_mean, sz_mean, a_mean, ... over
    t) and the final state (to_qobj()).  The sector path evolves only the
    sectors k >= 0 that rho0 occupies.  rtol, atol: CVODE tolerances
    (defaults 1e-8, 1e-10).

    mesolve(params, tlist=..., config=INI, **keys): `phonomaser evolve` (keys
    initial, t_final, n_times, times, rtol, atol, ...); tlist replaces the
    output times.  Ctrl-C: Interrupted with .partial (the times reached)."""
    if _is_qobj(H):
        return _mesolve_operators(H, rho0, tlist, c_ops, e_ops, path, rtol, atol, progress)
    if rho0 is not None or c_ops is not None or e_ops is not None:
        raise TypeError("rho0, c_ops and e_ops are taken with a Qobj Hamiltonian only (keys: initial, ...)")
    keys = dict(overrides)
    for key, value in (("path", path), ("rtol", rtol), ("atol", atol)):
        if value is not None:
            keys[key] = value
    _check_keys("evolve", "mesolve", keys)
    cfg = _config(H, config, keys)
    times = np.ascontiguousarray(tlist if tlist is not None else [], dtype=np.float64)
    result = _run(lambda control, out: lib.pm_api_mesolve(cfg.handle, ffi.from_buffer("double[]", times),
                                                          times.size, control, out), progress)
    result._data["times"] = result._data.get("t")
    return result


def _mesolve_operators(H, rho0, tlist, c_ops, e_ops, path, rtol, atol, progress):
    model, permutation, dims = _model(H, c_ops)
    if not _is_qobj(rho0):
        raise _lib.InvalidInput("rho0: expected a qutip.Qobj (density matrix or ket)", _lib.EINVAL)
    if rho0.isket:
        rho0 = rho0 * rho0.dag()
    if rho0.dims != H.dims:
        raise _lib.InvalidInput(f"rho0: dims {rho0.dims} differ from those of H, {H.dims}", _lib.EINVAL)
    times = np.ascontiguousarray(tlist, dtype=np.float64)
    e_ops = list(e_ops or [])
    rows, cols, values, start = [], [], [], [0]
    for m, e in enumerate(e_ops):
        if not _is_qobj(e) or e.dims != H.dims:
            raise _lib.InvalidInput(f"e_ops[{m}]: expected a Qobj with the dims of H, {H.dims}", _lib.EINVAL)
        r, c, v = _triplets(e, permutation)
        rows.append(r), cols.append(c), values.append(v), start.append(start[-1] + r.size)
    eop_row = np.ascontiguousarray(np.concatenate(rows) if rows else np.zeros(0, np.int64))
    eop_col = np.ascontiguousarray(np.concatenate(cols) if cols else np.zeros(0, np.int64))
    eop_val = np.ascontiguousarray(np.concatenate(values) if values else np.zeros(0, np.complex128))
    eop_start = np.asarray(start, dtype=np.uintp)
    r0, c0, v0 = _triplets(rho0, permutation)

    def start_call(control, out):
        return lib.pm_api_model_mesolve(
            model, _name(path), r0.size, ffi.from_buffer("int64_t[]", r0), ffi.from_buffer("int64_t[]", c0),
            ffi.from_buffer("double[]", v0.view(np.float64)), times.size, ffi.from_buffer("double[]", times),
            len(e_ops), ffi.from_buffer("size_t[]", eop_start), ffi.from_buffer("int64_t[]", eop_row),
            ffi.from_buffer("int64_t[]", eop_col), ffi.from_buffer("double[]", eop_val.view(np.float64)),
            float(rtol or 0), float(atol or 0), control, out)

    def finish(result):
        expect = [result._data.pop(f"expect_{m}") for m in range(len(e_ops))]
        result._data["expect"] = [x.real.copy() if e.isherm else x for x, e in zip(expect, e_ops)]
        result._data["times"] = result._data.get("t")
        return result

    try:
        return finish(_run(start_call, progress, dims, permutation))
    except _lib.Interrupted as error:
        if error.partial is not None:
            finish(error.partial)
        raise


def wigner(state=None, xvec=None, yvec=None, *, points=401, range=0.0, config=None, progress=None, **overrides):
    """The Wigner function W(z, p) of the mechanical state, z = (a + a^dag)/sqrt 2,
    p = (a - a^dag)/(i sqrt 2), normalised as a density (integral = 1).

    state: a Result holding a state (steadystate of an operator model, or
    with store_rho = true), a qutip.Qobj (spin (x) Fock, Fock (x) spin, or
    Fock alone), or parameters (dict, INI path, keys: the steady state is
    solved first).  xvec, yvec: the grid (W[iz, ip]: QuTiP's
    qutip.wigner(rho, xvec, yvec) with g = sqrt(2) is W.T); without them the
    square image of `phonomaser wigner` (points per axis, range <= 0
    automatic) with the radial profile radial_r, radial_W, radial_P_r."""
    if not isinstance(state, Result) and not _is_qobj(state):
        keys = dict(overrides)
        _check_keys("steady", "wigner", keys)  # the state is solved as steadystate() does
        keys.setdefault("store_rho", True)
        state = steadystate(state, config=config, **keys)
    if isinstance(state, Result):
        if not state.has_state():
            raise _lib.InvalidInput("wigner: the result holds no state (solve with store_rho = true)", _lib.EINVAL)
        row, col, values = state.rho_row, state.rho_col, state.rho_value
        dim, adjoint = int(state.rho_dim), int(state.rho_adjoint_implied)
    else:
        if state.isket:
            state = state * state.dag()
        if len(state.dims[0]) == 1:  # the oscillator alone: |up><up| (x) rho_m
            dim, permutation = 2 * state.shape[0], None
        else:
            N, permutation, _ = _layout(state)
            dim = 2 * N
        row, col, values = _triplets(state, permutation)
        adjoint = 0
    row, col = np.ascontiguousarray(row, np.int64), np.ascontiguousarray(col, np.int64)
    values = np.ascontiguousarray(values, np.complex128)
    if xvec is not None:
        z = np.ascontiguousarray(xvec, dtype=np.float64)
        p = np.ascontiguousarray(yvec if yvec is not None else xvec, dtype=np.float64)
        zp, pp, nz, np_ = ffi.from_buffer("double[]", z), ffi.from_buffer("double[]", p), z.size, p.size
    else:
        zp, pp, nz, np_ = ffi.NULL, ffi.NULL, 0, 0
    result = _run(lambda control, out: lib.pm_api_wigner(
        dim, row.size, ffi.from_buffer("int64_t[]", row), ffi.from_buffer("int64_t[]", col),
        ffi.from_buffer("double[]", values.view(np.float64)), adjoint, int(points), float(range), nz, zp, np_, pp,
        control, out), progress)
    result._data["W"] = result.W.reshape(result.z.size, result.p.size)
    return result


def version():
    """The version of the library in use."""
    return ffi.string(lib.pm_version()).decode()
