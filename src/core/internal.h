/* Internal (not installed): marks the declarations of internal headers so
 * that the shared library does not export them (its exported symbols are
 * exactly the installed headers' functions: tests/install/test_install.sh
 * checks it).  Every function or object declared in a header under src/
 * carries PM_INTERNAL. */
#ifndef PHONOMASER_INTERNAL_H
#define PHONOMASER_INTERNAL_H

#if defined(__GNUC__) || defined(__clang__)
#define PM_INTERNAL __attribute__((visibility("hidden")))
#else
#define PM_INTERNAL
#endif

#endif
