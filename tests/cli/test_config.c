/* Run configuration: defaults, INI files, --set overrides, every rejected
 * run key, suggestions for unknown keys, and the data/table1.ini file. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/cli/config.h"
#include "testutil.h"

#ifndef PM_DATA_DIR
#define PM_DATA_DIR "data"
#endif

static int contains(const char *haystack, const char *needle) { return strstr(haystack, needle) != NULL; }

/* Temporary INI files, removed at exit. */
static char temp_paths[64][64];
static int temp_count = 0;

static const char *write_temp(const char *content)
{
    if (temp_count >= 64)
        return NULL;
    char *path = temp_paths[temp_count];
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof temp_paths[0], "%s/pm_config_XXXXXX", dir && strlen(dir) < 40 ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        fprintf(stderr, "mkstemp: %s\n", strerror(errno));
        test_failures++;
        return NULL;
    }
    size_t len = strlen(content);
    CHECK(write(fd, content, len) == (ssize_t)len);
    close(fd);
    temp_count++;
    return path;
}

static void remove_temps(void)
{
    for (int i = 0; i < temp_count; i++)
        unlink(temp_paths[i]);
}

/* Loading `content` must fail with `status` and a message containing
 * `want1` and `want2` (if given). */
static void expect_load_error(const char *content, pm_status status, const char *want1,
                              const char *want2, int line)
{
    const char *path = write_temp(content);
    if (path == NULL)
        return;
    pm_run_config cfg;
    pm_config_init(&cfg);
    pm_error_clear();
    pm_status got = pm_config_load_ini(&cfg, path);
    char prefix[128];
    snprintf(prefix, sizeof prefix, "%s:", path);
    const char *msg = pm_error_message();
    if (got != status || (want1 && !contains(msg, want1)) || (want2 && !contains(msg, want2)) ||
        (status == PM_EINVAL && strncmp(msg, prefix, strlen(prefix)) != 0)) {
        fprintf(stderr, "line %d: load gave %d '%s' (want %d with '%s' '%s')\n", line, (int)got, msg,
                (int)status, want1 ? want1 : "", want2 ? want2 : "");
        test_failures++;
    }
}
#define LOAD_ERROR(content, want1, want2) expect_load_error(content, PM_EINVAL, want1, want2, __LINE__)

/* pm_config_set must fail, leave cfg unchanged and name key and `also`. */
static void expect_set_rejected(const char *key, const char *value, const char *also, int line)
{
    pm_run_config cfg, before;
    pm_config_init(&cfg);
    before = cfg;
    pm_error_clear();
    pm_status status = pm_config_set(&cfg, key, value);
    const char *msg = pm_error_message();
    if (status != PM_EINVAL || !contains(msg, key) || (also && !contains(msg, also)) ||
        memcmp(&cfg, &before, sizeof cfg) != 0) {
        fprintf(stderr, "line %d: set %s = '%s' gave %d '%s' (want PM_EINVAL naming '%s' and '%s')\n",
                line, key, value, (int)status, msg, key, also ? also : "");
        test_failures++;
    }
}
#define REJECT(key, value, also) expect_set_rejected(key, value, also, __LINE__)

static void test_defaults(void)
{
    pm_run_config cfg;
    pm_config_init(&cfg);
    pm_params params;
    pm_params_init(&params);
    CHECK(memcmp(&cfg.params, &params, sizeof params) == 0);
    CHECK(strcmp(cfg.method, "direct") == 0);
    CHECK(cfg.arpack_tol == 0.0);
    CHECK(cfg.t_final == 20.0);
    CHECK(cfg.n_times == 201);
    CHECK(strcmp(cfg.initial, "thermal") == 0);
    CHECK(cfg.fock_n == 0);
    CHECK(cfg.alpha_re == 0.0 && cfg.alpha_im == 0.0);
    CHECK(cfg.rtol == 1e-8 && cfg.atol == 1e-10);
    CHECK(strcmp(cfg.linear_solver, "auto") == 0);
    CHECK(strcmp(cfg.real_fold, "auto") == 0 && pm_config_real_fold(&cfg) == PM_FOLD_AUTO);
    CHECK(strcmp(cfg.path, "auto") == 0);
    CHECK(cfg.tail_tol == 1e-8 && cfg.converge_tol == 1e-6);
    CHECK(cfg.store_rho == 0);
    CHECK_OK(pm_config_finish(&cfg));
    CHECK(pm_config_steady_method(&cfg) == PM_STEADY_DIRECT);
    CHECK(pm_config_linear_solver(&cfg) == PM_LINSOL_AUTO);
    CHECK(pm_config_initial_kind(&cfg) == PM_INITIAL_THERMAL);
    CHECK(strcmp(cfg.path, "auto") == 0);
}

static void test_run_keys_accept(void)
{
    pm_run_config cfg;
    pm_config_init(&cfg);
    CHECK_OK(pm_config_set(&cfg, "method", "ARPACK")); /* words are case-insensitive */
    CHECK(strcmp(cfg.method, "arpack") == 0);
    CHECK_OK(pm_config_set(&cfg, "arpack_tol", "1e-12"));
    CHECK_OK(pm_config_set(&cfg, "t_final", "0.5"));
    CHECK_OK(pm_config_set(&cfg, "n_times", "1e3"));
    CHECK(cfg.n_times == 1000);
    CHECK_OK(pm_config_set(&cfg, "n_times", "10000000"));
    CHECK(cfg.n_times == 10000000);
    CHECK_OK(pm_config_set(&cfg, "initial", "coherent"));
    CHECK_OK(pm_config_set(&cfg, "linear_solver", "spgmr"));
    CHECK_OK(pm_config_set(&cfg, "path", "sector"));
    CHECK_OK(pm_config_set(&cfg, "rtol", "1e-6"));
    CHECK_OK(pm_config_set(&cfg, "atol", "1e-14"));
    CHECK_OK(pm_config_set(&cfg, "tail_tol", "1e-3"));
    CHECK_OK(pm_config_set(&cfg, "converge_tol", "0.01"));
    CHECK(pm_config_steady_method(&cfg) == PM_STEADY_ARPACK);
    CHECK(pm_config_linear_solver(&cfg) == PM_LINSOL_SPGMR);
    CHECK(pm_config_initial_kind(&cfg) == PM_INITIAL_COHERENT);
    CHECK(strcmp(cfg.path, "sector") == 0);
    CHECK_OK(pm_config_set(&cfg, "path", "full"));
    CHECK(strcmp(cfg.path, "full") == 0);
    CHECK_OK(pm_config_set(&cfg, "initial", "vacuum"));
    CHECK(pm_config_initial_kind(&cfg) == PM_INITIAL_VACUUM);
    CHECK_OK(pm_config_set(&cfg, "initial", "fock"));
    CHECK(pm_config_initial_kind(&cfg) == PM_INITIAL_FOCK);
    CHECK(cfg.arpack_tol == 1e-12 && cfg.t_final == 0.5 && cfg.rtol == 1e-6 && cfg.atol == 1e-14);
    CHECK(cfg.tail_tol == 1e-3 && cfg.converge_tol == 0.01);

    /* store_rho spellings. */
    const char *yes[] = {"1", "true", "TRUE", " True "}, *no[] = {"0", "false", "False"};
    for (size_t i = 0; i < 4; i++) {
        cfg.store_rho = 0;
        CHECK_OK(pm_config_set(&cfg, "store_rho", yes[i]));
        CHECK(cfg.store_rho == 1);
    }
    for (size_t i = 0; i < 3; i++) {
        cfg.store_rho = 1;
        CHECK_OK(pm_config_set(&cfg, "store_rho", no[i]));
        CHECK(cfg.store_rho == 0);
    }

    /* alpha: real, complex with either sign, exponents, bare i. */
    const struct { const char *text; double re, im; } alphas[] = {
        {"3", 3, 0},          {"3+2i", 3, 2},     {"3-2i", 3, -2},      {" -1.5e-1-2.5E+1i ", -0.15, -25},
        {"2i", 0, 2},         {"-i", 0, -1},      {"1+i", 1, 1},        {"1e-3+2e-4i", 1e-3, 2e-4},
        {"1e+2i", 0, 100},    {"-0.5", -0.5, 0},  {"4-j", 4, -1},       {"3 + 2i", 3, 2},
    };
    for (size_t i = 0; i < sizeof alphas / sizeof alphas[0]; i++) {
        cfg.alpha_re = cfg.alpha_im = 99.0;
        pm_status status = pm_config_set(&cfg, "alpha", alphas[i].text);
        if (status != PM_OK || cfg.alpha_re != alphas[i].re || cfg.alpha_im != alphas[i].im) {
            fprintf(stderr, "alpha '%s' -> %d, %g%+gi (want %g%+gi) %s\n", alphas[i].text, (int)status,
                    cfg.alpha_re, cfg.alpha_im, alphas[i].re, alphas[i].im, pm_error_message());
            test_failures++;
        }
    }
}

static void test_run_key_rejections(void)
{
    REJECT("method", "lu", "direct, arpack");
    REJECT("method", "arpak", "did you mean 'arpack'");
    REJECT("method", "", "direct, arpack");
    REJECT("real_fold", "yes", "auto, on, off");
    REJECT("arpack_tol", "-1e-9", ">= 0");
    REJECT("arpack_tol", "nan", ">= 0");
    REJECT("t_final", "0", "> 0 [s]");
    REJECT("t_final", "-5", "> 0 [s]");
    REJECT("t_final", "abc", "> 0 [s]");
    REJECT("t_final", "inf", "> 0 [s]");
    REJECT("t_final", "", "> 0 [s]");
    REJECT("n_times", "1", "[2, 10000000]");
    REJECT("n_times", "10000001", "[2, 10000000]");
    REJECT("n_times", "10.5", "integer");
    REJECT("n_times", "1e", "integer");
    REJECT("initial", "squeezed", "thermal, fock, coherent, vacuum");
    REJECT("initial", "coheren", "did you mean 'coherent'");
    REJECT("fock_n", "-1", ">= 0");
    REJECT("fock_n", "2.5", "integer");
    REJECT("alpha", "abc", "complex");
    REJECT("alpha", "3+2", "complex");
    REJECT("alpha", "3+2ii", "complex");
    REJECT("alpha", "nan", "complex");
    REJECT("alpha", "1+infi", "complex");
    REJECT("alpha", "i3", "complex");
    REJECT("alpha", "", "complex");
    REJECT("rtol", "0", "(0, 1)");
    REJECT("rtol", "1", "(0, 1)");
    REJECT("rtol", "1.5", "(0, 1)");
    REJECT("atol", "0", "> 0");
    REJECT("atol", "-1e-10", "> 0");
    REJECT("linear_solver", "gmres", "auto, klu, spgmr, lu");
    REJECT("path", "partial", "auto, full, sector");
    REJECT("tail_tol", "0", "(0, 1)");
    REJECT("tail_tol", "1", "(0, 1)");
    REJECT("converge_tol", "0", "(0, 1)");
    REJECT("converge_tol", "2", "(0, 1)");
    REJECT("store_rho", "maybe", "true or false");
    REJECT("store_rho", "2", "true or false");
    REJECT("store_rho", "", "true or false");
    /* Model keys go through pm_params_set. */
    REJECT("gamma_1", "-3", ">= 0 [1/s]");
    REJECT("N", "1", "auto");

    /* Unknown keys: suggestions from the union of model and run keys. */
    REJECT("gama_1", "1", "did you mean 'gamma_1'?");
    REJECT("t_finel", "1", "did you mean 't_final'?");
    REJECT("linear_solvr", "klu", "did you mean 'linear_solver'?");
    REJECT("store-rho", "1", "did you mean 'store_rho'?");
    REJECT("Eta", "1", "did you mean 'eta'?");
    REJECT("bogus_setting", "1", "unknown key 'bogus_setting'");
    pm_run_config cfg;
    pm_config_init(&cfg);
    CHECK(pm_config_set(&cfg, "bogus_setting", "1") == PM_EINVAL);
    CHECK(!contains(pm_error_message(), "did you mean"));

    /* finish re-checks fields a C caller filled directly. */
    pm_config_init(&cfg);
    cfg.rtol = 2.0;
    CHECK(pm_config_finish(&cfg) == PM_EINVAL && contains(pm_error_message(), "rtol"));
    pm_config_init(&cfg);
    snprintf(cfg.method, sizeof cfg.method, "lu");
    CHECK(pm_config_finish(&cfg) == PM_EINVAL && contains(pm_error_message(), "method"));
    pm_config_init(&cfg);
    cfg.n_times = 1;
    CHECK(pm_config_finish(&cfg) == PM_EINVAL && contains(pm_error_message(), "n_times"));
    pm_config_init(&cfg);
    cfg.alpha_im = NAN;
    CHECK(pm_config_finish(&cfg) == PM_EINVAL && contains(pm_error_message(), "alpha"));
    pm_config_init(&cfg);
    cfg.store_rho = 7;
    CHECK(pm_config_finish(&cfg) == PM_EINVAL && contains(pm_error_message(), "store_rho"));
}

static void test_finish_cross_checks(void)
{
    pm_run_config cfg;
    /* fock_n < N for initial = fock. */
    pm_config_init(&cfg);
    CHECK_OK(pm_config_set(&cfg, "initial", "fock"));
    CHECK_OK(pm_config_set(&cfg, "N", "40"));
    CHECK_OK(pm_config_set(&cfg, "fock_n", "39"));
    CHECK_OK(pm_config_finish(&cfg));
    CHECK_OK(pm_config_set(&cfg, "fock_n", "40"));
    CHECK(pm_config_finish(&cfg) == PM_EINVAL);
    CHECK(contains(pm_error_message(), "fock_n = 40") && contains(pm_error_message(), "N = 40"));
    /* ... skipped for N = auto, and irrelevant for other initial states. */
    CHECK_OK(pm_config_set(&cfg, "N", "auto"));
    CHECK_OK(pm_config_finish(&cfg));
    CHECK_OK(pm_config_set(&cfg, "N", "10"));
    CHECK_OK(pm_config_set(&cfg, "initial", "thermal"));
    CHECK_OK(pm_config_finish(&cfg));

    /* Model conflicts surface in finish, whichever source set the keys. */
    pm_config_init(&cfg);
    CHECK_OK(pm_config_set(&cfg, "eta", "0.1"));
    CHECK_OK(pm_config_apply_override(&cfg, "g=20"));
    CHECK(pm_config_finish(&cfg) == PM_EINVAL);
    CHECK(contains(pm_error_message(), "eta") && contains(pm_error_message(), " g "));
    pm_config_init(&cfg);
    CHECK_OK(pm_config_set(&cfg, "gamma_2", "100"));
    CHECK(pm_config_finish(&cfg) == PM_EINVAL && contains(pm_error_message(), "gamma_2"));
}

static void test_overrides(void)
{
    pm_run_config cfg;
    pm_config_init(&cfg);
    CHECK_OK(pm_config_apply_override(&cfg, "eta=0.25"));
    CHECK(cfg.params.eta == 0.25);
    CHECK_OK(pm_config_apply_override(&cfg, "  method = arpack  "));
    CHECK(strcmp(cfg.method, "arpack") == 0);
    CHECK_OK(pm_config_apply_override(&cfg, "alpha=3-2i"));
    CHECK(cfg.alpha_re == 3.0 && cfg.alpha_im == -2.0);

    pm_run_config before = cfg;
    const struct { const char *text, *want; } bad[] = {
        {"eta0.1", "expected key=value"},
        {"", "expected key=value"},
        {"=3", "missing key"},
        {"  =3", "missing key"},
        {"eta=", "eta"},
        {"eta=abc", "eta = abc"},
        {"t_final=1=2", "t_final"},
        {"gama_1=3", "did you mean 'gamma_1'?"},
        {"rtoll=1e-6", "did you mean 'rtol'?"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pm_error_clear();
        pm_status status = pm_config_apply_override(&cfg, bad[i].text);
        const char *msg = pm_error_message();
        if (status != PM_EINVAL || !contains(msg, bad[i].want) || !contains(msg, "--set") ||
            memcmp(&cfg, &before, sizeof cfg) != 0) {
            fprintf(stderr, "--set '%s' gave %d '%s' (want '%s')\n", bad[i].text, (int)status, msg,
                    bad[i].want);
            test_failures++;
        }
    }
    CHECK(pm_config_apply_override(&cfg, NULL) == PM_EINVAL);
}

static void test_ini_loading(void)
{
    const char *path = write_temp(
        "; leading comment\n"
        "# hash comment\n"
        "N = 25            ; before any section\n"
        "\n"
        "[model]\n"
        "omega_m = 1000\n"
        "  Q = 500         ; indented key, inline comment\n"
        "gamma_1: 400\n"
        "eta = 0.05\n"
        "[steady]\n"
        "method = arpack\n"
        "[evolve]\n"
        "t_final = 2.5\n"
        "initial = fock\n"
        "fock_n = 24\n"
        "[solver]\n"
        "path = full\n"
        "[output]\n"
        "store_rho = true\n"
        "[Model]\n"
        "S = -0.5\n");
    if (path == NULL)
        return;
    pm_run_config cfg;
    pm_config_init(&cfg);
    CHECK_OK(pm_config_load_ini(&cfg, path));
    CHECK_OK(pm_config_finish(&cfg));
    CHECK(cfg.params.N == 25);
    CHECK(cfg.params.omega_m == 1000.0 && cfg.params.Q == 500.0 && cfg.params.gamma_1 == 400.0);
    CHECK_REL(cfg.params.gamma_m, 2.0, 1e-15);
    CHECK_REL(cfg.params.g, 50.0, 1e-15);
    CHECK_REL(cfg.params.gamma_up, 100.0, 1e-15);
    CHECK_REL(cfg.params.gamma_down, 300.0, 1e-15);
    CHECK(strcmp(cfg.method, "arpack") == 0 && cfg.t_final == 2.5 && cfg.fock_n == 24);
    CHECK(strcmp(cfg.path, "full") == 0 && cfg.store_rho == 1);
    CHECK(cfg.n_times == 201); /* untouched default */

    /* Overrides win over the file. */
    CHECK_OK(pm_config_apply_override(&cfg, "eta=0.2"));
    CHECK_OK(pm_config_apply_override(&cfg, "method=direct"));
    CHECK_OK(pm_config_finish(&cfg));
    CHECK_REL(cfg.params.g, 200.0, 1e-15);
    CHECK(strcmp(cfg.method, "direct") == 0);
    /* ... and finish sees the combination (fock_n = 24 >= N = 20). */
    CHECK_OK(pm_config_apply_override(&cfg, "N=20"));
    CHECK(pm_config_finish(&cfg) == PM_EINVAL && contains(pm_error_message(), "fock_n"));

    /* Keys in any section, e.g. a model key under [evolve]. */
    const char *anywhere = write_temp("[evolve]\ngamma_2 = 600\n[output]\nrtol = 1e-9\n");
    pm_config_init(&cfg);
    CHECK_OK(pm_config_load_ini(&cfg, anywhere));
    CHECK(cfg.params.gamma_2 == 600.0 && cfg.rtol == 1e-9);

    /* An empty file changes nothing. */
    const char *empty = write_temp("");
    pm_run_config fresh;
    pm_config_init(&cfg);
    pm_config_init(&fresh);
    CHECK_OK(pm_config_load_ini(&cfg, empty));
    CHECK(memcmp(&cfg, &fresh, sizeof cfg) == 0);
}

static void test_ini_errors(void)
{
    /* Missing file: the exact message. */
    pm_run_config cfg;
    pm_config_init(&cfg);
    CHECK(pm_config_load_ini(&cfg, "/nonexistent/x.ini") == PM_EIO);
    CHECK(strcmp(pm_error_message(),
                 "cannot read config file '/nonexistent/x.ini': No such file or directory") == 0);
    CHECK(pm_config_load_ini(&cfg, "/") == PM_EIO);
    CHECK(contains(pm_error_message(), "Is a directory"));
    CHECK(pm_config_load_ini(&cfg, NULL) == PM_EINVAL);

    LOAD_ERROR("[model]\neta = 0.1\ngama_1 = 500\n", ":3: unknown key 'gama_1'", "did you mean 'gamma_1'?");
    LOAD_ERROR("[evolve]\nt_finl = 3\n", ":2: unknown key 't_finl'", "did you mean 't_final'?");
    LOAD_ERROR("[model]\nS = 1.5\n", ":2: S = 1.5", "[-1, 1]");
    LOAD_ERROR("[evolve]\nn_times = 1\n", ":2: n_times = 1", "[2, 10000000]");
    LOAD_ERROR("[model]\nN =\n", ":2: N = ''", "auto");
    LOAD_ERROR("\n\n[modle]\neta = 0.1\n", ":4: unknown section [modle]", "did you mean [model]?");
    LOAD_ERROR("[results]\nstore_rho = 1\n", ":2: unknown section [results]", "sections: model");
    LOAD_ERROR("[model]\neta = 0.1\n\n[evolve]\neta = 0.2\n", ":5: key 'eta' is given twice", "line 2");
    LOAD_ERROR("[model]\neta 0.1\n", ":2: syntax error", "key = value");
    LOAD_ERROR("[model\neta = 0.1\n", ":1: syntax error", NULL);
    /* First error wins: the syntax error of line 2 before the bad key of line 3 ... */
    LOAD_ERROR("[model]\njunk\nbad_key = 1\n", ":2: syntax error", NULL);
    /* ... and the bad key of line 2 before the syntax error of line 3. */
    LOAD_ERROR("[model]\nbad_key = 1\njunk\n", ":2: unknown key 'bad_key'", NULL);
    /* '#' starts a comment only at the beginning of a line. */
    LOAD_ERROR("[model]\nN = 40 # cutoff\n", ":2: N = 40 # cutoff", "integer");
    /* A line too long for the parser is an error, not silently truncated. */
    char long_file[600];
    snprintf(long_file, sizeof long_file, "[model]\n; %0500d\neta = 0.1\n", 0);
    LOAD_ERROR(long_file, ":2: line longer than", NULL);
}

/* Binary and oversized files (issue 12.6): a NUL byte anywhere, or more than
 * PM_CONFIG_MAX_BYTES, is an error naming the file (and the line), never
 * the end of the file; the stop flag ends a read. */
static const char *write_temp_bytes(const char *content, size_t len)
{
    const char *path = write_temp("");
    if (path == NULL) return NULL;
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        test_failures++;
        return NULL;
    }
    CHECK(fwrite(content, 1, len, f) == len);
    fclose(f);
    return path;
}

static void expect_bytes_error(const char *content, size_t len, const char *want, int line)
{
    const char *path = write_temp_bytes(content, len);
    if (path == NULL) return;
    pm_run_config cfg;
    pm_config_init(&cfg);
    pm_status got = pm_config_load_ini(&cfg, path);
    if (got != PM_EINVAL || !contains(pm_error_message(), want) || !contains(pm_error_message(), path)) {
        fprintf(stderr, "line %d: load gave %d '%s' (want %d with '%s')\n", line, (int)got, pm_error_message(),
                (int)PM_EINVAL, want);
        test_failures++;
    }
}

static void test_ini_streams(void)
{
    static const char zeros[64] = {0};
    expect_bytes_error(zeros, sizeof zeros, ":1: NUL byte at column 1: a configuration file is text", __LINE__);
    static const char in_line[] = "[model]\nN = 10\0S = 0.5\n";
    expect_bytes_error(in_line, sizeof in_line - 1, ":2: NUL byte at column 7", __LINE__);
    /* after a valid key: still refused (the file is not half-read) */
    static const char late[] = "[model]\nN = 10\n\n   \0";
    expect_bytes_error(late, sizeof late - 1, ":4: NUL byte at column 4", __LINE__);
    /* a NUL in a comment or past the parser's line limit counts too */
    char long_line[400];
    memset(long_line, ';', sizeof long_line);
    long_line[300] = '\0';
    expect_bytes_error(long_line, sizeof long_line, ":1: NUL byte at column 301", __LINE__);
    /* more than 16 MiB: refused, whatever the content */
    size_t big = (size_t)PM_CONFIG_MAX_BYTES + 1;
    char *text = malloc(big);
    REQUIRE(text != NULL);
    for (size_t i = 0; i < big; i++) text[i] = i % 64 == 63 ? '\n' : ';';
    expect_bytes_error(text, big, "is longer than 16 MiB", __LINE__);
    /* exactly the limit is read */
    const char *path = write_temp_bytes(text, big - 1);
    free(text);
    pm_run_config cfg;
    pm_config_init(&cfg);
    if (path) CHECK_OK(pm_config_load_ini(&cfg, path));
    /* the stop flag ends the read with PM_EINTERRUPT */
    pm_stop_flag stop;
    atomic_init(&stop, 1);
    pm_config_set_stop(&stop);
    path = write_temp("[model]\nN = 10\n");
    pm_config_init(&cfg);
    CHECK(path && pm_config_load_ini(&cfg, path) == PM_EINTERRUPT && contains(pm_error_message(), "interrupted"));
    pm_config_set_stop(NULL);
    CHECK(path && pm_config_load_ini(&cfg, path) == PM_OK && cfg.params.N == 10);
}

/* Which command uses which key (issue 12.9). */
static void test_key_use(void)
{
    CHECK(pm_config_command_bit("steady") == PM_CMD_STEADY && pm_config_command_bit("compare") == PM_CMD_COMPARE);
    CHECK(pm_config_command_bit("stedy") == 0 && pm_config_command_bit(NULL) == 0);
    CHECK(pm_config_key_commands("sweep") == PM_CMD_COMPARE);
    CHECK(pm_config_key_commands("ladder") == PM_CMD_CONVERGE);
    CHECK(pm_config_key_commands("t_final") == PM_CMD_EVOLVE);
    CHECK(pm_config_key_commands("eta") == PM_CMD_ALL);
    CHECK(pm_config_key_commands("N") == (PM_CMD_ALL & ~(PM_CMD_THEORY | PM_CMD_CONVERGE)));
    CHECK(pm_config_key_commands("K") == (PM_CMD_ALL & ~PM_CMD_THEORY));
    CHECK(pm_config_key_commands("H.kerr") == (PM_CMD_ALL & ~PM_CMD_THEORY));
    CHECK(!(pm_config_key_commands("path") & PM_CMD_COMPARE));
    CHECK(pm_config_key_commands("nope") == 0);
    /* every key is used by some command, every run key by a known one */
    for (const char *const *k = pm_config_key_names(); *k; k++) {
        unsigned used = pm_config_key_commands(*k);
        CHECK(used != 0 && (used & ~(unsigned)PM_CMD_ALL) == 0);
    }
    CHECK_OK(pm_config_check_key_use("steady", "eta"));
    CHECK_OK(pm_config_check_key_use("steady", "no_such_key")); /* pm_config_set names it */
    CHECK(pm_config_check_key_use("steady", "sweep") == PM_EINVAL &&
          strcmp(pm_error_message(), "--set sweep: 'phonomaser steady' does not take this key (it is used by "
                                     "compare); remove it") == 0);
    CHECK(pm_config_check_key_use("compare", "store_rho") == PM_EINVAL &&
          contains(pm_error_message(), "it is used by steady, evolve and wigner"));
    /* keys that the other settings leave without effect */
    pm_run_config cfg;
    pm_config_init(&cfg);
    CHECK(pm_config_check_key_applies(&cfg, "fock_n") == PM_EINVAL &&
          contains(pm_error_message(), "initial = fock (initial = thermal here)"));
    CHECK(pm_config_check_key_applies(&cfg, "alpha") == PM_EINVAL);
    CHECK_OK(pm_config_check_key_applies(&cfg, "t_final"));
    CHECK_OK(pm_config_set(&cfg, "initial", "fock"));
    CHECK_OK(pm_config_check_key_applies(&cfg, "fock_n"));
    CHECK_OK(pm_config_set(&cfg, "times", "0, 1"));
    CHECK(pm_config_check_key_applies(&cfg, "n_times") == PM_EINVAL && contains(pm_error_message(), "times list"));
    CHECK_OK(pm_config_check_key_applies(&cfg, "eta"));
}

static void test_table1_file(void)
{
    pm_run_config cfg;
    pm_config_init(&cfg);
    CHECK_OK(pm_config_load_ini(&cfg, PM_DATA_DIR "/table1.ini"));
    CHECK_OK(pm_config_finish(&cfg));
    const pm_params *p = &cfg.params;
    CHECK_REL(p->omega_m, 2.0 * 3.14159265358979323846 * 50.0, 1e-15);
    CHECK_REL(p->gamma_m, 2.0 * 3.14159265358979323846 * 50.0 / 1e4, 1e-15);
    CHECK_REL(p->g, 31.41592653589793, 1e-15);
    CHECK_REL(p->gamma_up, 300.0, 1e-15);
    CHECK_REL(p->gamma_down, 200.0, 1e-15);
    CHECK_REL(p->gamma_phi, 750.0, 1e-15);
    CHECK(p->n_th == 5.0 && p->delta == 0.0 && p->N == PM_N_AUTO);
    /* Table II row eta = 0.1: threshold S_th = gamma_m gamma_2/(2 g^2) = 1.59e-2, and the
     * Maxwell-Bloch saturation n_sat = gamma_1 gamma_2/(4 g^2) = 127 (paper Eq. 14, 15). */
    CHECK_REL(p->gamma_m * p->gamma_2 / (2.0 * p->g * p->g), 1.59e-2, 0.005);
    CHECK_REL(p->gamma_1 * p->gamma_2 / (4.0 * p->g * p->g), 127.0, 0.005);
}

static void test_keys_and_docs(void)
{
    const char *const *names = pm_config_key_names();
    size_t count = 0;
    while (names[count] != NULL)
        count++;
    CHECK(count == PM_KEY_COUNT + 27);
    for (size_t i = 0; i < count; i++)
        for (size_t j = i + 1; j < count; j++)
            CHECK(strcmp(names[i], names[j]) != 0);
    const char *const *model = pm_params_key_names();
    for (size_t i = 0; model[i] != NULL; i++)
        CHECK(strcmp(names[i], model[i]) == 0);

    /* --help text: every key with default and allowed range; every key in it
     * can be set (no key documented but unknown). */
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    REQUIRE(out != NULL);
    pm_config_print_keys(out);
    fclose(out);
    for (size_t i = 0; i < count; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, "\n  %s ", names[i]);
        if (!contains(text, needle)) {
            fprintf(stderr, "print_keys lacks key %s\n", names[i]);
            test_failures++;
        }
    }
    CHECK(contains(text, "t_final       [s]     default 20; allowed: a finite number > 0"));
    CHECK(contains(text, "method                default direct; allowed: one of direct, arpack"));
    CHECK(contains(text, "gamma_1       [1/s]   default 500; allowed: a finite number >= 0"));
    free(text);
}

static int same_double(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

/* write_ini then load_ini reproduces every value. */
static void check_round_trip(const char *const *overrides, int line)
{
    pm_run_config cfg, back;
    pm_config_init(&cfg);
    for (size_t i = 0; overrides[i] != NULL; i++)
        CHECK_OK(pm_config_apply_override(&cfg, overrides[i]));
    CHECK_OK(pm_config_finish(&cfg));
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (out == NULL) {
        test_failures++;
        return;
    }
    pm_config_write_ini(out, &cfg);
    fclose(out);
    const char *path = write_temp(text);
    pm_config_init(&back);
    pm_status status = pm_config_load_ini(&back, path);
    if (status == PM_OK)
        status = pm_config_finish(&back);
    const pm_params *a = &cfg.params, *b = &back.params;
    int same = status == PM_OK && same_double(a->omega_m, b->omega_m) && same_double(a->Q, b->Q) &&
               same_double(a->gamma_m, b->gamma_m) && same_double(a->gamma_1, b->gamma_1) &&
               same_double(a->gamma_2, b->gamma_2) && same_double(a->S, b->S) &&
               same_double(a->gamma_up, b->gamma_up) && same_double(a->gamma_down, b->gamma_down) &&
               same_double(a->gamma_phi, b->gamma_phi) && same_double(a->eta, b->eta) &&
               same_double(a->g, b->g) && same_double(a->delta, b->delta) &&
               same_double(a->n_th, b->n_th) && same_double(a->T, b->T) && a->N == b->N &&
               memcmp(&a->terms, &b->terms, sizeof a->terms) == 0;
    /* The run part, field by field through the byte image (both were memset by init). */
    back.params = cfg.params;
    same = same && memcmp(&cfg, &back, sizeof cfg) == 0;
    if (!same) {
        fprintf(stderr, "line %d: round trip differs (%d: %s); file:\n%s\n", line, (int)status,
                pm_error_message(), text);
        test_failures++;
    }
    free(text);
}
#define ROUND_TRIP(...)                                                                    \
    do {                                                                                   \
        const char *const list_[] = {__VA_ARGS__, NULL};                                   \
        check_round_trip(list_, __LINE__);                                                 \
    } while (0)

static void test_write_ini(void)
{
    ROUND_TRIP("N=auto");
    ROUND_TRIP("g=12.345678901234567", "gamma_m=0.1", "gamma_up=123.4", "gamma_down=0.1", "T=3e-7",
               "delta=-7.25", "N=300", "method=arpack", "alpha=0.1-3e-5i", "store_rho=1",
               "initial=coherent", "rtol=3.3e-7", "path=sector", "linear_solver=spgmr");
    ROUND_TRIP("omega_m=1.2345e3", "S=-1", "alpha=-0-0i", "initial=fock", "fock_n=7", "n_times=2");
    /* user terms: a [terms] section, in the order given, the longest name and value */
    char longest[PM_TERM_TEXT_MAX + 40] = "H.a_name_of_thirty_characters_xy=100000 n";
    const size_t prefix = strlen("H.a_name_of_thirty_characters_xy=");
    CHECK(prefix - 3 == PM_TERM_NAME_MAX);
    while (strlen(longest) + 4 <= prefix + PM_TERM_TEXT_MAX) strcat(longest, " + n");
    CHECK(strlen(longest) - prefix == PM_TERM_TEXT_MAX); /* "100000 n + n ... + n": 160 characters */
    ROUND_TRIP("H.kerr = 0.01 n n", "D.two_phonon=0.1 a a", "H.drive=(1.5+2e-3i) a + (1.5-2e-3i) adag",
               "D.mixed = 5 (a + 0.5i sm)", longest);
}

int main(void)
{
    test_ini_streams();
    test_key_use();
    test_defaults();
    test_run_keys_accept();
    test_run_key_rejections();
    test_finish_cross_checks();
    test_overrides();
    test_ini_loading();
    test_ini_errors();
    test_table1_file();
    test_keys_and_docs();
    test_write_ini();
    remove_temps();
    return TEST_RESULT();
}
