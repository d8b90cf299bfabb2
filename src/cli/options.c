#include <ctype.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char *const option_names[] = {"--config", "--set", "--output", "--quiet", "--help", NULL};

void pm_cli_print_common_help(FILE *out)
{
    fprintf(out, "options:\n"
                 "  -c, --config FILE     read parameters from an INI file (applied first)\n"
                 "  -s, --set KEY=VALUE   set one parameter (applied after the file, in order)\n"
                 "  -o, --output FILE.h5  write results to an HDF5 file (written to a temporary\n"
                 "                        name and renamed when complete)\n"
                 "  -q, --quiet           no progress bar and no notes on stderr (warnings stay)\n"
                 "  -h, --help            this help\n\n"
                 "exit status: 0 success, 1 solver or file failure, 2 invalid input,\n"
                 "             3 interrupted (the output file holds the partial results, complete = 0)\n\n"
                 "keys (INI file or --set): a configuration file may hold the keys of every command\n"
                 "(as the config_ini record of a run does) and a command ignores those it does not\n"
                 "need; given with --set, such a key is an error.\n");
    pm_config_print_keys(out);
}

/* "<prefix>: error: <message>" as ONE line on stderr: messages quote user
 * text (a --set value, a file name, an INI line), which may hold newlines or
 * terminal control bytes; those are printed as \n, \r, \xNN. */
static void print_error(const char *prefix, const char *message)
{
    fprintf(stderr, "%s: error: ", prefix);
    for (const unsigned char *p = (const unsigned char *)message; *p; p++) {
        if (*p == '\n')
            fputs("\\n", stderr);
        else if (*p == '\r')
            fputs("\\r", stderr);
        else if ((*p < 0x20 && *p != '\t') || *p == 0x7f)
            fprintf(stderr, "\\x%02x", *p);
        else
            fputc(*p, stderr);
    }
    fputc('\n', stderr);
}

int pm_cli_fail(pm_status status)
{
    print_error("phonomaser", pm_error_message());
    switch (status) {
    case PM_EINVAL:
    case PM_ETOOLARGE: /* the memory estimate: an input this machine cannot take */
    case PM_ESYMMETRY: return 2;
    case PM_EINTERRUPT: return 3;
    default: return 1;
    }
}

static void print_command_error(const char *command)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "phonomaser %s", command);
    print_error(prefix, pm_error_message());
}

int pm_cli_command_fail(const char *command, pm_status status)
{
    print_command_error(command);
    switch (status) {
    case PM_EINVAL:
    case PM_ETOOLARGE: /* as pm_cli_fail */
    case PM_ESYMMETRY: return 2;
    case PM_EINTERRUPT: return 3;
    default: return 1;
    }
}

static int bad_option(const char *command, const char *text)
{
    const char *closest = pm_closest_word(text, option_names);
    if (closest)
        pm_error_set(PM_EINVAL, "unknown option '%s'; did you mean '%s'?", PM_EXCERPT(text), closest);
    else
        pm_error_set(PM_EINVAL, "unknown option '%s' (see 'phonomaser %s --help')", PM_EXCERPT(text), command);
    print_command_error(command);
    return 2;
}

/* The key of a --set assignment, trimmed ("eta" of " eta = 0.1"); 0 if
 * there is no '=' or the key does not fit (no key is that long: the value
 * check names it). */
static int set_key(const char *assignment, char *key, size_t size)
{
    const char *eq = strchr(assignment, '=');
    if (!eq) return 0;
    const char *start = assignment, *end = eq;
    while (start < end && isspace((unsigned char)*start)) start++; /* as pm_config_apply_override */
    while (end > start && isspace((unsigned char)end[-1])) end--;
    if ((size_t)(end - start) >= size) return 0;
    memcpy(key, start, (size_t)(end - start));
    key[end - start] = '\0';
    return 1;
}

int pm_cli_set_given(const pm_cli_options *opts, const char *key)
{
    for (int a = 0; a + 1 < opts->argc; a++) {
        const char *arg = opts->argv[a];
        if (!strcmp(arg, "-s") || !strcmp(arg, "--set")) {
            char given[64];
            if (set_key(opts->argv[a + 1], given, sizeof given) && !strcmp(given, key)) return 1;
        }
        if (pm_cli_common_option_takes_value(arg)) a++;
    }
    return 0;
}

int pm_cli_parse(const char *command, int argc, char **argv, pm_cli_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->argc = argc;
    opts->argv = argv;
    pm_config_init(&opts->config);
    const char *config_file = NULL;
    /* pass 1: everything but the overrides, so that the file is applied first */
    for (int a = 0; a < argc; a++) {
        const char *arg = argv[a];
        int takes_value = pm_cli_common_option_takes_value(arg);
        if (takes_value && a + 1 >= argc)
            return pm_cli_command_fail(command, pm_error_set(PM_EINVAL, "option '%s' needs a value", arg));
        if (!strcmp(arg, "-h") || !strcmp(arg, "--help")) {
            opts->help = 1;
        } else if (!strcmp(arg, "-q") || !strcmp(arg, "--quiet")) {
            opts->quiet = 1;
        } else if (!strcmp(arg, "-c") || !strcmp(arg, "--config")) {
            if (config_file)
                return pm_cli_command_fail(command, pm_error_set(PM_EINVAL, "option '--config' given twice"));
            config_file = argv[++a];
        } else if (!strcmp(arg, "-o") || !strcmp(arg, "--output")) {
            opts->output = argv[++a];
            if (!opts->output[0])
                return pm_cli_command_fail(command, pm_error_set(PM_EINVAL, "--output: empty file name"));
            if (opts->output_given++)
                return pm_cli_command_fail(command, pm_error_set(PM_EINVAL, "option '--output' given twice"));
        } else if (!strcmp(arg, "-s") || !strcmp(arg, "--set")) {
            a++;
        } else {
            return bad_option(command, arg);
        }
    }
    if (opts->help) return 0;
    /* the environment, before any work (drivers/solve.h reads it) */
    const char *limit = getenv("PHONOMASER_MEMORY_LIMIT");
    double bytes;
    if (limit && *limit && !pm_scan_byte_size(limit, &bytes))
        return pm_cli_command_fail(command, pm_error_set(PM_EINVAL, "environment variable PHONOMASER_MEMORY_LIMIT "
                                                         "= '%s': must be a number of bytes >= 1, e.g. 2e9, 2GB or "
                                                         "1.5GiB (units kB, MB, GB, TB, KiB, MiB, GiB, TiB), or "
                                                         "empty for none", PM_EXCERPT(limit)));
    pm_config_set_stop(&pm_cli_stop);
    pm_status s = config_file ? pm_config_load_ini(&opts->config, config_file) : PM_OK;
    unsigned file_mask = opts->config.params.set_mask;
    for (int a = 0; a < argc && s == PM_OK; a++)
        if (!strcmp(argv[a], "-s") || !strcmp(argv[a], "--set")) {
            /* an override of g replaces the file's eta (and alike) */
            const char *assignment = argv[++a];
            char key[64];
            if (set_key(assignment, key, sizeof key)) {
                /* a key this command does not use: an error, not ignored */
                s = pm_config_check_key_use(command, key);
                if (s != PM_OK) break;
                pm_params_release_alternatives(&opts->config.params, key, file_mask);
            }
            s = pm_config_apply_override(&opts->config, assignment);
        }
        else if (!strcmp(argv[a], "-c") || !strcmp(argv[a], "--config") || !strcmp(argv[a], "-o") ||
                 !strcmp(argv[a], "--output"))
            a++;
    if (s == PM_OK) s = pm_config_finish(&opts->config);
    /* a --set key that the other settings leave without effect (fock_n
     * without initial = fock, ...): an error, not ignored */
    for (int a = 0; a + 1 < argc && s == PM_OK; a++) {
        char key[64];
        if ((!strcmp(argv[a], "-s") || !strcmp(argv[a], "--set")) && set_key(argv[a + 1], key, sizeof key))
            s = pm_config_check_key_applies(&opts->config, key);
        if (pm_cli_common_option_takes_value(argv[a])) a++;
    }
    if (s != PM_OK) {
        print_command_error(command);
        return s == PM_EIO ? 1 : s == PM_EINTERRUPT ? 3 : 2;
    }
    return 0;
}

/* ---- signals ------------------------------------------------------------- */

pm_stop_flag pm_cli_stop = 0;

/* Temporary files to remove when a second signal ends the program at once
 * (the output and the checkpoint of evolve). */
enum { FORGET_SLOTS = 2, FORGET_PATH_MAX = 4096 };
static char forget_paths[FORGET_SLOTS][FORGET_PATH_MAX];
static volatile sig_atomic_t forget_count = 0;

void pm_cli_forget_on_exit(const char *path)
{
    if (forget_count >= FORGET_SLOTS) return;
    int n = snprintf(forget_paths[forget_count], FORGET_PATH_MAX, "%s.tmp.%ld", path, (long)getpid());
    if (n > 0 && n < FORGET_PATH_MAX) forget_count = forget_count + 1;
}

/* The first SIGINT/SIGTERM sets the stop flag: the command stops at its
 * next check, writes what it has (complete = 0) and exits 3.  A second one
 * ends the program at once (exit 3), removing the temporary files; only
 * async-signal-safe calls here. */
static void on_signal(int signum)
{
    (void)signum;
    if (atomic_exchange(&pm_cli_stop, 1) == 0) return;
    static const char message[] = "phonomaser: interrupted twice: stopped at once, no output written\n";
    for (sig_atomic_t k = 0; k < forget_count; k++) unlink(forget_paths[k]);
    ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
    (void)ignored;
    _exit(3);
}

void pm_cli_install_signals(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal; /* no SA_RESTART: a blocking read returns EINTR */
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

/* ---- output files ---------------------------------------------------------- */

int pm_cli_check_output(const char *path, int quiet)
{
    size_t stale = 0;
    pm_status s = pm_h5_check_output(path, &stale);
    if (s != PM_OK) return pm_cli_fail(s);
    pm_cli_forget_on_exit(path);
    if (stale && !quiet)
        fprintf(stderr, "phonomaser: note: removed %zu stale temporary file%s '%s.tmp.<pid>' left by a "
                "process that no longer exists\n", stale, stale == 1 ? "" : "s", path);
    return 0;
}

/* ---- warnings on the parameters -------------------------------------------- */

void pm_cli_warn_regime(const pm_cli_flags *flags, const pm_cli_options *opts)
{
    const pm_params *base = &opts->config.params;
    char text[400], first[400] = "";
    size_t values = 0, warned = 0;
    pm_params p;
    if (flags && flags->sweeping) {
        for (size_t k = 0; k < flags->sweep_count; k++, values++)
            if (pm_sweep_apply(base, flags->sweep_variable, flags->sweep_values[k], &p) == PM_OK &&
                pm_model_regime_warning(&p, text, sizeof text) && !warned++)
                snprintf(first, sizeof first, "%s", text);
    } else if (flags && flags->naxes > 0) {
        for (int a = 0; a < flags->naxes; a++)
            for (size_t k = 0; k < flags->axes[a].count; k++, values++)
                if (pm_map_apply(base, flags->axes[a].key, flags->axes[a].values[k], &p) == PM_OK &&
                    pm_model_regime_warning(&p, text, sizeof text) && !warned++)
                    snprintf(first, sizeof first, "%s", text);
    } else {
        values = 1;
        if (pm_model_regime_warning(base, text, sizeof text)) warned = 1, snprintf(first, sizeof first, "%s", text);
    }
    pm_error_clear();
    if (warned == 0) return;
    if (values > 1)
        fprintf(stderr, "phonomaser: warning: %s (%zu of %zu axis values)\n", first, warned, values);
    else
        fprintf(stderr, "phonomaser: warning: %s\n", first);
}

int pm_cli_begin(const char *command, int argc, char **argv, void (*help)(void), pm_cli_options *opts,
                 pm_h5file **file)
{
    *file = NULL;
    int rc = pm_cli_parse(command, argc, argv, opts);
    if (rc != 0) return rc;
    if (opts->help) {
        help();
        return 0;
    }
    pm_cli_warn_regime(NULL, opts);
    if (opts->output) {
        rc = pm_cli_check_output(opts->output, opts->quiet);
        if (rc != 0) return rc;
        pm_status s = pm_h5_create(opts->output, file);
        if (s != PM_OK) return pm_cli_fail(s);
    }
    return -1;
}

int pm_cli_common_option_takes_value(const char *arg)
{
    static const char *const valued[] = {"-c", "--config", "-s", "--set", "-o", "--output", NULL};
    for (size_t k = 0; valued[k]; k++)
        if (!strcmp(arg, valued[k])) return 1;
    return 0;
}

pm_path pm_cli_path(const pm_run_config *cfg)
{
    pm_path path = PM_PATH_AUTO;
    pm_path_from_name(cfg->path, &path); /* validated by the configuration */
    return path;
}

void pm_cli_converge_options(const pm_run_config *cfg, pm_converge_options *opts)
{
    pm_run_converge_options(cfg, &pm_cli_stop, opts);
}
