/* Run configuration: defaults, INI files (Debian's libinih), --set overrides
 * and the checks that run before any work starts (config.h). */
#include "config.h"

#include "phonomaser/model/terms.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { RUN_REAL, RUN_LONG, RUN_WORD, RUN_BOOL, RUN_COMPLEX, RUN_LADDER, RUN_TIMES } run_kind;

/* One run key: where it is stored, what it accepts, how it is documented. */
typedef struct run_key {
    const char *name;
    const char *section;              /* its section in pm_config_write_ini */
    unsigned commands;                /* the commands that use it (PM_CMD_* bits) */
    const char *unit;                 /* "1" for dimensionless */
    run_kind kind;
    size_t offset;                    /* field; for RUN_COMPLEX the real part */
    size_t offset_im;                 /* RUN_COMPLEX: the imaginary part */
    double min, max;                  /* RUN_REAL, RUN_LONG */
    int min_open, max_open;           /* 1: strict inequality at that end */
    const char *const *choices;       /* RUN_WORD, NULL-terminated */
    const char *default_text;         /* parsed by pm_config_init: the one source of the default */
    const char *range;                /* allowed values (RUN_WORD: built from choices) */
    const char *help;
} run_key;

static const char *const method_choices[] = {"direct", "arpack", NULL};
static const char *const lu_choices[] = {"auto", "klu", "umfpack", "band", NULL};
static const char *const fold_choices[] = {"auto", "on", "off", NULL};
static const char *const initial_choices[] = {"thermal", "fock", "coherent", "vacuum", NULL};
static const char *const solver_choices[] = {"auto", "klu", "spgmr", "lu", NULL};
static const char *const path_choices[] = {"auto", "full", "sector", NULL};
static const char *const sweep_choices[] = {"none", "S", "delta", "eta", "n_th", NULL};
static const char *const section_names[] = {"model", "terms", "steady", "evolve", "solver", "output", "compare", NULL};

#define OFF(f) offsetof(pm_run_config, f)
/* Who uses what: the steady-state solver settings serve every command that
 * solves a steady state (evolve for N = auto, compare for its points). */
#define CMD_STEADY_SOLVERS (PM_CMD_STEADY | PM_CMD_EVOLVE | PM_CMD_CONVERGE | PM_CMD_WIGNER | PM_CMD_COMPARE | \
                            PM_CMD_MAP | PM_CMD_SPECTRUM)
#define CMD_PATH (PM_CMD_STEADY | PM_CMD_EVOLVE | PM_CMD_CONVERGE | PM_CMD_WIGNER | PM_CMD_MAP | \
                  PM_CMD_SPECTRUM) /* compare: sectors */
/* the correlations of spectrum evolve with CVODE too */
#define CMD_CVODE (PM_CMD_EVOLVE | PM_CMD_SPECTRUM)
#define CMD_STORE_RHO (PM_CMD_STEADY | PM_CMD_EVOLVE | PM_CMD_WIGNER)
#define PM_FOCK_MAX 99999999.0 /* N <= 1e8 (params.c) */

static const run_key run_keys[] = {
    {"method", "steady", CMD_STEADY_SOLVERS, "1", RUN_WORD, OFF(method), 0, 0, 0, 0, 0, method_choices, "direct", NULL,
     "steady-state solver: sparse LU with one population pinned (direct: LAPACK band LU for sector blocks, UMFPACK otherwise) or shift-invert ARPACK (arpack)"},
    {"lu", "steady", CMD_STEADY_SOLVERS, "1", RUN_WORD, OFF(lu), 0, 0, 0, 0, 0, lu_choices, "auto", NULL,
     "sparse LU of the steady-state solvers: auto (LAPACK band LU for sector blocks, KLU otherwise), "
     "klu, umfpack, or band (narrow-banded blocks only)"},
    {"real_fold", "steady", CMD_STEADY_SOLVERS, "1", RUN_WORD, OFF(real_fold), 0, 0, 0, 0, 0, fold_choices, "auto", NULL,
     "direct steady state as a real system of the same size, folded by Hermiticity (rho_ji = conj rho_ij): "
     "on (any block, with lu = auto, klu or umfpack), off (the complex LU), or auto (on for the coupled "
     "sectors of model = dressed: 1.5-2.2x faster solves, 16-36 % less memory there)"},
    {"arpack_tol", "steady", CMD_STEADY_SOLVERS, "1", RUN_REAL, OFF(arpack_tol), 0, 0.0, INFINITY, 0, 0, NULL, "0",
     "a finite number >= 0", "ARPACK relative accuracy; 0 = machine precision"},
    {"t_final", "evolve", PM_CMD_EVOLVE, "s", RUN_REAL, OFF(t_final), 0, 0.0, INFINITY, 1, 0, NULL, "20",
     "a finite number > 0", "end time of the evolution"},
    {"n_times", "evolve", PM_CMD_EVOLVE, "1", RUN_LONG, OFF(n_times), 0, 2.0, 1e7, 0, 0, NULL, "201",
     "an integer in [2, 10000000]", "number of output times, evenly spaced in [0, t_final]"},
    {"times", "evolve", PM_CMD_EVOLVE, "s", RUN_TIMES, OFF(times), OFF(times_count), 0.0, INFINITY, 0, 0, NULL, "",
     "empty or increasing finite numbers >= 0 separated by commas (at most 65536)",
     "explicit output times, e.g. 0, 0.5, 2, 20 (the evolution starts at t = 0); "
     "overrides t_final and n_times when given"},
    {"initial", "evolve", PM_CMD_EVOLVE, "1", RUN_WORD, OFF(initial), 0, 0, 0, 0, 0, initial_choices, "thermal", NULL,
     "thermal (n_th), fock (fock_n) or coherent (alpha) mechanics with the uncoupled "
     "spin steady state; vacuum = |0, down>"},
    {"fock_n", "evolve", PM_CMD_EVOLVE, "1", RUN_LONG, OFF(fock_n), 0, 0.0, PM_FOCK_MAX, 0, 0, NULL, "0",
     "an integer >= 0 and < N", "Fock level of initial = fock"},
    {"alpha", "evolve", PM_CMD_EVOLVE, "1", RUN_COMPLEX, OFF(alpha_re), OFF(alpha_im), 0, 0, 0, 0, NULL, "0",
     "a finite complex number such as 3, 3+2i or -1.5-0.5i",
     "coherent amplitude of initial = coherent, <n> = |alpha|^2"},
    {"rtol", "evolve", CMD_CVODE, "1", RUN_REAL, OFF(rtol), 0, 0.0, 1.0, 1, 1, NULL, "1e-8",
     "a finite number in (0, 1)", "CVODE relative tolerance"},
    {"atol", "evolve", CMD_CVODE, "1", RUN_REAL, OFF(atol), 0, 0.0, INFINITY, 1, 0, NULL, "1e-10",
     "a finite number > 0", "CVODE absolute tolerance on density-matrix elements"},
    {"sector_tol", "evolve", PM_CMD_EVOLVE, "1", RUN_REAL, OFF(sector_tol), 0, 0.0, 1.0, 1, 1, NULL, "1e-12",
     "a finite number in (0, 1)", "coherences |rho_ij| of the initial state below this are dropped when "
     "choosing the sectors |k| <= K to evolve (coherent states)"},
    {"linear_solver", "evolve", CMD_CVODE, "1", RUN_WORD, OFF(linear_solver), 0, 0, 0, 0, 0, solver_choices,
     "auto", NULL, "CVODE linear solver: sparse direct KLU on the real Jacobian, matrix-free SPGMR, or lu (the "
     "complex LU of I - gamma L: band LU for sectors, UMFPACK for coupled sectors); auto = klu, or lu for the "
     "coupled sectors of model = dressed"},
    {"path", "solver", CMD_PATH, "1", RUN_WORD, OFF(path), 0, 0, 0, 0, 0, path_choices, "auto", NULL,
     "Liouvillian blocks: excitation-number sectors, the full space, or auto "
     "(sectors when the model allows)"},
    {"tail_tol", "solver", CMD_STEADY_SOLVERS, "1", RUN_REAL, OFF(tail_tol), 0, 0.0, 1.0, 1, 1, NULL, "1e-8",
     "a finite number in (0, 1)", "warn when the top 5% of the Fock levels hold more population than "
     "this; N = auto grows N until they hold less"},
    {"converge_tol", "solver", CMD_STEADY_SOLVERS, "1", RUN_REAL, OFF(converge_tol), 0, 0.0, 1.0, 1, 1, NULL, "1e-6",
     "a finite number in (0, 1)", "N = auto stops when <n> changes by less than this (relative) "
     "from the previous cutoff, the tail condition being met too"},
    {"ladder", "solver", PM_CMD_CONVERGE, "1", RUN_LADDER, OFF(ladder), OFF(ladder_count), 2.0, 1e8, 0, 0, NULL, "",
     "empty or increasing integers >= 2 separated by commas (at most 64)",
     "cutoffs of 'phonomaser converge'; empty: grow N automatically as for N = auto"},
    {"store_rho", "output", CMD_STORE_RHO, "1", RUN_BOOL, OFF(store_rho), 0, 0, 0, 0, 0, NULL, "false",
     "0, 1, true or false", "store the full density matrix in the HDF5 file"},
    {"wigner_range", "output", PM_CMD_WIGNER, "1", RUN_REAL, OFF(wigner_range), 0, 0.0, 1e6, 0, 0, NULL, "0",
     "a finite number in [0, 1e6]", "'phonomaser wigner' grid: z and p in [-wigner_range, wigner_range]; "
     "0 = auto: 1.3 x the ring radius, or more to hold all but 1e-6 of P(n)"},
    {"wigner_points", "output", PM_CMD_WIGNER, "1", RUN_LONG, OFF(wigner_points), 0, 2.0, 2001.0, 0, 0, NULL, "401",
     "an integer in [2, 2001]", "'phonomaser wigner' grid points per axis (odd: the grid holds z = 0)"},
    {"sweep", "compare", PM_CMD_COMPARE, "1", RUN_WORD, OFF(sweep), 0, 0, 0, 0, 0, sweep_choices, "none", NULL,
     "model key swept by 'phonomaser compare' over sweep_points values from sweep_from to sweep_to "
     "(none: one point; --sweep VAR:FROM:TO:COUNT or VAR=V1,V2,... on the command line)"},
    {"sweep_from", "compare", PM_CMD_COMPARE, "1", RUN_REAL, OFF(sweep_from), 0, -INFINITY, INFINITY, 0, 0, NULL, "0",
     "a finite number", "first value of the sweep, in the unit of the swept key"},
    {"sweep_to", "compare", PM_CMD_COMPARE, "1", RUN_REAL, OFF(sweep_to), 0, -INFINITY, INFINITY, 0, 0, NULL, "0.3",
     "a finite number", "last value of the sweep, in the unit of the swept key"},
    {"sweep_points", "compare", PM_CMD_COMPARE, "1", RUN_LONG, OFF(sweep_points), 0, 1.0, 1e5, 0, 0, NULL, "31",
     "an integer in [1, 100000]", "number of evenly spaced sweep values"},
    {"gamma_cool", "compare", PM_CMD_THEORY, "1/s", RUN_REAL, OFF(gamma_cool), 0, 0.0, INFINITY, 0, 0, NULL, "0",
     "a finite number >= 0", "continuous cold-damping rate of Appendix C (C7-C10), for 'phonomaser theory'"},
    {"n_cool", "compare", PM_CMD_THEORY, "1", RUN_REAL, OFF(n_cool), 0, 0.0, INFINITY, 0, 0, NULL, "0",
     "a finite number >= 0", "occupation of the cold-damping bath (C7)"},
};

#define RUN_KEY_COUNT (sizeof run_keys / sizeof run_keys[0])
#define ALL_KEY_COUNT (PM_KEY_COUNT + RUN_KEY_COUNT)

static const char *all_key_names[ALL_KEY_COUNT + 1];
static pthread_once_t all_key_names_once = PTHREAD_ONCE_INIT;

static void fill_all_key_names(void)
{
    const char *const *model = pm_params_key_names();
    size_t n = 0;
    for (size_t i = 0; model[i] != NULL && n < PM_KEY_COUNT; i++)
        all_key_names[n++] = model[i];
    for (size_t i = 0; i < RUN_KEY_COUNT; i++)
        all_key_names[n++] = run_keys[i].name;
    all_key_names[n] = NULL;
}

const char *const *pm_config_key_names(void)
{
    pthread_once(&all_key_names_once, fill_all_key_names);
    return all_key_names;
}

static const run_key *find_run_key(const char *name)
{
    for (size_t i = 0; i < RUN_KEY_COUNT; i++)
        if (strcmp(name, run_keys[i].name) == 0)
            return &run_keys[i];
    return NULL;
}

/* ---- which command uses which key ---------------------------------------- */

static const char *const command_names[] = {"steady", "evolve", "converge", "wigner", "theory", "compare", "map",
                                             "spectrum", NULL};

unsigned pm_config_command_bit(const char *command)
{
    for (unsigned i = 0; command != NULL && command_names[i] != NULL; i++)
        if (strcmp(command, command_names[i]) == 0)
            return 1u << i;
    return 0;
}

/* The reduced theory solves no master equation: no cutoffs, no drive, no
 * user terms; converge takes its cutoffs from `ladder`; compare solves the
 * paper's model (no drive; user terms get the library's own message). */
unsigned pm_config_key_commands(const char *key)
{
    if (key == NULL)
        return 0;
    if (pm_terms_is_key(key))
        return PM_CMD_ALL & ~PM_CMD_THEORY;
    if (pm_params_is_key(key)) {
        if (strcmp(key, "N") == 0) /* converge: the cutoffs of `ladder`, or grown from 32 */
            return PM_CMD_ALL & ~(PM_CMD_THEORY | PM_CMD_CONVERGE);
        if (strcmp(key, "K") == 0)
            return PM_CMD_ALL & ~PM_CMD_THEORY;
        if (strcmp(key, "drive") == 0)
            return PM_CMD_ALL & ~(PM_CMD_THEORY | PM_CMD_COMPARE);
        return PM_CMD_ALL;
    }
    const run_key *rk = find_run_key(key);
    return rk ? rk->commands : 0;
}

/* "steady, evolve and wigner" */
static const char *command_list(unsigned commands, char *buf, size_t size)
{
    size_t used = 0, total = 0, k = 0;
    for (unsigned i = 0; command_names[i] != NULL; i++)
        total += (commands >> i) & 1u;
    buf[0] = '\0';
    for (unsigned i = 0; command_names[i] != NULL && used < size; i++)
        if (commands & (1u << i)) {
            k++;
            used += (size_t)snprintf(buf + used, size - used, "%s%s", k == 1 ? "" : k == total ? " and " : ", ",
                                     command_names[i]);
        }
    return buf;
}

pm_status pm_config_check_key_use(const char *command, const char *key)
{
    return pm_config_check_key_use_as(command, key, NULL);
}

pm_status pm_config_check_key_use_as(const char *command, const char *key, const char *label)
{
    unsigned bit = pm_config_command_bit(command), used = pm_config_key_commands(key);
    if (bit == 0 || used == 0 || (used & bit) != 0)
        return PM_OK;
    const char *why = "";
    if (bit == PM_CMD_THEORY)
        why = "; the reduced theory solves no master equation";
    else if (bit == PM_CMD_CONVERGE && strcmp(key, "N") == 0)
        why = "; converge solves at the cutoffs of the key ladder, or grows N from 32";
    else if (bit == PM_CMD_COMPARE && strcmp(key, "path") == 0)
        why = "; compare always solves on the excitation-number sectors";
    else if (bit == PM_CMD_COMPARE && strcmp(key, "drive") == 0)
        why = "; compare solves the paper's model, without a drive";
    char list[96];
    if (label)
        return pm_error_set(PM_EINVAL, "%s: '%s' is not a key of 'phonomaser %s' (it is used by %s%s); remove it",
                            PM_EXCERPT(label), PM_EXCERPT(key), command, command_list(used, list, sizeof list), why);
    return pm_error_set(PM_EINVAL, "--set %s: 'phonomaser %s' does not take this key (it is used by %s%s); remove it",
                        PM_EXCERPT(key), command, command_list(used, list, sizeof list), why);
}

pm_status pm_config_check_key_applies(const pm_run_config *cfg, const char *key)
{
    const char *need = NULL, *have = NULL;
    char now[64] = "";
    if (strcmp(key, "fock_n") == 0 && strcmp(cfg->initial, "fock") != 0)
        need = "initial = fock", have = cfg->initial;
    else if (strcmp(key, "alpha") == 0 && strcmp(cfg->initial, "coherent") != 0)
        need = "initial = coherent", have = cfg->initial;
    else if ((strcmp(key, "t_final") == 0 || strcmp(key, "n_times") == 0) && cfg->times_count > 0)
        need = "an empty times list (the times given replace t_final and n_times)", have = NULL;
    if (need == NULL)
        return PM_OK;
    if (have)
        snprintf(now, sizeof now, " (initial = %s here)", have);
    return pm_error_set(PM_EINVAL, "--set %s: it applies only with %s%s; remove it", key, need, now);
}

/* "direct, arpack" */
static const char *join_words(const char *const *words, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; words[i] != NULL && used < size; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "", words[i]);
    return buf;
}

static const char *range_text(const run_key *rk, char *buf, size_t size)
{
    if (rk->kind != RUN_WORD)
        return rk->range;
    char list[128];
    snprintf(buf, size, "one of %s", join_words(rk->choices, list, sizeof list));
    return buf;
}

/* Whole string (surrounding white space allowed) as a finite decimal double. */
static int parse_real(const char *text, double *out) { return pm_scan_double(text, out); }

static pm_status run_range_error(const run_key *rk, const char *text)
{
    char range[160], unit[24] = "";
    if (strcmp(rk->unit, "1") != 0)
        snprintf(unit, sizeof unit, " [%s]", rk->unit);
    int quote = text[0] == '\0' || rk->kind == RUN_WORD;
    const char *near = rk->kind == RUN_WORD && text[0] ? pm_closest_word(text, rk->choices) : NULL;
    /* say so when the spelling is the problem (0x32, inf), not the value */
    int syntax = (rk->kind == RUN_REAL || rk->kind == RUN_LONG) && text[0] && !pm_decimal_syntax(text);
    return pm_error_set(PM_EINVAL, "%s = %s%s%s: %smust be %s%s%s%s%s", rk->name, quote ? "'" : "",
                        PM_EXCERPT(text), quote ? "'" : "", syntax ? "not a decimal number; " : "",
                        range_text(rk, range, sizeof range), unit,
                        near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

static int real_in_range(const run_key *rk, double x)
{
    if (!isfinite(x))
        return 0;
    if (rk->min_open ? !(x > rk->min) : !(x >= rk->min))
        return 0;
    return rk->max_open ? x < rk->max : x <= rk->max;
}

/* "3", "-2.5e1", "3+2i", "3-2i", "2i", "-i", "1+i" (also with 'j'). */
static int parse_complex(const char *text, double *re, double *im)
{
    char buf[256];
    long trimmed = pm_text_trim(text, buf, 201);
    if (trimmed <= 0)
        return 0;
    size_t len = (size_t)trimmed;
    int imaginary = buf[len - 1] == 'i' || buf[len - 1] == 'j';
    if (!imaginary)
        return parse_real(buf, re) && (*im = 0.0, 1);
    buf[--len] = '\0';
    /* Split at the last sign that is not part of an exponent ("1e-3+2e-4i"). */
    size_t split = 0;
    for (size_t k = len; k-- > 1;)
        if ((buf[k] == '+' || buf[k] == '-') && tolower((unsigned char)buf[k - 1]) != 'e') {
            split = k;
            break;
        }
    double real_part = 0.0, imag_part = 1.0;
    if (split > 0) {
        char real_text[256];
        memcpy(real_text, buf, split);
        real_text[split] = '\0';
        if (!parse_real(real_text, &real_part))
            return 0;
    }
    /* Imaginary part: optional sign, white space, magnitude (none: 1). */
    const char *rest = buf + split;
    double sign = 1.0;
    if (*rest == '+' || *rest == '-')
        sign = *rest++ == '-' ? -1.0 : 1.0;
    while (isspace((unsigned char)*rest))
        rest++;
    if (*rest == '+' || *rest == '-')
        return 0; /* "3+-2i" */
    if (*rest != '\0' && !parse_real(rest, &imag_part))
        return 0;
    imag_part *= sign;
    *re = real_part;
    *im = imag_part;
    return 1;
}

static int parse_bool(const char *text, int *out)
{
    static const char *const yes[] = {"1", "true", "yes", "on"}, *const no[] = {"0", "false", "no", "off"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0)
            return (*out = 1);
        if (strcasecmp(text, no[i]) == 0)
            return (*out = 0, 1);
    }
    return 0;
}

/* The excerpt (pm_text_excerpt) of the first `len` bytes of `text`. */
static void excerpt_of(const char *text, size_t len, char out[PM_EXCERPT_SIZE])
{
    if (len <= PM_EXCERPT_MAX) {
        memcpy(out, text, len);
        out[len] = '\0';
        return;
    }
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        pm_text_excerpt("?", out, PM_EXCERPT_SIZE);
        return;
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    pm_text_excerpt(copy, out, PM_EXCERPT_SIZE);
    free(copy);
}

/* The one parser of list keys: comma-separated, strictly increasing values
 * (RUN_LADDER: integers stored as long, RUN_TIMES: reals stored as double;
 * offset_im holds the int count).  Two passes, no allocation: the first
 * validates (and names a bad entry), the second stores, so the field changes
 * only if the whole list is valid; entries past the new count are zero. */
static pm_status run_set_list(char *base, const run_key *rk, const char *value)
{
    const int integer = rk->kind == RUN_LADDER;
    const int max = integer ? PM_LADDER_MAX : PM_TIMES_MAX;
    for (int store = 0; store <= 1; store++) {
        int count = 0;
        double previous = 0.0;
        const char *p = value, *problem = NULL, *item = value;
        size_t item_len = 0;
        while (isspace((unsigned char)*p))
            p++;
        while (*p != '\0') {
            item = p;
            /* a decimal number (pm_decimal_length): "0x10", "inf", "1e" are
             * not numbers; a number out of the double range is out of range */
            size_t len = pm_decimal_length(p);
            const char *end = p + len;
            int malformed = len == 0 || isalnum((unsigned char)*end) || *end == '.' || *end == '_' ||
                            *end == '+' || *end == '-';
            double x = 0.0;
            if (malformed) {
                item_len = strcspn(p, ", \t");
                if (item_len == 0) item_len = strcspn(p, ",");
            } else {
                char *strtod_end;
                x = strtod(p, &strtod_end);
                malformed = strtod_end != end;
                item_len = len;
            }
            if (malformed)
                problem = "is not a decimal number";
            else if (!real_in_range(rk, x) || (integer && x != floor(x)))
                problem = "is out of range";
            else if (count > 0 && !(x > previous))
                problem = "does not exceed the previous value";
            else if (count == max)
                problem = "is one too many";
            if (problem != NULL)
                break;
            if (store && integer)
                ((long *)(base + rk->offset))[count] = (long)x;
            else if (store)
                ((double *)(base + rk->offset))[count] = x;
            previous = x;
            count++;
            p = end;
            while (isspace((unsigned char)*p))
                p++;
            if (*p == ',') {
                p++;
                while (isspace((unsigned char)*p))
                    p++;
                if (*p == '\0') {
                    item = p;
                    item_len = 0;
                    problem = "is missing after the trailing comma";
                    break;
                }
            } else if (*p != '\0') {
                item = p;
                item_len = strcspn(p, ",");
                problem = "does not follow a comma";
                break;
            }
        }
        if (problem != NULL) {
            char range[160], unit[24] = "", entry[PM_EXCERPT_SIZE];
            if (strcmp(rk->unit, "1") != 0)
                snprintf(unit, sizeof unit, " [%s]", rk->unit);
            excerpt_of(item, item_len, entry);
            return pm_error_set(PM_EINVAL, "%s = '%s': entry %d ('%s') %s; must be %s%s", rk->name,
                                PM_EXCERPT(value), count + 1, entry, problem, range_text(rk, range, sizeof range),
                                unit);
        }
        if (store) {
            int *stored = (int *)(base + rk->offset_im);
            int old = *stored >= 0 && *stored <= max ? *stored : max;
            for (int k = count; k < old; k++) {
                if (integer)
                    ((long *)(base + rk->offset))[k] = 0;
                else
                    ((double *)(base + rk->offset))[k] = 0.0;
            }
            *stored = count;
        }
    }
    return PM_OK;
}

static pm_status run_set(pm_run_config *cfg, const run_key *rk, const char *value)
{
    char *base = (char *)cfg;
    if (value == NULL)
        return run_range_error(rk, "");
    switch (rk->kind) {
    case RUN_REAL: {
        double x;
        if (!parse_real(value, &x) || !real_in_range(rk, x))
            return run_range_error(rk, value);
        *(double *)(base + rk->offset) = x;
        return PM_OK;
    }
    case RUN_LONG: {
        double x;
        if (!parse_real(value, &x) || x != floor(x) || !real_in_range(rk, x))
            return run_range_error(rk, value);
        *(long *)(base + rk->offset) = (long)x;
        return PM_OK;
    }
    case RUN_WORD: {
        char word[PM_CONFIG_WORD + 8];
        if (pm_text_trim(value, word, sizeof word) >= 0) {
            for (size_t i = 0; rk->choices[i] != NULL; i++)
                if (strcasecmp(word, rk->choices[i]) == 0) {
                    snprintf(base + rk->offset, PM_CONFIG_WORD, "%s", rk->choices[i]);
                    return PM_OK;
                }
        }
        return run_range_error(rk, value);
    }
    case RUN_BOOL: {
        int flag;
        char word[8];
        if (pm_text_trim(value, word, sizeof word) < 0 || !parse_bool(word, &flag))
            return run_range_error(rk, value);
        *(int *)(base + rk->offset) = flag;
        return PM_OK;
    }
    case RUN_LADDER:
    case RUN_TIMES:
        return run_set_list(base, rk, value);
    case RUN_COMPLEX: {
        double re, im;
        if (!parse_complex(value, &re, &im))
            return run_range_error(rk, value);
        *(double *)(base + rk->offset) = re;
        *(double *)(base + rk->offset_im) = im;
        return PM_OK;
    }
    }
    return run_range_error(rk, value);
}

/* Range check of a stored run field (for C callers filling the struct). */
static pm_status run_check_field(const pm_run_config *cfg, const run_key *rk)
{
    const char *base = (const char *)cfg;
    char text[64];
    switch (rk->kind) {
    case RUN_REAL: {
        double x = *(const double *)(base + rk->offset);
        snprintf(text, sizeof text, "%.10g", x);
        return real_in_range(rk, x) ? PM_OK : run_range_error(rk, text);
    }
    case RUN_LONG: {
        long n = *(const long *)(base + rk->offset);
        snprintf(text, sizeof text, "%ld", n);
        return real_in_range(rk, (double)n) ? PM_OK : run_range_error(rk, text);
    }
    case RUN_WORD: {
        const char *word = base + rk->offset;
        if (memchr(word, '\0', PM_CONFIG_WORD) != NULL)
            for (size_t i = 0; rk->choices[i] != NULL; i++)
                if (strcmp(word, rk->choices[i]) == 0)
                    return PM_OK;
        snprintf(text, sizeof text, "%.*s", PM_CONFIG_WORD, word);
        return run_range_error(rk, text);
    }
    case RUN_BOOL: {
        int flag = *(const int *)(base + rk->offset);
        snprintf(text, sizeof text, "%d", flag);
        return flag == 0 || flag == 1 ? PM_OK : run_range_error(rk, text);
    }
    case RUN_LADDER: {
        const long *ladder = (const long *)(base + rk->offset);
        int count = *(const int *)(base + rk->offset_im);
        int ok = count >= 0 && count <= PM_LADDER_MAX;
        for (int i = 0; ok && i < count; i++)
            ok = real_in_range(rk, (double)ladder[i]) && (i == 0 || ladder[i] > ladder[i - 1]);
        snprintf(text, sizeof text, "%d cutoffs", count);
        return ok ? PM_OK : run_range_error(rk, text);
    }
    case RUN_TIMES: {
        const double *times = (const double *)(base + rk->offset);
        int count = *(const int *)(base + rk->offset_im);
        int ok = count >= 0 && count <= PM_TIMES_MAX;
        for (int i = 0; ok && i < count; i++)
            ok = real_in_range(rk, times[i]) && (i == 0 || times[i] > times[i - 1]);
        snprintf(text, sizeof text, "%d times", count);
        return ok ? PM_OK : run_range_error(rk, text);
    }
    case RUN_COMPLEX: {
        double re = *(const double *)(base + rk->offset), im = *(const double *)(base + rk->offset_im);
        snprintf(text, sizeof text, "%.10g%+.10gi", re, im);
        return isfinite(re) && isfinite(im) ? PM_OK : run_range_error(rk, text);
    }
    }
    return PM_OK;
}

void pm_config_init(pm_run_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    pm_params_init(&cfg->params);
    /* The defaults are the table's default_text, parsed like user input. */
    for (size_t i = 0; i < RUN_KEY_COUNT; i++) {
        pm_status status = run_set(cfg, &run_keys[i], run_keys[i].default_text);
        (void)status; /* the test checks every default parses */
    }
}

static pm_status unknown_key(const char *key)
{
    const char *near = pm_closest_word(key, pm_config_key_names());
    if (near)
        return pm_error_set(PM_EINVAL, "unknown key '%s'; did you mean '%s'?", PM_EXCERPT(key), near);
    return pm_error_set(PM_EINVAL, "unknown key '%s' (phonomaser --help lists the keys; user terms are "
                        "H.<name> and D.<name>)", PM_EXCERPT(key));
}

pm_status pm_config_set(pm_run_config *cfg, const char *key, const char *value)
{
    if (key == NULL)
        return pm_error_set(PM_EINVAL, "missing key");
    if (pm_params_is_key(key) || pm_terms_is_key(key))
        return pm_params_set(&cfg->params, key, value);
    const run_key *rk = find_run_key(key);
    if (rk == NULL)
        return unknown_key(key);
    return run_set(cfg, rk, value);
}

/* Prefix the current error message with `prefix`. */
static pm_status prefix_error(pm_status status, const char *prefix)
{
    char message[1024];
    snprintf(message, sizeof message, "%s", pm_error_message());
    return pm_error_set(status, "%s%s", prefix, message);
}

pm_status pm_config_apply_override(pm_run_config *cfg, const char *assignment)
{
    if (assignment == NULL)
        return pm_error_set(PM_EINVAL, "--set: missing key=value");
    const char *eq = strchr(assignment, '=');
    if (eq == NULL)
        return pm_error_set(PM_EINVAL, "--set '%s': expected key=value (e.g. --set eta=0.25)",
                            PM_EXCERPT(assignment));
    const char *key_start = assignment, *key_end = eq;
    while (key_start < key_end && isspace((unsigned char)*key_start))
        key_start++;
    while (key_end > key_start && isspace((unsigned char)key_end[-1]))
        key_end--;
    if (key_end == key_start)
        return pm_error_set(PM_EINVAL, "--set '%s': missing key before '=' (expected key=value)",
                            PM_EXCERPT(assignment));
    size_t key_len = (size_t)(key_end - key_start);
    char *key = malloc(key_len + 1);
    if (key == NULL)
        return pm_error_set(PM_ENOMEM, "--set: out of memory");
    memcpy(key, key_start, key_len);
    key[key_len] = '\0';
    pm_status status = pm_config_set(cfg, key, eq + 1);
    free(key);
    return status == PM_OK ? PM_OK : prefix_error(status, "--set: ");
}

pm_status pm_config_finish(pm_run_config *cfg)
{
    for (size_t i = 0; i < RUN_KEY_COUNT; i++) {
        pm_status status = run_check_field(cfg, &run_keys[i]);
        if (status != PM_OK)
            return status;
    }
    pm_status status = pm_params_derive(&cfg->params);
    if (status != PM_OK)
        return status;
    if (strcmp(cfg->initial, "fock") == 0 && cfg->params.N != PM_N_AUTO &&
        cfg->fock_n >= cfg->params.N)
        return pm_error_set(PM_EINVAL, "fock_n = %ld: must be < N = %ld (levels n = 0..N-1) for "
                            "initial = fock", cfg->fock_n, cfg->params.N);
    return PM_OK;
}

/* ---- INI files ---------------------------------------------------------- */

/* Line reader for ini_parse_stream: counts lines (Debian's inih does not pass
 * line numbers to the handler), strips leading white space (so an indented
 * key is a key, not a continuation of the previous value), flags long lines.
 * It reads byte by byte (stdio buffers) into the parser's own line buffer
 * and keeps nothing else: an endless or binary stream (/dev/zero,
 * /dev/urandom) costs no memory and ends at the first NUL byte or at
 * PM_CONFIG_MAX_BYTES, and no allocation can fail and look like the end of
 * the file. */
/* The stop flag checked while reading (pm_config_set_stop; NULL: none). */
static const pm_stop_flag *config_stop = NULL;

void pm_config_set_stop(const pm_stop_flag *stop) { config_stop = stop; }

typedef struct ini_stream {
    FILE *file;
    int stopped;        /* the stop flag was seen: reading ended early */
    long line;
    long long bytes;    /* read so far */
    int too_big;        /* more than PM_CONFIG_MAX_BYTES */
    long nul_line;      /* line of the first NUL byte (0: none) ... */
    long nul_column;    /* ... and its column */
    long long_line;     /* first line longer than the parser's limit (0: none) */
    int long_line_limit;
    int read_errno;     /* errno of a read failure (0: none) */
} ini_stream;

static char *ini_read_line(char *str, int num, void *stream_ptr)
{
    ini_stream *stream = stream_ptr;
    if (num <= 2 || stream->too_big || stream->nul_line != 0 || stream->read_errno != 0 || stream->stopped)
        return NULL;
    if (PM_STOP_REQUESTED(config_stop)) {
        stream->stopped = 1;
        return NULL;
    }
    const size_t room = (size_t)num - 2;
    size_t kept = 0, len = 0;
    long column = 0;
    int leading = 1, any = 0, c;
    for (;;) {
        errno = 0;
        c = getc(stream->file);
        if (c == EOF) {
            if (!ferror(stream->file))
                break; /* the end of the file */
            int err = errno ? errno : EIO;
            if (PM_STOP_REQUESTED(config_stop)) { /* a blocking read ends with EINTR */
                stream->stopped = 1;
                return NULL;
            }
            if (err == EINTR) { /* another signal: read on */
                clearerr(stream->file);
                continue;
            }
            stream->read_errno = err;
            return NULL;
        }
        any = 1;
        if (++stream->bytes > PM_CONFIG_MAX_BYTES) {
            stream->too_big = 1;
            return NULL;
        }
        if ((stream->bytes & 0xFFFF) == 0 && PM_STOP_REQUESTED(config_stop)) {
            stream->stopped = 1;
            return NULL;
        }
        if (c == '\n')
            break;
        column++;
        if (c == '\0') {
            stream->nul_line = stream->line + 1;
            stream->nul_column = column;
            return NULL;
        }
        if (leading && (c == ' ' || c == '\t'))
            continue;
        leading = 0;
        len++; /* the line without its leading white space */
        if (kept < room)
            str[kept++] = (char)c;
    }
    if (!any)
        return NULL;
    stream->line++;
    if (len > room && stream->long_line == 0) {
        stream->long_line = stream->line;
        stream->long_line_limit = (int)room;
    }
    str[kept] = '\n';
    str[kept + 1] = '\0';
    return str;
}

typedef struct ini_load {
    pm_run_config *cfg;
    ini_stream stream;
    long error_line;          /* first line the handler rejected (0: none) */
    char error_text[1024];
    long key_line[ALL_KEY_COUNT]; /* line where each key was set (0: not yet) */
    char term_key[PM_TERMS_MAX][PM_TERM_KEY_SIZE]; /* user terms of this file ... */
    long term_line[PM_TERMS_MAX];                  /* ... and their lines */
    int terms;
} ini_load;

static int key_number(const char *name)
{
    const char *const *names = pm_config_key_names();
    for (int i = 0; names[i] != NULL; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

static int handler_fail(ini_load *load, const char *message)
{
    load->error_line = load->stream.line;
    snprintf(load->error_text, sizeof load->error_text, "%s", message);
    return 0;
}

static int config_ini_handler(void *user, const char *section, const char *name, const char *value)
{
    ini_load *load = user;
    if (load->error_line != 0)
        return 1; /* report the first error only */
    char message[1024];
    if (section[0] != '\0') {
        int known = 0;
        for (size_t i = 0; section_names[i] != NULL; i++)
            known |= strcasecmp(section, section_names[i]) == 0;
        if (!known) {
            char list[128];
            const char *near = pm_closest_word(section, section_names);
            snprintf(message, sizeof message, "unknown section [%s]%s%s%s (sections: %s)", PM_EXCERPT(section),
                     near ? "; did you mean [" : "", near ? near : "", near ? "]?" : "",
                     join_words(section_names, list, sizeof list));
            return handler_fail(load, message);
        }
    }
    if (pm_terms_is_key(name)) {
        for (int t = 0; t < load->terms; t++)
            if (strcmp(load->term_key[t], name) == 0) {
                snprintf(message, sizeof message, "key '%s' is given twice (first on line %ld)", PM_EXCERPT(name),
                         load->term_line[t]);
                return handler_fail(load, message);
            }
        if (pm_config_set(load->cfg, name, value) != PM_OK)
            return handler_fail(load, pm_error_message());
        if (load->terms < PM_TERMS_MAX) {
            snprintf(load->term_key[load->terms], sizeof load->term_key[0], "%s", name);
            load->term_line[load->terms++] = load->stream.line;
        }
        return 1;
    }
    int k = key_number(name);
    if (k >= 0 && load->key_line[k] != 0) {
        snprintf(message, sizeof message, "key '%s' is given twice (first on line %ld)", PM_EXCERPT(name),
                 load->key_line[k]);
        return handler_fail(load, message);
    }
    if (pm_config_set(load->cfg, name, value) != PM_OK)
        return handler_fail(load, pm_error_message());
    if (k >= 0)
        load->key_line[k] = load->stream.line;
    return 1;
}

pm_status pm_config_load_ini(pm_run_config *cfg, const char *path)
{
    if (path == NULL)
        return pm_error_set(PM_EINVAL, "missing config file name");
    ini_load *load = calloc(1, sizeof *load);
    if (load == NULL)
        return pm_error_set(PM_ENOMEM, "cannot read config file '%s': out of memory", PM_EXCERPT(path));
    load->cfg = cfg;
    load->stream.file = fopen(path, "r");
    if (load->stream.file == NULL) {
        int err = errno;
        free(load);
        if (PM_STOP_REQUESTED(config_stop)) /* e.g. waiting for the writer of a FIFO */
            return pm_error_set(PM_EINTERRUPT, "interrupted while opening config file '%s'", PM_EXCERPT(path));
        return pm_error_set(PM_EIO, "cannot read config file '%s': %s", PM_EXCERPT(path), strerror(err));
    }
    int result = ini_parse_stream(ini_read_line, &load->stream, config_ini_handler, load);
    fclose(load->stream.file);

    pm_status status = PM_OK;
    /* ini_parse_stream returns the first line with any error (syntax or handler). */
    long syntax_line = result > 0 && result != load->error_line ? result : 0;
    long long_line = load->stream.long_line;
    const char *name = PM_EXCERPT(path);
    if (load->stream.stopped)
        status = pm_error_set(PM_EINTERRUPT, "interrupted while reading config file '%s' (after line %ld)", name,
                              load->stream.line);
    else if (load->stream.read_errno != 0)
        status = pm_error_set(PM_EIO, "cannot read config file '%s': %s", name, strerror(load->stream.read_errno));
    else if (load->stream.too_big)
        status = pm_error_set(PM_EINVAL, "config file '%s' is longer than %ld MiB (the limit of a configuration "
                              "file; an endless stream such as a device?)", name, PM_CONFIG_MAX_BYTES >> 20);
    else if (load->stream.nul_line != 0) /* a binary file: whatever else its lines hold */
        status = pm_error_set(PM_EINVAL, "%s:%ld: NUL byte at column %ld: a configuration file is text (a binary "
                              "file?)", name, load->stream.nul_line, load->stream.nul_column);
    else if (result == -2)
        status = pm_error_set(PM_ENOMEM, "cannot read config file '%s': out of memory", name);
    else if (long_line != 0 && (syntax_line == 0 || long_line <= syntax_line) &&
             (load->error_line == 0 || long_line <= load->error_line))
        status = pm_error_set(PM_EINVAL, "%s:%ld: line longer than %d characters", name, long_line,
                              load->stream.long_line_limit);
    else if (syntax_line != 0 && (load->error_line == 0 || syntax_line < load->error_line))
        status = pm_error_set(PM_EINVAL, "%s:%ld: syntax error: expected 'key = value', "
                              "'[section]' or a comment (';' or '#')", name, syntax_line);
    else if (load->error_line != 0)
        status = pm_error_set(PM_EINVAL, "%s:%ld: %s", name, load->error_line, load->error_text);
    else if (result != 0)
        status = pm_error_set(PM_EIO, "cannot read config file '%s' (parser status %d)", name, result);
    free(load);
    return status;
}

/* ---- documentation and record ------------------------------------------- */

/* The commands of a key that not every command uses. */
static void print_commands(FILE *out, unsigned commands)
{
    char list[96];
    if (commands != PM_CMD_ALL)
        fprintf(out, "  %13s used by %s only\n", "", command_list(commands, list, sizeof list));
}

void pm_config_print_keys(FILE *out)
{
    const char *const *model = pm_params_key_names();
    fprintf(out, "Model keys (paper Table I defaults; INI section [model]):\n");
    for (size_t i = 0; model[i] != NULL; i++) {
        const char *range = "", *default_text = "", *help = "";
        pm_params_key_describe(model[i], &range, &default_text, &help);
        char unit[16];
        snprintf(unit, sizeof unit, "[%s]", pm_params_key_unit(model[i]));
        fprintf(out, "  %-13s %-7s default %s; allowed: %s\n  %13s %s\n", model[i], unit,
                default_text, range, "", help);
        print_commands(out, pm_config_key_commands(model[i]));
    }
    fputs(pm_terms_syntax_help(), out);
    fprintf(out, "Run keys (INI sections [steady], [evolve], [solver], [output], [compare]):\n");
    for (size_t i = 0; i < RUN_KEY_COUNT; i++) {
        char range[160];
        const run_key *rk = &run_keys[i];
        char unit[16] = "";
        if (rk->kind != RUN_WORD && rk->kind != RUN_BOOL)
            snprintf(unit, sizeof unit, "[%s]", rk->unit);
        fprintf(out, "  %-13s %-7s default %s; allowed: %s\n  %13s %s\n", rk->name, unit,
                rk->default_text, range_text(rk, range, sizeof range), "", rk->help);
        print_commands(out, rk->commands);
    }
}

/* Shortest of %.15g..%.17g that reads back to the same double. */
static const char *format_double(double value, char *buf, size_t size)
{
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(buf, size, "%.*g", digits, value);
        if (strtod(buf, NULL) == value)
            break;
    }
    return buf;
}

static void write_model_key(FILE *out, const char *name, double value)
{
    char text[32];
    fprintf(out, "%s = %s\n", name, format_double(value, text, sizeof text));
}

void pm_config_write_ini(FILE *out, const pm_run_config *cfg)
{
    const pm_params *p = &cfg->params;
    const unsigned mask = p->set_mask;
    fprintf(out, "[model]\n");
    fprintf(out, "model = %s\n", pm_params_model_name(p->model));
    write_model_key(out, "omega_m", p->omega_m);
    if (mask & (1u << PM_KEY_GAMMA_M))
        write_model_key(out, "gamma_m", p->gamma_m);
    else
        write_model_key(out, "Q", p->Q);
    if (mask & (1u << PM_KEY_GAMMA_UP)) {
        write_model_key(out, "gamma_up", p->gamma_up);
        write_model_key(out, "gamma_down", p->gamma_down);
    } else {
        write_model_key(out, "gamma_1", p->gamma_1);
        write_model_key(out, "S", p->S);
    }
    write_model_key(out, "gamma_2", p->gamma_2);
    if (mask & (1u << PM_KEY_G))
        write_model_key(out, "g", p->g);
    else
        write_model_key(out, "eta", p->eta);
    write_model_key(out, "delta", p->delta);
    if (mask & (1u << PM_KEY_T))
        write_model_key(out, "T", p->T);
    else
        write_model_key(out, "n_th", p->n_th);
    if (p->N == PM_N_AUTO)
        fprintf(out, "N = auto\n");
    else
        fprintf(out, "N = %ld\n", p->N);
    if (pm_params_key_applies("drive", p->model)) write_model_key(out, "drive", p->drive);
    if (pm_params_key_applies("theta", p->model)) write_model_key(out, "theta", p->theta);
    if (pm_params_key_applies("K", p->model)) {
        if (p->K == PM_K_AUTO) fprintf(out, "K = auto\n");
        else fprintf(out, "K = %ld\n", p->K);
    }
    if (p->terms.count > 0) {
        fprintf(out, "\n[terms]\n");
        for (int t = 0; t < p->terms.count; t++) fprintf(out, "%s = %s\n", p->terms.key[t], p->terms.text[t]);
    }

    const char *section = "";
    for (size_t i = 0; i < RUN_KEY_COUNT; i++) {
        const run_key *rk = &run_keys[i];
        const char *base = (const char *)cfg;
        if (strcmp(section, rk->section) != 0) {
            section = rk->section;
            fprintf(out, "\n[%s]\n", section);
        }
        char text[32], text_im[32];
        fprintf(out, "%s = ", rk->name);
        switch (rk->kind) {
        case RUN_REAL:
            fprintf(out, "%s\n", format_double(*(const double *)(base + rk->offset), text, sizeof text));
            break;
        case RUN_LONG: fprintf(out, "%ld\n", *(const long *)(base + rk->offset)); break;
        case RUN_WORD: fprintf(out, "%.*s\n", PM_CONFIG_WORD, base + rk->offset); break;
        case RUN_BOOL: fprintf(out, "%s\n", *(const int *)(base + rk->offset) ? "true" : "false"); break;
        case RUN_LADDER: {
            const long *ladder = (const long *)(base + rk->offset);
            int count = *(const int *)(base + rk->offset_im);
            for (int k = 0; k < count; k++) fprintf(out, "%s%ld", k ? ", " : "", ladder[k]);
            fprintf(out, "\n");
            break;
        }
        case RUN_TIMES: {
            const double *times = (const double *)(base + rk->offset);
            int count = *(const int *)(base + rk->offset_im);
            for (int k = 0; k < count; k++)
                fprintf(out, "%s%s", k ? ", " : "", format_double(times[k], text, sizeof text));
            fprintf(out, "\n");
            break;
        }
        case RUN_COMPLEX: {
            double re = *(const double *)(base + rk->offset);
            double im = *(const double *)(base + rk->offset_im);
            fprintf(out, "%s%c%si\n", format_double(re, text, sizeof text), signbit(im) ? '-' : '+',
                    format_double(fabs(im), text_im, sizeof text_im));
            break;
        }
        }
    }
}

pm_real_fold pm_config_real_fold(const pm_run_config *cfg)
{
    if (strcmp(cfg->real_fold, "on") == 0) return PM_FOLD_ON;
    if (strcmp(cfg->real_fold, "off") == 0) return PM_FOLD_OFF;
    return PM_FOLD_AUTO;
}

pm_lu_backend pm_config_lu_backend(const pm_run_config *cfg)
{
    if (strcmp(cfg->lu, "klu") == 0) return PM_LU_KLU;
    if (strcmp(cfg->lu, "umfpack") == 0) return PM_LU_UMFPACK;
    if (strcmp(cfg->lu, "band") == 0) return PM_LU_BAND;
    return PM_LU_AUTO;
}

pm_steady_method pm_config_steady_method(const pm_run_config *cfg)
{
    return strcmp(cfg->method, "arpack") == 0 ? PM_STEADY_ARPACK : PM_STEADY_DIRECT;
}

pm_linear_solver pm_config_linear_solver(const pm_run_config *cfg)
{
    if (strcmp(cfg->linear_solver, "spgmr") == 0) return PM_LINSOL_SPGMR;
    if (strcmp(cfg->linear_solver, "klu") == 0) return PM_LINSOL_KLU;
    if (strcmp(cfg->linear_solver, "lu") == 0) return PM_LINSOL_LU;
    return PM_LINSOL_AUTO;
}

pm_initial_kind pm_config_initial_kind(const pm_run_config *cfg)
{
    if (strcmp(cfg->initial, "fock") == 0)
        return PM_INITIAL_FOCK;
    if (strcmp(cfg->initial, "coherent") == 0)
        return PM_INITIAL_COHERENT;
    if (strcmp(cfg->initial, "vacuum") == 0)
        return PM_INITIAL_VACUUM;
    return PM_INITIAL_THERMAL;
}
