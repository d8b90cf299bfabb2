/* Model parameters: parsing, validation and the derived rates (params.h).
 *
 * Every input key has one row in key_table (name, unit, allowed range, help);
 * pm_params_set() parses and range-checks one value, pm_params_derive()
 * re-checks every field (a C caller may fill the struct directly), detects
 * conflicting keys through set_mask and computes the derived rates. */
#include "phonomaser/core/params.h"
#include "phonomaser/core/constants.h"
#include "phonomaser/model/terms.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/* Largest accepted Fock cutoff: keeps 4 N^2 (full Liouvillian size) far from
 * int64 overflow; far beyond what fits in memory anyway. */
#define PM_N_MAX 100000000L

#define BIT(key) (1u << (key))

typedef struct param_key {
    const char *name;
    const char *unit;     /* "rad/s", "1/s", "K", "1" */
    size_t offset;        /* of the double field (unused for N) */
    double min, max;      /* allowed closed/open interval, see min_open */
    int min_open;         /* 1: value must be > min, 0: >= min */
    const char *range;    /* human text of the allowed range */
    const char *default_text;
    const char *help;
} param_key;

#define FIELD(f) offsetof(pm_params, f)

/* In enum order (PM_KEY_OMEGA_M ... PM_KEY_N). */
static const param_key key_table[PM_KEY_COUNT] = {
    {"omega_m", "rad/s", FIELD(omega_m), 0.0, INFINITY, 1, "a finite number > 0",
     "314.1592653589793 (2 pi 50)", "mechanical angular frequency"},
    {"Q", "1", FIELD(Q), 0.0, INFINITY, 1, "a finite number > 0",
     "1e4", "mechanical quality factor; gamma_m = omega_m/Q (exclusive with gamma_m)"},
    {"gamma_m", "1/s", FIELD(gamma_m), 0.0, INFINITY, 0, "a finite number >= 0",
     "omega_m/Q", "mechanical damping rate (exclusive with Q)"},
    {"gamma_1", "1/s", FIELD(gamma_1), 0.0, INFINITY, 0, "a finite number >= 0",
     "500", "spin population relaxation rate, gamma_up + gamma_down"},
    {"gamma_2", "1/s", FIELD(gamma_2), 0.0, INFINITY, 0, "a finite number >= gamma_1/2",
     "1000", "spin coherence decay rate, gamma_1/2 + gamma_phi"},
    {"S", "1", FIELD(S), -1.0, 1.0, 0, "a finite number in [-1, 1]",
     "0.2", "dressed spin inversion (gamma_up - gamma_down)/gamma_1"},
    {"gamma_up", "1/s", FIELD(gamma_up), 0.0, INFINITY, 0, "a finite number >= 0",
     "gamma_1 (1+S)/2", "spin pumping rate (give with gamma_down, instead of gamma_1 and S)"},
    {"gamma_down", "1/s", FIELD(gamma_down), 0.0, INFINITY, 0, "a finite number >= 0",
     "gamma_1 (1-S)/2", "spin decay rate (give with gamma_up, instead of gamma_1 and S)"},
    {"eta", "1", FIELD(eta), 0.0, INFINITY, 0, "a finite number >= 0",
     "0.1", "coupling in units of omega_m; g = eta omega_m (exclusive with g)"},
    {"g", "rad/s", FIELD(g), 0.0, INFINITY, 0, "a finite number >= 0",
     "eta omega_m", "spin-phonon coupling (exclusive with eta)"},
    {"delta", "rad/s", FIELD(delta), -INFINITY, INFINITY, 0, "a finite number",
     "0", "detuning omega_tilde - omega_m"},
    {"n_th", "1", FIELD(n_th), 0.0, INFINITY, 0, "a finite number >= 0",
     "5", "mechanical bath occupation (exclusive with T)"},
    {"T", "K", FIELD(T), 0.0, INFINITY, 1, "a finite number > 0",
     "from n_th", "bath temperature; n_th = 1/(exp(hbar omega_m/k_B T) - 1) (exclusive with n_th)"},
    {"drive", "rad/s", FIELD(drive), -INFINITY, INFINITY, 0, "a finite number",
     "0", "coherent mechanical drive F: adds F (a + a^dag) to H (breaks the excitation-number "
     "symmetry: the full Liouvillian is used)"},
    {"N", "1", 0, 2.0, (double)PM_N_MAX, 0, "an integer in [2, 100000000] or 'auto'",
     "40", "Fock cutoff: levels n = 0..N-1; auto grows N until <n> converges"},
    {"model", "1", 0, 0, 0, 0, "jc or dressed",
     "jc", "jc: Jaynes-Cummings maser, Eqs. (6)-(9) (rotating-wave approximation, frame rotating at "
     "omega_m); dressed: the dressed-basis model of Eq. (5) without the RWA, lab frame"},
    {"theta", "1", FIELD(theta), 0.0, PM_TWO_PI / 4, 1, "a finite number in (0, pi/2]",
     "pi/2 (1.5707963267948966)", "model = dressed: mixing angle of the microwave dressing [rad]; "
     "g0 = g/sin(theta), longitudinal coupling g0 cos(theta) (a + a^dag) sigma_z"},
    {"K", "1", 0, 0.0, (double)PM_N_MAX, 0, "an integer in [0, 100000000] or 'auto'",
     "auto", "model = dressed: keep the density-matrix elements with |e_i - e_j| <= K "
     "(excitation-difference sectors); auto grows K until the outermost sectors are negligible"},
};

static const char *const key_names[PM_KEY_COUNT + 1] = {
    "omega_m", "Q", "gamma_m", "gamma_1", "gamma_2", "S", "gamma_up", "gamma_down",
    "eta", "g", "delta", "n_th", "T", "drive", "N", "model", "theta", "K", NULL,
};

static const char *const model_names[PM_MODEL_COUNT + 1] = {"jc", "dressed", NULL};

const char *pm_params_model_name(int model)
{
    return model >= 0 && model < PM_MODEL_COUNT ? model_names[model] : NULL;
}

/* Keys of one model only: bit m set if the key applies to model m. */
static unsigned key_models(int k)
{
    switch (k) {
    case PM_KEY_THETA:
    case PM_KEY_K: return 1u << PM_MODEL_DRESSED;
    /* F (a + a^dag) is a resonant drive only in the JC model's rotating
     * frame; in the dressed model's lab frame it would be a static force */
    case PM_KEY_DRIVE: return 1u << PM_MODEL_JC;
    default: return ~0u;
    }
}

static int key_index(const char *key)
{
    if (key == NULL)
        return -1;
    for (int k = 0; k < PM_KEY_COUNT; k++)
        if (strcmp(key, key_table[k].name) == 0)
            return k;
    return -1;
}

static double *field(pm_params *params, int k) { return (double *)((char *)params + key_table[k].offset); }

/* " [unit]" for dimensioned keys, "" for dimensionless ones. */
static const char *unit_suffix(int k, char *buf, size_t size)
{
    if (strcmp(key_table[k].unit, "1") == 0)
        buf[0] = '\0';
    else
        snprintf(buf, size, " [%s]", key_table[k].unit);
    return buf;
}

static pm_status range_error_text(int k, const char *text)
{
    char unit[16];
    /* say so when the spelling is the problem (0x32, inf), not the value */
    int syntax = k != PM_KEY_MODEL && text[0] && !pm_decimal_syntax(text);
    return pm_error_set(PM_EINVAL, "%s = %s%s%s: %smust be %s%s", key_table[k].name,
                        text[0] ? "" : "'", PM_EXCERPT(text), text[0] ? "" : "'",
                        syntax ? "not a decimal number; " : "", key_table[k].range,
                        unit_suffix(k, unit, sizeof unit));
}

static pm_status range_error_value(int k, double value)
{
    char text[40];
    snprintf(text, sizeof text, "%.10g", value);
    return range_error_text(k, text);
}

static int in_range(int k, double value)
{
    const param_key *pk = &key_table[k];
    if (!isfinite(value))
        return 0;
    if (pk->min_open ? !(value > pk->min) : !(value >= pk->min))
        return 0;
    return value <= pk->max;
}

size_t pm_decimal_length(const char *text)
{
    if (text == NULL) return 0;
    const char *p = text;
    if (*p == '+' || *p == '-') p++;
    size_t digits = 0;
    while (isdigit((unsigned char)*p)) p++, digits++;
    if (*p == '.') {
        p++;
        while (isdigit((unsigned char)*p)) p++, digits++;
    }
    if (digits == 0) return 0;
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1;
        if (*q == '+' || *q == '-') q++;
        if (isdigit((unsigned char)*q)) {
            while (isdigit((unsigned char)*q)) q++;
            p = q;
        }
    }
    return (size_t)(p - text);
}

int pm_decimal_syntax(const char *text)
{
    if (text == NULL) return 0;
    while (isspace((unsigned char)*text)) text++;
    size_t len = pm_decimal_length(text);
    if (len == 0) return 0;
    for (text += len; isspace((unsigned char)*text); text++) {}
    return *text == '\0';
}

int pm_scan_double(const char *text, double *out)
{
    if (text == NULL) return 0;
    const char *p = text;
    while (isspace((unsigned char)*p)) p++;
    size_t len = pm_decimal_length(p);
    if (len == 0) return 0;
    const char *rest = p + len;
    while (isspace((unsigned char)*rest)) rest++;
    if (*rest != '\0') return 0;
    char *end;
    double value = strtod(p, &end);
    /* strtod reads the decimal number the scan found (nothing longer: what
     * follows is white space); overflow gives inf, rejected here; an
     * underflow to a tiny or zero value is accepted. */
    if (end != p + len || !isfinite(value)) return 0;
    *out = value;
    return 1;
}

int pm_scan_integer(const char *text, long long min, long long max, long long *out)
{
    if (text == NULL) return 0;
    const char *p = text;
    while (isspace((unsigned char)*p)) p++;
    int negative = *p == '-';
    if (*p == '+' || *p == '-') p++;
    if (!isdigit((unsigned char)*p)) return 0;
    /* accumulate as a negative number: -LLONG_MIN does not exist */
    long long value = 0;
    int overflow = 0;
    for (; isdigit((unsigned char)*p); p++) {
        int digit = *p - '0';
        if (value < (LLONG_MIN + digit) / 10) overflow = 1;
        else value = value * 10 - digit;
    }
    while (isspace((unsigned char)*p)) p++;
    if (*p != '\0' || overflow) return 0;
    if (!negative) {
        if (value == LLONG_MIN) return 0;
        value = -value;
    }
    if (value < min || value > max) return 0;
    *out = value;
    return 1;
}

int pm_scan_byte_size(const char *text, double *bytes)
{
    if (text == NULL) return 0;
    const char *p = text;
    while (isspace((unsigned char)*p)) p++;
    size_t len = pm_decimal_length(p);
    if (len == 0) return 0;
    char *end;
    double value = strtod(p, &end);
    if (end != p + len || !isfinite(value) || !(value >= 1.0)) return 0;
    const char *unit = p + len;
    while (*unit == ' ' || *unit == '\t') unit++;
    size_t unit_len = strlen(unit);
    while (unit_len > 0 && isspace((unsigned char)unit[unit_len - 1])) unit_len--;
    static const struct {
        const char *name;
        double factor;
    } units[] = {{"", 1}, {"B", 1}, {"kB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
                 {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0}, {"TiB", 1099511627776.0}};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++)
        if (strlen(units[u].name) == unit_len && strncasecmp(unit, units[u].name, unit_len) == 0) {
            double result = value * units[u].factor;
            if (!isfinite(result)) return 0;
            *bytes = result;
            return 1;
        }
    return 0;
}

/* Whole-string finite double (surrounding white space allowed). */
static int parse_finite(const char *text, double *out) { return pm_scan_double(text, out); }

pm_status pm_parse_double(const char *key, const char *text, double *out)
{
    if (!parse_finite(text, out))
        return pm_error_set(PM_EINVAL, "%s = '%s': not a finite decimal number", key ? PM_EXCERPT(key) : "(null)",
                            PM_EXCERPT(text));
    return PM_OK;
}

long pm_text_trim(const char *text, char *out, size_t size)
{
    if (text == NULL) return -1;
    while (isspace((unsigned char)*text))
        text++;
    size_t len = strlen(text);
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    if (len >= size) return -1;
    memcpy(out, text, len);
    out[len] = '\0';
    return (long)len;
}

/* An integer cutoff in [key min, PM_N_MAX] or "auto" (-> auto_value). */
static int parse_cutoff(int k, const char *text, long auto_value, long *out)
{
    char word[8];
    if (pm_text_trim(text, word, sizeof word) >= 0 && strcasecmp(word, "auto") == 0) {
        *out = auto_value;
        return 1;
    }
    double value;
    /* Accept integral values in any float spelling ("2e3"), nothing else. */
    if (!parse_finite(text, &value) || value != floor(value) || value < key_table[k].min ||
        value > (double)PM_N_MAX)
        return 0;
    *out = (long)value;
    return 1;
}

static int parse_model(const char *text, int *out)
{
    char word[16];
    if (pm_text_trim(text, word, sizeof word) < 0) return 0;
    for (int m = 0; m < PM_MODEL_COUNT; m++)
        if (strcmp(word, model_names[m]) == 0) {
            *out = m;
            return 1;
        }
    return 0;
}

void pm_params_init(pm_params *params)
{
    memset(params, 0, sizeof *params);
    params->omega_m = PM_TWO_PI * 50.0;
    params->Q = 1e4;
    params->gamma_1 = 500.0;
    params->gamma_2 = 1000.0;
    params->S = 0.2;
    params->eta = 0.1;
    params->delta = 0.0;
    params->n_th = 5.0;
    params->N = 40;
    params->model = PM_MODEL_JC;
    params->theta = PM_TWO_PI / 4;
    params->K = PM_K_AUTO;
    params->set_mask = 0;
    /* Fill the derived fields so that a freshly initialised struct is
     * consistent; cannot fail for the defaults. */
    pm_status status = pm_params_derive(params);
    (void)status;
}

pm_status pm_params_set(pm_params *params, const char *key, const char *value)
{
    if (pm_terms_is_key(key)) return pm_terms_set(&params->terms, key, value);
    int k = key_index(key);
    if (k < 0) {
        const char *near = key ? pm_closest_word(key, key_names) : NULL;
        if (near)
            return pm_error_set(PM_EINVAL, "unknown key '%s'; did you mean '%s'?", PM_EXCERPT(key ? key : ""),
                                near);
        return pm_error_set(PM_EINVAL, "unknown key '%s'; valid model keys: omega_m, Q, gamma_m, "
                            "gamma_1, gamma_2, S, gamma_up, gamma_down, eta, g, delta, n_th, T, drive, N, "
                            "model, theta, K, or a user term H.<name> / D.<name>",
                            PM_EXCERPT(key ? key : ""));
    }
    if (value == NULL)
        return range_error_text(k, "");
    if (k == PM_KEY_N || k == PM_KEY_K) {
        long n;
        if (!parse_cutoff(k, value, k == PM_KEY_N ? PM_N_AUTO : PM_K_AUTO, &n))
            return range_error_text(k, value);
        if (k == PM_KEY_N) params->N = n;
        else params->K = n;
    } else if (k == PM_KEY_MODEL) {
        if (!parse_model(value, &params->model))
            return range_error_text(k, value);
    } else {
        double x;
        if (!parse_finite(value, &x) || !in_range(k, x))
            return range_error_text(k, value);
        *field(params, k) = x;
    }
    params->set_mask |= BIT(k);
    return PM_OK;
}

/* groups of keys that describe the same physical quantity */
static const unsigned alternative_groups[] = {
    BIT(PM_KEY_ETA) | BIT(PM_KEY_G),
    BIT(PM_KEY_Q) | BIT(PM_KEY_GAMMA_M),
    BIT(PM_KEY_T) | BIT(PM_KEY_N_TH),
    BIT(PM_KEY_S) | BIT(PM_KEY_GAMMA_UP) | BIT(PM_KEY_GAMMA_DOWN),
    BIT(PM_KEY_GAMMA_1) | BIT(PM_KEY_GAMMA_UP) | BIT(PM_KEY_GAMMA_DOWN),
};

/* The keys that giving key k releases (pm_params_release_alternatives). */
static unsigned released_by(int k)
{
    unsigned released = 0;
    for (size_t g = 0; g < sizeof alternative_groups / sizeof alternative_groups[0]; g++) {
        if (!(alternative_groups[g] & BIT(k))) continue;
        unsigned others = alternative_groups[g] & ~BIT(k);
        /* gamma_up and gamma_down are given together: one does not release the other */
        if (k == PM_KEY_GAMMA_UP || k == PM_KEY_GAMMA_DOWN) others &= ~(BIT(PM_KEY_GAMMA_UP) | BIT(PM_KEY_GAMMA_DOWN));
        released |= others;
    }
    return released;
}

int pm_params_replaces(const char *key, const char *other)
{
    int k = key_index(key), o = key_index(other);
    if (k < 0 || o < 0) return key && other && strcmp(key, other) == 0;
    return k == o || (released_by(k) & BIT(o)) != 0;
}

void pm_params_release_alternatives(pm_params *params, const char *key, unsigned mask)
{
    int k = key_index(key);
    if (k < 0) return;
    params->set_mask &= ~(released_by(k) & mask);
}

/* Mutually exclusive pair a/b both given. */
static pm_status conflict(const char *a, const char *b, const char *relation)
{
    return pm_error_set(PM_EINVAL, "%s and %s are both given: give only one (%s)", a, b, relation);
}

pm_status pm_params_derive(pm_params *params)
{
    const unsigned mask = params->set_mask;
    const int up_given = (mask & BIT(PM_KEY_GAMMA_UP)) != 0;
    const int down_given = (mask & BIT(PM_KEY_GAMMA_DOWN)) != 0;

    /* Conflicting keys. */
    if ((mask & BIT(PM_KEY_ETA)) && (mask & BIT(PM_KEY_G)))
        return conflict("eta", "g", "g = eta * omega_m");
    if ((mask & BIT(PM_KEY_Q)) && (mask & BIT(PM_KEY_GAMMA_M)))
        return conflict("Q", "gamma_m", "gamma_m = omega_m / Q");
    if ((mask & BIT(PM_KEY_T)) && (mask & BIT(PM_KEY_N_TH)))
        return conflict("T", "n_th", "n_th = 1/(exp(hbar omega_m / k_B T) - 1)");
    if (up_given != down_given)
        return pm_error_set(PM_EINVAL, "%s is given without %s: give both (then gamma_1 = "
                            "gamma_up + gamma_down, S = (gamma_up - gamma_down)/gamma_1) or neither",
                            up_given ? "gamma_up" : "gamma_down", up_given ? "gamma_down" : "gamma_up");
    if (up_given && (mask & BIT(PM_KEY_S)))
        return pm_error_set(PM_EINVAL, "S is given together with gamma_up and gamma_down: give "
                            "either (gamma_1, S) or (gamma_up, gamma_down)");
    if (up_given && (mask & BIT(PM_KEY_GAMMA_1)))
        return pm_error_set(PM_EINVAL, "gamma_1 is given together with gamma_up and gamma_down: "
                            "give either (gamma_1, S) or (gamma_up, gamma_down)");

    /* Keys of another model. */
    const char *model_name = pm_params_model_name(params->model);
    if (!model_name)
        return pm_error_set(PM_EINVAL, "model = %d: must be %s", params->model, key_table[PM_KEY_MODEL].range);
    for (int k = 0; k < PM_KEY_COUNT; k++)
        if ((mask & BIT(k)) && !(key_models(k) & (1u << params->model)))
            return pm_error_set(PM_EINVAL, "%s is not a key of model = %s (%s)", key_table[k].name, model_name,
                                k == PM_KEY_DRIVE ? "the resonant drive exists only in the JC model's rotating frame"
                                                  : "it belongs to model = dressed");

    /* Ranges of the inputs in use (the struct may have been filled directly). */
    static const int inputs[] = {PM_KEY_OMEGA_M, PM_KEY_GAMMA_2, PM_KEY_DELTA, PM_KEY_THETA};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++)
        if (!in_range(inputs[i], *field(params, inputs[i])))
            return range_error_value(inputs[i], *field(params, inputs[i]));
    const int pick[][2] = {
        /* key used, when the alternative (second) is not given */
        {PM_KEY_Q, PM_KEY_GAMMA_M},   {PM_KEY_ETA, PM_KEY_G},      {PM_KEY_N_TH, PM_KEY_T},
        {PM_KEY_GAMMA_1, PM_KEY_GAMMA_UP}, {PM_KEY_S, PM_KEY_GAMMA_UP},
    };
    for (size_t i = 0; i < sizeof pick / sizeof pick[0]; i++) {
        int k = (mask & BIT(pick[i][1])) ? pick[i][1] : pick[i][0];
        if (!in_range(k, *field(params, k)))
            return range_error_value(k, *field(params, k));
    }
    if (up_given && !in_range(PM_KEY_GAMMA_DOWN, params->gamma_down))
        return range_error_value(PM_KEY_GAMMA_DOWN, params->gamma_down);
    if (params->N != PM_N_AUTO && (params->N < 2 || params->N > PM_N_MAX))
        return pm_error_set(PM_EINVAL, "N = %ld: must be %s", params->N, key_table[PM_KEY_N].range);
    if (params->K != PM_K_AUTO && (params->K < 0 || params->K > PM_N_MAX))
        return pm_error_set(PM_EINVAL, "K = %ld: must be %s", params->K, key_table[PM_KEY_K].range);

    pm_status terms_status = pm_terms_check(&params->terms);
    if (terms_status != PM_OK) return terms_status;

    /* Derived rates (header formulas, paper Eqs. 8-9, B5). */
    if (mask & BIT(PM_KEY_GAMMA_M))
        params->Q = params->gamma_m > 0.0 ? params->omega_m / params->gamma_m : INFINITY;
    else
        params->gamma_m = params->omega_m / params->Q;

    if (mask & BIT(PM_KEY_G))
        params->eta = params->g / params->omega_m;
    else
        params->g = params->eta * params->omega_m;

    if (up_given) {
        params->gamma_1 = params->gamma_up + params->gamma_down;
        params->S = params->gamma_1 > 0.0
                        ? (params->gamma_up - params->gamma_down) / params->gamma_1
                        : 0.0;
    } else {
        params->gamma_up = params->gamma_1 * (1.0 + params->S) / 2.0;
        params->gamma_down = params->gamma_1 * (1.0 - params->S) / 2.0;
    }

    /* gamma_phi = gamma_2 - gamma_1/2 (Eq. B5) must be >= 0; with
     * gamma_2 >= gamma_1/2 the rounded difference is >= 0 too. */
    if (!(params->gamma_2 >= params->gamma_1 / 2.0))
        return pm_error_set(PM_EINVAL, "gamma_2 = %.10g: must be >= gamma_1/2 = %.10g [1/s] "
                            "(pure dephasing gamma_phi = gamma_2 - gamma_1/2 would be negative)",
                            params->gamma_2, params->gamma_1 / 2.0);
    params->gamma_phi = params->gamma_2 - params->gamma_1 / 2.0;

    /* Bose-Einstein occupation at omega_m: x = hbar omega_m / (k_B T). */
    const double hbar_over_kb = PM_HBAR_OVER_KB;
    if (mask & BIT(PM_KEY_T)) {
        double x = hbar_over_kb * params->omega_m / params->T;
        params->n_th = 1.0 / expm1(x); /* x -> inf gives 0 */
    } else {
        /* The temperature that gives n_th (0 for n_th = 0), for the record. */
        params->T = params->n_th > 0.0 ? hbar_over_kb * params->omega_m / log1p(1.0 / params->n_th)
                                       : 0.0;
    }
    return PM_OK;
}

const char *const *pm_params_key_names(void) { return key_names; }

int pm_params_key_applies(const char *key, int model)
{
    int k = key_index(key);
    return k >= 0 && model >= 0 && model < PM_MODEL_COUNT && (key_models(k) & (1u << model)) != 0;
}

int pm_params_is_key(const char *key) { return key_index(key) >= 0; }

const char *pm_params_key_unit(const char *key)
{
    int k = key_index(key);
    return k < 0 ? NULL : key_table[k].unit;
}

int pm_params_key_describe(const char *key, const char **range, const char **default_text,
                           const char **help)
{
    int k = key_index(key);
    if (k < 0)
        return 0;
    if (range)
        *range = key_table[k].range;
    if (default_text)
        *default_text = key_table[k].default_text;
    if (help)
        *help = key_table[k].help;
    return 1;
}

/* Case-insensitive Levenshtein distance (two-row dynamic programming). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t stack_rows[2][64];
    size_t *prev = stack_rows[0], *cur = stack_rows[1];
    size_t *heap = NULL;
    if (lb + 1 > 64) {
        heap = malloc(2 * (lb + 1) * sizeof *heap);
        if (heap == NULL)
            return (size_t)-1;
        prev = heap;
        cur = heap + lb + 1;
    }
    for (size_t j = 0; j <= lb; j++)
        prev[j] = j;
    for (size_t i = 1; i <= la; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t best = prev[j - 1] + cost;
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            cur[j] = best;
        }
        size_t *swap = prev;
        prev = cur;
        cur = swap;
    }
    size_t result = prev[lb];
    free(heap);
    return result;
}

const char *pm_closest_word(const char *word, const char *const *candidates)
{
    if (word == NULL || candidates == NULL)
        return NULL;
    size_t len = strlen(word);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    const char *best = NULL;
    size_t best_distance = (size_t)-1;
    for (size_t i = 0; candidates[i] != NULL; i++) {
        /* the distance is at least the difference of the lengths: a 100 kB
         * word costs no 100 kB x key table of work */
        size_t lc = strlen(candidates[i]), gap = len > lc ? len - lc : lc - len;
        if (gap > limit) continue;
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_distance) {
            best_distance = d;
            best = candidates[i];
        }
    }
    return best_distance <= limit ? best : NULL;
}
