/* User-defined terms: Hamiltonian terms and dissipators written as text,
 * added to any model (pm_model_alloc appends them after the model type's
 * own operators; the library then derives the sector structure from all
 * operators, so a term that breaks the excitation-number symmetry moves the
 * model to the full Liouvillian, or couples the sectors of a model that
 * truncates them).
 *
 * One term per key (INI section [terms], `--set`, or pm_params_set):
 *   H.<name> = <sum>            a Hamiltonian term [rad/s]; must be Hermitian
 *   D.<name> = <rate> <factors> rate [1/s] (a real number >= 0) times D[L],
 *                               L the product of the factors, D[L] rho =
 *                               L rho L^dag - {L^dag L, rho}/2
 * Grammar (white space is free between tokens):
 *   <sum>     [+|-] <product> { (+|-) <product> }
 *   <product> <factor> { [*] <factor> }      factors side by side multiply
 *   <factor>  <number> | <number>i | i | <operator> | ( <sum> )
 *   <number>  digits with an optional fraction and exponent: 2, 0.5, 1e-3
 *   <operator> a     annihilation operator (1 (x) a)
 *              adag  creation operator a^dag
 *              n     a^dag a
 *              sp    sigma_+ = |up><down|     sm   sigma_- = |down><up|
 *              sz    sigma_z = |up><up| - |down><down|
 * Examples: H.kerr = 0.01 n n;  H.drive = 2 (a + adag);  H.drive = 2 a + 2 adag;
 *   H.parametric = 0.5i a a - 0.5i adag adag;  H.x = (1+2i) a sp + (1-2i) sm adag;
 *   D.two_phonon = 0.1 a a;  D.dephasing = 20 sz;  D.mixed = 5 (a + 0.5 sm).
 * A number must be separated from a following operator ("2 a" or "2*a",
 * not "2a"); "2i" is the imaginary number.  A D value has one jump operator:
 * a sum needs parentheses ("rate (L1 + L2)"); use two D keys for two
 * dissipators.  Every top-level product of an H term and the factors of a
 * D term contain at least one operator; a term that is zero (sm sm, a - a)
 * is rejected.  Hermiticity is checked exactly on the expanded form (in
 * which n = a^dag a and the spin products are reduced), so it holds at
 * every Fock cutoff.  The coefficients are in the model's frame (jc:
 * rotating at omega_m, dressed: lab).
 *
 * Limits: at most PM_TERMS_MAX terms per model, names of at most
 * PM_TERM_NAME_MAX characters (letters, digits, '_'), values of at most
 * PM_TERM_TEXT_MAX characters (so that `H.<name> = <value>` fits one INI
 * line), PM_TERM_PRODUCTS_MAX products after expanding the parentheses,
 * PM_TERM_WORD_MAX mode operators in one product (n counts two), and
 * parentheses nested at most PM_TERM_DEPTH_MAX deep.
 *
 * Errors are one line naming the term and the character position (1-based,
 * in the value text), e.g.
 *   H.kerr = '0.01 n nn': position 8: unknown operator 'nn' (...)
 * The terms are plain data (pm_terms, inside pm_params); they are parsed
 * again wherever they are used. */
#ifndef PHONOMASER_TERMS_H
#define PHONOMASER_TERMS_H

#include <stdint.h>

#include "phonomaser/core/complex_type.h"
#include "phonomaser/core/error.h"
#include "phonomaser/core/params.h" /* pm_terms and the limits */
#include "phonomaser/linalg/sparse.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { PM_TERM_HAMILTONIAN, PM_TERM_DISSIPATOR } pm_term_kind;

/* coef |spin_row><spin_col| (x) w, w a word in a, a^dag (leftmost first). */
typedef struct pm_term_product {
    pm_complex coef;
    int spin_row, spin_col;  /* PM_SPIN_UP (0) or PM_SPIN_DOWN (1) */
    int length;              /* operators in w (0: identity) */
    unsigned char raise[PM_TERM_WORD_MAX]; /* 1: a^dag, 0: a */
    int position;            /* 1-based character of the top-level product it came from */
} pm_term_product;

/* A parsed term: the operator as a sum of distinct products (expanded,
 * n written a^dag a, spin products reduced, equal products merged). */
typedef struct pm_term {
    pm_term_kind kind;
    double rate;             /* D: the rate [1/s], >= 0; H: 1 */
    int count;
    pm_term_product product[2 * PM_TERM_PRODUCTS_MAX];
} pm_term;

/* Whether `key` is a term key (starts with "H." or "D."; the name itself
 * is checked by pm_term_parse). */
int pm_terms_is_key(const char *key);

/* Parse the value `text` of term `key` (rejects a bad key, a syntax error,
 * a non-Hermitian H term, a negative or complex rate, a zero term, and the
 * limits above, each with one line naming the term and the position). */
pm_status pm_term_parse(const char *key, const char *text, pm_term *out);

/* Parse and store (replacing a term of the same key); an empty or blank
 * text removes the term.  On failure `terms` is unchanged. */
pm_status pm_terms_set(pm_terms *terms, const char *key, const char *text);

/* Parse every stored term (for a struct filled directly). */
pm_status pm_terms_check(const pm_terms *terms);

/* The operator of a parsed term on spin (x) Fock at cutoff N (space.h):
 * the H term, or the jump operator L of a D term (without its rate). */
pm_status pm_term_operator(const pm_term *term, int64_t N, pm_sparse **out);

/* The change of the excitation number e = n + (spin == up) by each product
 * of the term: sets *shift and returns 1 if every product changes e by the
 * same amount (for H: the term conserves e iff that amount is 0), else 0. */
int pm_term_charge_shift(const pm_term *term, int64_t *shift);

/* The syntax above in a few lines, for --help. */
const char *pm_terms_syntax_help(void);

#ifdef __cplusplus
}
#endif

#endif
