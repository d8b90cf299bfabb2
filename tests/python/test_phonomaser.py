"""The Python package against the command line, QuTiP and its own error
and interrupt paths (run by meson: tests/python/run_pytest.sh)."""

import os
import signal
import subprocess
import threading
import time
import warnings

import numpy as np
import pytest
import qutip as qt

import phonomaser as pm

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TABLE1 = os.path.join(ROOT, "data", "table1.ini")
CLI = os.environ.get("PHONOMASER_CLI", os.path.join(ROOT, "build", "phonomaser"))
QUTIP_OPTIONS = qt.Options(atol=1e-12, rtol=1e-10)


def cli(*args, tmp_path, name="out.h5"):
    """Run the command line with -o FILE; return load(FILE)."""
    out = str(tmp_path / name)
    subprocess.run([CLI, *args, "-q", "-o", out], check=True, capture_output=True)
    return pm.load(out), out


def spin_fock(N, fock_first=False):
    """a, sigma_-, sigma_z on spin (x) Fock (or Fock (x) spin)."""
    if fock_first:
        return (qt.tensor(qt.destroy(N), qt.qeye(2)), qt.tensor(qt.qeye(N), qt.sigmam()),
                qt.tensor(qt.qeye(N), qt.sigmaz()))
    return (qt.tensor(qt.qeye(2), qt.destroy(N)), qt.tensor(qt.sigmam(), qt.qeye(N)),
            qt.tensor(qt.sigmaz(), qt.qeye(N)))


def jc_maser(N, fock_first=False, delta=30.0, g=10.0):
    """The JC maser of Eqs. (6)-(9) written in QuTiP (small rates, so that N is small)."""
    a, sm, sz = spin_fock(N, fock_first)
    H = 0.5 * delta * sz + g * (a * sm.dag() + a.dag() * sm)
    gamma_m, n_th, gamma_up, gamma_down, gamma_phi = 3.0, 2.0, 300.0, 200.0, 100.0
    c_ops = [np.sqrt(gamma_m * (n_th + 1)) * a, np.sqrt(gamma_m * n_th) * a.dag(), np.sqrt(gamma_up) * sm.dag(),
             np.sqrt(gamma_down) * sm, np.sqrt(gamma_phi / 2) * sz]
    return H, c_ops, (a, sm, sz)


# ------------------------------------------------------------ against the CLI

def test_steady_equals_cli(tmp_path):
    data, _ = cli("steady", "-c", TABLE1, "--set", "N=80", "--set", "S=0.1", tmp_path=tmp_path)
    r = pm.steadystate(TABLE1, N=80, S=0.1)
    for key in ("n_mean", "n2_mean", "g2", "sz_mean", "trace", "tail_population", "residual"):
        assert r[key] == data["steady"].attrs[key], key
    np.testing.assert_array_equal(r.p_n, data["steady"]["p_n"])
    assert r.path == data["steady"].attrs["path"] == "sector"


def test_steady_auto_equals_cli(tmp_path):
    data, _ = cli("steady", "--set", "N=auto", "--set", "eta=0.05", tmp_path=tmp_path)
    r = pm.steadystate({"N": "auto", "eta": 0.05})
    assert r.N == data["parameters"].attrs["N"]
    assert r.n_mean == data["steady"].attrs["n_mean"]
    np.testing.assert_array_equal(r.ladder_N, data["steady"]["converge"]["N"])
    assert r.converged == 1


def test_evolve_equals_cli(tmp_path):
    keys = {"N": 30, "t_final": 2, "n_times": 5, "initial": "coherent", "alpha": "2+1i"}
    data, _ = cli("evolve", *sum((["--set", f"{k}={v}"] for k, v in keys.items()), []), tmp_path=tmp_path)
    r = pm.mesolve(keys)
    for key in ("t", "n_mean", "sz_mean", "a_mean"):
        np.testing.assert_allclose(r[key], data["evolve"][key], rtol=1e-12, atol=1e-14, err_msg=key)
    assert r.complete == 1


def test_converge_and_compare_equal_cli(tmp_path):
    data, _ = cli("converge", "--set", "ladder=20,30,40", "--set", "eta=0.05", tmp_path=tmp_path)
    r = pm.converge(ladder=[20, 30, 40], eta=0.05)
    np.testing.assert_array_equal(r.ladder_N, [20, 30, 40])
    np.testing.assert_array_equal(r.ladder_n_mean, data["converge"]["n_mean"])
    data, _ = cli("compare", "--set", "N=60", "--set", "S=-0.2", tmp_path=tmp_path, name="c.h5")
    c = pm.compare(N=60, S=-0.2)
    assert c.n_ss_exact == data["compare"]["n_ss"]["exact"][0]
    assert c.n_ss_reduced == data["compare"]["n_ss"]["reduced"][0]
    assert c.unit("gamma_eff_exact") == "1/s"


def test_dressed_compare_equals_cli(tmp_path):
    keys = {"model": "dressed", "N": 30, "K": 6, "eta": 0.05}
    data, _ = cli("compare", *sum((["--set", f"{k}={v}"] for k, v in keys.items()), []), tmp_path=tmp_path)
    c = pm.compare(keys)
    for q in ("n_mean", "g2", "gamma_eff"):
        for col in ("dressed", "jc", "reduced_rwa"):
            assert c[f"{q}_{col}"] == data["compare4"][q][col][0] or (
                np.isnan(c[f"{q}_{col}"]) and np.isnan(data["compare4"][q][col][0])), (q, col)
    assert c.N == 30 and c.K == 6 and c.N_amplitude_mode == 30


def test_map_equals_cli(tmp_path):
    axes = ["S=-0.1:0.2:4", "delta=-500,0,500"]
    data, _ = cli("map", "-c", TABLE1, "--axis", axes[0], "--axis", axes[1], "--threads", "2", tmp_path=tmp_path)
    r = pm.map(TABLE1, axes, threads=2)
    assert r.axis0_key == "S" and r.axis1_key == "delta" and r.n_mean.shape == (4, 3)
    np.testing.assert_array_equal(r.axis1, [-500, 0, 500])
    for key in ("n_mean", "g2", "sz_mean", "N", "status"):
        np.testing.assert_array_equal(r[key], data["map"][key], err_msg=key)
    c = pm.map({"N": 60}, "S=-0.2,-0.1", quantities="compare")
    assert c.n_ss_exact.shape == (2,) and c.n_ss_exact[0] == pm.compare(N=60, S=-0.2).n_ss_exact
    with pytest.raises(ValueError, match="map axis key"):
        pm.map(TABLE1, "N=10,20")


def test_spectrum_equals_cli(tmp_path):
    data, _ = cli("spectrum", "--set", "N=80", "--set", "S=-0.1", "--points", "300", "--no-x", tmp_path=tmp_path)
    r = pm.spectrum(N=80, S=-0.1, points=300, x=False)
    np.testing.assert_array_equal(r.omega, data["spectrum"]["omega"])
    np.testing.assert_array_equal(r.S_a, data["spectrum"]["S_a"])
    assert r.linewidth_fwhm == data["spectrum"].attrs["linewidth_fwhm"]
    assert r.sum_rule_error < 1e-8 and r.frame == "rotating at omega_m"
    np.testing.assert_allclose(r.g1[0], 1, rtol=1e-12)  # g1(0) = <a^dag a>/<n>
    with pytest.raises(ValueError, match="rtol"):
        pm.spectrum(N=20, rtol=2.0)


def test_load_every_file_kind(tmp_path):
    """load() on each file the command line writes; the stored rho equals the call's."""
    kinds = {
        "steady": (["steady", "--set", "N=40", "--set", "store_rho=1"], "steady"),
        "evolve": (["evolve", "--set", "N=20", "--set", "t_final=0.5", "--set", "n_times=3"], "evolve"),
        "converge": (["converge", "--set", "ladder=10,20"], "converge"),
        "theory": (["theory"], "theory"),
        "compare": (["compare", "--set", "N=40", "--set", "S=-0.2"], "compare"),
        "wigner": (["wigner", "--set", "N=40", "--set", "wigner_points=21"], "wigner"),
    }
    for name, (args, group) in kinds.items():
        data, path = cli(*args, tmp_path=tmp_path, name=name + ".h5")
        assert group in data and data.attrs["complete"] == 1, name
    r = pm.steadystate(N=40, store_rho=True)
    stored = pm.to_qobj(str(tmp_path / "steady.h5"))
    assert stored.dims == r.to_qobj().dims == [[2, 40], [2, 40]]
    assert abs(stored.full() - r.to_qobj().full()).max() == 0
    w = pm.wigner({"N": 40}, points=21)
    np.testing.assert_allclose(w.W, pm.load(str(tmp_path / "wigner.h5"))["wigner"]["W"], rtol=0, atol=1e-15)


# ---------------------------------------------------------- QuTiP models in

@pytest.mark.parametrize("fock_first", [False, True])
def test_jc_from_qutip_steady(fock_first):
    H, c_ops, (a, sm, sz) = jc_maser(16, fock_first)
    r = pm.steadystate(H, c_ops)
    ref = qt.steadystate(H, c_ops)
    assert r.path == "sector" and r.sector_step == 0
    rho = r.to_qobj()
    assert rho.dims == H.dims
    assert abs(rho.full() - ref.full()).max() < 1e-12
    assert abs(r.n_mean - qt.expect(a.dag() * a, ref)) < 1e-11


def test_kerr_oscillator_with_spin():
    """Kerr, two-phonon loss and sigma_z dephasing keep the excitation number."""
    N = 14
    a, sm, sz = spin_fock(N)
    H = 0.7 * (a.dag() * a) ** 2 + 20 * sz + 5 * (a * sm.dag() + a.dag() * sm)
    c_ops = [np.sqrt(2.0) * a, np.sqrt(1.0) * a.dag(), np.sqrt(0.3) * a * a, np.sqrt(40.0) * sm.dag(),
             np.sqrt(10.0) * sz]
    r = pm.steadystate(H, c_ops)
    assert r.path == "sector"
    assert abs(r.to_qobj().full() - qt.steadystate(H, c_ops).full()).max() < 1e-12


def test_anti_jc_symmetry_detected():
    """a sigma_- + a^dag sigma_+ conserves n - (spin up): still the sector path."""
    N = 12
    a, sm, sz = spin_fock(N)
    H = 10 * sz + 4 * (a * sm + a.dag() * sm.dag())
    c_ops = [np.sqrt(2.0) * a, np.sqrt(30.0) * sm]
    r = pm.steadystate(H, c_ops)
    assert r.path == "sector"
    assert abs(r.to_qobj().full() - qt.steadystate(H, c_ops).full()).max() < 1e-12


def test_broken_symmetry_uses_full_path():
    H, c_ops, (a, sm, sz) = jc_maser(12)
    H = H + 6 * (a + a.dag())
    r = pm.steadystate(H, c_ops)
    assert r.path == "full" and "excitation number" in r.path_note
    assert abs(r.to_qobj().full() - qt.steadystate(H, c_ops).full()).max() < 1e-12
    with pytest.raises(ValueError, match="path = sector"):
        pm.steadystate(H, c_ops, path="sector")


@pytest.mark.parametrize("drive", [0.0, 6.0])
def test_mesolve_against_qutip(drive):
    H, c_ops, (a, sm, sz) = jc_maser(14)
    H = H + drive * (a + a.dag())
    rho0 = qt.tensor(qt.basis(2, 1), qt.coherent(14, 1.2))
    tlist = np.linspace(0, 0.02, 6)
    e_ops = [a.dag() * a, a, sz]
    r = pm.mesolve(H, rho0, tlist, c_ops, e_ops, rtol=1e-10, atol=1e-12)
    ref = qt.mesolve(H, rho0, tlist, c_ops, e_ops, options=QUTIP_OPTIONS)
    assert r.path == ("sector" if drive == 0 else "full")
    np.testing.assert_allclose(r.times, tlist)
    assert r.expect[0].dtype == np.float64 and r.expect[1].dtype == np.complex128
    for mine, theirs in zip(r.expect, ref.expect):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-8)
    final = qt.mesolve(H, rho0, tlist, c_ops, [], options=QUTIP_OPTIONS).states[-1]
    assert abs(r.to_qobj().full() - final.full()).max() < 1e-8


def test_wigner_against_qutip():
    H, c_ops, _ = jc_maser(12)
    state = qt.steadystate(H, c_ops)
    x = np.linspace(-3, 3, 9)
    w = pm.wigner(pm.steadystate(H, c_ops), x, x)
    assert abs(w.W.T - qt.wigner(state.ptrace(1), x, x)).max() < 1e-14
    w_mech = pm.wigner(qt.coherent_dm(12, 1.0), x, x)
    assert abs(w_mech.W.T - qt.wigner(qt.coherent_dm(12, 1.0), x, x)).max() < 1e-14


# ----------------------------------------------------------------- errors

def test_errors_carry_the_library_message(tmp_path):
    with pytest.raises(ValueError, match="did you mean 'gamma_1'"):
        pm.steadystate(gamma1=3)
    with pytest.raises(ValueError, match="S = 2"):
        pm.steadystate(S=2)
    with pytest.raises(pm.InvalidInput, match="position"):
        pm.steadystate({"H.kerr": "0.01 n nn"})
    with pytest.raises(OSError, match="cannot read config file"):
        pm.steadystate(str(tmp_path / "missing.ini"))
    H, c_ops, (a, _, _) = jc_maser(6)
    with pytest.raises(ValueError, match="not Hermitian"):
        pm.steadystate(H + a, c_ops)
    with pytest.raises(ValueError, match="dims"):
        pm.steadystate(qt.tensor(qt.qeye(3), qt.destroy(4)), [])
    with pytest.raises(ValueError, match="increasing"):
        pm.mesolve(H, qt.tensor(qt.basis(2, 0), qt.basis(6, 0)), [0, 1, 1], c_ops)
    with pytest.raises(ValueError, match="method"):
        pm.steadystate(H, c_ops, method="magic")


def test_a_call_takes_only_its_own_keys():
    """As the command line refuses --set of a key the command does not use
    (issue 12.9): a call's own keys; a params dict or INI may hold any."""
    with pytest.raises(pm.InvalidInput, match=r"steadystate\(sweep=\.\.\.\): 'sweep' is not a key of 'phonomaser steady'"):
        pm.steadystate(N=10, sweep="S")
    with pytest.raises(pm.InvalidInput, match="'ladder' is not a key of 'phonomaser evolve' .*converge"):
        pm.mesolve(N=10, ladder="10,20")
    with pytest.raises(pm.InvalidInput, match="'path' is not a key of 'phonomaser compare'"):
        pm.compare(N=20, path="full")
    with pytest.raises(pm.InvalidInput, match="'t_final' is not a key of 'phonomaser map'"):
        pm.map({"N": 20}, "S=0,0.1", t_final=3)
    with pytest.raises(pm.InvalidInput, match=r"wigner\(rtol=\.\.\.\)"):
        pm.wigner({"N": 10}, rtol=1e-6)
    with pytest.raises(pm.InvalidInput, match="'t_final' is not a key of 'phonomaser spectrum'"):
        pm.spectrum({"N": 10}, t_final=3)
    # the same keys in a params dict: a shared configuration, as a file
    assert pm.steadystate({"N": 10, "sweep": "S", "t_final": 3}).N == 10
    # numbers are decimal (issue 12.8), as on the command line
    with pytest.raises(pm.InvalidInput, match="not a decimal number"):
        pm.steadystate(N="0x20")


# ------------------------------------------------ interrupt, progress, GIL

def test_ctrl_c_stops_and_keeps_the_partial_result():
    timer = threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    start = time.perf_counter()
    with pytest.raises(pm.Interrupted) as info:
        # about 7 s uninterrupted (one sector, 480 CVODE steps of a 1.8e7 block)
        pm.mesolve({"N": 3000, "t_final": 60, "n_times": 601, "initial": "vacuum"})
    timer.join()
    assert time.perf_counter() - start < 2.5
    assert isinstance(info.value, KeyboardInterrupt)
    partial = info.value.partial
    assert partial.complete == 0 and 1 <= partial.t.size < 601
    assert partial.t[0] == 0 and np.all(np.diff(partial.n_mean) > 0)  # heating from the vacuum
    assert "stopped" in info.value.message


def test_progress_callback_and_gil_released():
    reports = []
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    start = time.perf_counter()
    r = pm.mesolve({"N": 600, "t_final": 20, "n_times": 50, "initial": "vacuum"},
                   progress=lambda f, d, last: reports.append((f, last)))
    end = time.perf_counter()
    done.set()
    counter.join()
    assert r.complete == 1 and reports and reports[-1] == (1.0, True)
    # the counter ran in the middle of the C call: the GIL was released
    middle = [t for t in ticks if start + 0.3 * (end - start) < t < end - 0.3 * (end - start)]
    assert len(middle) >= 2, (len(ticks), end - start)


def test_progress_of_the_cutoff_search():
    # steadystate, converge and compare report once per cutoff of N = auto
    for call in (pm.steadystate, pm.converge, pm.compare):
        reports = []
        r = call(TABLE1, eta=0.25, S=0.01, progress=lambda f, d, last: reports.append((f, d, last)))
        steps = [x for x in reports if not x[2]]
        assert reports[-1][2] and len(steps) >= 3, call.__name__
        assert all(b[0] >= a[0] for a, b in zip(steps, steps[1:]))
        assert steps[-1][0] == 1.0 and ("N = %d:" % r.N) in steps[-1][1]


def test_library_warnings_become_python_warnings():
    # outside the model's regime: the dressed splitting omega_m + delta <= 0
    with pytest.warns(pm.PhonomaserWarning, match="spin flipped"):
        r = pm.steadystate(TABLE1, model="dressed", delta=-400, N=8, K=4)
    assert r.N == 8  # computed all the same
    # a truncated steady state: the health check of `phonomaser steady`
    with pytest.warns(pm.PhonomaserWarning, match="Fock levels hold population"):
        pm.steadystate(TABLE1, N=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pm.steadystate(TABLE1, N="auto")  # none at the converged operating point


def test_config_ini_round_trip():
    cfg = pm.Config(TABLE1, overrides={"g": 20.0, "N": 50})
    text = cfg.ini()
    assert "g = 20" in text and "eta" not in text.split("[model]")[1].split("[")[0]
