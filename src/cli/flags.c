/* The command-specific flags (cli.h, pm_cli_flags): taken out of argv
 * before the common parser sees the rest, and checked against the parsed
 * configuration before any work.  The commands and the fuzzer
 * (tests/fuzz/fuzz_args.c) run this same code. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* ---- errors ---------------------------------------------------------------- */

static int reject(const char *command, pm_status status) { return pm_cli_command_fail(command, status); }

static int bad_value(const char *command, const char *flag, const char *value, const char *must)
{
    return reject(command, pm_error_set(PM_EINVAL, "%s '%s': must be %s", flag, PM_EXCERPT(value), must));
}

/* ---- taking the flags out of argv ------------------------------------------ */

typedef struct flag_spec {
    const char *name;
    unsigned commands; /* PM_CMD_* */
    int valued;
} flag_spec;

static const flag_spec flag_specs[] = {
    {"--checkpoint", PM_CMD_EVOLVE, 1}, {"--resume", PM_CMD_EVOLVE | PM_CMD_MAP, 1},
    {"--state", PM_CMD_WIGNER, 1},      {"--eta", PM_CMD_THEORY, 1},
    {"--sweep", PM_CMD_COMPARE, 1},     {"--table", PM_CMD_COMPARE, 1},
    {"--seed", PM_CMD_COMPARE, 1},      {"--trajectories", PM_CMD_COMPARE, 1},
    {"--threads", PM_CMD_COMPARE | PM_CMD_MAP | PM_CMD_SPECTRUM, 1}, {"--threshold", PM_CMD_COMPARE, 0},
    {"--langevin", PM_CMD_COMPARE, 0},  {"--axis", PM_CMD_MAP, 1},
    {"--quantities", PM_CMD_MAP, 1},    {"--points", PM_CMD_SPECTRUM, 1},
    {"--rtol", PM_CMD_SPECTRUM, 1},     {"--tau-max", PM_CMD_SPECTRUM, 1},
    {"--tau-points", PM_CMD_SPECTRUM, 1}, {"--no-x", PM_CMD_SPECTRUM, 0},
    {"--no-tau", PM_CMD_SPECTRUM, 0},   {"--window-tol", PM_CMD_SPECTRUM, 1},
    {"--linewidth-only", PM_CMD_SPECTRUM, 0},
};

static const flag_spec *find_flag(unsigned command, const char *arg)
{
    for (size_t k = 0; k < sizeof flag_specs / sizeof flag_specs[0]; k++)
        if ((flag_specs[k].commands & command) && !strcmp(arg, flag_specs[k].name)) return &flag_specs[k];
    return NULL;
}

int pm_cli_command_takes_value(const char *command, const char *arg)
{
    const flag_spec *f = find_flag(pm_config_command_bit(command), arg);
    return f ? f->valued : pm_cli_common_option_takes_value(arg);
}

/* --seed, --trajectories, --threads: decimal integers in [min, max]. */
static int integer_flag(const char *command, const char *flag, const char *value, long long min, long long max,
                        long long *out)
{
    if (pm_scan_integer(value, min, max, out)) return 0;
    char must[96];
    snprintf(must, sizeof must, "a decimal integer in [%lld, %lld]", min, max);
    return bad_value(command, flag, value, must);
}

int pm_cli_take_flags(const char *command, int argc, char **argv, pm_cli_flags *flags)
{
    memset(flags, 0, sizeof *flags);
    flags->command = command;
    flags->seed = 1;
    flags->trajectories = 400;
    flags->argv = calloc((size_t)argc + 1, sizeof *flags->argv);
    if (!flags->argv) return reject(command, pm_error_set(PM_ENOMEM, "out of memory"));
    unsigned bit = pm_config_command_bit(command);
    for (int a = 0; a < argc; a++) {
        const char *arg = argv[a];
        const flag_spec *f = find_flag(bit, arg);
        if (!f) {
            /* the rest goes to pm_cli_parse; an option's value stays with it (a value may be "--state") */
            flags->argv[flags->argc++] = argv[a];
            if (pm_cli_common_option_takes_value(arg) && a + 1 < argc) {
                if (strcmp(arg, "-o") && strcmp(arg, "--output")) flags->settings_given = 1;
                flags->argv[flags->argc++] = argv[++a];
            }
            continue;
        }
        if (f->valued && a + 1 >= argc)
            return reject(command, pm_error_set(PM_EINVAL, "option '%s' needs a value", arg));
        const char *value = f->valued ? argv[++a] : NULL;
        const char **text = NULL;
        int rc = 0;
        if (!strcmp(arg, "--checkpoint")) {
            double seconds;
            if (!pm_scan_double(value, &seconds) || !(seconds > 0) || seconds > 1e9)
                return bad_value(command, arg, value, "a decimal number of seconds of wall time in (0, 1e9], e.g. "
                                 "--checkpoint 600");
            flags->checkpoint_seconds = seconds;
        } else if (!strcmp(arg, "--resume")) text = &flags->resume;
        else if (!strcmp(arg, "--state")) text = &flags->state;
        else if (!strcmp(arg, "--eta")) text = &flags->eta_list;
        else if (!strcmp(arg, "--sweep")) text = &flags->sweep;
        else if (!strcmp(arg, "--table")) text = &flags->table;
        else if (!strcmp(arg, "--seed")) {
            rc = integer_flag(command, arg, value, 0, LLONG_MAX, &flags->seed);
            flags->seed_given = 1;
        } else if (!strcmp(arg, "--trajectories")) {
            rc = integer_flag(command, arg, value, 10, 1000000000LL, &flags->trajectories);
            flags->trajectories_given = 1;
        } else if (!strcmp(arg, "--threads")) {
            rc = integer_flag(command, arg, value, 1, PM_CLI_THREADS_MAX, &flags->threads);
            flags->threads_given = 1;
        } else if (!strcmp(arg, "--quantities")) text = &flags->quantities;
        else if (!strcmp(arg, "--axis")) {
            if (flags->naxes == PM_MAP_MAX_AXES)
                return reject(command, pm_error_set(PM_EINVAL, "--axis: at most %d axes", PM_MAP_MAX_AXES));
            if (!value[0]) return reject(command, pm_error_set(PM_EINVAL, "--axis: empty value"));
            flags->axis_spec[flags->naxes++] = value;
        } else if (!strcmp(arg, "--points")) {
            rc = integer_flag(command, arg, value, 16, 10000000, &flags->points);
        } else if (!strcmp(arg, "--tau-points")) {
            rc = integer_flag(command, arg, value, 2, 10000000, &flags->tau_points);
        } else if (!strcmp(arg, "--rtol") || !strcmp(arg, "--tau-max")) {
            int is_rtol = !strcmp(arg, "--rtol");
            double x;
            if (!pm_scan_double(value, &x) || (is_rtol ? !(x > 0 && x < 1) : !(x > 0 && x <= 1e12)))
                return bad_value(command, arg, value, is_rtol ? "a decimal number in (0, 1)"
                                                               : "a decimal number of seconds in (0, 1e12]");
            *(is_rtol ? &flags->rtol : &flags->tau_max) = x;
        } else if (!strcmp(arg, "--window-tol")) {
            double x;
            if (!pm_scan_double(value, &x) || !(x >= 0 && x < 1))
                return bad_value(command, arg, value, "a decimal number in [0, 1) (0: the full blocks)");
            flags->window_tol = x;
            flags->window_tol_given = 1;
        } else if (!strcmp(arg, "--no-x")) flags->no_x = 1;
        else if (!strcmp(arg, "--no-tau")) flags->no_tau = 1;
        else if (!strcmp(arg, "--linewidth-only")) flags->linewidth_only = 1;
        else if (!strcmp(arg, "--threshold")) flags->threshold = 1;
        else if (!strcmp(arg, "--langevin")) flags->langevin = 1;
        if (rc != 0) return rc;
        if (text) {
            if (*text) return reject(command, pm_error_set(PM_EINVAL, "option '%s' given twice", arg));
            int file = !strcmp(arg, "--resume") || !strcmp(arg, "--state") || !strcmp(arg, "--table");
            if (!value[0])
                return reject(command, pm_error_set(PM_EINVAL, "%s: empty %s", arg, file ? "file name" : "value"));
            *text = value;
        }
    }
    return 0;
}

void pm_cli_flags_free(pm_cli_flags *flags)
{
    for (int a = 0; a < PM_MAP_MAX_AXES; a++) pm_map_axis_clear(&flags->axes[a]);
    free(flags->argv);
    free(flags->sweep_values);
    free(flags->state_path);
    free(flags->state_group);
    flags->argv = NULL;
    flags->sweep_values = NULL;
    flags->state_path = flags->state_group = NULL;
}

/* ---- checks against the configuration ------------------------------------------ */

/* The first of the NULL-terminated `keys` given with --set, or NULL. */
static const char *set_key_among(const pm_cli_options *opts, const char *const *keys)
{
    for (size_t k = 0; keys[k]; k++)
        if (pm_cli_set_given(opts, keys[k])) return keys[k];
    return NULL;
}

/* A --set key that setting `key` at every point (a sweep, a map axis)
 * would override: `key` itself or an alternative it replaces (params.h,
 * pm_params_replaces); copied to `found`, 1 if there is one. */
static int set_key_replaced_by(const pm_cli_options *opts, const char *key, char *found, size_t size)
{
    for (int a = 0; a + 1 < opts->argc; a++) {
        const char *arg = opts->argv[a];
        if (!strcmp(arg, "-s") || !strcmp(arg, "--set")) {
            const char *assignment = opts->argv[a + 1], *eq = strchr(assignment, '=');
            size_t n = eq ? (size_t)(eq - assignment) : 0;
            while (n > 0 && isspace((unsigned char)assignment[n - 1])) n--;
            while (n > 0 && isspace((unsigned char)*assignment)) assignment++, n--;
            if (n > 0 && n < size) {
                memcpy(found, assignment, n);
                found[n] = '\0';
                if (pm_params_replaces(key, found)) return 1;
            }
        }
        if (pm_cli_common_option_takes_value(arg)) a++;
    }
    return 0;
}

/* "FILE.h5" or "FILE.h5:/GROUP" */
static int split_state(const char *command, pm_cli_flags *flags)
{
    const char *spec = flags->state, *colon = strrchr(spec, ':');
    size_t path_len = colon && colon[1] == '/' ? (size_t)(colon - spec) : strlen(spec);
    if (path_len == 0)
        return reject(command, pm_error_set(PM_EINVAL, "--state '%s': no file name before ':/GROUP'", PM_EXCERPT(spec)));
    if (path_len >= PATH_MAX)
        return reject(command, pm_error_set(PM_EINVAL, "--state '%s': file name longer than %d bytes",
                                            PM_EXCERPT(spec), PATH_MAX - 1));
    if (colon && colon[1] == '/' && strlen(colon + 1) > PM_CLI_GROUP_MAX)
        return reject(command, pm_error_set(PM_EINVAL, "--state '%s': group name longer than %d bytes",
                                            PM_EXCERPT(spec), PM_CLI_GROUP_MAX));
    flags->state_path = strndup(spec, path_len);
    flags->state_group = strdup(colon && colon[1] == '/' ? colon + 1 : "");
    if (!flags->state_path || !flags->state_group) return reject(command, pm_error_set(PM_ENOMEM, "out of memory"));
    return 0;
}

static int check_wigner(const char *command, pm_cli_flags *flags, const pm_cli_options *opts)
{
    if (!flags->state) return 0;
    int rc = split_state(command, flags);
    if (rc != 0) return rc;
    /* the state and its model come from the file: only the grid applies */
    for (int a = 0; a + 1 < opts->argc; a++) {
        const char *arg = opts->argv[a];
        if (!strcmp(arg, "-s") || !strcmp(arg, "--set")) {
            const char *assignment = opts->argv[a + 1], *eq = strchr(assignment, '=');
            size_t n = eq ? (size_t)(eq - assignment) : strlen(assignment);
            while (n > 0 && isspace((unsigned char)assignment[n - 1])) n--;
            while (n > 0 && isspace((unsigned char)*assignment)) assignment++, n--;
            int grid = (n == 12 && !strncmp(assignment, "wigner_range", n)) ||
                       (n == 13 && !strncmp(assignment, "wigner_points", n));
            if (!grid)
                return reject(command, pm_error_set(PM_EINVAL, "--set '%s': with --state the state and its model "
                                                    "come from '%s'; only wigner_range and wigner_points apply",
                                                    PM_EXCERPT(opts->argv[a + 1]), PM_EXCERPT(flags->state_path)));
        }
        if (pm_cli_common_option_takes_value(arg)) a++;
    }
    return 0;
}

static int check_evolve(const char *command, const pm_cli_flags *flags)
{
    if (flags->resume && flags->settings_given)
        return reject(command, pm_error_set(PM_EINVAL, "--resume continues the run stored in '%s' with its own "
                                            "settings; -c and --set are not allowed with it (only --output, "
                                            "--checkpoint, --quiet)", PM_EXCERPT(flags->resume)));
    return 0;
}

/* --eta E1,E2,... : positive decimal numbers */
static int parse_eta_list(const char *command, pm_cli_flags *flags)
{
    const char *p = flags->eta_list;
    flags->neta = 0;
    for (;;) {
        while (*p == ' ' || *p == '\t') p++;
        size_t len = pm_decimal_length(p);
        char *stop;
        double x = len ? strtod(p, &stop) : 0.0;
        const char *end = p + len;
        while (*end == ' ' || *end == '\t') end++;
        if (len == 0 || stop != p + len || !isfinite(x) || !(x > 0) || (*end && *end != ',') ||
            flags->neta == PM_CLI_ETA_MAX) {
            char must[96];
            snprintf(must, sizeof must, "up to %d positive decimal numbers separated by commas, e.g. 0.05,0.1,0.25",
                     PM_CLI_ETA_MAX);
            return bad_value(command, "--eta", flags->eta_list, must);
        }
        flags->etas[flags->neta++] = x;
        if (!*end) return 0;
        p = end + 1;
    }
}

static int check_theory(const char *command, pm_cli_flags *flags, pm_cli_options *opts)
{
    static const char *const coupling[] = {"eta", "g", NULL};
    pm_params *params = &opts->config.params;
    if (flags->eta_list) {
        const char *given = set_key_among(opts, coupling);
        if (given)
            return reject(command, pm_error_set(PM_EINVAL, "--eta sets the coupling of each column: --set %s "
                                                "conflicts with it; give one", given));
        int rc = parse_eta_list(command, flags);
        if (rc != 0) return rc;
        /* the command line wins over the file's coupling */
        pm_params_release_alternatives(params, "eta", params->set_mask);
        params->set_mask &= ~(1u << PM_KEY_ETA);
        flags->theory_columns = PM_CLI_COLUMNS_ETA;
        return 0;
    }
    if (params->set_mask & (1u << PM_KEY_G)) flags->theory_columns = PM_CLI_COLUMNS_ONE;
    else if (pm_cli_set_given(opts, "eta")) flags->theory_columns = PM_CLI_COLUMNS_ONE;
    else {
        /* Table II: the paper's three couplings (a file's eta, the operating point, is not one of them) */
        flags->theory_columns = PM_CLI_COLUMNS_ETA;
        flags->neta = 3;
        flags->etas[0] = 0.05, flags->etas[1] = 0.10, flags->etas[2] = 0.25;
    }
    return 0;
}

static int check_compare(const char *command, pm_cli_flags *flags, pm_cli_options *opts)
{
    pm_run_config *cfg = &opts->config;
    static const char *const sweep_keys[] = {"sweep", "sweep_from", "sweep_to", "sweep_points", NULL};
    pm_status s = PM_OK;
    flags->sweep_variable = PM_SWEEP_S;
    if (flags->sweep) {
        const char *given = set_key_among(opts, sweep_keys);
        if (given)
            return reject(command, pm_error_set(PM_EINVAL, "--sweep replaces the keys sweep, sweep_from, sweep_to "
                                                "and sweep_points: --set %s conflicts with it; give one", given));
        s = pm_sweep_parse(flags->sweep, &flags->sweep_variable, &flags->sweep_count, &flags->sweep_values);
        flags->sweeping = 1;
    } else if (strcmp(cfg->sweep, "none") != 0) {
        s = pm_sweep_variable_parse(cfg->sweep, &flags->sweep_variable);
        flags->sweep_count = (size_t)cfg->sweep_points;
        if (s == PM_OK) s = pm_sweep_values(cfg->sweep_from, cfg->sweep_to, flags->sweep_count, &flags->sweep_values);
        flags->sweeping = 1;
    } else {
        static const char *const range_keys[] = {"sweep_from", "sweep_to", "sweep_points", NULL};
        const char *given = set_key_among(opts, range_keys);
        if (given)
            return reject(command, pm_error_set(PM_EINVAL, "--set %s: it applies only with a sweep (--sweep, or "
                                                "sweep = S, delta, eta or n_th); remove it", given));
        flags->sweep_count = 1;
        flags->sweep_values = malloc(sizeof *flags->sweep_values);
        if (flags->sweep_values) flags->sweep_values[0] = cfg->params.S;
        else s = pm_error_set(PM_ENOMEM, "out of memory");
    }
    if (s != PM_OK) return reject(command, s);
    if (flags->sweeping) {
        /* the swept quantity is set at every point: --set of it (or of an
         * alternative key) would be ignored; the file's value is replaced */
        const char *name = pm_sweep_variable_name(flags->sweep_variable);
        char given[64];
        if (set_key_replaced_by(opts, name, given, sizeof given))
            return reject(command, pm_error_set(PM_EINVAL, "the sweep sets %s at every point: --set %s conflicts "
                                                "with it; remove it or sweep another variable", name, given));
        pm_params_release_alternatives(&cfg->params, name, cfg->params.set_mask);
    }
    int dressed = pm_model_type_get(cfg->params.model)->truncates_sectors;
    const char *unused = NULL;
    if (!flags->langevin && flags->seed_given) unused = "--seed without --langevin";
    else if (!flags->langevin && flags->trajectories_given) unused = "--trajectories without --langevin";
    else if (!flags->sweeping && flags->threads_given)
        unused = "--threads with one point (the points of a sweep run in parallel, one point alone)";
    else if (dressed && flags->langevin) unused = "--langevin with model = dressed (the four-way comparison has no "
                                                  "Langevin simulation)";
    else if (dressed && flags->table) unused = "--table with model = dressed (the four-way comparison prints its "
                                               "table on stdout)";
    else if (dressed && flags->threshold && flags->sweeping)
        unused = "--threshold in a sweep of model = dressed (thresholds are computed for one point only)";
    if (unused) return reject(command, pm_error_set(PM_EINVAL, "%s: it would have no effect; remove it", unused));
    /* every sweep point valid before any work starts */
    for (size_t k = 0; k < flags->sweep_count; k++) {
        pm_params p;
        s = pm_sweep_apply(&cfg->params, flags->sweep_variable, flags->sweep_values[k], &p);
        if (s != PM_OK) {
            char message[1024];
            snprintf(message, sizeof message, "%s", pm_error_message());
            return reject(command, pm_error_set(s, "sweep value %zu (%s = %g): %s", k + 1,
                                                pm_sweep_variable_name(flags->sweep_variable),
                                                flags->sweep_values[k], message));
        }
    }
    return 0;
}

static int check_map(const char *command, pm_cli_flags *flags, pm_cli_options *opts)
{
    if (flags->resume) {
        /* the journal holds the map: nothing else may describe it */
        if (flags->settings_given || opts->output || flags->naxes || flags->quantities)
            return reject(command, pm_error_set(PM_EINVAL, "--resume takes the map (configuration, axes, quantities "
                                                "and output) from %s.journal; remove the other options (-c, --set, "
                                                "-o, --axis, --quantities) except -q and --threads",
                                                PM_EXCERPT(flags->resume)));
        return 0;
    }
    if (flags->naxes == 0)
        return reject(command, pm_error_set(PM_EINVAL, "no --axis: give one or two, e.g. --axis S=-0.1:0.3:41"));
    pm_status s = PM_OK;
    flags->map_kind = PM_MAP_STEADY;
    if (flags->quantities) s = pm_map_kind_parse(flags->quantities, &flags->map_kind);
    for (int a = 0; a < flags->naxes && s == PM_OK; a++) s = pm_map_axis_parse(flags->axis_spec[a], &flags->axes[a]);
    if (s == PM_OK && flags->naxes == 2 && !strcmp(flags->axes[0].key, flags->axes[1].key))
        s = pm_error_set(PM_EINVAL, "map: both axes are %s", flags->axes[0].key);
    if (s != PM_OK) return reject(command, s);
    /* an axis sets its key at every point: --set of it (or of an alternative
     * it replaces) would be ignored; the file's value gives way */
    for (int a = 0; a < flags->naxes; a++) {
        char given[64];
        if (set_key_replaced_by(opts, flags->axes[a].key, given, sizeof given))
            return reject(command, pm_error_set(PM_EINVAL, "the axis sets %s at every point: --set %s conflicts "
                                                "with it; remove it", flags->axes[a].key, given));
    }
    return 0;
}

int pm_cli_check_flags(const char *command, pm_cli_flags *flags, pm_cli_options *opts)
{
    switch (pm_config_command_bit(command)) {
    case PM_CMD_MAP: return check_map(command, flags, opts);
    case PM_CMD_EVOLVE: return check_evolve(command, flags);
    case PM_CMD_WIGNER: return check_wigner(command, flags, opts);
    case PM_CMD_THEORY: return check_theory(command, flags, opts);
    case PM_CMD_COMPARE: return check_compare(command, flags, opts);
    default: return 0;
    }
}

int pm_cli_parse_command(const char *command, int argc, char **argv, pm_cli_flags *flags, pm_cli_options *opts)
{
    memset(opts, 0, sizeof *opts);
    int rc = pm_cli_take_flags(command, argc, argv, flags);
    if (rc == 0) rc = pm_cli_parse(command, flags->argc, flags->argv, opts);
    if (rc == 0 && !opts->help) rc = pm_cli_check_flags(command, flags, opts);
    if (rc == 0 && !opts->help) pm_cli_warn_regime(flags, opts);
    return rc;
}
