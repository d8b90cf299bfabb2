/* libFuzzer target: the command lines of the seven commands, with their own
 * flags (--sweep, --eta, --checkpoint, --resume, --state FILE:/GROUP,
 * --seed, --trajectories, --threads, --table, --threshold, --langevin,
 * --axis, --quantities), the
 * checks between flags and keys (flags.c), and the number scanners of
 * params.h.  tools/run_fuzz.sh builds and runs it beside fuzz_config.
 *
 * An input is   C ARGS '\0' '\0' INI   (either part may be empty):
 *  - C (one byte) picks the command: '0'-'6' (else C mod 7) for steady,
 *    evolve, converge, wigner, theory, compare, map;
 *  - each '\n'-separated line of ARGS is one argument of
 *    pm_cli_parse_command(command, ...), which takes the flags, parses the
 *    common options and checks the flags against the configuration, as the
 *    command does before any work.  The value of every -c/--config is
 *    replaced by the INI (an in-memory file): no other file is opened, and
 *    the file-valued flags (--state, --resume, --table, -o) are only
 *    parsed, never opened;
 *  - each line is also given to pm_scan_double, pm_scan_integer and
 *    pm_scan_byte_size (PHONOMASER_MEMORY_LIMIT).
 * Properties beyond the sanitizers: exit codes 0-3 only; every failure
 * prints its message (pm_error_message non-empty) and the message is short
 * (<= 512 bytes, issue 12.7: user text is quoted as an excerpt); an
 * accepted command line gives flags within their documented ranges (sweep
 * values finite, 1-16 theory columns, the --state split lossless) and a
 * configuration that survives pm_config_write_ini -> pm_config_load_ini;
 * a number the scanners accept is spelled in decimal (no x, n, i, f). */
#define _GNU_SOURCE
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz_lines.h"
#include "config.h"

static int ini_fd = -1, check_fd = -1;
static char ini_path[64], check_path[64];
static pm_cli_options *opts;
static pm_run_config *back;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ini_fd = memfd_create("fuzz_args.ini", 0);
    check_fd = memfd_create("fuzz_args_check.ini", 0);
    if (ini_fd < 0 || check_fd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(ini_path, sizeof ini_path, "/proc/self/fd/%d", ini_fd);
    snprintf(check_path, sizeof check_path, "/proc/self/fd/%d", check_fd);
    opts = malloc(sizeof *opts); /* ~0.5 MB each: not on the stack */
    back = malloc(sizeof *back);
    if (!opts || !back) abort();
    /* the variable is checked by pm_cli_parse: keep it out of the way */
    unsetenv("PHONOMASER_MEMORY_LIMIT");
    return 0;
}

static void fill(int fd, const char *text, size_t len)
{
    if (ftruncate(fd, 0) != 0 || (len && pwrite(fd, text, len, 0) != (ssize_t)len)) abort();
}

static void fail(const char *what, const char *detail)
{
    fprintf(stderr, "fuzz_args: %s: %s\n", what, detail);
    abort();
}

/* A failure printed a message, and a short one. */
static void check_message(int rc)
{
    if (rc < 0 || rc > 3) {
        char code[32];
        snprintf(code, sizeof code, "%d", rc);
        fail("exit code out of 0..3", code);
    }
    if (rc == 0) return;
    const char *message = pm_error_message();
    if (message[0] == '\0') fail("a rejection without a message", "");
    if (strlen(message) > 512) fail("a message longer than 512 bytes", message);
}

/* The spelling of an accepted number: digits, sign, point, exponent, blanks. */
static void check_decimal_spelling(const char *line, const char *what)
{
    for (const char *p = line; *p; p++)
        if (!strchr("0123456789+-.eE \t\n\v\f\r", *p)) fail(what, line);
}

static void check_scanners(const char *line)
{
    double x;
    long long n;
    if (pm_scan_double(line, &x)) {
        check_decimal_spelling(line, "pm_scan_double accepted a non-decimal spelling");
        if (!isfinite(x)) fail("pm_scan_double gave a non-finite value", line);
        if (!pm_decimal_syntax(line)) fail("pm_scan_double accepted what pm_decimal_syntax refuses", line);
    }
    if (pm_scan_integer(line, -1000000, 1000000, &n)) {
        check_decimal_spelling(line, "pm_scan_integer accepted a non-decimal spelling");
        if (strpbrk(line, ".eE")) fail("pm_scan_integer accepted a point or an exponent", line);
        if (n < -1000000 || n > 1000000) fail("pm_scan_integer out of its range", line);
    }
    if (pm_scan_byte_size(line, &x) && (!isfinite(x) || x < 1.0)) fail("pm_scan_byte_size gave < 1 byte", line);
}

/* write -> load -> write gives the same text (lines the INI reader cannot
 * hold, a long `times` list, are its documented limit: skipped). */
static void check_round_trip(const pm_run_config *cfg)
{
    char *first = NULL, *second = NULL;
    size_t len1 = 0, len2 = 0;
    FILE *out = open_memstream(&first, &len1);
    if (!out) abort();
    pm_config_write_ini(out, cfg);
    fclose(out);
    for (const char *line = first; *line;) {
        size_t n = strcspn(line, "\n");
        if (n > 190) {
            free(first);
            return;
        }
        line += n + (line[n] == '\n');
    }
    fill(check_fd, first, len1);
    pm_config_init(back);
    pm_status s = pm_config_load_ini(back, check_path);
    if (s == PM_OK) s = pm_config_finish(back);
    if (s != PM_OK) fail("an accepted configuration does not read back", pm_error_message());
    out = open_memstream(&second, &len2);
    if (!out) abort();
    pm_config_write_ini(out, back);
    fclose(out);
    if (len1 != len2 || memcmp(first, second, len1) != 0) fail("the round trip changed the configuration", first);
    free(first);
    free(second);
}

static void check_flags(const char *command, const pm_cli_flags *flags)
{
    if (flags->sweeping && flags->sweep_count < 1) fail("a sweep without points", command);
    for (size_t k = 0; k < flags->sweep_count; k++)
        if (!isfinite(flags->sweep_values[k])) fail("a non-finite sweep value", command);
    if (!strcmp(command, "theory")) {
        if (flags->theory_columns != PM_CLI_COLUMNS_ETA && flags->theory_columns != PM_CLI_COLUMNS_ONE)
            fail("theory: no column mode", "");
        if (flags->theory_columns == PM_CLI_COLUMNS_ETA && (flags->neta < 1 || flags->neta > PM_CLI_ETA_MAX))
            fail("theory: column count out of 1..16", "");
        for (int c = 0; c < flags->neta; c++)
            if (!(flags->etas[c] > 0) || !isfinite(flags->etas[c])) fail("theory: an eta <= 0 or not finite", "");
    }
    if (flags->state) {
        /* the split is lossless: path [":" group] */
        size_t lp = strlen(flags->state_path), lg = strlen(flags->state_group);
        if (lp == 0 || strncmp(flags->state, flags->state_path, lp) != 0) fail("--state: path lost", flags->state);
        if (lg ? strcmp(flags->state + lp + 1, flags->state_group) != 0 || flags->state[lp] != ':'
               : flags->state[lp] != '\0')
            fail("--state: group lost", flags->state);
    }
    if (flags->checkpoint_seconds < 0 || flags->checkpoint_seconds > 1e9) fail("--checkpoint out of range", "");
    if (flags->seed < 0 || flags->trajectories < 10 || flags->trajectories > 1000000000LL || flags->threads < 0 ||
        flags->threads > PM_CLI_THREADS_MAX)
        fail("compare: a count out of its range", "");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const commands[] = {"steady", "evolve", "converge", "wigner", "theory", "compare", "map",
                                           "spectrum"};
    if (size == 0 || size > (1u << 20)) return 0;
    const size_t ncommands = sizeof commands / sizeof commands[0];
    const size_t digit = (size_t)data[0] - '0';
    const char *command = commands[data[0] >= '0' && digit < ncommands ? digit : data[0] % ncommands];
    data++, size--;
    /* split ARGS \0\0 INI */
    size_t split = size;
    for (size_t i = 0; i + 1 < size; i++)
        if (data[i] == 0 && data[i + 1] == 0) {
            split = i;
            break;
        }
    fill(ini_fd, (const char *)data + (split < size ? split + 2 : size), split < size ? size - split - 2 : 0);

    /* ARGS as NUL-terminated lines (a NUL inside a line ends it, as in argv) */
    char *args, *argv[FUZZ_MAX_ARGS + 1];
    int argc = fuzz_lines(data, split, &args, argv);
    for (int a = 0; a < argc; a++) check_scanners(argv[a]);

    /* -c/--config values point at the INI (the same value-skipping as the
     * command's parser) */
    for (int a = 0; a < argc; a++) {
        int config = !strcmp(argv[a], "-c") || !strcmp(argv[a], "--config");
        if (pm_cli_command_takes_value(command, argv[a]) && a + 1 < argc) {
            if (config) argv[a + 1] = ini_path;
            a++;
        }
    }
    pm_cli_flags flags;
    pm_error_clear();
    int rc = pm_cli_parse_command(command, argc, argv, &flags, opts);
    check_message(rc);
    if (rc == 0 && !opts->help) {
        check_flags(command, &flags);
        check_round_trip(&opts->config);
    }
    pm_cli_flags_free(&flags);
    free(args);
    return 0;
}
