/* Shared pieces of the phonomaser commands: option parsing common to every
 * command, the stop flag set by SIGINT/SIGTERM, result reporting (stdout
 * `name = value` lines, HDF5 groups, health warnings on stderr). */
#ifndef PHONOMASER_CLI_H
#define PHONOMASER_CLI_H

#include <signal.h>
#include <stdio.h>

#include "config.h"
#include "api/run.h"
#include "phonomaser/io/h5io.h"
#include "phonomaser/io/results.h"
#include "phonomaser/model/model.h"
#include "phonomaser/phase_space/wigner.h"
#include "phonomaser/drivers/compare.h"
#include "phonomaser/drivers/converge.h"
#include "phonomaser/drivers/solve.h"
#include "phonomaser/drivers/map.h"

/* The stop flag: set by the SIGINT/SIGTERM handler (main.c), passed to
 * every long-running library call (defined in options.c). */
extern pm_stop_flag pm_cli_stop;

/* Register the temporary file of `path` (<path>.tmp.<pid>) to be removed if
 * a second SIGINT/SIGTERM makes the program exit at once (main.c). */
void pm_cli_forget_on_exit(const char *path);

/* SIGINT and SIGTERM: the first sets pm_cli_stop, a second exits at once. */
void pm_cli_install_signals(void);

/* Options every command takes; the command's own flags are handled by its
 * callback `extra` (return 1 if it consumed the option, 0 if unknown). */
typedef struct pm_cli_options {
    pm_run_config config;
    const char *output;   /* --output FILE.h5, or NULL */
    int quiet;            /* --quiet: no progress bar, no notes (warnings stay) */
    int help;             /* --help given */
    int output_given;     /* -o given (twice is an error) */
    int argc;             /* the arguments parsed (for pm_cli_set_given) */
    char **argv;
} pm_cli_options;

/* Whether `key` was given with --set (not by the -c file): a key that a
 * command's own flag replaces (--sweep, --eta, --state) is an error when
 * given so, and silently replaced when it comes from a file. */
int pm_cli_set_given(const pm_cli_options *opts, const char *key);

/* Parse argv (after the command name): -c/--config FILE (loaded first), --set
 * key=value (applied in order after the file; a key `command` does not use
 * is an error, pm_config_check_key_use), -o/--output FILE, -q/--quiet,
 * -h/--help; then pm_config_finish.  Prints one error line and returns
 * nonzero on bad input. */
int pm_cli_parse(const char *command, int argc, char **argv, pm_cli_options *opts);

/* ---- command-specific flags (flags.c) ----
 * Each command's own flags are taken out of argv before pm_cli_parse sees
 * the rest, then checked against the parsed configuration (values, and the
 * keys a flag replaces: --set of such a key is an error, the file's value is
 * replaced) before any work.  Numbers are decimal (params.h). */
#define PM_CLI_THREADS_MAX 4096
#define PM_CLI_ETA_MAX 16       /* columns of `theory` */
#define PM_CLI_GROUP_MAX 511    /* --state FILE:/GROUP */
enum { PM_CLI_COLUMNS_ETA = 1, /* theory: one column per etas[] */
       PM_CLI_COLUMNS_ONE = 2  /* theory: one column, the configuration's coupling */ };

typedef struct pm_cli_flags {
    const char *command;
    /* evolve */
    double checkpoint_seconds; /* --checkpoint (0: none), in (0, 1e9] */
    const char *resume;        /* --resume FILE */
    int settings_given;        /* -c or --set present (not allowed with --resume) */
    /* wigner */
    const char *state;         /* --state FILE.h5[:/GROUP] ... */
    char *state_path, *state_group; /* ... split (owned; group "" = the default groups) */
    /* theory */
    const char *eta_list;      /* --eta E1,E2,... */
    int theory_columns;        /* PM_CLI_COLUMNS_* */
    int neta;
    double etas[PM_CLI_ETA_MAX];
    /* compare */
    const char *sweep, *table;
    int threshold, langevin;
    long long seed, trajectories, threads; /* [0, 2^63-1] default 1; [10, 1e9] default 400; [1, 4096] */
    int seed_given, trajectories_given, threads_given;
    int sweeping;                      /* a sweep (--sweep or the sweep key), not one point */
    pm_sweep_variable sweep_variable;
    size_t sweep_count;
    double *sweep_values;              /* owned; one point: S */
    /* map (--threads and --resume as above) */
    const char *axis_spec[PM_MAP_MAX_AXES];
    int naxes;
    const char *quantities;
    pm_map_kind map_kind;              /* --quantities, default steady */
    pm_map_axis axes[PM_MAP_MAX_AXES]; /* parsed (owned; not with --resume: the journal's) */
    /* spectrum */
    long long points, tau_points;      /* --points [16, 1e7] (0: 2000), --tau-points [2, 1e7] (0: 400) */
    double rtol, tau_max;              /* --rtol (0, 1) (0: 1e-3), --tau-max > 0 [s] (0: automatic) */
    int no_x, no_tau;                  /* --no-x, --no-tau */
    double window_tol;                 /* --window-tol [0, 1) (given: window_tol_given; else 1e-16) */
    int window_tol_given;
    int linewidth_only;                /* --linewidth-only */
    /* the rest of argv, for pm_cli_parse (owned array) */
    int argc;
    char **argv;
} pm_cli_flags;

/* Take the flags of `command` out of argv (value syntax checked); 0 or the
 * exit code after one error line.  Free with pm_cli_flags_free in every case. */
int pm_cli_take_flags(const char *command, int argc, char **argv, pm_cli_flags *flags);
/* The checks after pm_cli_parse (conflicts with --set keys, the sweep
 * values, --eta, the --state split): 0 or the exit code after one line. */
int pm_cli_check_flags(const char *command, pm_cli_flags *flags, pm_cli_options *opts);
/* All three: take, pm_cli_parse(command, flags->argc, flags->argv), check
 * (skipped after --help).  No file is opened but the -c configuration. */
int pm_cli_parse_command(const char *command, int argc, char **argv, pm_cli_flags *flags, pm_cli_options *opts);
/* The model's regime warning (model.h) on stderr, -q or not, for the
 * configuration, or (flags not NULL) for the values of its sweep or map
 * axes (each axis's values with the other keys as configured): the first
 * such warning, with how many of the values it concerns. */
void pm_cli_warn_regime(const pm_cli_flags *flags, const pm_cli_options *opts);
void pm_cli_flags_free(pm_cli_flags *flags);
/* Whether `arg` takes a value for `command` (its own flags and the common
 * options). */
int pm_cli_command_takes_value(const char *command, const char *arg);

/* "phonomaser <command>: error: <message>" as one line; the exit code of
 * `status` (2 invalid input, 3 interrupted, 1 otherwise). */
int pm_cli_command_fail(const char *command, pm_status status);

/* The start every command shares: pm_cli_parse, then --help (calls `help`),
 * then the output file (created under its temporary name, *file = NULL
 * without --output).  Returns -1 when the command should go on, otherwise
 * the exit code to return at once (0 after --help). */
int pm_cli_begin(const char *command, int argc, char **argv, void (*help)(void), pm_cli_options *opts,
                 pm_h5file **file);

/* Before any work: check that the output file `path` can be written
 * (pm_h5_check_output: not a directory, a writable directory) and remove
 * the stale temporary files of dead processes (a note on stderr unless
 * quiet).  Returns 0, or the exit code after one error line. */
int pm_cli_check_output(const char *path, int quiet);

/* Print the common usage block and the key table. */
void pm_cli_print_common_help(FILE *out);

/* Print "phonomaser: error: <message>" on stderr and return the exit code. */
int pm_cli_fail(pm_status status);

/* stdout result lines */
void pm_report_double(const char *name, double value);
void pm_report_int(const char *name, long long value);
void pm_report_string(const char *name, const char *value);
void pm_report_observables(const pm_observables *obs);

/* The violated health limits (state.h) as warnings on stderr; their count. */
int pm_report_health(const pm_health *health);

/* HDF5: root attributes (command line, version, config as INI text) and
 * /parameters (pm_results_write_parameters, io/results.h); N_used is the
 * cutoff a run with N = auto chose (0: none, or N fixed).  The other groups
 * are written by the library's io/results.h. */
pm_status pm_report_h5_header(pm_h5file *file, const char *command, int argc, char **argv,
                              const pm_run_config *cfg, long N_used);

/* The convergence ladder as a table on `out`. */
void pm_report_ladder(FILE *out, const pm_converge_result *result);

/* Convergence options from the run configuration (tolerances, path, method). */
void pm_cli_converge_options(const pm_run_config *cfg, pm_converge_options *opts);

/* Resolve the solver path setting. */
/* Whether `arg` is one of the common options that take a value (-c, --config,
 * -s, --set, -o, --output): the one list every command's parser skips by. */
/* The progress bar on stderr (a pm_progress_fn, core/progress.h). */
void pm_cli_progress_bar(void *user, double fraction, const char *detail, int done);
int pm_cli_common_option_takes_value(const char *arg);
pm_path pm_cli_path(const pm_run_config *cfg);

/* The steady state of a run configuration exactly as `phonomaser steady`
 * computes it (api/run.h, with the stop flag pm_cli_stop and, unless quiet
 * or stderr is not a terminal, a progress bar over the N = auto search).
 * Clear with pm_cli_steady_clear in every case. */
typedef pm_run_steady pm_cli_steady;

pm_status pm_cli_steady_solve(const pm_run_config *cfg, int quiet, pm_cli_steady *run);
void pm_cli_steady_clear(pm_cli_steady *run);
/* The health warnings of the solved state on stderr (pm_report_health with
 * the residual scaled by the largest rate); returns their number. */
int pm_cli_steady_health(const pm_run_config *cfg, const pm_cli_steady *run);

/* A command stopped by SIGINT/SIGTERM (status PM_EINTERRUPT): with an
 * output file and at least one cutoff of `ladder` solved (may be NULL), the
 * file gets the header and the ladder so far under `group`, marked
 * complete = 0; otherwise it is removed.  One line on stderr; returns 3 (1
 * if the partial file cannot be written). */
int pm_cli_interrupted(const char *command, pm_h5file *file, const char *output, int argc, char **argv,
                       const pm_run_config *cfg, const pm_converge_result *ladder, const char *group);

/* The density matrix in `group` of the phonomaser file `path` (group "":
 * /steady/rho, else /evolve/rho_final) as the mechanical reduced state of
 * phase_space/wigner.h, and the file's /parameters (*have_params = 0 if it
 * records none complete); `spec` names it in messages.  For `wigner --state`
 * (state_file.c). */
pm_status pm_cli_read_state(const char *path, const char *group, const char *spec, pm_wigner_mech **mech,
                            pm_params *params, int *have_params);

/* The configuration as INI text (malloc'ed; NULL: out of memory), and back:
 * `text` loaded into cfg as an INI file would be (lines longer than the INI
 * reader takes applied as overrides), then pm_config_finish; errors name
 * `what` ("checkpoint", "map journal") and `where` (its file). */
char *pm_cli_config_text(const pm_run_config *cfg);
pm_status pm_cli_config_from_text(const char *what, const char *text, const char *where, pm_run_config *cfg);

/* MPI for `phonomaser map` (map_mpi.c; without MPI in the build, one
 * process on threads).  pm_cli_mpi_init initialises MPI only when started by
 * mpirun; returns 0 or an exit code. */
typedef struct pm_cli_mpi {
    int active;     /* MPI initialised */
    int rank, size; /* 0 and 1 without MPI */
} pm_cli_mpi;
int pm_cli_mpi_init(pm_cli_mpi *mpi);
void pm_cli_mpi_finalize(pm_cli_mpi *mpi);
/* Rank 0 failed before the ranks met: end every rank (MPI_Abort). */
void pm_cli_mpi_abort(pm_cli_mpi *mpi, int code);
/* Rank 0's text (malloc'ed) to every rank (*text replaced on the others). */
pm_status pm_cli_mpi_share_text(pm_cli_mpi *mpi, char **text);
/* A finished point's result, on rank 0 (journal it). */
typedef void (*pm_cli_mpi_record_fn)(void *user, size_t index, pm_status status, const double *values,
                                     const char *message);
/* pm_map_run over the ranks: on rank 0 its own threads and a coordinator that
 * gives every rank the next point and passes the other ranks' results to
 * `record`; on the others, `run` sends its result with
 * pm_cli_mpi_send_result.  Without MPI (or one rank) plain pm_map_run. */
pm_status pm_cli_mpi_map_run(pm_cli_mpi *mpi, const pm_params *base, size_t naxes, const pm_map_axis *axes,
                             const pm_map_run_options *opts, pm_map_point_fn run, void *user, size_t nvalues,
                             pm_cli_mpi_record_fn record, size_t *completed);
void pm_cli_mpi_send_result(size_t index, pm_status status, size_t nvalues, const double *values,
                            const char *message);
/* Every rank's busy wall and CPU seconds (pm_map_results) to rank 0, after
 * the map: all[2 r], all[2 r + 1] for rank r (all has 2 * size entries; used
 * on rank 0 only).  Collective: every rank calls it.  One process: its own. */
void pm_cli_mpi_gather_busy(pm_cli_mpi *mpi, double busy_seconds, double cpu_seconds, double *all);

int pm_cmd_steady(int argc, char **argv);
int pm_cmd_evolve(int argc, char **argv);
int pm_cmd_converge(int argc, char **argv);
int pm_cmd_theory(int argc, char **argv);
int pm_cmd_compare(int argc, char **argv);
int pm_cmd_wigner(int argc, char **argv);
int pm_cmd_map(int argc, char **argv);
int pm_cmd_spectrum(int argc, char **argv);

#endif
