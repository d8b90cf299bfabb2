/* User-defined terms (terms.h): the parser of the term syntax, the exact
 * Hermiticity check on the expanded form, and the operators at a cutoff.
 *
 * Parsing is recursive descent over <sum> / <product> / <factor>; every
 * factor is a list of monomials coef * S (x) w (S a 2x2 spin matrix with
 * entries in {-1, 0, 1}: sp, sm, sz and their products have at most one
 * nonzero per row and column; w a word in a, a^dag), and a product is the
 * product of its factors' lists, so parentheses expand as they are read.
 * The canonical form splits S into matrix units |s><t| and merges equal
 * products; the adjoint of coef |s><t| (x) w is conj(coef) |t><s| (x) w^dag
 * (w reversed, a <-> a^dag), exactly as for the truncated matrices, so a
 * term that passes the check is Hermitian at every cutoff. */
#include "phonomaser/model/terms.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/model/model.h"
#include "phonomaser/core/params.h"
#include "phonomaser/model/space.h"

#define OPERATOR_LIST "a, adag, n, sp, sm, sz"

typedef struct monomial {
    double complex coef;
    signed char spin[2][2]; /* [row][col], index PM_SPIN_UP = 0, PM_SPIN_DOWN = 1 */
    int length;
    unsigned char raise[PM_TERM_WORD_MAX];
    int position; /* 1-based start of the top-level product (set by parse_sum) */
} monomial;

typedef struct monomial_list {
    int count;
    monomial m[PM_TERM_PRODUCTS_MAX];
} monomial_list;

typedef struct parser {
    const char *key, *text, *p;
    int depth;
    pm_status status;
} parser;

static pm_status fail_at(parser *ps, const char *where, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* One line: "<key> = '<text>': position <p>: <what>". */
static pm_status fail_at(parser *ps, const char *where, const char *format, ...)
{
    if (ps->status != PM_OK) return ps->status;
    char what[512];
    va_list args;
    va_start(args, format);
    vsnprintf(what, sizeof what, format, args);
    va_end(args);
    ps->status = pm_error_set(PM_EINVAL, "%s = '%s': position %d: %s", PM_EXCERPT(ps->key), PM_EXCERPT(ps->text),
                              (int)(where - ps->text) + 1, what);
    return ps->status;
}

static int ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }
static int number_start(const char *p) { return isdigit((unsigned char)p[0]) || (p[0] == '.' && isdigit((unsigned char)p[1])); }
static int factor_start(const char *p) { return number_start(p) || isalpha((unsigned char)*p) || *p == '_' || *p == '('; }
static void skip_space(parser *ps)
{
    while (isspace((unsigned char)*ps->p)) ps->p++;
}

static void identity(monomial *m, double complex coef)
{
    memset(m, 0, sizeof *m);
    m->coef = coef;
    m->spin[0][0] = m->spin[1][1] = 1;
}

/* The operators, with the word each stands for. */
static const struct {
    const char *name;
    int length;
    unsigned char raise[2];
    signed char spin[2][2];
} operators[] = {
    {"a", 1, {0}, {{1, 0}, {0, 1}}},
    {"adag", 1, {1}, {{1, 0}, {0, 1}}},
    {"n", 2, {1, 0}, {{1, 0}, {0, 1}}}, /* a^dag a */
    {"sp", 0, {0}, {{0, 1}, {0, 0}}},    /* |up><down| */
    {"sm", 0, {0}, {{0, 0}, {1, 0}}},    /* |down><up| */
    {"sz", 0, {0}, {{1, 0}, {0, -1}}},
};
#define OPERATOR_COUNT (sizeof operators / sizeof operators[0])

static int operator_index(const char *word, size_t len)
{
    for (size_t k = 0; k < OPERATOR_COUNT; k++)
        if (strlen(operators[k].name) == len && strncmp(word, operators[k].name, len) == 0) return (int)k;
    return -1;
}

/* Whether `word` is several operators written together ("aa", "nn",
 * "adaga"): then `split` gets them apart ("a a"). */
static int split_operators(const char *word, size_t len, char *split, size_t size)
{
    size_t used = 0, i = 0;
    int parts = 0;
    while (i < len) {
        int best = -1;
        size_t best_len = 0;
        for (size_t k = 0; k < OPERATOR_COUNT; k++) {
            size_t l = strlen(operators[k].name);
            if (l > best_len && l <= len - i && strncmp(word + i, operators[k].name, l) == 0) {
                best = (int)k;
                best_len = l;
            }
        }
        if (best < 0) return 0;
        int n = snprintf(split + used, size - used, "%s%s", parts ? " " : "", operators[best].name);
        if (n < 0 || (size_t)n >= size - used) return 0;
        used += (size_t)n;
        i += best_len;
        parts++;
    }
    return parts > 1;
}

/* out = a b (both monomials of a product). */
static int multiply(parser *ps, const char *where, const monomial *a, const monomial *b, monomial *out)
{
    if (a->length + b->length > PM_TERM_WORD_MAX) {
        fail_at(ps, where, "more than %d mode operators in one product (n counts two)", PM_TERM_WORD_MAX);
        return 0;
    }
    out->coef = a->coef * b->coef;
    for (int r = 0; r < 2; r++)
        for (int c = 0; c < 2; c++) out->spin[r][c] = (signed char)(a->spin[r][0] * b->spin[0][c] + a->spin[r][1] * b->spin[1][c]);
    out->length = a->length + b->length;
    out->position = a->position;
    memcpy(out->raise, a->raise, (size_t)a->length);
    memcpy(out->raise + a->length, b->raise, (size_t)b->length);
    return 1;
}

/* acc = acc * factor (distributing) */
static int multiply_lists(parser *ps, const char *where, monomial_list *acc, const monomial_list *factor,
                          monomial_list *scratch)
{
    if ((long)acc->count * factor->count > PM_TERM_PRODUCTS_MAX) {
        fail_at(ps, where, "more than %d products after expanding the parentheses", PM_TERM_PRODUCTS_MAX);
        return 0;
    }
    scratch->count = 0;
    for (int i = 0; i < acc->count; i++)
        for (int j = 0; j < factor->count; j++)
            if (!multiply(ps, where, &acc->m[i], &factor->m[j], &scratch->m[scratch->count++])) return 0;
    *acc = *scratch;
    return 1;
}

/* A number; "2i" is imaginary.  The number must not run into a name. */
static int parse_number(parser *ps, double complex *out)
{
    const char *start = ps->p, *q = ps->p;
    while (isdigit((unsigned char)*q)) q++;
    if (*q == '.') {
        q++;
        while (isdigit((unsigned char)*q)) q++;
    }
    if ((*q == 'e' || *q == 'E') &&
        (isdigit((unsigned char)q[1]) || ((q[1] == '+' || q[1] == '-') && isdigit((unsigned char)q[2])))) {
        q += 2;
        while (isdigit((unsigned char)*q)) q++;
    }
    char buf[64];
    size_t len = (size_t)(q - start);
    if (len >= sizeof buf) {
        fail_at(ps, start, "number longer than %zu characters", sizeof buf - 1);
        return 0;
    }
    memcpy(buf, start, len);
    buf[len] = '\0';
    double x = strtod(buf, NULL);
    if (!isfinite(x)) {
        fail_at(ps, start, "number '%s' out of range", buf);
        return 0;
    }
    int imaginary = *q == 'i' && !ident_char(q[1]);
    if (imaginary) q++;
    else if (ident_char(*q)) {
        int name_len = 0;
        while (ident_char(q[name_len])) name_len++;
        fail_at(ps, q, "'%.*s' runs into the number '%s': separate factors by white space or '*' "
                "(an imaginary number is written '%si')", name_len, q, buf, buf);
        return 0;
    }
    ps->p = q;
    *out = imaginary ? x * I : x;
    return 1;
}

static int parse_sum(parser *ps, monomial_list *out, int top_level, int *has_operator);

static int parse_factor(parser *ps, monomial_list *out, int *has_operator)
{
    const char *start = ps->p;
    out->count = 1;
    if (*start == '(') {
        if (ps->depth == PM_TERM_DEPTH_MAX) {
            fail_at(ps, start, "parentheses nested more than %d deep", PM_TERM_DEPTH_MAX);
            return 0;
        }
        ps->depth++;
        ps->p++;
        if (!parse_sum(ps, out, 0, has_operator)) return 0;
        ps->depth--;
        skip_space(ps);
        if (*ps->p != ')') {
            if (*ps->p == '\0') fail_at(ps, start, "'(' is not closed");
            else fail_at(ps, ps->p, "expected ')' or '+' or '-' or a factor, found '%c'", *ps->p);
            return 0;
        }
        ps->p++;
        return 1;
    }
    if (number_start(start)) {
        double complex x;
        if (!parse_number(ps, &x)) return 0;
        identity(&out->m[0], x);
        return 1;
    }
    size_t len = 0;
    while (ident_char(start[len])) len++;
    ps->p = start + len;
    if (len == 1 && start[0] == 'i') {
        identity(&out->m[0], I);
        return 1;
    }
    int k = operator_index(start, len);
    if (k < 0) {
        char split[96];
        if (split_operators(start, len, split, sizeof split))
            fail_at(ps, start, "unknown operator '%.*s': write the factors apart, '%s'", (int)len, start, split);
        else
            fail_at(ps, start, "unknown operator '%.*s' (operators: " OPERATOR_LIST "; i is the imaginary unit)",
                    (int)(len < 40 ? len : 40), start);
        return 0;
    }
    monomial *m = &out->m[0];
    identity(m, 1);
    memcpy(m->spin, operators[k].spin, sizeof m->spin);
    m->length = operators[k].length;
    memcpy(m->raise, operators[k].raise, (size_t)m->length);
    *has_operator = 1;
    return 1;
}

/* <factor> { [*] <factor> }; *has_operator is set if an operator occurs */
static int parse_product(parser *ps, monomial_list *out, int *has_operator)
{
    monomial_list *factor = malloc(sizeof *factor), *scratch = malloc(sizeof *scratch);
    int ok = factor && scratch;
    if (!ok) ps->status = pm_error_set(PM_ENOMEM, "%s: out of memory parsing the term", ps->key);
    out->count = 1;
    identity(&out->m[0], 1);
    int factors = 0;
    while (ok) {
        skip_space(ps);
        const char *here = ps->p;
        if (*here == '*') {
            if (factors == 0) {
                fail_at(ps, here, "'*' needs a factor on its left");
                ok = 0;
                break;
            }
            ps->p++;
            skip_space(ps);
            if (!factor_start(ps->p)) {
                fail_at(ps, ps->p, "expected a factor after '*'");
                ok = 0;
                break;
            }
            here = ps->p;
        }
        if (!factor_start(here)) {
            if (factors == 0) {
                if (*here == '\0') fail_at(ps, here, "expected a number, an operator (" OPERATOR_LIST ") or '(', found the end");
                else fail_at(ps, here, "expected a number, an operator (" OPERATOR_LIST ") or '(', found '%c'", *here);
                ok = 0;
            }
            break;
        }
        ok = parse_factor(ps, factor, has_operator) && multiply_lists(ps, here, out, factor, scratch);
        factors++;
    }
    free(factor);
    free(scratch);
    return ok;
}

/* [+|-] <product> { (+|-) <product> }; a top-level product must hold an
 * operator; *has_operator is set if any product holds one */
static int parse_sum(parser *ps, monomial_list *out, int top_level, int *has_operator)
{
    monomial_list *product = malloc(sizeof *product);
    if (!product) {
        ps->status = pm_error_set(PM_ENOMEM, "%s: out of memory parsing the term", ps->key);
        return 0;
    }
    out->count = 0;
    skip_space(ps);
    double sign = 1;
    if (*ps->p == '+' || *ps->p == '-') sign = *ps->p++ == '-' ? -1 : 1;
    int ok = 1;
    for (;;) {
        skip_space(ps);
        const char *start = ps->p;
        int product_has_operator = 0;
        if (!parse_product(ps, product, &product_has_operator)) {
            ok = 0;
            break;
        }
        *has_operator |= product_has_operator;
        if (top_level && !product_has_operator) {
            fail_at(ps, start, "this product has no operator (a constant does not change the dynamics)");
            ok = 0;
            break;
        }
        if (out->count + product->count > PM_TERM_PRODUCTS_MAX) {
            fail_at(ps, start, "more than %d products after expanding the parentheses", PM_TERM_PRODUCTS_MAX);
            ok = 0;
            break;
        }
        for (int i = 0; i < product->count; i++) {
            product->m[i].coef *= sign;
            if (top_level) product->m[i].position = (int)(start - ps->text) + 1;
            out->m[out->count++] = product->m[i];
        }
        skip_space(ps);
        if (*ps->p != '+' && *ps->p != '-') break;
        sign = *ps->p++ == '-' ? -1 : 1;
    }
    free(product);
    return ok;
}

/* ------------------------------------------------------- canonical form */

static int same_word(const pm_term_product *a, int length, const unsigned char *raise)
{
    return a->length == length && memcmp(a->raise, raise, (size_t)length) == 0;
}

static int find_product(const pm_term *term, int row, int col, int length, const unsigned char *raise)
{
    for (int k = 0; k < term->count; k++)
        if (term->product[k].spin_row == row && term->product[k].spin_col == col &&
            same_word(&term->product[k], length, raise))
            return k;
    return -1;
}

/* Split the spin matrices into units |s><t|, merge equal products, drop
 * products that cancel (to round-off of their contributions). */
static void canonical(const monomial_list *list, pm_term *term)
{
    double magnitude[2 * PM_TERM_PRODUCTS_MAX] = {0};
    term->count = 0;
    for (int i = 0; i < list->count; i++) {
        const monomial *m = &list->m[i];
        int length = m->length, position = m->position;
        for (int r = 0; r < 2; r++)
            for (int c = 0; c < 2; c++) {
                if (m->spin[r][c] == 0 || m->coef == 0) continue;
                double complex coef = m->coef * m->spin[r][c];
                int k = find_product(term, r, c, length, m->raise);
                if (k < 0) {
                    k = term->count++;
                    pm_term_product *p = &term->product[k];
                    memset(p, 0, sizeof *p);
                    p->spin_row = r;
                    p->spin_col = c;
                    p->length = length;
                    memcpy(p->raise, m->raise, (size_t)length);
                    p->position = position;
                }
                term->product[k].coef += coef;
                magnitude[k] += cabs(coef);
                if (position < term->product[k].position) term->product[k].position = position;
            }
    }
    int kept = 0;
    for (int k = 0; k < term->count; k++)
        if (cabs(term->product[k].coef) > 1e-14 * magnitude[k]) term->product[kept++] = term->product[k];
    term->count = kept;
}

/* w^dag: reversed, a <-> a^dag */
static void adjoint_word(const pm_term_product *p, unsigned char *raise)
{
    for (int i = 0; i < p->length; i++) raise[i] = (unsigned char)!p->raise[p->length - 1 - i];
}

/* H = H^dag on the canonical form; makes the coefficients exactly conjugate. */
static int check_hermitian(parser *ps, pm_term *term)
{
    for (int k = 0; k < term->count; k++) {
        pm_term_product *p = &term->product[k];
        unsigned char raise[PM_TERM_WORD_MAX];
        adjoint_word(p, raise);
        int j = find_product(term, p->spin_col, p->spin_row, p->length, raise);
        double complex partner = j >= 0 ? conj(term->product[j].coef) : 0;
        double scale = fmax(cabs(p->coef), cabs(partner));
        if (j < 0 || cabs(p->coef - partner) > 1e-12 * scale) {
            const char *where = ps->text + p->position - 1;
            fail_at(ps, where, "H is not Hermitian: the adjoint of this product is missing or has another "
                    "coefficient (the adjoint of c A B is conj(c) B^dag A^dag; e.g. 'F (a + adag)', "
                    "'0.5i (a a - adag adag)', 'c a sp + conj(c) adag sm')");
            return 0;
        }
        double complex mean = (p->coef + partner) / 2;
        p->coef = mean;
        term->product[j].coef = conj(mean);
    }
    return 1;
}

/* ------------------------------------------------------------- public */

int pm_terms_is_key(const char *key)
{
    return key && (key[0] == 'H' || key[0] == 'D') && key[1] == '.';
}

static pm_status check_key(const char *key)
{
    size_t len = key ? strlen(key) : 0;
    int ok = pm_terms_is_key(key) && len > 2 && len - 2 <= PM_TERM_NAME_MAX;
    for (size_t i = 2; ok && i < len; i++) ok = ident_char(key[i]);
    if (!ok)
        return pm_error_set(PM_EINVAL, "term key '%s': must be H.<name> (Hamiltonian) or D.<name> "
                            "(dissipator), the name 1-%d letters, digits or '_'", PM_EXCERPT(key ? key : ""),
                            PM_TERM_NAME_MAX);
    return PM_OK;
}

pm_status pm_term_parse(const char *key, const char *text, pm_term *out)
{
    memset(out, 0, sizeof *out);
    pm_status s = check_key(key);
    if (s != PM_OK) return s;
    if (!text) return pm_error_set(PM_EINVAL, "%s: missing value", key);
    if (strlen(text) > PM_TERM_TEXT_MAX)
        return pm_error_set(PM_EINVAL, "%s: value longer than %d characters (split it into several terms)", key,
                            PM_TERM_TEXT_MAX);
    parser ps = {.key = key, .text = text, .p = text, .depth = 0, .status = PM_OK};
    monomial_list *list = malloc(sizeof *list);
    if (!list) return pm_error_set(PM_ENOMEM, "%s: out of memory parsing the term", key);
    out->kind = key[0] == 'H' ? PM_TERM_HAMILTONIAN : PM_TERM_DISSIPATOR;
    out->rate = 1;
    int ok = 1;
    if (out->kind == PM_TERM_HAMILTONIAN) {
        int has_operator = 0;
        ok = parse_sum(&ps, list, 1, &has_operator);
    } else {
        /* <rate> <factors> */
        skip_space(&ps);
        const char *start = ps.p;
        double complex rate = 0;
        if (*start == '-' || *start == '+' || !number_start(start)) {
            fail_at(&ps, start, "a dissipator starts with its rate [1/s], a real number >= 0 "
                    "(e.g. 'D.loss = 0.1 a a')");
            ok = 0;
        } else if ((ok = parse_number(&ps, &rate)) && cimag(rate) != 0) {
            fail_at(&ps, start, "the rate must be a real number >= 0 [1/s]");
            ok = 0;
        }
        out->rate = creal(rate);
        skip_space(&ps);
        int has_operator = 0;
        const char *operator_start = ps.p;
        if (ok && *ps.p == '\0') {
            fail_at(&ps, ps.p, "expected the jump operator L after the rate (e.g. '0.1 a a')");
            ok = 0;
        }
        if (ok && *ps.p == '*') ps.p++; /* "0.1 * a a" */
        if (ok) ok = parse_product(&ps, list, &has_operator);
        if (ok && !has_operator) {
            fail_at(&ps, operator_start, "the jump operator L has no operator (" OPERATOR_LIST ")");
            ok = 0;
        }
        skip_space(&ps);
        if (ok && (*ps.p == '+' || *ps.p == '-')) {
            fail_at(&ps, ps.p, "a dissipator has one jump operator: write 'rate (L1 + L2)' for a sum, or one "
                    "D key per dissipator");
            ok = 0;
        }
        for (int i = 0; ok && i < list->count; i++) list->m[i].position = (int)(operator_start - text) + 1;
    }
    if (ok) {
        skip_space(&ps);
        if (*ps.p == ')') {
            fail_at(&ps, ps.p, "')' without '('");
            ok = 0;
        } else if (*ps.p != '\0') {
            fail_at(&ps, ps.p, "unexpected character '%c' (expected an operator, a number, '(', '+', '-' or '*')",
                    *ps.p);
            ok = 0;
        }
    }
    if (ok) {
        canonical(list, out);
        if (out->count == 0) {
            fail_at(&ps, text, "the term is zero (e.g. sm sm = 0, a - a = 0)");
            ok = 0;
        }
    }
    if (ok && out->kind == PM_TERM_HAMILTONIAN) ok = check_hermitian(&ps, out);
    free(list);
    if (!ok) {
        memset(out, 0, sizeof *out);
        return ps.status != PM_OK ? ps.status : pm_error_set(PM_EINVAL, "%s: invalid term", key);
    }
    return PM_OK;
}

pm_status pm_terms_set(pm_terms *terms, const char *key, const char *text)
{
    pm_status s = check_key(key);
    if (s != PM_OK) return s;
    char trimmed[PM_TERM_TEXT_MAX + 1];
    long len = pm_text_trim(text, trimmed, sizeof trimmed);
    if (len < 0)
        return text ? pm_error_set(PM_EINVAL, "%s: value longer than %d characters (split it into several terms)",
                                   key, PM_TERM_TEXT_MAX)
                    : pm_error_set(PM_EINVAL, "%s: missing value", key);
    int found = -1;
    for (int k = 0; k < terms->count; k++)
        if (strcmp(terms->key[k], key) == 0) found = k;
    if (len == 0) { /* remove */
        if (found >= 0) {
            for (int k = found; k + 1 < terms->count; k++) {
                memcpy(terms->key[k], terms->key[k + 1], sizeof terms->key[k]);
                memcpy(terms->text[k], terms->text[k + 1], sizeof terms->text[k]);
            }
            terms->count--;
            memset(terms->key[terms->count], 0, sizeof terms->key[0]);
            memset(terms->text[terms->count], 0, sizeof terms->text[0]);
        }
        return PM_OK;
    }
    pm_term *term = malloc(sizeof *term);
    if (!term) return pm_error_set(PM_ENOMEM, "%s: out of memory parsing the term", key);
    s = pm_term_parse(key, trimmed, term);
    free(term);
    if (s != PM_OK) return s;
    if (found < 0) {
        if (terms->count == PM_TERMS_MAX)
            return pm_error_set(PM_EINVAL, "%s: more than %d user terms", key, PM_TERMS_MAX);
        found = terms->count++;
        snprintf(terms->key[found], sizeof terms->key[found], "%s", key);
    }
    snprintf(terms->text[found], sizeof terms->text[found], "%s", trimmed);
    return PM_OK;
}

pm_status pm_terms_check(const pm_terms *terms)
{
    if (terms->count < 0 || terms->count > PM_TERMS_MAX)
        return pm_error_set(PM_EINVAL, "terms: count = %d must be in [0, %d]", terms->count, PM_TERMS_MAX);
    pm_term *term = malloc(sizeof *term);
    if (!term) return pm_error_set(PM_ENOMEM, "out of memory parsing the user terms");
    pm_status s = PM_OK;
    for (int k = 0; k < terms->count && s == PM_OK; k++) {
        if (memchr(terms->key[k], '\0', sizeof terms->key[k]) == NULL ||
            memchr(terms->text[k], '\0', sizeof terms->text[k]) == NULL) {
            s = pm_error_set(PM_EINVAL, "terms: entry %d is not a terminated string", k + 1);
            break;
        }
        for (int j = 0; j < k && s == PM_OK; j++)
            if (strcmp(terms->key[j], terms->key[k]) == 0)
                s = pm_error_set(PM_EINVAL, "terms: %s is given twice", terms->key[k]);
        if (s == PM_OK) s = pm_term_parse(terms->key[k], terms->text[k], term);
    }
    free(term);
    return s;
}

pm_status pm_term_operator(const pm_term *term, int64_t N, pm_sparse **out)
{
    *out = NULL;
    if (N < 1) return pm_error_set(PM_EINVAL, "N = %lld: the Fock cutoff must be >= 1", (long long)N);
    pm_triplets *t = pm_triplets_alloc(2 * N, 2 * N, (int64_t)term->count * N + 1);
    if (!t) return pm_error_set(PM_ENOMEM, "out of memory building a user term (N = %lld)", (long long)N);
    pm_status s = PM_OK;
    for (int k = 0; k < term->count && s == PM_OK; k++) {
        const pm_term_product *p = &term->product[k];
        for (int64_t n = 0; n < N && s == PM_OK; n++) {
            /* w |n>: the rightmost operator acts first; a^dag |N-1> = 0 (truncation) */
            /* amplitude^2 is a product of integers (exact below 2^53): one
             * square root, so n |k> = k |k> exactly */
            int64_t m = n;
            double squared = 1;
            for (int i = p->length - 1; i >= 0 && squared != 0; i--) {
                if (p->raise[i]) {
                    if (m + 1 >= N) squared = 0;
                    else squared *= (double)(++m);
                } else {
                    if (m == 0) squared = 0;
                    else squared *= (double)(m--);
                }
            }
            double amplitude = sqrt(squared);
            if (amplitude != 0)
                s = pm_triplets_add(t, pm_space_index(N, p->spin_row, m), pm_space_index(N, p->spin_col, n),
                                    p->coef * amplitude);
        }
    }
    pm_sparse *op = NULL;
    if (s == PM_OK) s = pm_sparse_from_triplets(t, &op);
    pm_triplets_free(t);
    if (s == PM_OK && term->kind == PM_TERM_HAMILTONIAN) {
        /* (H + H^dag)/2: exactly Hermitian (the coefficients of w and
         * w^dag are conjugate, but their products with the amplitudes may
         * round differently) */
        pm_sparse *adjoint = NULL, *sum = NULL;
        s = pm_sparse_adjoint(op, &adjoint);
        if (s == PM_OK) s = pm_sparse_add(0.5, op, 0.5, adjoint, &sum);
        pm_sparse_free(adjoint);
        if (s == PM_OK) {
            pm_sparse_free(op);
            op = sum;
        }
    }
    if (s != PM_OK) {
        pm_sparse_free(op);
        return s;
    }
    *out = op;
    return PM_OK;
}

int pm_term_charge_shift(const pm_term *term, int64_t *shift)
{
    for (int k = 0; k < term->count; k++) {
        const pm_term_product *p = &term->product[k];
        int64_t d = (p->spin_row == PM_SPIN_UP) - (p->spin_col == PM_SPIN_UP);
        for (int i = 0; i < p->length; i++) d += p->raise[i] ? 1 : -1;
        if (k == 0) *shift = d;
        else if (d != *shift) return 0;
    }
    if (term->count == 0) *shift = 0;
    return 1;
}

const char *pm_terms_syntax_help(void)
{
    return "User terms (INI section [terms], or --set KEY=VALUE), added to the model's H and dissipators:\n"
           "  H.<name> = <sum>            Hamiltonian term [rad/s], must be Hermitian\n"
           "  D.<name> = <rate> <factors> rate [1/s] (real, >= 0) times D[L], L the product of the factors\n"
           "  <sum> = [+|-] product {(+|-) product}; a product is factors side by side (or joined by '*'):\n"
           "  numbers (2, 0.5, 1e-3), imaginary numbers (0.5i, i), operators a, adag, n (= adag a),\n"
           "  sp, sm, sz (sigma_+, sigma_-, sigma_z), or a parenthesised sum.  Examples:\n"
           "    H.kerr = 0.01 n n     H.drive = 2 (a + adag)     H.squeeze = 0.5i a a - 0.5i adag adag\n"
           "    D.two_phonon = 0.1 a a     D.dephasing = 20 sz     D.mixed = 5 (a + 0.5 sm)\n"
           "  A number is apart from an operator ('2 a', not '2a'); a D sum needs parentheses.  At most 16\n"
           "  terms, names of 30 characters, values of 160; an empty value removes a term.  Coefficients\n"
           "  are in the model's frame (jc: rotating at omega_m; dressed: lab).\n";
}

/* ------------------------------------------------------- model (model.h) */

pm_status pm_model_add_user_terms(pm_model *model, const pm_terms *terms)
{
    pm_term *term = malloc(sizeof *term);
    if (!term) return pm_error_set(PM_ENOMEM, "out of memory building the user terms");
    pm_status s = PM_OK;
    for (int k = 0; k < terms->count && s == PM_OK; k++) {
        s = pm_term_parse(terms->key[k], terms->text[k], term);
        if (s != PM_OK) break;
        if (term->kind == PM_TERM_DISSIPATOR && term->rate == 0) continue;
        int64_t shift = 0;
        int fixed = pm_term_charge_shift(term, &shift);
        if (!model->symmetry_note[0] && (term->kind == PM_TERM_HAMILTONIAN ? !fixed || shift != 0 : !fixed))
            snprintf(model->symmetry_note, sizeof model->symmetry_note, "user term %s changes it",
                     terms->key[k]);
        pm_sparse *op = NULL;
        s = pm_term_operator(term, model->N, &op);
        if (s != PM_OK) break;
        if (term->kind == PM_TERM_HAMILTONIAN) {
            pm_sparse *sum = NULL;
            s = pm_sparse_add(1, model->H, 1, op, &sum);
            pm_sparse_free(op);
            if (s == PM_OK) {
                pm_sparse_free(model->H);
                model->H = sum;
            }
        } else if (model->njump == PM_MODEL_MAX_JUMPS) {
            pm_sparse_free(op);
            s = pm_error_set(PM_EINVAL, "%s: model %s has more than %d jump operators", terms->key[k],
                             model->type->name, PM_MODEL_MAX_JUMPS);
        } else {
            model->jump_ops[model->njump] = op;
            model->jumps[model->njump].rate = term->rate;
            model->jumps[model->njump].op = op;
            model->njump++;
        }
    }
    free(term);
    return s;
}
