"""Read phonomaser HDF5 result files (phonomaser.load): a small library and a summary CLI.

Interpreter: /usr/bin/python3 on purpose.  Debian's python3-h5py,
python3-numpy, python3-scipy and python3-qutip are installed for the system
interpreter; the `python3` first on PATH may be a pyenv build without them.

Library:
    load(path)            -> Group: nested dicts of numpy arrays (one Group per
                             HDF5 group); Group.attrs holds the group's
                             attributes, Group.dataset_attrs[name] those of a
                             dataset, Group.unit(name) its `unit`.
    density_matrix(path, group="/steady/rho")
                          -> (scipy.sparse.csr_matrix rho, N) without QuTiP
    to_qobj(path, group="/steady/rho")
                          -> qutip.Qobj with dims [[2, N], [2, N]]

CLI:
    /usr/bin/python3 tools/phonomaser_h5.py FILE.h5 [--rho [GROUP]]
    (or /usr/bin/python3 -m phonomaser.h5 FILE.h5 with the package importable)
prints the tree (groups, datasets with dtype/shape/unit, attributes with
their "<name>_unit" companions); --rho also checks the stored density matrix
(trace, Hermiticity, <n>, <sigma_z>) against the group's stored observables.

File layout (written by src/io/h5io.c and src/io/results.c (the library), src/cli/ (root attributes, per-command groups)):
    /                 creator, created (ISO-8601 UTC), complete (1; 0 = partial
                      results of an interrupted run), command, version, config_ini
    /parameters       one attribute per parameter plus "<name>_unit"
    /steady           n_mean, n2_mean, g2, sz_mean, trace, residual, ...;
                      datasets p_n [1], rho_spin (2 x 2 complex)
    /steady/rho       sparse density matrix: row, col (int64), value (complex),
                      attribute dim = 2N; basis index i = s*N + n, s = 0 spin up,
                      1 spin down (QuTiP's tensor(spin, fock) ordering)
    /evolve           t [s], n_mean, n2_mean, sz_mean, a_mean (complex), ...
Strings are variable-length UTF-8 (h5py returns str), complex data the
compound {r, i} that h5py returns as complex128.
"""

import argparse
import sys

import h5py
import numpy as np

RHO_GROUP = "/steady/rho"


class Group(dict):
    """One HDF5 group: child name -> numpy array (dataset) or Group."""

    def __init__(self, name):
        super().__init__()
        self.name = name
        self.attrs = {}
        self.dataset_attrs = {}

    def unit(self, dataset):
        """The `unit` attribute of a dataset of this group (None if absent)."""
        return self.dataset_attrs.get(dataset, {}).get("unit")


def _attr_value(value):
    """h5py attribute -> plain Python value (str, int, float, complex) or array."""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, np.ndarray) and value.dtype.names == ("r", "i"):
        value = value["r"] + 1j * value["i"]
    if isinstance(value, np.void) and value.dtype.names == ("r", "i"):
        return complex(value["r"], value["i"])
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray) and value.shape == ():
        return value[()].item()
    return value


def _attrs(obj):
    return {key: _attr_value(obj.attrs[key]) for key in obj.attrs}


def _dataset_array(dataset):
    data = dataset[()]
    # h5py maps the compound {r, i} to complex128 itself; keep a fallback for
    # other member types (e.g. float32 pairs)
    if isinstance(data, np.ndarray) and data.dtype.names == ("r", "i"):
        data = data["r"] + 1j * data["i"]
    return data


def _load_group(h5group):
    group = Group(h5group.name)
    group.attrs = _attrs(h5group)
    for key, item in h5group.items():
        if isinstance(item, h5py.Group):
            group[key] = _load_group(item)
        elif isinstance(item, h5py.Dataset):
            group[key] = _dataset_array(item)
            group.dataset_attrs[key] = _attrs(item)
    return group


def load(path):
    """Read the whole file into nested Groups (dicts of numpy arrays)."""
    with h5py.File(path, "r") as f:
        return _load_group(f)


def density_matrix(path, group=RHO_GROUP):
    """The sparse density matrix stored in `group`: (csr_matrix, N).

    Raises KeyError if the file holds no matrix there, ValueError if the
    stored indices or dimension are inconsistent."""
    with h5py.File(path, "r") as f:
        if group not in f or not isinstance(f[group], h5py.Group):
            raise KeyError(f"{path}: no density matrix group '{group}' "
                           "(it is written only when the run stores rho)")
        g = f[group]
        missing = [name for name in ("row", "col", "value") if name not in g]
        if missing or "dim" not in g.attrs:
            raise KeyError(f"{path}: '{group}' lacks "
                           + ", ".join(missing + ([] if "dim" in g.attrs else ["attribute dim"])))
        row = np.asarray(g["row"][()], dtype=np.int64)
        col = np.asarray(g["col"][()], dtype=np.int64)
        value = _dataset_array(g["value"]).astype(np.complex128)
        dim = int(g.attrs["dim"])
        adjoint_implied = int(g.attrs.get("adjoint_implied", 0))
    return triplets_to_csr(row, col, value, dim, adjoint_implied, where=f"{path}: '{group}'"), dim // 2


def triplets_to_csr(row, col, value, dim, adjoint_implied=0, where="rho"):
    """The density matrix given by its stored elements rho[row[q], col[q]] =
    value[q] (dimension dim = 2N) as a scipy.sparse.csr_matrix; with
    adjoint_implied, rho_ij = conj(rho_ji) wherever (i, j) itself is not
    stored (states kept on sectors k >= 0).  ValueError for inconsistent
    indices or dimension."""
    import scipy.sparse

    row = np.asarray(row, dtype=np.int64)
    col = np.asarray(col, dtype=np.int64)
    value = np.asarray(value, dtype=np.complex128)
    if dim <= 0 or dim % 2 != 0:
        raise ValueError(f"{where} has dim = {dim}, expected 2N with N >= 1")
    if not (row.shape == col.shape == value.shape and row.ndim == 1):
        raise ValueError(f"{where} row/col/value shapes differ: "
                         f"{row.shape}, {col.shape}, {value.shape}")
    for name, index in (("row", row), ("col", col)):
        if index.size and (index.min() < 0 or index.max() >= dim):
            raise ValueError(f"{where}/{name} has indices outside 0..{dim - 1}")
    rho = scipy.sparse.coo_matrix((value, (row, col)), shape=(dim, dim)).tocsr()
    if adjoint_implied:
        # elements stored on sectors k >= 0 only: rho_ij = conj(rho_ji) where
        # (i, j) itself is not stored
        stored = scipy.sparse.coo_matrix((np.ones(row.size), (row, col)), shape=(dim, dim)).tocsr()
        mirror = rho.conj().T.tocsr()
        absent = (stored.T.tocsr() - stored.multiply(stored.T)).astype(bool)
        rho = rho + mirror.multiply(absent)
    return rho


def to_qobj(path, group=RHO_GROUP):
    """The density matrix in `group` as a qutip.Qobj, dims [[2, N], [2, N]]
    (tensor(spin, fock): index s*N + n, s = 0 spin up = qutip.basis(2, 0))."""
    try:
        import qutip
    except ImportError as error:
        raise ImportError(
            "to_qobj() needs QuTiP, which is not importable here "
            f"({error}); install python3-qutip and run with /usr/bin/python3, "
            "or use density_matrix() for a scipy.sparse matrix") from error
    rho, N = density_matrix(path, group)
    return qutip.Qobj(rho, dims=[[2, N], [2, N]])


# ---------------------------------------------------------------- summary

def _format_value(value, width=60):
    if isinstance(value, str):
        return repr(value) if len(value) <= width else repr(value[:width]) + "..."
    if isinstance(value, float):
        return f"{value:.10g}"
    if isinstance(value, complex):
        return f"{value.real:.10g}{value.imag:+.10g}j"
    if isinstance(value, np.ndarray):
        return f"array {value.dtype} {value.shape}" if value.size > 6 else np.array2string(value)
    return str(value)


def _format_attrs(attrs, indent):
    lines = []
    for key, value in attrs.items():
        if key.endswith("_unit") and key[:-len("_unit")] in attrs:
            continue  # printed next to its value
        unit = attrs.get(key + "_unit")
        suffix = f" [{unit}]" if unit is not None else ""
        lines.append(f"{indent}@{key} = {_format_value(value)}{suffix}")
    return lines


def _summary_lines(h5group, indent=""):
    lines = _format_attrs(_attrs(h5group), indent + "  ")
    for key, item in h5group.items():
        if isinstance(item, h5py.Group):
            lines.append(f"{indent}  {key}/")
            lines.extend(_summary_lines(item, indent + "  "))
        else:
            attrs = _attrs(item)
            dtype = "complex128" if item.dtype.names == ("r", "i") else str(item.dtype)
            unit = attrs.pop("unit", None)
            compressed = f" {item.compression}" if item.compression else ""
            lines.append(f"{indent}  {key}  {dtype} {item.shape}"
                         + (f" [{unit}]" if unit is not None else "") + compressed)
            lines.extend(_format_attrs(attrs, indent + "      "))
    return lines


def summary(path):
    """The tree of `path` as text."""
    with h5py.File(path, "r") as f:
        complete = f.attrs.get("complete")
        if complete is None:
            state = "no 'complete' attribute: not a finished phonomaser file"
        elif int(complete) == 1:
            state = "complete"
        else:
            state = "PARTIAL: complete = 0 (results of an interrupted run)"
        lines = [f"{path}: {state}", "/"]
        lines.extend(_summary_lines(f))
    return "\n".join(lines)


def rho_check(path, group=RHO_GROUP):
    """Trace, Hermiticity and moments of the stored rho, next to the values
    stored as attributes of the parent group (e.g. /steady)."""
    rho, N = density_matrix(path, group)
    n_diag = np.tile(np.arange(N, dtype=float), 2)      # 1 (x) a^dag a
    sz_diag = np.concatenate([np.ones(N), -np.ones(N)])  # sigma_z (x) 1
    diagonal = rho.diagonal()
    herm = abs(rho - rho.conj().T).max() if rho.nnz else 0.0
    computed = {
        "trace": diagonal.sum().real,
        "n_mean": (n_diag * diagonal).sum().real,
        "n2_mean": (n_diag ** 2 * diagonal).sum().real,
        "sz_mean": (sz_diag * diagonal).sum().real,
    }
    parent = group.rsplit("/", 1)[0] or "/"
    with h5py.File(path, "r") as f:
        stored = _attrs(f[parent]) if parent in f else {}
    lines = [f"{group}: N = {N}, dim = {2 * N}, nnz = {rho.nnz}, "
             f"max |rho - rho^dag| = {herm:.3g}"]
    for key, value in computed.items():
        ref = stored.get(key)
        ref_text = f"   stored {parent}@{key} = {ref:.12g}" if isinstance(ref, float) else ""
        lines.append(f"  {key:8s} = {value:.12g}{ref_text}")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Summarise a phonomaser HDF5 result file (groups, datasets, attributes).")
    parser.add_argument("file", help="an .h5 file written by phonomaser")
    parser.add_argument("--rho", nargs="?", const=RHO_GROUP, metavar="GROUP",
                        help=f"also check the density matrix in GROUP (default {RHO_GROUP})")
    args = parser.parse_args(argv)
    try:
        print(summary(args.file))
        if args.rho:
            print(rho_check(args.file, args.rho))
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`
        sys.stdout = None
        return 0
    except OSError as error:
        print(f"phonomaser_h5: {args.file}: {error}", file=sys.stderr)
        return 1
    except (KeyError, ValueError) as error:  # these messages name the file
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        print(f"phonomaser_h5: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
