/* User-defined terms (terms.h): every accepted form, the operators they
 * build (against products of space.h operators), the charge shifts, the
 * store (set, replace, remove, limits), and every rejection with the
 * position it names. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/model/model.h"
#include "phonomaser/core/params.h"
#include "phonomaser/model/space.h"
#include "phonomaser/model/terms.h"
#include "testutil.h"

#define N_TEST 6

static pm_term term; /* 6 kB: static, not on the stack of each check */

/* max |A - B| over the entries */
static double max_difference(const pm_sparse *a, const pm_sparse *b)
{
    pm_sparse *d = NULL;
    if (pm_sparse_add(1, a, -1, b, &d) != PM_OK) return INFINITY;
    double worst = 0;
    for (int64_t k = 0; k < pm_sparse_nnz(d); k++)
        if (cabs(d->values[k]) > worst) worst = cabs(d->values[k]);
    pm_sparse_free(d);
    return worst;
}

/* The operator of `text` at N_TEST. */
static pm_sparse *term_operator(const char *key, const char *text)
{
    pm_sparse *op = NULL;
    if (pm_term_parse(key, text, &term) != PM_OK) {
        fprintf(stderr, "%s = '%s' rejected: %s\n", key, text, pm_error_message());
        test_failures++;
        return NULL;
    }
    CHECK_OK(pm_term_operator(&term, N_TEST, &op));
    return op;
}

/* coef * A B C (B, C may be PM_OP_IDENTITY) from space.h */
static pm_sparse *product3(double complex coef, pm_operator_kind a, pm_operator_kind b, pm_operator_kind c)
{
    pm_sparse *x = NULL, *y = NULL, *z = NULL, *xy = NULL, *xyz = NULL, *out = NULL;
    CHECK_OK(pm_space_operator(N_TEST, a, &x));
    CHECK_OK(pm_space_operator(N_TEST, b, &y));
    CHECK_OK(pm_space_operator(N_TEST, c, &z));
    CHECK_OK(pm_sparse_multiply(x, y, &xy));
    CHECK_OK(pm_sparse_multiply(xy, z, &xyz));
    CHECK_OK(pm_sparse_add(coef, xyz, 0, xyz, &out));
    pm_sparse_free(x);
    pm_sparse_free(y);
    pm_sparse_free(z);
    pm_sparse_free(xy);
    pm_sparse_free(xyz);
    return out;
}

static pm_sparse *sum2(pm_sparse *a, pm_sparse *b)
{
    pm_sparse *out = NULL;
    CHECK_OK(pm_sparse_add(1, a, 1, b, &out));
    pm_sparse_free(a);
    pm_sparse_free(b);
    return out;
}

/* `text` builds the same operator as `expected` (consumed), to round-off */
static void expect_operator(const char *key, const char *text, pm_sparse *expected, int line)
{
    pm_sparse *op = term_operator(key, text);
    double d = op && expected ? max_difference(op, expected) : INFINITY;
    if (!(d <= 1e-14)) {
        fprintf(stderr, "line %d: %s = '%s': max |op - expected| = %g\n", line, key, text, d);
        test_failures++;
    }
    pm_sparse_free(op);
    pm_sparse_free(expected);
}
#define EXPECT_OPERATOR(key, text, expected) expect_operator(key, text, expected, __LINE__)

static void test_accepted_forms(void)
{
    const pm_operator_kind ID = PM_OP_IDENTITY, A = PM_OP_A, AD = PM_OP_ADAG, NUM = PM_OP_NUM,
                           SP = PM_OP_SIGMA_P, SM = PM_OP_SIGMA_M, SZ = PM_OP_SIGMA_Z;
    EXPECT_OPERATOR("H.kerr", "0.01 n n", product3(0.01, NUM, NUM, ID));
    EXPECT_OPERATOR("H.kerr", "0.01*n*n", product3(0.01, NUM, NUM, ID));
    EXPECT_OPERATOR("H.kerr", "  1e-2 adag a adag a  ", product3(0.01, NUM, NUM, ID));
    EXPECT_OPERATOR("H.drive", "2 (a + adag)", sum2(product3(2, A, ID, ID), product3(2, AD, ID, ID)));
    EXPECT_OPERATOR("H.drive", "2 a + 2 adag", sum2(product3(2, A, ID, ID), product3(2, AD, ID, ID)));
    EXPECT_OPERATOR("H.drive", "(a + adag) 2", sum2(product3(2, A, ID, ID), product3(2, AD, ID, ID)));
    EXPECT_OPERATOR("H.drive", "-2 a - 2 adag", sum2(product3(-2, A, ID, ID), product3(-2, AD, ID, ID)));
    EXPECT_OPERATOR("H.p", "0.5i a a - 0.5i adag adag", sum2(product3(0.5 * I, A, A, ID), product3(-0.5 * I, AD, AD, ID)));
    EXPECT_OPERATOR("H.p", "0.5i (a a - adag adag)", sum2(product3(0.5 * I, A, A, ID), product3(-0.5 * I, AD, AD, ID)));
    EXPECT_OPERATOR("H.p", "i 0.5 a a + (-0.5i) adag adag", sum2(product3(0.5 * I, A, A, ID), product3(-0.5 * I, AD, AD, ID)));
    EXPECT_OPERATOR("H.x", "(1+2i) a sp + (1-2i) sm adag",
                    sum2(product3(1 + 2 * I, A, SP, ID), product3(1 - 2 * I, AD, SM, ID)));
    EXPECT_OPERATOR("H.x", "(1+2i) a sp + (1-2i) (a sp)*0 + (1-2i) sm adag",
                    sum2(product3(1 + 2 * I, A, SP, ID), product3(1 - 2 * I, AD, SM, ID)));
    EXPECT_OPERATOR("H.z", "+3 sz", product3(3, SZ, ID, ID));
    EXPECT_OPERATOR("H.z", ".5 sp sm + 2. sm sp", sum2(product3(0.5, SP, SM, ID), product3(2, SM, SP, ID)));
    EXPECT_OPERATOR("H.z", "sz sz", product3(1, ID, ID, ID));
    /* the truncated a a^dag (its top level is 0, not N) */
    EXPECT_OPERATOR("H.t", "a adag", product3(1, A, AD, ID));
    EXPECT_OPERATOR("H.t", "sz (n + 1)", sum2(product3(1, SZ, NUM, ID), product3(1, SZ, ID, ID)));
    EXPECT_OPERATOR("H.long", "0.3 (a + adag) sz", sum2(product3(0.3, A, SZ, ID), product3(0.3, AD, SZ, ID)));
    EXPECT_OPERATOR("H.nest", "((n))", product3(1, NUM, ID, ID));
    EXPECT_OPERATOR("H.exp", "1.5E+1 n", product3(15, NUM, ID, ID));

    /* dissipators: rate, then L */
    REQUIRE_OK(pm_term_parse("D.two_phonon", "0.1 a a", &term));
    CHECK(term.kind == PM_TERM_DISSIPATOR && term.rate == 0.1);
    EXPECT_OPERATOR("D.two_phonon", "0.1 a a", product3(1, A, A, ID));
    EXPECT_OPERATOR("D.two_phonon", "0.1 * a a", product3(1, A, A, ID));
    EXPECT_OPERATOR("D.dephasing", "20 sz", product3(1, SZ, ID, ID));
    EXPECT_OPERATOR("D.mixed", "5 (a + 0.5 sm)", sum2(product3(1, A, ID, ID), product3(0.5, SM, ID, ID)));
    EXPECT_OPERATOR("D.scaled", "5 2 a", product3(2, A, ID, ID));
    EXPECT_OPERATOR("D.displaced", "5 (a + 1)", sum2(product3(1, A, ID, ID), product3(1, ID, ID, ID)));
    REQUIRE_OK(pm_term_parse("D.off", "0 a", &term));
    CHECK(term.rate == 0);
    REQUIRE_OK(pm_term_parse("D.x", "1e2 sm", &term));
    CHECK(term.rate == 100);

    /* H terms come out exactly Hermitian */
    pm_sparse *op = term_operator("H.x", "(0.3+0.7i) a a sp + (0.3-0.7i) sm adag adag + 0.1 n n n");
    pm_sparse *adjoint = NULL;
    REQUIRE(op != NULL);
    CHECK_OK(pm_sparse_adjoint(op, &adjoint));
    CHECK(adjoint && max_difference(op, adjoint) == 0);
    pm_sparse_free(op);
    pm_sparse_free(adjoint);
}

static void test_charge_shift(void)
{
    int64_t shift = 99;
    REQUIRE_OK(pm_term_parse("H.kerr", "0.01 n n", &term));
    CHECK(pm_term_charge_shift(&term, &shift) && shift == 0);
    REQUIRE_OK(pm_term_parse("H.jc", "a sp + adag sm", &term));
    CHECK(pm_term_charge_shift(&term, &shift) && shift == 0);
    REQUIRE_OK(pm_term_parse("H.drive", "2 (a + adag)", &term));
    CHECK(!pm_term_charge_shift(&term, &shift));
    REQUIRE_OK(pm_term_parse("D.two", "0.1 a a", &term));
    CHECK(pm_term_charge_shift(&term, &shift) && shift == -2);
    REQUIRE_OK(pm_term_parse("D.pump", "1 adag sm", &term)); /* e unchanged */
    CHECK(pm_term_charge_shift(&term, &shift) && shift == 0);
    REQUIRE_OK(pm_term_parse("D.sum", "1 (a + sm)", &term));
    CHECK(pm_term_charge_shift(&term, &shift) && shift == -1);
    REQUIRE_OK(pm_term_parse("D.x", "1 (a + adag)", &term));
    CHECK(!pm_term_charge_shift(&term, &shift));
}

/* pm_term_parse(key, text) fails with PM_EINVAL, one line naming the key,
 * "position P" (P > 0) or no position (P = 0), and `what`. */
static void expect_rejected(const char *key, const char *text, int position, const char *what, int line)
{
    pm_error_clear();
    pm_status s = pm_term_parse(key, text, &term);
    const char *msg = pm_error_message();
    char where[32];
    snprintf(where, sizeof where, "position %d:", position);
    int ok = s == PM_EINVAL && strstr(msg, key) && strstr(msg, what) && !strchr(msg, '\n') &&
             (position == 0 ? !strstr(msg, "position") : strstr(msg, where) != NULL);
    if (!ok) {
        fprintf(stderr, "line %d: %s = '%s': status %d, message '%s' (want position %d and '%s')\n", line, key,
                text, (int)s, msg, position, what);
        test_failures++;
    }
}
#define REJECT(key, text, position, what) expect_rejected(key, text, position, what, __LINE__)

static void test_rejections(void)
{
    /* lexical */
    REJECT("H.kerr", "0.01 n nn", 8, "write the factors apart, 'n n'");
    REJECT("H.kerr", "0.01 adaga a", 6, "'adag a'");
    REJECT("H.x", "2 b", 3, "unknown operator 'b'");
    REJECT("H.x", "2 a^dag", 4, "unexpected character '^'");
    REJECT("H.x", "2a + 2 adag", 2, "runs into the number");
    REJECT("H.x", "2j a", 2, "runs into the number");
    REJECT("H.x", "1e999 n", 1, "out of range");
    REJECT("H.x", "2 n $", 5, "unexpected character '$'");
    /* structure */
    REJECT("H.x", "", 1, "found the end");
    REJECT("H.x", "2 n +", 6, "found the end");
    REJECT("H.x", "2 n + + n", 7, "found '+'");
    REJECT("H.x", "* n", 1, "'*' needs a factor");
    REJECT("H.x", "n *", 4, "expected a factor after '*'");
    REJECT("H.x", "n * * n", 5, "expected a factor after '*'");
    REJECT("H.x", "2 (a + adag", 3, "'(' is not closed");
    REJECT("H.x", "2 (a + adag))", 13, "')' without '('");
    REJECT("H.x", "2 (a + adag $)", 13, "expected ')'");
    REJECT("H.x", "()", 2, "found ')'");
    REJECT("H.x", "2 + n", 1, "this product has no operator");
    REJECT("H.x", "n + (1 + 2i)", 5, "this product has no operator");
    REJECT("H.x", "(((((((((n)))))))))", 9, "nested more than 8 deep");
    REJECT("H.x", "(a+adag)(a+adag)(a+adag)(a+adag)(a+adag)(a+adag)(a+adag)", 49, "more than 64 products");
    REJECT("H.x", "n n n n n n n n a + n n n n n n n n adag", 17, "more than 16 mode operators");
    REJECT("H.x", "a - a", 1, "the term is zero");
    REJECT("H.x", "sm sm", 1, "the term is zero");
    /* Hermiticity, at the offending product */
    REJECT("H.drive", "2 a", 1, "not Hermitian");
    REJECT("H.drive", "2 a + 2 adag + 3 sp", 16, "not Hermitian");
    REJECT("H.drive", "2 a + 3 adag", 1, "not Hermitian");
    REJECT("H.x", "i n", 1, "not Hermitian");
    REJECT("H.p", "0.5i a a + 0.5i adag adag", 1, "not Hermitian");
    REJECT("H.x", "(1+2i) a sp + (1+2i) sm adag", 1, "not Hermitian");
    REJECT("H.x", "n + a sp", 5, "not Hermitian");
    /* dissipators */
    REJECT("D.x", "a a", 1, "starts with its rate");
    REJECT("D.x", "-0.1 a", 1, "starts with its rate");
    REJECT("D.x", "(0.1) a", 1, "starts with its rate");
    REJECT("D.x", "0.1i a", 1, "the rate must be a real number");
    REJECT("D.x", "0.1", 4, "expected the jump operator");
    REJECT("D.x", "0.1 2", 5, "has no operator");
    REJECT("D.x", "0.1 a + 0.2 sm", 7, "one jump operator");
    REJECT("D.x", "0.1 sm sm", 1, "the term is zero");
    REJECT("D.x", "0.1a", 4, "runs into the number");
    REJECT("D.x", "0.1 a)", 6, "')' without '('");
    /* keys and lengths (no position) */
    REJECT("H.", "n", 0, "must be H.<name>");
    REJECT("H.bad-name", "n", 0, "must be H.<name>");
    char key[PM_TERM_NAME_MAX + 4] = "H.";
    memset(key + 2, 'x', PM_TERM_NAME_MAX + 1);
    key[PM_TERM_NAME_MAX + 3] = '\0'; /* a name of 31 characters */
    REJECT(key, "n", 0, "must be H.<name>");
    key[PM_TERM_NAME_MAX + 2] = '\0'; /* 30 */
    CHECK_OK(pm_term_parse(key, "n", &term));
    char long_text[PM_TERM_TEXT_MAX + 8];
    memset(long_text, 'n', sizeof long_text);
    for (int k = 1; k < PM_TERM_TEXT_MAX + 6; k += 2) long_text[k] = ' ';
    long_text[PM_TERM_TEXT_MAX + 1] = '\0'; /* 161 characters */
    REJECT("H.long", long_text, 0, "longer than 160 characters");
}

static void test_store(void)
{
    pm_params p;
    pm_params_init(&p);
    CHECK(p.terms.count == 0);
    REQUIRE_OK(pm_params_set(&p, "H.kerr", "  0.01 n n "));
    REQUIRE_OK(pm_params_set(&p, "D.loss", "0.1 a a"));
    REQUIRE(p.terms.count == 2);
    CHECK(!strcmp(p.terms.key[0], "H.kerr") && !strcmp(p.terms.text[0], "0.01 n n"));
    /* a later value replaces, keeping the order */
    REQUIRE_OK(pm_params_set(&p, "H.kerr", "0.02 n n"));
    CHECK(p.terms.count == 2 && !strcmp(p.terms.text[0], "0.02 n n"));
    /* a rejected value leaves the store unchanged */
    pm_terms before = p.terms;
    CHECK(pm_params_set(&p, "H.kerr", "0.02 n n n a") == PM_EINVAL);
    CHECK(memcmp(&before, &p.terms, sizeof before) == 0);
    CHECK(pm_params_set(&p, "H.", "n") == PM_EINVAL);
    CHECK(memcmp(&before, &p.terms, sizeof before) == 0);
    /* an empty value removes */
    REQUIRE_OK(pm_params_set(&p, "H.kerr", " "));
    CHECK(p.terms.count == 1 && !strcmp(p.terms.key[0], "D.loss"));
    CHECK_OK(pm_params_set(&p, "H.absent", ""));
    CHECK(p.terms.count == 1);
    CHECK_OK(pm_params_derive(&p));
    /* at most PM_TERMS_MAX */
    for (int k = 1; k < PM_TERMS_MAX; k++) {
        char key[16];
        snprintf(key, sizeof key, "H.t%d", k);
        CHECK_OK(pm_params_set(&p, key, "n"));
    }
    CHECK(p.terms.count == PM_TERMS_MAX);
    pm_error_clear();
    CHECK(pm_params_set(&p, "H.one_more", "n") == PM_EINVAL && strstr(pm_error_message(), "more than 16"));
    CHECK_OK(pm_params_set(&p, "H.t3", "2 n")); /* replacing still works */
    /* derive parses again what a C caller wrote into the struct */
    snprintf(p.terms.text[1], sizeof p.terms.text[1], "2 a");
    pm_error_clear();
    CHECK(pm_params_derive(&p) == PM_EINVAL && strstr(pm_error_message(), "not Hermitian"));
    snprintf(p.terms.text[1], sizeof p.terms.text[1], "n");
    snprintf(p.terms.key[2], sizeof p.terms.key[2], "%s", p.terms.key[1]);
    CHECK(pm_params_derive(&p) == PM_EINVAL && strstr(pm_error_message(), "twice"));
    /* an unknown key names the term keys */
    pm_error_clear();
    CHECK(pm_params_set(&p, "Hx.y", "n") == PM_EINVAL && strstr(pm_error_message(), "H.<name>"));
}

/* The model: H terms are added to H, D terms appended to the jumps; the
 * sector structure follows. */
static void test_model(void)
{
    pm_params p;
    pm_params_init(&p);
    p.N = 8;
    REQUIRE_OK(pm_params_derive(&p));
    pm_model *plain = NULL, *kerr = NULL, *driven = NULL, *jc = NULL;
    REQUIRE_OK(pm_model_alloc(&p, &plain));
    pm_params q = p;
    REQUIRE_OK(pm_params_set(&q, "H.kerr", "0.5 n n"));
    REQUIRE_OK(pm_params_set(&q, "D.two_phonon", "0.1 a a"));
    REQUIRE_OK(pm_params_set(&q, "D.off", "0 sz"));
    REQUIRE_OK(pm_params_derive(&q));
    REQUIRE_OK(pm_model_alloc(&q, &kerr));
    CHECK(kerr->njump == plain->njump + 1 && kerr->sector_step == 0 && kerr->symmetry_note[0] == '\0');
    CHECK(kerr->jumps[kerr->njump - 1].rate == 0.1);
    pm_sparse *added = NULL;
    if (pm_sparse_add(1, kerr->H, -1, plain->H, &added) == PM_OK) {
        CHECK(cabs(pm_sparse_get(added, 7, 7) - 0.5 * 49) < 1e-12);
        CHECK(cabs(pm_sparse_get(added, 8 + 3, 8 + 3) - 0.5 * 9) < 1e-12);
    }
    pm_sparse_free(added);
    /* the JC constructor of compare ignores user terms */
    REQUIRE_OK(pm_model_jc_alloc(&q, &jc));
    CHECK(jc->njump == plain->njump);
    REQUIRE_OK(pm_params_set(&q, "H.drive", "2 (a + adag)"));
    REQUIRE_OK(pm_model_alloc(&q, &driven));
    CHECK(driven->sector_step == 1 && strstr(driven->symmetry_note, "H.drive"));
    pm_model_free(plain);
    pm_model_free(kerr);
    pm_model_free(driven);
    pm_model_free(jc);

    /* the dressed model (parity at theta = pi/2: step 2) keeps its coupled
     * sectors; a drive couples every k (step 1), a Kerr term changes nothing */
    pm_params d;
    pm_params_init(&d);
    REQUIRE_OK(pm_params_set(&d, "model", "dressed"));
    REQUIRE_OK(pm_params_set(&d, "N", "8"));
    REQUIRE_OK(pm_params_set(&d, "K", "3"));
    REQUIRE_OK(pm_params_set(&d, "H.kerr", "0.5 n n"));
    REQUIRE_OK(pm_params_derive(&d));
    pm_model *dressed = NULL;
    REQUIRE_OK(pm_model_alloc(&d, &dressed));
    CHECK(dressed->sector_step == 2 && pm_model_coupled(dressed));
    pm_model_free(dressed);
    REQUIRE_OK(pm_params_set(&d, "H.drive", "2 (a + adag)"));
    REQUIRE_OK(pm_model_alloc(&d, &dressed));
    CHECK(dressed->sector_step == 1 && pm_model_coupled(dressed));
    pm_model_free(dressed);
}

int main(void)
{
    test_accepted_forms();
    test_charge_shift();
    test_rejections();
    test_store();
    test_model();
    return TEST_RESULT();
}
