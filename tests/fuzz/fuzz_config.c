/* libFuzzer target: the parsers of user input, which must reject anything
 * with a one-line message and never crash, leak or hang.
 *
 * An input is   ARGS '\0' '\0' INI   (either part may be empty):
 *  - INI is written to an in-memory file and read by pm_config_load_ini
 *    (Debian's libinih plus our line reader and key handler);
 *  - each '\n'-separated line of ARGS is applied alone as a --set override
 *    (pm_config_apply_override: model keys through params.c, run keys,
 *    lists, complex numbers, suggestions of the closest key);
 *  - ARGS as a whole is an argv for pm_cli_parse("evolve", ...), where the
 *    value of every -c/--config is replaced by the INI file (the fuzzer must
 *    not read arbitrary files such as /dev/zero).
 *  - the first line with a value is applied again with its value (and
 *    then the whole line) repeated past 16 KiB: huge user text.
 * Inputs may be long (tools/run_fuzz.sh: -max_len 65536; the seed corpus
 * has inputs above 8 kB).
 * Properties checked beyond the sanitizers: every accepted configuration
 * survives pm_config_write_ini -> pm_config_load_ini -> pm_config_write_ini
 * unchanged (the record of a run, and the checkpoint of `evolve`, rely on
 * it); every rejection comes with a message of at most 512 bytes (user text
 * is quoted as an excerpt, issue 12.7); an INI with a NUL byte is rejected
 * as such (PM_EINVAL, "NUL byte"), never read as shorter text (issue 12.6). */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz_lines.h"
#include "config.h"

static int ini_fd = -1;
static char ini_path[64];
static pm_run_config *cfg_a, *cfg_b;
static pm_cli_options *cli_opts;
static int verbose; /* PM_FUZZ_VERBOSE=1: print every rejection (to list what the fuzzer tried) */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    ini_fd = memfd_create("fuzz.ini", 0);
    if (ini_fd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(ini_path, sizeof ini_path, "/proc/self/fd/%d", ini_fd);
    /* ~0.5 MB each (the times list): not on the stack */
    cfg_a = malloc(sizeof *cfg_a);
    cfg_b = malloc(sizeof *cfg_b);
    cli_opts = malloc(sizeof *cli_opts);
    if (!cfg_a || !cfg_b || !cli_opts) abort();
    const char *env = getenv("PM_FUZZ_VERBOSE");
    verbose = env && *env == '1';
    return 0;
}

static void set_ini(const char *text, size_t len)
{
    if (ftruncate(ini_fd, 0) != 0 || pwrite(ini_fd, text, len, 0) != (ssize_t)len) abort();
}

static char *ini_text(const pm_run_config *cfg, size_t *len)
{
    char *text = NULL;
    FILE *out = open_memstream(&text, len);
    if (!out) abort();
    pm_config_write_ini(out, cfg);
    fclose(out);
    return text;
}

/* A message for every failure, and a short one. */
static void expect_message(pm_status status)
{
    if (verbose && status != PM_OK) printf("rejected: %s\n", pm_error_message());
    if (status != PM_OK && pm_error_message()[0] == '\0') {
        fprintf(stderr, "status %d without a message\n", (int)status);
        abort();
    }
    if (status != PM_OK && strlen(pm_error_message()) > 512) {
        fprintf(stderr, "a message of %zu bytes (> 512): %s\n", strlen(pm_error_message()), pm_error_message());
        abort();
    }
}

/* `line` with the part from `from` on repeated until it holds at least 16 KiB. */
static char *amplified(const char *line, size_t from)
{
    size_t len = strlen(line), unit = len - from, total = from;
    if (unit == 0) return NULL;
    while (total < 16384) total += unit;
    char *out = malloc(total + 1);
    if (!out) abort();
    memcpy(out, line, from);
    for (size_t k = from; k < total; k += unit) memcpy(out + k, line + from, unit);
    out[total] = '\0';
    return out;
}

static void check_round_trip(const pm_run_config *cfg);

/* A --set of `assignment`, checked (the messages, the round trip). */
static void apply_one(const char *assignment)
{
    pm_config_init(cfg_a);
    pm_status s = pm_config_apply_override(cfg_a, assignment);
    if (s == PM_OK) s = pm_config_finish(cfg_a);
    expect_message(s);
    if (s == PM_OK) check_round_trip(cfg_a);
}

/* write -> load -> write gives the same text (lines the INI reader cannot
 * hold, a long `times` list, are its documented limit: skipped). */
static void check_round_trip(const pm_run_config *cfg)
{
    size_t len1 = 0, len2 = 0;
    char *first = ini_text(cfg, &len1);
    for (const char *line = first; *line;) {
        size_t n = strcspn(line, "\n");
        if (n > 190) {
            free(first);
            return;
        }
        line += n + (line[n] == '\n');
    }
    set_ini(first, len1);
    pm_config_init(cfg_b);
    pm_status s = pm_config_load_ini(cfg_b, ini_path);
    if (s == PM_OK) s = pm_config_finish(cfg_b);
    if (s != PM_OK) {
        fprintf(stderr, "accepted configuration does not read back: %s\n%s\n", pm_error_message(), first);
        abort();
    }
    char *second = ini_text(cfg_b, &len2);
    if (len1 != len2 || memcmp(first, second, len1) != 0) {
        fprintf(stderr, "round trip changed the configuration:\n%s\n----\n%s\n", first, second);
        abort();
    }
    free(first);
    free(second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (1u << 20)) return 0;
    /* split ARGS \0\0 INI */
    size_t split = size;
    for (size_t i = 0; i + 1 < size; i++)
        if (data[i] == 0 && data[i + 1] == 0) {
            split = i;
            break;
        }
    const char *ini = (const char *)data + (split < size ? split + 2 : size);
    size_t ini_len = split < size ? size - split - 2 : 0;

    /* 1. the INI file alone */
    set_ini(ini, ini_len);
    pm_config_init(cfg_a);
    pm_status s = pm_config_load_ini(cfg_a, ini_path);
    if (s == PM_OK) s = pm_config_finish(cfg_a);
    expect_message(s);
    if (s == PM_OK) check_round_trip(cfg_a);
    if (memchr(ini, '\0', ini_len) != NULL && (s != PM_EINVAL || !strstr(pm_error_message(), "NUL byte"))) {
        fprintf(stderr, "an INI with a NUL byte was not rejected as such: %d %s\n", (int)s, pm_error_message());
        abort();
    }

    /* ARGS as NUL-terminated lines (a NUL inside a line ends it, as in argv) */
    char *args, *argv[FUZZ_MAX_ARGS + 1];
    int argc = fuzz_lines(data, split, &args, argv);

    /* 2. each line as one --set; the first with a value also amplified */
    int amplify = 1;
    for (int a = 0; a < argc; a++) {
        apply_one(argv[a]);
        const char *eq = strchr(argv[a], '=');
        if (amplify && eq && eq[1]) {
            amplify = 0;
            char *big = amplified(argv[a], (size_t)(eq + 1 - argv[a]));
            if (big) apply_one(big);
            free(big);
            big = amplified(argv[a], 0);
            if (big) apply_one(big);
            free(big);
        }
    }

    /* 3. the command line; -c/--config values point at the INI (the same
     * value-skipping as pm_cli_parse) */
    set_ini(ini, ini_len);
    for (int a = 0; a < argc; a++) {
        const char *arg = argv[a];
        int config = !strcmp(arg, "-c") || !strcmp(arg, "--config");
        int takes_value = pm_cli_common_option_takes_value(arg);
        if (takes_value && a + 1 < argc) {
            if (config) argv[a + 1] = ini_path;
            a++;
        }
    }
    if (pm_cli_parse("evolve", argc, argv, cli_opts) == 0 && !cli_opts->help) check_round_trip(&cli_opts->config);
    free(args);
    return 0;
}
