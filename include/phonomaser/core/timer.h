/* Wall-clock time for the `seconds` figures every solver reports. */
#ifndef PHONOMASER_TIMER_H
#define PHONOMASER_TIMER_H

#ifdef __cplusplus
extern "C" {
#endif

/* Monotonic wall-clock time [s] from an arbitrary origin. */
double pm_wall_seconds(void);

#ifdef __cplusplus
}
#endif

#endif
