/* Model parameters: Table I defaults, derived rates, the temperature ->
 * occupation formula, and every rejected input. */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "phonomaser/core/params.h"
#include "testutil.h"

static const double two_pi = 6.283185307179586476925287;
/* CODATA exact SI values, evaluated here independently of params.c. */
static const double h_planck = 6.62607015e-34, k_boltzmann = 1.380649e-23;

static int contains(const char *haystack, const char *needle) { return strstr(haystack, needle) != NULL; }

/* pm_params_set(key, value) must fail with PM_EINVAL, leave the struct
 * unchanged, and name the key (and `also`, if given) in the message. */
static void expect_set_rejected(const char *key, const char *value, const char *also, int line)
{
    pm_params params, before;
    pm_params_init(&params);
    before = params;
    pm_error_clear();
    pm_status status = pm_params_set(&params, key, value);
    const char *msg = pm_error_message();
    if (status != PM_EINVAL || !contains(msg, key) || (also && !contains(msg, also)) ||
        memcmp(&params, &before, sizeof params) != 0 || strchr(msg, '\n') != NULL) {
        fprintf(stderr, "line %d: set %s = '%s' gave status %d, message '%s' (want PM_EINVAL naming "
                "'%s'%s%s, struct unchanged)\n", line, key, value, (int)status, msg, key,
                also ? " and " : "", also ? also : "");
        test_failures++;
    }
}
#define REJECT_SET(key, value, also) expect_set_rejected(key, value, also, __LINE__)

/* Each key=value of `pairs` (NULL-terminated, alternating) is accepted by set,
 * then derive must fail naming `name1` and `name2`. */
static void expect_derive_rejected(const char *const *pairs, const char *name1, const char *name2,
                                   int line)
{
    pm_params params;
    pm_params_init(&params);
    for (size_t i = 0; pairs[i] != NULL; i += 2)
        if (pm_params_set(&params, pairs[i], pairs[i + 1]) != PM_OK) {
            fprintf(stderr, "line %d: set %s = %s failed: %s\n", line, pairs[i], pairs[i + 1],
                    pm_error_message());
            test_failures++;
            return;
        }
    pm_error_clear();
    pm_status status = pm_params_derive(&params);
    const char *msg = pm_error_message();
    if (status != PM_EINVAL || !contains(msg, name1) || (name2 && !contains(msg, name2))) {
        fprintf(stderr, "line %d: derive gave status %d, message '%s' (want PM_EINVAL naming %s %s)\n",
                line, (int)status, msg, name1, name2 ? name2 : "");
        test_failures++;
    }
}
#define REJECT_DERIVE(name1, name2, ...)                                                       \
    do {                                                                                   \
        const char *const pairs_[] = {__VA_ARGS__, NULL};                                  \
        expect_derive_rejected(pairs_, name1, name2, __LINE__);                            \
    } while (0)

static void test_defaults(void)
{
    pm_params p;
    pm_params_init(&p);
    CHECK(p.set_mask == 0);
    CHECK_REL(p.omega_m, two_pi * 50.0, 1e-15);
    CHECK_REL(p.Q, 1e4, 0);
    CHECK_REL(p.gamma_m, two_pi * 50.0 / 1e4, 1e-15);
    CHECK_REL(p.gamma_m, 0.031415926535897934, 1e-15);
    CHECK_REL(p.g, 31.41592653589793, 1e-15);
    CHECK_REL(p.gamma_up, 300.0, 1e-15);
    CHECK_REL(p.gamma_down, 200.0, 1e-15);
    CHECK_REL(p.gamma_phi, 750.0, 1e-15);
    CHECK_REL(p.gamma_1, 500.0, 0);
    CHECK_REL(p.gamma_2, 1000.0, 0);
    CHECK_REL(p.S, 0.2, 0);
    CHECK_REL(p.eta, 0.1, 0);
    CHECK(p.delta == 0.0);
    CHECK_REL(p.n_th, 5.0, 0);
    CHECK(p.N == 40);
    /* The recorded temperature reproduces n_th = 5 through the Bose formula. */
    double x = h_planck / two_pi * p.omega_m / (k_boltzmann * p.T);
    CHECK_REL(1.0 / (exp(x) - 1.0), 5.0, 1e-12);

    /* derive on untouched defaults changes nothing. */
    pm_params again = p;
    CHECK_OK(pm_params_derive(&again));
    CHECK(memcmp(&again, &p, sizeof p) == 0);

    /* Table II rows are functions of these: 2 g^2 / gamma_2 = 1.97 1/s at eta = 0.1. */
    CHECK_CLOSE(2.0 * p.g * p.g / p.gamma_2, 1.97, 0.005);
}

static void test_derived_alternatives(void)
{
    pm_params p;
    /* gamma_up, gamma_down instead of gamma_1, S. */
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "gamma_up", "450"));
    CHECK_OK(pm_params_set(&p, "gamma_down", "150"));
    CHECK_OK(pm_params_set(&p, "gamma_2", "400"));
    CHECK_OK(pm_params_derive(&p));
    CHECK_REL(p.gamma_1, 600.0, 1e-15);
    CHECK_REL(p.S, 0.5, 1e-15);
    CHECK_REL(p.gamma_phi, 100.0, 1e-15);
    CHECK(p.gamma_up == 450.0 && p.gamma_down == 150.0);
    CHECK(p.set_mask == ((1u << PM_KEY_GAMMA_UP) | (1u << PM_KEY_GAMMA_DOWN) | (1u << PM_KEY_GAMMA_2)));

    /* Zero spin rates: S is 0 by convention, no division by zero. */
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "gamma_up", "0"));
    CHECK_OK(pm_params_set(&p, "gamma_down", "0"));
    CHECK_OK(pm_params_derive(&p));
    CHECK(p.gamma_1 == 0.0 && p.S == 0.0 && p.gamma_phi == p.gamma_2);

    /* S at the edges: pure pumping / pure decay. */
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "S", "-1"));
    CHECK_OK(pm_params_derive(&p));
    CHECK(p.gamma_up == 0.0 && p.gamma_down == 500.0);

    /* gamma_2 = gamma_1/2 exactly: no dephasing, accepted. */
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "gamma_2", "250"));
    CHECK_OK(pm_params_derive(&p));
    CHECK(p.gamma_phi == 0.0);

    /* g instead of eta; gamma_m instead of Q; both recorded back. */
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "omega_m", "100"));
    CHECK_OK(pm_params_set(&p, "g", "20"));
    CHECK_OK(pm_params_set(&p, "gamma_m", "0.5"));
    CHECK_OK(pm_params_derive(&p));
    CHECK_REL(p.g, 20.0, 0);
    CHECK_REL(p.eta, 0.2, 1e-15);
    CHECK_REL(p.gamma_m, 0.5, 0);
    CHECK_REL(p.Q, 200.0, 1e-15);

    /* Q follows omega_m when only omega_m changes. */
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "omega_m", "1000"));
    CHECK_OK(pm_params_set(&p, "Q", "250"));
    CHECK_OK(pm_params_derive(&p));
    CHECK_REL(p.gamma_m, 4.0, 1e-15);
    CHECK_REL(p.g, 100.0, 1e-15);

    /* delta: any finite real, including negative. */
    CHECK_OK(pm_params_set(&p, "delta", "-2.5e3"));
    CHECK(p.delta == -2500.0);

    /* N: integers (any float spelling of an integer), white space, auto. */
    CHECK_OK(pm_params_set(&p, "N", "2"));
    CHECK(p.N == 2);
    CHECK_OK(pm_params_set(&p, "N", " 3000 "));
    CHECK(p.N == 3000);
    CHECK_OK(pm_params_set(&p, "N", "2e3"));
    CHECK(p.N == 2000);
    CHECK_OK(pm_params_set(&p, "N", "auto"));
    CHECK(p.N == PM_N_AUTO);
    CHECK_OK(pm_params_derive(&p));
    CHECK(p.N == PM_N_AUTO);
}

static void test_temperature(void)
{
    const double hbar = h_planck / two_pi;
    pm_params p;

    /* High temperature: n_th = kT/(hbar w) - 1/2 + O(hbar w / kT); at 1 K and
     * 50 Hz the correction is ~1e-10, so the -1/2 is resolved at 1e-3. */
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "T", "1"));
    CHECK_OK(pm_params_derive(&p));
    double kt_over_hw = k_boltzmann * 1.0 / (hbar * p.omega_m);
    CHECK_REL(kt_over_hw, 4.167324e8, 1e-6); /* sanity of the test's own constants */
    CHECK(fabs((p.n_th - kt_over_hw) + 0.5) < 1e-3);

    /* Low temperature: x = hbar w / kT = 20, n_th = e^-x / (1 - e^-x). */
    double T_low = hbar * p.omega_m / (k_boltzmann * 20.0);
    char text[64];
    snprintf(text, sizeof text, "%.17g", T_low);
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "T", text));
    CHECK_OK(pm_params_derive(&p));
    CHECK_REL(p.n_th, exp(-20.0) / (1.0 - exp(-20.0)), 1e-12);

    /* Intermediate: T chosen so that n_th = 5 exactly (x = ln(6/5)). */
    double T_mid = hbar * p.omega_m / (k_boltzmann * log(1.2));
    snprintf(text, sizeof text, "%.17g", T_mid);
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "T", text));
    CHECK_OK(pm_params_derive(&p));
    CHECK_REL(p.n_th, 5.0, 1e-12);

    /* Very cold: no overflow, occupation 0. */
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "T", "1e-15"));
    CHECK_OK(pm_params_derive(&p));
    CHECK(p.n_th == 0.0);

    /* n_th = 0 given directly records T = 0. */
    pm_params_init(&p);
    CHECK_OK(pm_params_set(&p, "n_th", "0"));
    CHECK_OK(pm_params_derive(&p));
    CHECK(p.n_th == 0.0 && p.T == 0.0);
}

static void test_set_rejections(void)
{
    /* Exact wording of the documented example. */
    pm_params p;
    pm_params_init(&p);
    CHECK(pm_params_set(&p, "gamma_1", "-3") == PM_EINVAL);
    CHECK(strcmp(pm_error_message(), "gamma_1 = -3: must be a finite number >= 0 [1/s]") == 0);

    /* Negative rates. */
    REJECT_SET("gamma_1", "-3", ">= 0");
    REJECT_SET("gamma_2", "-1", "gamma_1/2");
    REJECT_SET("gamma_m", "-0.1", ">= 0");
    REJECT_SET("gamma_up", "-1", ">= 0");
    REJECT_SET("gamma_down", "-1e-9", ">= 0");
    REJECT_SET("n_th", "-1", ">= 0");
    REJECT_SET("eta", "-0.1", ">= 0");
    REJECT_SET("g", "-1", ">= 0");
    /* Strictly positive keys. */
    REJECT_SET("omega_m", "0", "> 0");
    REJECT_SET("omega_m", "-314", "> 0");
    REJECT_SET("Q", "0", "> 0");
    REJECT_SET("T", "0", "> 0");
    REJECT_SET("T", "-4", "> 0");
    /* |S| > 1. */
    REJECT_SET("S", "1.0000001", "[-1, 1]");
    REJECT_SET("S", "-2", "[-1, 1]");
    /* N < 2, non-integer, garbage. */
    REJECT_SET("N", "1", "auto");
    REJECT_SET("N", "0", "auto");
    REJECT_SET("N", "-40", "auto");
    REJECT_SET("N", "40.5", "integer");
    REJECT_SET("N", "abc", "integer");
    REJECT_SET("N", "", "integer");
    REJECT_SET("N", "autox", "integer");
    REJECT_SET("N", "1e30", "integer");
    /* Non-numbers for a real key, and for delta (which takes any finite real). */
    const char *bad[] = {"abc", "", "  ", "1e", "nan", "NaN", "inf", "-inf", "infinity", "1e999",
                         "1.0x", "0.5 0.5", "--1", "1,5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        REJECT_SET("gamma_1", bad[i], "finite number");
        REJECT_SET("delta", bad[i], "finite number");
    }
    /* The empty value is shown quoted so the message is readable. */
    pm_params_init(&p);
    CHECK(pm_params_set(&p, "eta", "") == PM_EINVAL);
    CHECK(contains(pm_error_message(), "eta = '':"));
    CHECK(pm_params_set(&p, "eta", NULL) == PM_EINVAL);

    /* Unknown keys with and without a close match. */
    REJECT_SET("gama_1", "500", "did you mean 'gamma_1'?");
    REJECT_SET("omegam", "1", "did you mean 'omega_m'?");
    REJECT_SET("Gamma_Down", "1", "did you mean 'gamma_down'?");
    REJECT_SET("nth", "1", "did you mean 'n_th'?");
    REJECT_SET("temperature", "1", "unknown key 'temperature'");
    pm_params_init(&p);
    CHECK(pm_params_set(&p, "temperature", "1") == PM_EINVAL);
    CHECK(!contains(pm_error_message(), "did you mean"));
    CHECK(pm_params_set(&p, NULL, "1") == PM_EINVAL);
}

static void test_derive_rejections(void)
{
    REJECT_DERIVE("eta", "g", "eta", "0.1", "g", "30");
    REJECT_DERIVE("Q", "gamma_m", "Q", "1e4", "gamma_m", "0.03");
    REJECT_DERIVE("T", "n_th", "T", "1", "n_th", "5");
    REJECT_DERIVE("S", "gamma_up", "gamma_up", "300", "gamma_down", "200", "S", "0.2");
    REJECT_DERIVE("gamma_1", "gamma_up", "gamma_up", "300", "gamma_down", "200", "gamma_1", "500");
    REJECT_DERIVE("gamma_up", "gamma_down", "gamma_up", "300");
    REJECT_DERIVE("gamma_down", "gamma_up", "gamma_down", "200");
    /* gamma_phi < 0: gamma_2 below gamma_1/2, directly and via up/down. */
    REJECT_DERIVE("gamma_2", "gamma_1/2", "gamma_2", "249.999");
    REJECT_DERIVE("gamma_2", "gamma_1/2", "gamma_1", "2001");
    REJECT_DERIVE("gamma_2", "gamma_phi", "gamma_up", "1500", "gamma_down", "600");
    /* keys of the other model */
    REJECT_DERIVE("theta", "model = jc", "theta", "1.0");
    REJECT_DERIVE("K", "model = jc", "K", "4");
    REJECT_DERIVE("drive", "model = dressed", "model", "dressed", "drive", "1");

    /* A C caller filling the struct directly is checked by derive too. */
    const struct { int key; double value; const char *name; } direct[] = {
        {PM_KEY_GAMMA_1, -1.0, "gamma_1"}, {PM_KEY_S, 1.5, "S"},
        {PM_KEY_OMEGA_M, 0.0, "omega_m"},  {PM_KEY_Q, -3.0, "Q"},
        {PM_KEY_ETA, NAN, "eta"},          {PM_KEY_N_TH, -0.5, "n_th"},
        {PM_KEY_DELTA, INFINITY, "delta"}, {PM_KEY_GAMMA_2, -1.0, "gamma_2"},
    };
    for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++) {
        pm_params p;
        pm_params_init(&p);
        switch (direct[i].key) {
        case PM_KEY_GAMMA_1: p.gamma_1 = direct[i].value; break;
        case PM_KEY_S: p.S = direct[i].value; break;
        case PM_KEY_OMEGA_M: p.omega_m = direct[i].value; break;
        case PM_KEY_Q: p.Q = direct[i].value; break;
        case PM_KEY_ETA: p.eta = direct[i].value; break;
        case PM_KEY_N_TH: p.n_th = direct[i].value; break;
        case PM_KEY_DELTA: p.delta = direct[i].value; break;
        case PM_KEY_GAMMA_2: p.gamma_2 = direct[i].value; break;
        }
        pm_error_clear();
        CHECK(pm_params_derive(&p) == PM_EINVAL);
        if (!contains(pm_error_message(), direct[i].name)) {
            fprintf(stderr, "direct %s: message '%s'\n", direct[i].name, pm_error_message());
            test_failures++;
        }
    }
    pm_params p;
    pm_params_init(&p);
    p.N = 1;
    CHECK(pm_params_derive(&p) == PM_EINVAL);
    CHECK(contains(pm_error_message(), "N = 1"));
}

static void test_keys_and_words(void)
{
    const char *const *names = pm_params_key_names();
    size_t count = 0;
    while (names[count] != NULL)
        count++;
    CHECK(count == PM_KEY_COUNT);
    CHECK(strcmp(names[PM_KEY_GAMMA_1], "gamma_1") == 0);
    CHECK(strcmp(names[PM_KEY_N], "N") == 0);
    for (size_t i = 0; i < count; i++) {
        CHECK(pm_params_is_key(names[i]));
        const char *unit = pm_params_key_unit(names[i]);
        CHECK(unit != NULL && (strcmp(unit, "rad/s") == 0 || strcmp(unit, "1/s") == 0 ||
                               strcmp(unit, "K") == 0 || strcmp(unit, "1") == 0));
        /* Every key can be set through its own name with its default-ish value. */
        pm_params p;
        pm_params_init(&p);
        const char *value = (i == PM_KEY_N || i == PM_KEY_K) ? "auto" : i == PM_KEY_MODEL ? "dressed" : "0.5";
        CHECK_OK(pm_params_set(&p, names[i], value));
        CHECK(p.set_mask == (1u << i));
    }
    CHECK(!pm_params_is_key("gamma_phi")); /* derived only */
    CHECK(!pm_params_is_key("GAMMA_1"));   /* keys are case-sensitive */
    CHECK(pm_params_key_unit("nope") == NULL);
    CHECK(strcmp(pm_params_key_unit("omega_m"), "rad/s") == 0);
    CHECK(strcmp(pm_params_key_unit("T"), "K") == 0);
    CHECK(strcmp(pm_params_key_unit("gamma_down"), "1/s") == 0);

    /* Levenshtein threshold max(2, len/3). */
    const char *const words[] = {"alpha", "converge_tol", "gamma_1", NULL};
    CHECK(pm_closest_word("alpah", words) == words[0]);      /* distance 2, len 5 */
    CHECK(pm_closest_word("xlpxx", words) == NULL);          /* distance 4 > 2 */
    CHECK(pm_closest_word("convrgetoll", words) == words[1]); /* distance 3 <= 11/3 */
    CHECK(pm_closest_word("cnvrgtl", words) == NULL);        /* distance 5 > 2 */
    CHECK(pm_closest_word("GAMMA_1", words) == words[2]);    /* case-insensitive */
    CHECK(pm_closest_word(NULL, words) == NULL);
    /* Long inputs (beyond the stack rows) work. */
    char long_word[200];
    memset(long_word, 'a', sizeof long_word - 1);
    long_word[sizeof long_word - 1] = '\0';
    const char *const long_list[] = {long_word, NULL};
    CHECK(pm_closest_word(long_word, long_list) == long_word);

    double x;
    CHECK_OK(pm_parse_double("t_final", " 1.5e2 ", &x));
    CHECK(x == 150.0);
    CHECK(pm_parse_double("t_final", "1.5s", &x) == PM_EINVAL);
    CHECK(contains(pm_error_message(), "t_final"));
}

/* model, theta, K: parsing, ranges, defaults */
static void test_model_keys(void)
{
    pm_params p;
    pm_params_init(&p);
    CHECK(p.model == PM_MODEL_JC && p.K == PM_K_AUTO && fabs(p.theta - acos(-1.0) / 2) < 1e-15);
    CHECK(strcmp(pm_params_model_name(PM_MODEL_DRESSED), "dressed") == 0);
    CHECK(pm_params_model_name(PM_MODEL_COUNT) == NULL);
    CHECK_OK(pm_params_set(&p, "model", " dressed "));
    CHECK_OK(pm_params_set(&p, "theta", "0.7"));
    CHECK_OK(pm_params_set(&p, "K", "6"));
    CHECK_OK(pm_params_derive(&p));
    CHECK(p.model == PM_MODEL_DRESSED && p.theta == 0.7 && p.K == 6);
    CHECK(pm_params_set(&p, "model", "rabi") == PM_EINVAL && contains(pm_error_message(), "jc or dressed"));
    CHECK(pm_params_set(&p, "theta", "0") == PM_EINVAL && contains(pm_error_message(), "(0, pi/2]"));
    CHECK(pm_params_set(&p, "theta", "1.5708") == PM_EINVAL);
    CHECK_OK(pm_params_set(&p, "theta", "1.5707963267948966"));
    CHECK(pm_params_set(&p, "K", "-1") == PM_EINVAL && contains(pm_error_message(), "K = -1"));
    CHECK(pm_params_set(&p, "K", "2.5") == PM_EINVAL);
    CHECK_OK(pm_params_set(&p, "K", "0"));
    CHECK(pm_params_key_applies("theta", PM_MODEL_DRESSED) && !pm_params_key_applies("theta", PM_MODEL_JC));
    CHECK(pm_params_key_applies("drive", PM_MODEL_JC) && !pm_params_key_applies("drive", PM_MODEL_DRESSED));
    CHECK(pm_params_key_applies("S", PM_MODEL_JC) && pm_params_key_applies("S", PM_MODEL_DRESSED));
}

/* The one number syntax of user input (issue 12.8): decimal only, overflow
 * out of range; integers exact; byte sizes with units (issue 12.10). */
static void test_number_syntax(void)
{
    static const char *const decimal[] = {"3", "-2.5", "+.5", "5.", "1e-3", "2E+6", " 7 ", "1e999", "0", NULL};
    static const char *const not_decimal[] = {"0x32", "0x0.1", "0x1p3", "inf", "-infinity", "nan", "nan(1)", ".",
                                              "e5", "1e", "1e+", "1.5s", "1 2", "", " ", "--1", "1_000", NULL};
    for (size_t i = 0; decimal[i]; i++) CHECK(pm_decimal_syntax(decimal[i]));
    for (size_t i = 0; not_decimal[i]; i++)
        if (pm_decimal_syntax(not_decimal[i])) {
            fprintf(stderr, "'%s' taken for a decimal number\n", not_decimal[i]);
            test_failures++;
        }
    CHECK(pm_decimal_length("0x10") == 1 && pm_decimal_length("1e") == 1 && pm_decimal_length("1e5x") == 3);
    CHECK(pm_decimal_length("-.5e-3,") == 6 && pm_decimal_length("x1") == 0 && pm_decimal_length(NULL) == 0);
    double x = 0;
    CHECK(pm_scan_double(" -1.5e2 ", &x) && x == -150.0);
    CHECK(!pm_scan_double("1e999", &x) && !pm_scan_double("0x10", &x) && !pm_scan_double("inf", &x));
    CHECK(pm_scan_double("1e-999", &x) && x == 0.0); /* underflow reads as 0 */
    long long n = 0;
    CHECK(pm_scan_integer("9223372036854775807", 0, LLONG_MAX, &n) && n == LLONG_MAX);
    CHECK(pm_scan_integer("-9223372036854775808", LLONG_MIN, 0, &n) && n == LLONG_MIN);
    CHECK(!pm_scan_integer("9223372036854775808", 0, LLONG_MAX, &n));
    CHECK(!pm_scan_integer("99999999999999999999999", 0, LLONG_MAX, &n));
    CHECK(!pm_scan_integer("0x10", 0, 100, &n) && !pm_scan_integer("1e3", 0, 10000, &n));
    CHECK(!pm_scan_integer("5", 6, 10, &n) && !pm_scan_integer("", 0, 1, &n) && !pm_scan_integer("-", 0, 1, &n));
    CHECK(pm_scan_integer(" +42 ", 0, 100, &n) && n == 42);
    double bytes = 0;
    CHECK(pm_scan_byte_size("2e9", &bytes) && bytes == 2e9);
    CHECK(pm_scan_byte_size("2 GB", &bytes) && bytes == 2e9);
    CHECK(pm_scan_byte_size("1.5GiB", &bytes) && bytes == 1.5 * 1073741824.0);
    CHECK(pm_scan_byte_size("512 mib", &bytes) && bytes == 512.0 * 1048576.0);
    CHECK(pm_scan_byte_size("100B", &bytes) && bytes == 100.0);
    static const char *const bad_sizes[] = {"abc", "2e9xyz", "-5", "0", "0.5", "inf", "0x10", "2G", "1e999", "2 GBs",
                                            "", "GB", NULL};
    for (size_t i = 0; bad_sizes[i]; i++)
        if (pm_scan_byte_size(bad_sizes[i], &bytes)) {
            fprintf(stderr, "'%s' taken for a byte size\n", bad_sizes[i]);
            test_failures++;
        }
    /* every numeric key refuses hex and says it is the spelling */
    pm_params p;
    pm_params_init(&p);
    CHECK(pm_params_set(&p, "eta", "0x0.1") == PM_EINVAL &&
          contains(pm_error_message(), "eta = 0x0.1: not a decimal number; must be a finite number >= 0"));
    CHECK(pm_params_set(&p, "N", "0x32") == PM_EINVAL && contains(pm_error_message(), "not a decimal number"));
    CHECK(pm_params_set(&p, "N", "1e999") == PM_EINVAL && !contains(pm_error_message(), "not a decimal number"));
    CHECK(pm_params_set(&p, "theta", "0x1p-1") == PM_EINVAL);
    CHECK_OK(pm_params_set(&p, "N", "2e3"));
    CHECK(p.N == 2000);
}

/* User text in messages (issue 12.7): at most PM_EXCERPT_MAX bytes, head and
 * tail around "...", never inside a UTF-8 character. */
static void test_excerpt(void)
{
    char buf[PM_EXCERPT_SIZE];
    CHECK(strcmp(pm_text_excerpt("short", buf, sizeof buf), "short") == 0);
    CHECK(strcmp(pm_text_excerpt(NULL, buf, sizeof buf), "(null)") == 0);
    char text[100001];
    for (size_t i = 0; i < sizeof text - 1; i++) text[i] = (char)('a' + i % 26);
    text[sizeof text - 1] = '\0';
    text[PM_EXCERPT_MAX] = '\0'; /* exactly the limit: whole */
    CHECK(strcmp(pm_text_excerpt(text, buf, sizeof buf), text) == 0);
    text[PM_EXCERPT_MAX] = 'x';
    pm_text_excerpt(text, buf, sizeof buf);
    CHECK(strlen(buf) == PM_EXCERPT_MAX && strncmp(buf, text, 57) == 0 && strncmp(buf + 57, "...", 3) == 0);
    CHECK(strcmp(buf + 60, text + sizeof text - 1 - 20) == 0);
    /* two-byte characters: the cut moves to a character boundary */
    char accents[2 * 200 + 1];
    for (int i = 0; i < 200; i++) accents[2 * i] = (char)0xc3, accents[2 * i + 1] = (char)0xa9; /* e acute */
    accents[400] = '\0';
    pm_text_excerpt(accents, buf, sizeof buf);
    const char *dots = strstr(buf, "...");
    CHECK(dots != NULL && (dots - buf) % 2 == 0 && strlen(dots + 3) % 2 == 0 && strlen(buf) <= PM_EXCERPT_MAX);
    CHECK((unsigned char)buf[0] == 0xc3 && (unsigned char)dots[3] == 0xc3);
    /* the key, the range and the hint survive a 100 kB value */
    pm_params p;
    pm_params_init(&p);
    memset(text, '7', sizeof text - 1);
    CHECK(pm_params_set(&p, "eta", text) == PM_EINVAL);
    CHECK(strlen(pm_error_message()) < 200 && contains(pm_error_message(), "must be a finite number >= 0"));
    CHECK(pm_params_set(&p, text, "1") == PM_EINVAL && strlen(pm_error_message()) < 400);
    /* a buffer smaller than the limit still gets a terminated excerpt */
    char small[10];
    pm_text_excerpt(text, small, sizeof small);
    CHECK(strlen(small) <= 9 && strstr(small, "...") != NULL);
}

int main(void)
{
    test_number_syntax();
    test_excerpt();
    test_model_keys();
    test_defaults();
    test_derived_alternatives();
    test_temperature();
    test_set_rejections();
    test_derive_rejections();
    test_keys_and_words();
    return TEST_RESULT();
}
