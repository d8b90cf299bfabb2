/* Model parameters of the driven-dissipative Jaynes-Cummings maser
 * (paper Eqs. 6-9; conventions in shared/physics-notes.md).
 *
 * Units: hbar = 1, angular frequencies in rad/s, rates in 1/s, T in kelvin.
 * A user sets inputs by key (pm_params_set); pm_params_derive() checks their
 * consistency and computes every derived rate in one place:
 *   gamma_m    = omega_m / Q                     (unless gamma_m given)
 *   gamma_up   = gamma_1 (1 + S) / 2,  gamma_down = gamma_1 (1 - S) / 2
 *                                                 (unless both given; then
 *                                                  gamma_1 = up + down,
 *                                                  S = (up - down)/gamma_1)
 *   gamma_phi  = gamma_2 - gamma_1 / 2           (Eq. B5; must be >= 0)
 *   g          = eta * omega_m                   (unless g given)
 *   n_th       = 1 / (exp(hbar omega_m / k_B T) - 1)   (if T given)
 */
#ifndef PHONOMASER_PARAMS_H
#define PHONOMASER_PARAMS_H

#include <stddef.h>

#include "phonomaser/core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Fock cutoff value meaning "grow N until converged" (N = auto). */
#define PM_N_AUTO 0L
/* Sector cutoff value meaning "grow K until converged" (K = auto). */
#define PM_K_AUTO (-1L)

/* The models phonomaser solves (model.h has their operators):
 *   jc       the Jaynes-Cummings maser of Eqs. (6)-(9), frame rotating at omega_m;
 *   dressed  the dressed-basis model of Eq. (5) without the rotating-wave
 *            approximation, lab frame (physics-notes.md, last section). */
typedef enum { PM_MODEL_JC = 0, PM_MODEL_DRESSED = 1, PM_MODEL_COUNT } pm_model_id;

/* User-defined terms H.<name> = ..., D.<name> = ... (syntax, parser and
 * limits documented in terms.h): at most PM_TERMS_MAX terms, names of at
 * most PM_TERM_NAME_MAX characters, values of at most PM_TERM_TEXT_MAX. */
#define PM_TERMS_MAX 16
#define PM_TERM_NAME_MAX 30
#define PM_TERM_KEY_SIZE (PM_TERM_NAME_MAX + 3) /* "H." + name + NUL */
#define PM_TERM_TEXT_MAX 160
#define PM_TERM_PRODUCTS_MAX 64
#define PM_TERM_WORD_MAX 16
#define PM_TERM_DEPTH_MAX 8

/* The user terms of a model: keys ("H.kerr", "D.two_phonon") and value
 * texts (trimmed), in the order they were first given. */
typedef struct pm_terms {
    int count;
    char key[PM_TERMS_MAX][PM_TERM_KEY_SIZE];
    char text[PM_TERMS_MAX][PM_TERM_TEXT_MAX + 1];
} pm_terms;

typedef struct pm_params {
    /* inputs (the names are the INI / --set keys) */
    double omega_m;    /* mechanical angular frequency [rad/s] */
    double Q;          /* mechanical quality factor [1] */
    double gamma_1;    /* spin population relaxation rate [1/s] */
    double gamma_2;    /* spin coherence decay rate [1/s] */
    double S;          /* dressed inversion S_z^(0) in [-1, 1] */
    double eta;        /* coupling in units of omega_m [1] */
    double delta;      /* detuning omega_tilde - omega_m [rad/s] */
    double T;          /* bath temperature [K] (alternative to n_th) */
    double drive;      /* coherent mechanical drive F [rad/s]: H += F (a + a^dag) */
    long N;            /* Fock cutoff: levels n = 0..N-1, or PM_N_AUTO */
    int model;         /* pm_model_id; key "model" = jc | dressed */
    double theta;      /* dressed: mixing angle [rad], 0 < theta <= pi/2; g0 = g / sin(theta) */
    long K;            /* dressed: sector cutoff |e_i - e_j| <= K, or PM_K_AUTO */

    /* inputs that are also derived (set by the user or by derive) */
    double gamma_m;    /* mechanical damping rate [1/s] */
    double gamma_up;   /* incoherent spin pumping rate [1/s] */
    double gamma_down; /* spin decay rate [1/s] */
    double g;          /* spin-phonon coupling [rad/s] */
    double n_th;       /* mechanical bath occupation [1] */

    /* derived only */
    double gamma_phi;  /* pure dephasing rate [1/s], gamma_2 - gamma_1/2 */

    /* user-defined terms H.<name>, D.<name> (terms.h): the texts, parsed
     * by pm_params_set and pm_params_derive, built by pm_model_alloc */
    pm_terms terms;

    unsigned set_mask; /* bit PM_KEY_x set when the user gave key x */
} pm_params;

/* Keys, in the order of pm_params_key_names(). */
enum {
    PM_KEY_OMEGA_M, PM_KEY_Q, PM_KEY_GAMMA_M, PM_KEY_GAMMA_1, PM_KEY_GAMMA_2,
    PM_KEY_S, PM_KEY_GAMMA_UP, PM_KEY_GAMMA_DOWN, PM_KEY_ETA, PM_KEY_G,
    PM_KEY_DELTA, PM_KEY_N_TH, PM_KEY_T, PM_KEY_DRIVE, PM_KEY_N, PM_KEY_MODEL,
    PM_KEY_THETA, PM_KEY_K, PM_KEY_COUNT
};

/* The name of a model ("jc", "dressed"), or NULL for an unknown id. */
const char *pm_params_model_name(int model);
/* Whether `key` means something for `model` (theta and K only for dressed,
 * drive only for jc; every other key for both). */
int pm_params_key_applies(const char *key, int model);

/* Defaults: the paper's Table I operating point (omega_m = 2 pi 50 rad/s,
 * Q = 1e4, gamma_1 = 500, gamma_2 = 1000, eta = 0.1, S = 0.2, n_th = 5,
 * delta = 0) with N = 40; model = jc, theta = pi/2, K = auto. */
void pm_params_init(pm_params *params);

/* Parse `value` for `key` and store it.  Rejects unknown keys (message
 * suggests the closest valid key), non-numbers, and values outside the key's
 * range, each with one line naming the key and the allowed range.  A term
 * key H.<name> / D.<name> goes to pm_terms_set (terms.h). */
pm_status pm_params_set(pm_params *params, const char *key, const char *value);

/* Check mutual consistency (e.g. both eta and g given, gamma_2 < gamma_1/2,
 * a key given that means nothing for the model), parse the user terms again
 * (pm_terms_check) and compute the derived rates.  Call after the last
 * pm_params_set(). */
pm_status pm_params_derive(pm_params *params);

/* Forget, among the keys in `mask`, those that are alternatives to `key`
 * (eta for g, Q for gamma_m, T for n_th, S and gamma_1 for gamma_up/down), so
 * that a command-line override replaces a value an INI file gave through
 * the alternative key instead of conflicting with it. */
void pm_params_release_alternatives(pm_params *params, const char *key, unsigned mask);
/* Whether giving `key` replaces `other` (the same key, or an alternative of
 * it that pm_params_release_alternatives releases: eta and g, Q and gamma_m,
 * n_th and T, S or gamma_1 and gamma_up/gamma_down). */
int pm_params_replaces(const char *key, const char *other);

/* The allowed range, default and help text of a model key (for --help);
 * returns 0 if the key is unknown. */
int pm_params_key_describe(const char *key, const char **range, const char **default_text,
                           const char **help);

/* NULL-terminated list of the valid keys. */
const char *const *pm_params_key_names(void);

/* Whether `key` is one of pm_params_key_names(). */
int pm_params_is_key(const char *key);

/* The unit of a key's value ("rad/s", "1/s", "K", "1"), or NULL. */
const char *pm_params_key_unit(const char *key);

/* Of the NULL-terminated `candidates`, the one closest to `word` by edit
 * distance (case-insensitive), or NULL if none is reasonably close. */
const char *pm_closest_word(const char *word, const char *const *candidates);

/* Copy `text` without its leading and trailing white space into `out`
 * (`size` bytes); returns the trimmed length, or -1 if `text` is NULL or the
 * trimmed text does not fit. */
long pm_text_trim(const char *text, char *out, size_t size);

/* ---- the syntax of numbers in user input (every key, flag and list) ----
 * Numbers are decimal: an optional sign, digits with an optional point, an
 * optional exponent (e or E, optional sign, digits), at least one digit
 * before the exponent: 3, -2.5, .5, 1e-3, 2E+6.  Hexadecimal (0x32, 0x1p3),
 * inf, nan and their other spellings are not numbers; a value out of the
 * double range (1e999) is rejected, one that underflows (1e-999) reads as
 * the nearest double (0 or a denormal). */

/* Length of the decimal number at the very start of `text` (no white space
 * skipped); 0 if there is none. */
size_t pm_decimal_length(const char *text);

/* Whether a whole string (surrounding white space allowed) is spelled as a
 * decimal number, whatever its magnitude (1e999 is; 0x10, inf are not). */
int pm_decimal_syntax(const char *text);

/* A whole string (surrounding white space allowed) as a finite decimal
 * double: 1 and *out set, or 0. */
int pm_scan_double(const char *text, double *out);

/* A whole string (surrounding white space allowed) as a decimal integer in
 * [min, max]: optional sign, digits only (no point, no exponent); overflow
 * is out of range.  1 and *out set, or 0. */
int pm_scan_integer(const char *text, long long min, long long max, long long *out);

/* A whole string as a number of bytes, for PHONOMASER_MEMORY_LIMIT: a
 * decimal number (2e9, 2000000000, 1.5) of at least 1, optionally followed
 * (after optional blanks) by a unit, case-insensitive: kB, MB, GB, TB
 * (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024); B alone is
 * bytes.  1 and *bytes set, or 0 (abc, 2e9xyz, -5, 0, inf, 0x10, 2G). */
int pm_scan_byte_size(const char *text, double *bytes);

/* Parse a whole string as a finite decimal double; PM_EINVAL (message names
 * `key`) for anything else. */
pm_status pm_parse_double(const char *key, const char *text, double *out);


#ifdef __cplusplus
}
#endif

#endif
