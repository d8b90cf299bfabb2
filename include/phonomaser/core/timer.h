/* Wall-clock time for the `seconds` figures every solver reports, and a
 * thread's CPU time (the busy time of a map's workers). */
#ifndef PHONOMASER_TIMER_H
#define PHONOMASER_TIMER_H

#ifdef __cplusplus
extern "C" {
#endif

/* Monotonic wall-clock time [s] from an arbitrary origin. */
double pm_wall_seconds(void);
/* CPU time [s] the calling thread has used (CLOCK_THREAD_CPUTIME_ID). */
double pm_thread_cpu_seconds(void);

#ifdef __cplusplus
}
#endif

#endif
