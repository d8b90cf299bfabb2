#!/usr/bin/python3
"""Tests of tools/phonomaser_h5.py:  /usr/bin/python3 tools/test_reader.py

The files are written with h5py using the on-disk types of src/h5io.c
(complex128 -> compound {r, i} of float64, str -> variable-length UTF-8,
int64), in the layout of src/io/results.c.  tests/io/test_h5io.c checks that
the C writer produces exactly these types.  Runs with /usr/bin/python3 for
Debian's h5py, numpy, scipy and QuTiP (see phonomaser_h5.py)."""

import os
import subprocess
import sys
import tempfile
import unittest

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import phonomaser_h5 as ph  # noqa: E402

N = 6


def spin_fock_state():
    """A mixed state with spin-Fock correlations and coherences between
    different Fock levels, and the factors it is built from."""
    rng = np.random.default_rng(7)
    fock = rng.normal(size=N) + 1j * rng.normal(size=N)
    fock /= np.linalg.norm(fock)
    spin = np.array([[0.7, 0.2 - 0.1j], [0.2 + 0.1j, 0.3]])
    thermal = np.diag(0.5 ** np.arange(N))
    thermal /= np.trace(thermal)
    # 0.6 spin (x) |fock><fock| + 0.4 |down><down| (x) thermal
    pure = np.kron(spin, np.outer(fock, fock.conj()))
    down = np.kron(np.diag([0.0, 1.0]), thermal)
    return 0.6 * pure + 0.4 * down, spin, fock, thermal


def write_file(path, rho=None, complete=1, half=False, dim=None):
    with h5py.File(path, "w") as f:
        f.attrs["creator"] = "phonomaser 0.1.0"
        f.attrs["created"] = "2024-01-01T00:00:00Z"
        f.attrs["complete"] = np.int64(complete)
        f.attrs["command"] = "phonomaser steady --set N=6 \u03b7"
        par = f.create_group("parameters")
        par.attrs["omega_m"] = 314.159
        par.attrs["omega_m_unit"] = "rad/s"
        par.attrs["N"] = np.int64(N)
        steady = f.create_group("steady")
        steady.create_dataset("p_n", data=np.linspace(0, 1, N)).attrs["unit"] = "1"
        evolve = f.create_group("evolve")
        evolve.create_dataset("t", data=np.arange(4.0)).attrs["unit"] = "s"
        evolve.create_dataset("a_mean", data=np.array([1 + 2j, -3j, 0.5, 0])).attrs["unit"] = "1"
        if rho is not None:
            n_diag = np.tile(np.arange(N), 2)
            sz_diag = np.repeat([1.0, -1.0], N)
            steady.attrs["n_mean"] = float(np.real(n_diag @ np.diag(rho)))
            steady.attrs["n_mean_unit"] = "1"
            steady.attrs["sz_mean"] = float(np.real(sz_diag @ np.diag(rho)))
            row, col = np.nonzero(rho)
            if half:  # upper triangle only, the rest by Hermiticity
                keep = row <= col
                row, col = row[keep], col[keep]
            g = steady.create_group("rho")
            g.create_dataset("row", data=row.astype(np.int64))
            g.create_dataset("col", data=col.astype(np.int64))
            g.create_dataset("value", data=rho[row, col].astype(np.complex128))
            g.attrs["dim"] = np.int64(2 * N if dim is None else dim)
            if half:
                g.attrs["adjoint_implied"] = np.int64(1)


class ReaderTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "r.h5")

    def tearDown(self):
        self.dir.cleanup()

    def test_types_on_disk_match_the_c_writer(self):
        write_file(self.path)
        with h5py.File(self.path, "r") as f:
            value_type = f["evolve/a_mean"].id.get_type()
            self.assertEqual([value_type.get_member_name(i) for i in range(2)], [b"r", b"i"])
            self.assertTrue(f.attrs.get_id("command").get_type().is_variable_str())

    def test_load(self):
        rho, *_ = spin_fock_state()
        write_file(self.path, rho)
        data = ph.load(self.path)
        self.assertIsInstance(data, dict)
        self.assertEqual(data.attrs["complete"], 1)
        self.assertIsInstance(data.attrs["complete"], int)
        self.assertEqual(data.attrs["command"], "phonomaser steady --set N=6 \u03b7")
        self.assertEqual(data["parameters"].attrs["omega_m"], 314.159)
        self.assertEqual(data["parameters"].attrs["omega_m_unit"], "rad/s")
        self.assertEqual(data["evolve"].unit("t"), "s")
        self.assertIsNone(data["steady"]["rho"].unit("row"))
        a_mean = data["evolve"]["a_mean"]
        self.assertEqual(a_mean.dtype, np.complex128)
        np.testing.assert_array_equal(a_mean, [1 + 2j, -3j, 0.5, 0])
        self.assertEqual(data["steady"]["rho"]["row"].dtype, np.int64)

    def test_density_matrix_and_qobj(self):
        import qutip
        rho, spin, fock, thermal = spin_fock_state()
        for half in (False, True):
            write_file(self.path, rho, half=half)
            matrix, n_levels = ph.density_matrix(self.path)
            self.assertEqual(n_levels, N)
            np.testing.assert_array_equal(matrix.toarray(), rho)
            q = ph.to_qobj(self.path, group="/steady/rho")
            self.assertEqual(q.dims, [[2, N], [2, N]])
            # the ordering is QuTiP's tensor(spin, fock)
            ref = 0.6 * qutip.tensor(qutip.Qobj(spin), qutip.ket2dm(qutip.Qobj(fock))) \
                + 0.4 * qutip.tensor(qutip.fock_dm(2, 1), qutip.Qobj(thermal))
            self.assertLess(abs((q - ref).full()).max(), 1e-15)
            self.assertAlmostEqual(q.ptrace(0)[0, 0], 0.6 * 0.7, places=14)
            sz = qutip.expect(qutip.tensor(qutip.sigmaz(), qutip.qeye(N)), q)
            self.assertAlmostEqual(sz, ph.load(self.path)["steady"].attrs["sz_mean"], places=14)

    def test_qobj_without_qutip(self):
        rho, *_ = spin_fock_state()
        write_file(self.path, rho)
        saved = sys.modules.get("qutip")
        sys.modules["qutip"] = None  # makes `import qutip` raise ImportError
        try:
            with self.assertRaisesRegex(ImportError, "needs QuTiP.*density_matrix"):
                ph.to_qobj(self.path)
        finally:
            if saved is None:
                del sys.modules["qutip"]
            else:
                sys.modules["qutip"] = saved

    def test_bad_rho(self):
        rho, *_ = spin_fock_state()
        write_file(self.path)  # no rho stored
        with self.assertRaisesRegex(KeyError, "no density matrix group '/steady/rho'"):
            ph.density_matrix(self.path)
        write_file(self.path, rho, dim=2 * N - 1)
        with self.assertRaisesRegex(ValueError, "dim = 11"):
            ph.density_matrix(self.path)
        write_file(self.path, rho, dim=2 * N - 2)  # indices beyond dim
        with self.assertRaisesRegex(ValueError, "outside"):
            ph.density_matrix(self.path)

    def run_cli(self, *args):
        return subprocess.run([sys.executable, os.path.join(HERE, "phonomaser_h5.py"), *args],
                              capture_output=True, text=True, check=False)

    def test_cli(self):
        rho, *_ = spin_fock_state()
        write_file(self.path, rho, complete=0)
        out = self.run_cli(self.path, "--rho")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("PARTIAL", out.stdout)
        self.assertIn("@omega_m = 314.159 [rad/s]", out.stdout)
        self.assertNotIn("omega_m_unit", out.stdout)
        self.assertIn("a_mean  complex128 (4,) [1]", out.stdout)
        n_mean = float(np.real(np.tile(np.arange(N), 2) @ np.diag(rho)))
        self.assertIn(f"n_mean   = {n_mean:.12g}   stored /steady@n_mean = {n_mean:.12g}",
                      out.stdout)
        missing = self.run_cli(os.path.join(self.dir.name, "missing.h5"))
        self.assertEqual(missing.returncode, 1)
        self.assertIn("missing.h5", missing.stderr)
        self.assertEqual(missing.stdout, "")


if __name__ == "__main__":
    unittest.main()
