/* Wall-clock time for the `seconds` figures every solver reports. */
#ifndef PHONOMASER_TIMER_H
#define PHONOMASER_TIMER_H

/* Monotonic wall-clock time [s] from an arbitrary origin. */
double pm_wall_seconds(void);

#endif
