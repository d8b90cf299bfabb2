#!/usr/bin/python3
"""Read phonomaser HDF5 result files: the reader of the phonomaser Python
package (src/python/phonomaser/h5.py: load(), density_matrix(), to_qobj(),
summary()), usable from here without building the package:

    /usr/bin/python3 tools/phonomaser_h5.py FILE.h5 [--rho [GROUP]]

Scripts in tools/ and benchmarks/ import it as `phonomaser_h5`."""
import importlib.util
import os
import sys

_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "python", "phonomaser", "h5.py")
_spec = importlib.util.spec_from_file_location("phonomaser_h5_impl", _PATH)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)
globals().update({name: value for name, value in vars(_module).items() if not name.startswith("__")})

if __name__ == "__main__":
    sys.exit(main())
