/* Mathematical and physical constants, each spelled once (macros only: the
 * same in C and C++).  Physical constants: CODATA 2018 exact SI values. */
#ifndef PHONOMASER_CONSTANTS_H
#define PHONOMASER_CONSTANTS_H

#define PM_PI 3.141592653589793238462643383279502884
#define PM_TWO_PI (2 * PM_PI) /* exact in binary: the same double as 2 pi rounded */

#define PM_PLANCK_H 6.62607015e-34  /* [J s] */
#define PM_BOLTZMANN_KB 1.380649e-23 /* [J/K] */
#define PM_HBAR (PM_PLANCK_H / PM_TWO_PI)
#define PM_HBAR_OVER_KB (PM_HBAR / PM_BOLTZMANN_KB) /* [K s] */

#endif
