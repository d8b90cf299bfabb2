/* Conformance: every solver on every model's blocks (the pattern of
 * SUNDIALS' shared test_sunlinsol routine).  One routine, run_conformance,
 * takes a model description and checks, on the block the library chooses
 * for it (sectors, coupled sectors or the full Liouvillian) and on the full
 * Liouvillian:
 *  - steady state by every LU backend that accepts the block (band, KLU,
 *    UMFPACK), complex and folded to a real system by Hermiticity
 *    (real_fold; equal to the complex LU's state to 1e-12, exactly
 *    Hermitian), and by ARPACK: the same state, trace 1, Hermitian,
 *    positive, residual ~ 0, the model's closed-form number balance;
 *  - evolution by every CVODE linear solver (KLU, SPGMR, the complex LU):
 *    the same trajectory, trace conserved, and the chosen path equal to
 *    the full Liouvillian's.
 * Models: JC (sectors), JC with a drive (full path), JC with a user Kerr
 * term and two-phonon loss (sectors), dressed at theta = pi/2 (parity
 * classes) and at theta = 1 (all k coupled). */
#include <complex.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "phonomaser/drivers/solve.h"
#include "testutil.h"

#define N_SMALL 12

typedef struct {
    const char *label;
    const char *keys[8];
    const char *values[8];
    int nkeys;
} model_case;

static double state_distance(const pm_state *a, const pm_state *b, int64_t dim)
{
    double worst = 0;
    for (int64_t i = 0; i < dim; i++)
        for (int64_t j = 0; j < dim; j++) {
            double d = cabs(pm_state_element(a, i, j) - pm_state_element(b, i, j));
            if (d > worst) worst = d;
        }
    return worst;
}

static void check_health(const char *label, const char *how, const pm_steady_result *r)
{
    int ok = fabs(r->obs.trace - 1) < 1e-12 && r->obs.hermiticity_error < 1e-12 && r->obs.min_eigenvalue > -1e-12 &&
             r->info.residual < 1e-9 && !(r->number_balance > 1e-10);
    if (!ok) {
        fprintf(stderr, "%s, %s: trace %.3g, hermiticity %.3g, min eigenvalue %.3g, residual %.3g, balance %.3g\n", label,
                how, r->obs.trace - 1, r->obs.hermiticity_error, r->obs.min_eigenvalue, r->info.residual,
                r->number_balance);
        test_failures++;
    }
}

static void steady_conformance(const model_case *mc, const pm_model *model)
{
    pm_steady_result full;
    pm_steady_options o;
    pm_steady_options_default(&o);
    REQUIRE_OK(pm_steadystate(model, PM_PATH_FULL, &o, &full));
    check_health(mc->label, "full, auto LU", &full);
    const struct {
        const char *name;
        pm_steady_method method;
        pm_lu_backend lu;
        pm_real_fold fold;
    } solvers[] = {
        {"direct band", PM_STEADY_DIRECT, PM_LU_BAND, PM_FOLD_AUTO},
        {"direct klu", PM_STEADY_DIRECT, PM_LU_KLU, PM_FOLD_OFF},
        {"direct umfpack", PM_STEADY_DIRECT, PM_LU_UMFPACK, PM_FOLD_OFF},
        {"direct klu, real fold", PM_STEADY_DIRECT, PM_LU_KLU, PM_FOLD_ON},
        {"direct umfpack, real fold", PM_STEADY_DIRECT, PM_LU_UMFPACK, PM_FOLD_ON},
        {"direct auto LU, real fold", PM_STEADY_DIRECT, PM_LU_AUTO, PM_FOLD_ON},
        {"arpack", PM_STEADY_ARPACK, PM_LU_AUTO, PM_FOLD_AUTO},
    };
    const pm_path paths[] = {PM_PATH_AUTO, PM_PATH_FULL};
    int solved = 0, folded = 0;
    for (size_t p = 0; p < 2; p++) {
        pm_steady_result complex_lu; /* the complex LU on this path: the folded solves must equal it */
        pm_steady_options co = o;
        co.real_fold = PM_FOLD_OFF;
        REQUIRE_OK(pm_steadystate(model, paths[p], &co, &complex_lu));
        CHECK(complex_lu.info.real_fold == 0);
        for (size_t k = 0; k < sizeof solvers / sizeof solvers[0]; k++) {
            pm_steady_options so = o;
            so.method = solvers[k].method;
            so.lu = solvers[k].lu;
            so.real_fold = solvers[k].fold;
            pm_steady_result r;
            pm_status s = pm_steadystate(model, paths[p], &so, &r);
            if (s == PM_EINVAL && solvers[k].lu == PM_LU_BAND) { /* not narrow-banded: refused, as documented */
                pm_steady_result_clear(&r);
                continue;
            }
            char how[96];
            snprintf(how, sizeof how, "%s on %s", solvers[k].name, paths[p] == PM_PATH_FULL ? "the full block" : "the chosen block");
            if (s != PM_OK) {
                fprintf(stderr, "%s, %s: %s\n", mc->label, how, pm_error_message());
                test_failures++;
                continue;
            }
            check_health(mc->label, how, &r);
            double d = state_distance(r.state, full.state, model->dim);
            if (d > 1e-10) {
                fprintf(stderr, "%s, %s: max |rho - rho_full| = %.3g\n", mc->label, how, d);
                test_failures++;
            }
            if (solvers[k].fold == PM_FOLD_ON) {
                /* the fold solves the same equations on real numbers: the complex LU's state to rounding,
                 * and Hermitian by construction (rho_ji is written as conj(rho_ij)) */
                double dc = state_distance(r.state, complex_lu.state, model->dim);
                if (!r.info.real_fold || dc > 1e-12 || r.obs.hermiticity_error != 0) {
                    fprintf(stderr, "%s, %s: real_fold %d, max |rho - rho_complex| = %.3g, hermiticity %.3g\n",
                            mc->label, how, r.info.real_fold, dc, r.obs.hermiticity_error);
                    test_failures++;
                }
                folded++;
            }
            solved++;
            pm_steady_result_clear(&r);
        }
        pm_steady_result_clear(&complex_lu);
    }
    /* the default folds the coupled sectors of the dressed model only */
    pm_steady_result r;
    REQUIRE_OK(pm_steadystate(model, PM_PATH_AUTO, &o, &r));
    CHECK(r.info.real_fold == (r.block->sector == PM_SECTOR_COUPLED));
    pm_steady_result_clear(&r);
    CHECK(folded == 6); /* klu, umfpack, auto on both paths */
    CHECK(solved >= 11); /* KLU, UMFPACK, both folded, ARPACK on both paths at least (less band on the full one) */
    pm_steady_result_clear(&full);
}

static void evolve_conformance(const model_case *mc, const pm_model *model)
{
    enum { NT = 5 };
    const double times[NT] = {0, 0.002, 0.005, 0.01, 0.02};
    pm_params p = model->params;
    pm_initial init;
    pm_initial_default(&p, PM_INITIAL_THERMAL, &init);
    init.n_th = 1.0; /* away from the bath: something moves */
    const pm_linear_solver solvers[] = {PM_LINSOL_KLU, PM_LINSOL_SPGMR, PM_LINSOL_LU};
    pm_mesolve_result reference;
    pm_mesolve_options o;
    pm_mesolve_options_default(&o);
    o.evolve.rtol = 1e-10;
    o.evolve.atol = 1e-13;
    o.path = PM_PATH_FULL;
    o.threads = 1;
    REQUIRE_OK(pm_mesolve(model, &init, NT, times, &o, &reference));
    for (size_t p_k = 0; p_k < 2; p_k++)
        for (size_t k = 0; k < sizeof solvers / sizeof solvers[0]; k++) {
            pm_mesolve_options so = o;
            so.path = p_k ? PM_PATH_FULL : PM_PATH_AUTO;
            so.evolve.linear_solver = solvers[k];
            pm_mesolve_result r;
            pm_status s = pm_mesolve(model, &init, NT, times, &so, &r);
            if (s != PM_OK) {
                fprintf(stderr, "%s: evolve with %s (%s): %s\n", mc->label, pm_linear_solver_name(solvers[k]),
                        pm_path_name(so.path), pm_error_message());
                test_failures++;
                pm_mesolve_result_clear(&r);
                continue;
            }
            double worst = 0;
            for (size_t t = 0; t < NT; t++) {
                double e[] = {fabs(r.series.n_mean[t] - reference.series.n_mean[t]) / fmax(reference.series.n_mean[t], 1e-3),
                              fabs(r.series.sz_mean[t] - reference.series.sz_mean[t]), fabs(r.series.trace[t] - 1),
                              cabs(r.series.a2_mean[t] - reference.series.a2_mean[t])};
                for (size_t q = 0; q < sizeof e / sizeof e[0]; q++)
                    if (e[q] > worst) worst = e[q];
            }
            if (worst > 1e-7) {
                fprintf(stderr, "%s: evolve with %s (%s) deviates by %.3g\n", mc->label,
                        pm_linear_solver_name(solvers[k]), pm_path_name(so.path), worst);
                test_failures++;
            }
            pm_mesolve_result_clear(&r);
        }
    pm_mesolve_result_clear(&reference);
}

static void run_conformance(const model_case *mc)
{
    pm_params p = test_params_with(mc->keys, mc->values, mc->nkeys);
    p.N = N_SMALL;
    pm_model *model = NULL;
    REQUIRE_OK(pm_model_alloc(&p, &model));
    printf("%-32s sector step %lld%s\n", mc->label, (long long)model->sector_step,
           pm_model_coupled(model) ? " (coupled sectors)" : "");
    steady_conformance(mc, model);
    evolve_conformance(mc, model);
    pm_model_free(model);
}

int main(void)
{
    /* fast dynamics and a state inside N = 12: low Q, strong coupling */
    const model_case cases[] = {
        {"jc", {"Q", "eta", "n_th"}, {"30", "0.3", "0.5"}, 3},
        {"jc + drive", {"Q", "eta", "n_th", "drive"}, {"30", "0.3", "0.5", "20"}, 4},
        {"jc + Kerr + two-phonon loss", {"Q", "eta", "n_th", "H.kerr", "D.loss"},
         {"30", "0.3", "0.5", "0.5 n n", "2 a a"}, 5},
        {"dressed, theta = pi/2", {"model", "Q", "eta", "n_th", "K"}, {"dressed", "10", "0.3", "0.5", "13"}, 5},
        {"dressed, theta = 1", {"model", "Q", "eta", "n_th", "theta", "K"}, {"dressed", "10", "0.3", "0.5", "1.0", "13"}, 6},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) run_conformance(&cases[c]);
    return TEST_RESULT();
}
