/* A handle-based API for language bindings (the Python package
 * src/python/phonomaser uses it through cffi in ABI mode).
 *
 * Only opaque objects, scalars, strings and caller-owned buffers cross this
 * interface: no struct layout has to be mirrored by the caller, so a struct
 * of the library can change without breaking a binding.
 *   pm_api_config   a run configuration: the keys of the command line (model
 *                   keys of params.h, user terms H.<name>/D.<name> of
 *                   terms.h, the run keys of `phonomaser <command> --help`),
 *                   set by name from strings or read from an INI file, with
 *                   the command line's validation and messages;
 *   pm_api_model    a model given by its operators: H and jump operators on
 *                   spin (x) Fock of dimension 2N as sparse triplets (basis
 *                   index i = s N + n, s = 0 up: QuTiP's tensor(spin, fock));
 *                   the library derives the excitation-number sectors from
 *                   the operators (pm_liouvillian_sector_step) and uses the
 *                   sector path when they are invariant, else the full
 *                   Liouvillian (with a note);
 *   pm_api_control  the stop flag and the progress callback of a call;
 *   pm_api_result   what a call computed: named scalars, strings and arrays
 *                   (listed with pm_api_result_name), copied out by name.
 * Every function that can fail returns a pm_status (error.h) and leaves a
 * one-line message in pm_error_message() of the calling thread.  Objects
 * are not shared between threads while a call uses them; different objects
 * may be used from different threads at the same time.
 *
 * Complex arrays are interleaved doubles {re, im} (numpy's complex128).
 * The declarations between the cdef markers are plain C that a binding
 * parses as it is (cffi's cdef), after declaring pm_status and
 * pm_progress_fn. */
#ifndef PHONOMASER_API_HANDLE_H
#define PHONOMASER_API_HANDLE_H

#include <stddef.h>
#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/core/error.h"
#include "phonomaser/core/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

/* cdef-begin */
typedef struct pm_api_config pm_api_config;
typedef struct pm_api_model pm_api_model;
typedef struct pm_api_control pm_api_control;
typedef struct pm_api_result pm_api_result;

/* ---- configurations: defaults (Table I, params.h), then keys in order */
pm_status pm_api_config_new(pm_api_config **out);
void pm_api_config_free(pm_api_config *config);
/* Apply an INI file as `-c FILE` does (errors name file:line). */
pm_status pm_api_config_load_ini(pm_api_config *config, const char *path);
/* Set one key from its text, as `--set key=value` does (an override of g
 * replaces an eta given before, and so on). */
pm_status pm_api_config_set(pm_api_config *config, const char *key, const char *value);
/* Check every key and derive the rates (done by every run on a copy; call
 * it to validate early).  The effective configuration as INI text goes into
 * text[size] (truncated, NUL-terminated); returns the length it needs
 * (without the NUL), or -1 on failure (message set). */
long pm_api_config_ini(pm_api_config *config, char *text, size_t size);
/* The model's regime warning for the configuration (model.h: valid
 * parameters outside what the model is meant for, e.g. model = dressed at
 * delta <= -omega_m) into text[size]; returns its length, 0 if none, -1 if
 * the configuration is invalid (message set).  Runs still compute. */
long pm_api_config_warning(pm_api_config *config, char *text, size_t size);
/* Whether the command `command` (steady, evolve, converge, wigner, theory,
 * compare, map) takes `key`: PM_OK, or PM_EINVAL naming `label` (the
 * caller's call, e.g. "steadystate(sweep=...)"; NULL: "--set KEY") and the
 * commands that take it, as the command line refuses `--set` of a key the
 * command does not use.  A binding checks a call's own keys with it (not a
 * configuration's, which may hold the keys of every command, as a file). */
pm_status pm_api_key_check(const char *command, const char *key, const char *label);

/* ---- control of a call: stop flag and progress (both optional) */
pm_status pm_api_control_new(pm_api_control **out);
void pm_api_control_free(pm_api_control *control);
/* Request a stop: the running call returns PM_EINTERRUPT at its next check
 * (error.h, each solver's header says how often).  An atomic store:
 * callable from a signal handler or any thread. */
void pm_api_control_stop(pm_api_control *control);
/* Clear the request (before the next call); whether one is pending. */
void pm_api_control_reset(pm_api_control *control);
int pm_api_control_stopped(const pm_api_control *control);
/* Progress reports (progress.h; called from the solving thread) of
 * evolutions, maps and spectra, and of the cutoff search (N = auto) of
 * steady states, converge and compare; NULL: none. */
void pm_api_control_set_progress(pm_api_control *control, pm_progress_fn report, void *user);

/* ---- runs from a configuration (control may be NULL) */
/* The steady state exactly as `phonomaser steady` computes it (N = auto:
 * the cutoff search; the ladder then in the arrays ladder_*). */
pm_status pm_api_steadystate(const pm_api_config *config, pm_api_control *control, pm_api_result **out);
/* The cutoff ladder of `phonomaser converge` (key `ladder`, or automatic). */
pm_status pm_api_converge(const pm_api_config *config, pm_api_control *control, pm_api_result **out);
/* `phonomaser evolve`: from the key `initial` over the key `times` or
 * t_final/n_times; times[ntimes] (increasing, >= 0; ntimes = 0: the keys)
 * replace the keys' output times.  Interrupted: PM_EINTERRUPT and *out
 * holds the output times reached. */
pm_status pm_api_mesolve(const pm_api_config *config, const double *times, size_t ntimes,
                         pm_api_control *control, pm_api_result **out);
/* `phonomaser compare` at one point (the exact model against the reduced
 * theory): per quantity q the scalars q_exact, q_reduced, q_rel_dev,
 * q_applies.  A model with a rotating-wave reference (model = dressed): the
 * four-way comparison, q_c and q_c_rel_dev for q in n_mean, g2, sz_mean,
 * gamma_eff, freq_shift and c in dressed, jc, reduced_rwa,
 * reduced_beyond_rwa, with N, K, N_jc, N_amplitude_mode. */
pm_status pm_api_compare(const pm_api_config *config, pm_api_control *control, pm_api_result **out);

/* `phonomaser map` (drivers/map.h) on threads: axes[naxes] (1 or 2) as
 * --axis takes them ("S=-0.1:0.3:41", "delta=log:...", "eta=0.1,0.2"),
 * quantities "steady" or "compare", threads 0: all cores.  Arrays: the axis
 * values "axis0" (and "axis1"), "status" (per point, first axis slowest: 0
 * ok, a status code, NaN not computed) and one array per quantity (its
 * name, per point); strings "axis0_key" ("axis1_key"), "quantities"; a
 * failed point does not fail the call.  Interrupted: PM_EINTERRUPT and *out
 * holds the points done. */
pm_status pm_api_map(const pm_api_config *config, const char *quantities, const char *const *axes, size_t naxes,
                     int threads, pm_api_control *control, pm_api_result **out);

/* `phonomaser spectrum`: the steady state (as pm_api_steadystate), then the
 * spectra and correlations of drivers/correlation.h.  points: the grid's
 * budget (0: 2000), rtol (0: 1e-3), want_x, want_tau: S_xx and <x x>, g1,
 * g2 (tau_max 0: automatic).  Scalars linewidth_fwhm, line_shift,
 * linewidth_slowest_mode, linewidth_fp, linewidth_reduced [rad/s],
 * sum_rule_error, coherent_weight, n_mean, N, K, spectrum_points,
 * spectrum_resolved, S_th, frame_omega [rad/s]; arrays omega, S_a (model
 * frame), omega_x, S_x (lab), tau [s], g1 (complex), g2, xx (complex);
 * string frame. */
pm_status pm_api_spectrum(const pm_api_config *config, size_t points, double rtol, int want_x, int want_tau,
                          double tau_max, pm_api_control *control, pm_api_result **out);

/* ---- Wigner function of a state given by triplets rho[row[q]][col[q]] =
 * values[q] on spin (x) Fock (dim = 2N; adjoint_implied: rho_ji =
 * conj(rho_ij) where (j, i) is not given, as a result's rho_* arrays).
 * With z == NULL: the square image of `phonomaser wigner` (points per axis,
 * range <= 0 automatic) plus the radial profile; else W on z[nz] x p[np]
 * (array W, W[iz * np + ip]). */
pm_status pm_api_wigner(int64_t dim, size_t count, const int64_t *row, const int64_t *col, const double *values,
                        int adjoint_implied, size_t points, double range, size_t nz, const double *z, size_t np,
                        const double *p, pm_api_control *control, pm_api_result **out);

/* ---- models from operators on spin (x) Fock, dimension 2N (N >= 1) */
pm_status pm_api_model_new(int64_t N, pm_api_model **out);
void pm_api_model_free(pm_api_model *model);
/* H [rad/s] (replaces a previous one; duplicates are summed) and
 * rate * D[L] (rate [1/s] >= 0; at most 24 jumps). */
pm_status pm_api_model_set_hamiltonian(pm_api_model *model, size_t count, const int64_t *row, const int64_t *col,
                                       const double *values);
pm_status pm_api_model_add_jump(pm_api_model *model, double rate, size_t count, const int64_t *row,
                                const int64_t *col, const double *values);
/* The Liouvillian's sector coupling (pm_liouvillian_sector_step) for the
 * charge the library found: 0 if every excitation-difference sector is
 * invariant (then the sector path is used), 2 for parity, ...; the charge
 * is n + (spin up) or, if that one is not conserved, n - (spin up) (the
 * anti-Jaynes-Cummings symmetry).  -1 on failure. */
int64_t pm_api_model_sector_step(pm_api_model *model);
/* path: "auto" (sectors when invariant), "sector" or "full"; method:
 * "direct" or "arpack"; NULL: the defaults. */
pm_status pm_api_model_steadystate(pm_api_model *model, const char *path, const char *method,
                                   pm_api_control *control, pm_api_result **out);
/* drho/dt = L rho from rho0 (triplets, Hermitian, all elements given) over
 * times[ntimes] (the first is the start), with the expectation values
 * Tr(E_m rho(t)) of neops operators E_m given as triplets concatenated:
 * operator m holds the entries eop_start[m] .. eop_start[m + 1] - 1
 * (eop_start has neops + 1 entries).  Results: t, expect_<m> (complex),
 * the fixed observables of every evolution, and the final state (rho_*).
 * rtol, atol <= 0: the defaults (1e-8, 1e-10). */
pm_status pm_api_model_mesolve(pm_api_model *model, const char *path, size_t rho0_count, const int64_t *rho0_row,
                               const int64_t *rho0_col, const double *rho0_values, size_t ntimes, const double *times,
                               size_t neops, const size_t *eop_start, const int64_t *eop_row, const int64_t *eop_col,
                               const double *eop_values, double rtol, double atol, pm_api_control *control,
                               pm_api_result **out);

/* ---- results */
void pm_api_result_free(pm_api_result *result);
/* The name of entry `index` of a kind ('s' scalars, 't' strings, 'a'
 * arrays), NULL past the last: a binding lists a result without knowing it. */
const char *pm_api_result_name(const pm_api_result *result, char kind, size_t index);
/* A scalar (NaN if absent) and a string (NULL if absent). */
double pm_api_result_scalar(const pm_api_result *result, const char *name);
const char *pm_api_result_string(const pm_api_result *result, const char *name);
/* An array: its type ('d' double, 'c' complex (2 doubles each), 'i'
 * int64_t; 0 if absent), its length, and a copy into out (at least
 * length elements of the type). */
char pm_api_result_array_type(const pm_api_result *result, const char *name);
int64_t pm_api_result_array_length(const pm_api_result *result, const char *name);
pm_status pm_api_result_array_copy(const pm_api_result *result, const char *name, void *out, size_t bytes);
/* cdef-end */

#ifdef __cplusplus
}
#endif

#endif
