/* Run configuration of the command-line program: the model parameters plus
 * the settings of the steady-state and evolution runs.
 *
 * Sources, in order: defaults (pm_config_init), an INI file
 * (pm_config_load_ini), `--set key=value` overrides
 * (pm_config_apply_override), then pm_config_finish(), which derives the
 * model rates and checks everything that depends on more than one key, so
 * that every input error is reported before any work starts.  Later values
 * of the same key win; conflicting keys (eta and g, ...) are errors.
 *
 * Model keys are those of phonomaser/params.h, plus the user terms
 * H.<name> and D.<name> (phonomaser/terms.h); run keys are listed by
 * pm_config_print_keys() (one key table in config.c holds their unit,
 * default, allowed range and help text). */
#ifndef PHONOMASER_CLI_CONFIG_H
#define PHONOMASER_CLI_CONFIG_H

#include <stdio.h>

#include "phonomaser/solvers/evolve.h"
#include "phonomaser/core/params.h"
#include "phonomaser/state/state.h"
#include "phonomaser/solvers/steady.h"

#define PM_CONFIG_WORD 16
#define PM_LADDER_MAX 64
/* One command-line argument holds at most 128 KiB (Linux MAX_ARG_STRLEN),
 * so at most 65536 values "0,1,..."; an INI line holds about 40. */
#define PM_TIMES_MAX 65536

typedef struct pm_run_config {
    pm_params params;
    /* steady */
    char method[PM_CONFIG_WORD];        /* "direct" (default) | "arpack" */
    char lu[PM_CONFIG_WORD];            /* "auto" (default) | "klu" | "umfpack" | "band" */
    char real_fold[PM_CONFIG_WORD];     /* "auto" (default) | "on" | "off" */
    double arpack_tol;                  /* ARPACK accuracy, 0 = machine precision, >= 0 */
    /* evolve */
    double t_final;                     /* [s], > 0, default 20 */
    long n_times;                       /* output times in [0, t_final], 2..1e7, default 201 */
    double times[PM_TIMES_MAX];         /* explicit output times [s], increasing, >= 0 ... */
    int times_count;                    /* ... (0: n_times evenly spaced in [0, t_final]) */
    char initial[PM_CONFIG_WORD];       /* "thermal" (default) | "fock" | "coherent" | "vacuum" */
    long fock_n;                        /* Fock level for initial = fock, 0 <= fock_n < N */
    double alpha_re, alpha_im;          /* coherent amplitude for initial = coherent */
    double rtol, atol;                  /* CVODE tolerances, defaults 1e-8, 1e-10 */
    double sector_tol;                  /* initial coherences below this are dropped (sector choice) */
    char linear_solver[PM_CONFIG_WORD]; /* "auto" (default) | "klu" | "spgmr" | "lu" */
    /* solver path */
    char path[PM_CONFIG_WORD];          /* "auto" (default: sectors when the model allows) | "full" | "sector" */
    /* health */
    double tail_tol;                    /* warn if the top Fock levels hold more, in (0, 1) */
    double converge_tol;                /* relative change of <n> that ends N = auto, in (0, 1) */
    long ladder[PM_LADDER_MAX];         /* cutoffs of `phonomaser converge` (increasing, >= 2) */
    int ladder_count;                   /* 0: automatic growth as for N = auto */
    int store_rho;                      /* 1: store the full density matrix in the HDF5 file */
    double wigner_range;                /* wigner: grid z, p in [-range, range]; 0 = auto */
    long wigner_points;                 /* wigner: grid points per axis, 2..2001, default 401 */
    /* compare, theory */
    char sweep[PM_CONFIG_WORD];         /* "none" (default) | "S" | "delta" | "eta" | "n_th" */
    double sweep_from, sweep_to;        /* sweep range (unit of the swept key), defaults 0, 0.3 */
    long sweep_points;                  /* evenly spaced values, 1..100000, default 31 */
    double gamma_cool, n_cool;          /* Appendix C cold damping [1/s], bath occupation; defaults 0 */
} pm_run_config;

/* Defaults: Table I model parameters (params.h) and the run defaults above. */
void pm_config_init(pm_run_config *cfg);

/* Set one key (model keys go to pm_params_set).  Unknown keys get the
 * closest model or run key as a suggestion. */
pm_status pm_config_set(pm_run_config *cfg, const char *key, const char *value);

/* Apply an INI file.  Keys may stand in any section or before the first;
 * the sections [model], [terms], [steady], [evolve], [solver], [output] are
 * accepted (and only group keys), other section names are errors.  User
 * terms H.<name> / D.<name> (phonomaser/terms.h) belong in [terms].  A key may appear
 * once per file.  Errors name file:line; a missing file gives PM_EIO
 * "cannot read config file 'x': No such file or directory", as does a read
 * error.  The file must be text: a NUL byte anywhere is an error (PM_EINVAL,
 * naming its line and column, before any other error of the file), and so is a file (or an endless stream such as /dev/urandom)
 * longer than PM_CONFIG_MAX_BYTES; no line is held in memory beyond the
 * parser's limit, so reading needs no allocation that could fail.  On
 * failure the configuration may be partly updated. */
pm_status pm_config_load_ini(pm_run_config *cfg, const char *path);
/* Reading stops with PM_EINTERRUPT once *stop is nonzero (checked before
 * each line, every 64 KiB of a long line and when a blocking read is
 * interrupted); NULL: never. */
void pm_config_set_stop(const pm_stop_flag *stop);

/* Apply one `--set key=value` (white space around key and value ignored). */
pm_status pm_config_apply_override(pm_run_config *cfg, const char *assignment);

/* pm_params_derive plus the checks across keys (fock_n < N, ...) and a
 * range check of every run field (a C caller may fill the struct directly). */
pm_status pm_config_finish(pm_run_config *cfg);

/* ---- which command uses which key ----
 * A configuration file may hold the keys of every command (the config_ini
 * record of a run holds them all): a command ignores the keys it does not
 * use there.  Given with --set, such a key is an error (pm_cli_parse). */
enum {
    PM_CMD_STEADY = 1u << 0,
    PM_CMD_EVOLVE = 1u << 1,
    PM_CMD_CONVERGE = 1u << 2,
    PM_CMD_WIGNER = 1u << 3,
    PM_CMD_THEORY = 1u << 4,
    PM_CMD_COMPARE = 1u << 5,
    PM_CMD_MAP = 1u << 6,
    PM_CMD_SPECTRUM = 1u << 7,
    PM_CMD_ALL = (1u << 8) - 1
};
/* The bit of the command named `command` ("steady", ...); 0 if none. */
unsigned pm_config_command_bit(const char *command);
/* The commands that use `key` (a model key, a user term H.<name> /
 * D.<name>, a run key); 0 for an unknown key. */
unsigned pm_config_key_commands(const char *key);
/* PM_OK if `command` uses `key` (or the key is unknown: pm_config_set
 * names it); otherwise PM_EINVAL, one line naming the key, the command and
 * the commands that use it. */
pm_status pm_config_check_key_use(const char *command, const char *key);
/* The same, the message naming `label` (the Python call, e.g.
 * "steadystate(sweep=...)") instead of "--set KEY" (label NULL). */
pm_status pm_config_check_key_use_as(const char *command, const char *key, const char *label);

/* PM_OK if `key` has an effect with the other settings of `cfg` (after
 * pm_config_finish); otherwise PM_EINVAL, one line: fock_n needs initial =
 * fock, alpha initial = coherent, t_final and n_times an empty times list
 * (compare's sweep keys: flags.c, which knows --sweep).  For keys given with
 * --set. */
pm_status pm_config_check_key_applies(const pm_run_config *cfg, const char *key);

/* The largest configuration file pm_config_load_ini reads (16 MiB). */
#define PM_CONFIG_MAX_BYTES (16L * 1024 * 1024)

/* All keys, model then run, NULL-terminated. */
const char *const *pm_config_key_names(void);

/* Every key with unit, default, allowed range and help (for --help). */
void pm_config_print_keys(FILE *out);

/* The effective configuration as an INI file that pm_config_load_ini reads
 * back to the same values (for the record of a run).  Model keys are those
 * the derivation used (e.g. g instead of eta if g was given). */
void pm_config_write_ini(FILE *out, const pm_run_config *cfg);

/* The string settings as library enums (path: see pm_cli_path in cli.h). */
pm_steady_method pm_config_steady_method(const pm_run_config *cfg);
pm_lu_backend pm_config_lu_backend(const pm_run_config *cfg);
pm_real_fold pm_config_real_fold(const pm_run_config *cfg);
pm_linear_solver pm_config_linear_solver(const pm_run_config *cfg);
pm_initial_kind pm_config_initial_kind(const pm_run_config *cfg);

#endif
