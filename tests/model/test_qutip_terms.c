/* The JC model with user-defined terms (terms.h) against QuTiP's steady
 * state at small N: data/qutip_reference_terms_steady_E*.txt, written by
 * tools/make_qutip_reference_terms.py, which builds the same terms as QuTiP
 * operators by hand (the headers record the cases, versions and checks).
 * Each case runs with path = auto: the terms that keep the excitation-number
 * symmetry must give the sector path, the others the full Liouvillian, and
 * the sector step the library derives must be QuTiP's.  Agreement: 1e-8
 * relative (<a>, <a^2> relative to their modulus; P(n) and rho elements
 * relative to the largest). */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/drivers/solve.h"
#include "testutil.h"

#define MAX_LEVELS 64
#define MAX_ELEMENTS 32
#define TOL 1e-8

typedef struct {
    pm_params params;
    int nterms;
    double n_mean, n2_mean, sz_mean, p_up;
    double complex a, a2;
    long sector_step;
    double p_n[MAX_LEVELS];
    int levels;
    int nrho;
    long rho_i[MAX_ELEMENTS], rho_j[MAX_ELEMENTS];
    double complex rho[MAX_ELEMENTS];
} reference;

static int load(const char *name, reference *ref)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", PM_DATA_DIR, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        test_failures++;
        return -1;
    }
    memset(ref, 0, sizeof *ref);
    pm_params_init(&ref->params);
    ref->sector_step = -1;
    char line[4096], record[32], key[64], value[128];
    double re_a = 0, im_a = 0, re_a2 = 0, im_a2 = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || sscanf(line, "%31s", record) != 1) continue;
        int offset = 0;
        if (!strcmp(record, "param") && sscanf(line, "%*s %63s %127s", key, value) == 2) {
            CHECK_OK(pm_params_set(&ref->params, key, value));
        } else if (!strcmp(record, "term") && sscanf(line, "%*s %63s %n", key, &offset) == 1 && offset > 0) {
            /* the rest of the line is the value (pm_params_set trims it) */
            CHECK_OK(pm_params_set(&ref->params, key, line + offset));
            ref->nterms++;
        } else if (!strcmp(record, "result") && sscanf(line, "%*s %63s %127s", key, value) == 2) {
            double v = atof(value);
            if (!strcmp(key, "n_mean")) ref->n_mean = v;
            else if (!strcmp(key, "n2_mean")) ref->n2_mean = v;
            else if (!strcmp(key, "sz_mean")) ref->sz_mean = v;
            else if (!strcmp(key, "p_up")) ref->p_up = v;
            else if (!strcmp(key, "re_a")) re_a = v;
            else if (!strcmp(key, "im_a")) im_a = v;
            else if (!strcmp(key, "re_a2")) re_a2 = v;
            else if (!strcmp(key, "im_a2")) im_a2 = v;
            else if (!strcmp(key, "sector_step")) ref->sector_step = atol(value);
        } else if (!strcmp(record, "P")) {
            int n;
            double v;
            if (sscanf(line, "%*s %d %lf", &n, &v) == 2 && n >= 0 && n < MAX_LEVELS) {
                ref->p_n[n] = v;
                if (n + 1 > ref->levels) ref->levels = n + 1;
            }
        } else if (!strcmp(record, "rho") && ref->nrho < MAX_ELEMENTS) {
            double re, im;
            if (sscanf(line, "%*s %ld %ld %lf %lf", &ref->rho_i[ref->nrho], &ref->rho_j[ref->nrho], &re, &im) == 4)
                ref->rho[ref->nrho++] = re + I * im;
        }
    }
    fclose(f);
    ref->a = re_a + I * im_a;
    ref->a2 = re_a2 + I * im_a2;
    CHECK_OK(pm_params_derive(&ref->params));
    return 0;
}

/* |x - y| <= TOL * scale, reported with its name */
static void check_scaled(const char *name, const char *what, double complex x, double complex y, double scale)
{
    if (!(cabs(x - y) <= TOL * scale)) {
        fprintf(stderr, "%s: %s = %.15g%+.15gi, QuTiP %.15g%+.15gi (|diff| %.3g > %g x %.3g)\n", name, what, creal(x),
                cimag(x), creal(y), cimag(y), cabs(x - y), TOL, scale);
        test_failures++;
    }
}

/* The steady state on `path`; returns the worst relative deviation. */
static double check_path(const char *name, const reference *ref, const pm_model *model, pm_path path,
                         pm_path want_path)
{
    pm_steady_options opts;
    pm_steady_options_default(&opts);
    pm_steady_result r;
    if (pm_steadystate(model, path, &opts, &r) != PM_OK) {
        fprintf(stderr, "%s: %s\n", name, pm_error_message());
        test_failures++;
        return INFINITY;
    }
    CHECK(r.path == want_path);
    if (want_path == PM_PATH_FULL && path == PM_PATH_AUTO)
        CHECK(strstr(r.path_note, "user term") != NULL); /* the note names the term */
    const pm_observables *o = &r.obs;
    check_scaled(name, "n_mean", o->n_mean, ref->n_mean, fabs(ref->n_mean));
    check_scaled(name, "n2_mean", o->n2_mean, ref->n2_mean, fabs(ref->n2_mean));
    check_scaled(name, "sz_mean", o->sz_mean, ref->sz_mean, fabs(ref->sz_mean));
    check_scaled(name, "p_up", creal(o->rho_spin[0][0]), ref->p_up, ref->p_up);
    /* <a>, <a^2>: relative to their modulus; exactly 0 where the symmetry holds */
    check_scaled(name, "<a>", o->a_mean, ref->a, cabs(ref->a) > 0 ? cabs(ref->a) : 1e-6);
    check_scaled(name, "<a^2>", o->a2_mean, ref->a2, cabs(ref->a2) > 0 ? cabs(ref->a2) : 1e-6);
    double worst = fabs(o->n_mean - ref->n_mean) / ref->n_mean;
    double p_max = 0;
    for (int n = 0; n < ref->levels; n++) p_max = fmax(p_max, ref->p_n[n]);
    CHECK(ref->levels == model->N);
    for (int n = 0; n < ref->levels && n < model->N; n++) {
        char what[32];
        snprintf(what, sizeof what, "P(%d)", n);
        check_scaled(name, what, o->p_n[n], ref->p_n[n], p_max);
    }
    double rho_max = 0;
    for (int e = 0; e < ref->nrho; e++) rho_max = fmax(rho_max, cabs(ref->rho[e]));
    CHECK(ref->nrho >= 5);
    for (int e = 0; e < ref->nrho; e++) {
        char what[48];
        snprintf(what, sizeof what, "rho[%ld][%ld]", ref->rho_i[e], ref->rho_j[e]);
        check_scaled(name, what, pm_state_element(r.state, ref->rho_i[e], ref->rho_j[e]), ref->rho[e], rho_max);
        worst = fmax(worst, cabs(pm_state_element(r.state, ref->rho_i[e], ref->rho_j[e]) - ref->rho[e]) / rho_max);
    }
    pm_steady_result_clear(&r);
    return worst;
}

static void check_case(const char *name, int keeps_symmetry)
{
    reference ref;
    if (load(name, &ref) != 0) return;
    REQUIRE(ref.nterms >= 1 && ref.params.terms.count == ref.nterms);
    pm_model *model = NULL;
    REQUIRE_OK(pm_model_alloc(&ref.params, &model));
    CHECK(model->sector_step == ref.sector_step);
    CHECK((model->sector_step == 0) == keeps_symmetry);
    double worst = check_path(name, &ref, model, PM_PATH_AUTO, keeps_symmetry ? PM_PATH_SECTOR : PM_PATH_FULL);
    if (keeps_symmetry) worst = fmax(worst, check_path(name, &ref, model, PM_PATH_FULL, PM_PATH_FULL));
    printf("%s: %d user term(s), sector_step %ld, path %s: QuTiP <n> = %.12g; worst relative deviation "
           "(<n>, rho elements) %.2g\n", name, ref.nterms, (long)model->sector_step,
           keeps_symmetry ? "sector (and full)" : "full", ref.n_mean, worst);
    pm_model_free(model);
}

int main(void)
{
    check_case("qutip_reference_terms_steady_E1.txt", 1); /* Kerr */
    check_case("qutip_reference_terms_steady_E2.txt", 0); /* complex coherent drive */
    check_case("qutip_reference_terms_steady_E3.txt", 1); /* two-phonon loss */
    check_case("qutip_reference_terms_steady_E4.txt", 0); /* parametric drive + dephasing */
    check_case("qutip_reference_terms_steady_E5.txt", 1); /* complex exchange, collective jump, Kerr */
    return TEST_RESULT();
}
