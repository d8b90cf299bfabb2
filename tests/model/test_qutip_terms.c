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
#include "qutip_reference.h"
#include "testutil.h"

#define TOL 1e-8

typedef qutip_reference reference;

static int load(const char *name, reference *ref) { return qutip_reference_load(name, ref); }

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
