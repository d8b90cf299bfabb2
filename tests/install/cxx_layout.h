/* Structs of the public API whose layout a C++ caller must see as C does
 * (those holding pm_complex or pm_stop_flag, and a few around them): the
 * same list is expanded by test_cxx_layout.c (compiled as C) and
 * test_cxx_headers.cpp (as C++), which compares sizes and offsets. */
#ifndef PM_CXX_LAYOUT_H
#define PM_CXX_LAYOUT_H

#include <stddef.h>

#define PM_LAYOUT_LIST(X)                        \
    X(pm_sparse, values)                         \
    X(pm_triplets, value)                        \
    X(pm_initial, alpha)                         \
    X(pm_initial, p_up)                          \
    X(pm_observables, a_mean)                    \
    X(pm_observables, a2_mean)                   \
    X(pm_observables, rho_spin)                  \
    X(pm_observables, p_n)                       \
    X(pm_linear_observables, a_mean)             \
    X(pm_state, x)                               \
    X(pm_timeseries, a_mean)                     \
    X(pm_steady_options, stop)                   \
    X(pm_steady_result, obs)                     \
    X(pm_steady_result, path_note)               \
    X(pm_spectrum_options, shift)                \
    X(pm_spectrum_options, stop)                 \
    X(pm_spectrum, shift)                        \
    X(pm_compare_point, lambda_k1)               \
    X(pm_checkpoint_block, x)                    \
    X(pm_wigner_mech, diag)                      \
    X(pm_model, jumps)                           \
    X(pm_model, sector_step)

#ifdef __cplusplus
extern "C" {
#endif
/* C's view: number of entries; for entry k its struct's size and offset. */
size_t pm_test_c_layout_count(void);
void pm_test_c_layout(size_t k, size_t *struct_size, size_t *member_offset);
size_t pm_test_c_sizeof_stop_flag(void);
#ifdef __cplusplus
}
#endif

#endif
