/* Agreement with QuTiP (steadystate and mesolve) on small-N JC maser cases,
 * to 1e-8 relative.  The reference values are in data/qutip_reference_*.txt,
 * written by tools/make_qutip_reference.py with Debian's python3-qutip (the
 * file headers record the QuTiP version and solver tolerances); this test
 * only reads them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/drivers/solve.h"
#include "qutip_reference.h"
#include "testutil.h"


typedef qutip_reference reference;

static int load(const char *name, reference *ref) { return qutip_reference_load(name, ref); }

static void check_steady(const char *name, pm_path path, pm_steady_method method)
{
    reference ref;
    if (load(name, &ref) != 0) {
        test_failures++;
        return;
    }
    pm_model *model = NULL;
    CHECK_OK(pm_model_jc_alloc(&ref.params, &model));
    pm_steady_options so;
    pm_steady_options_default(&so);
    so.method = method;
    pm_steady_result r;
    CHECK_OK(pm_steadystate(model, path, &so, &r));
    CHECK(ref.levels == model->N);
    CHECK_REL(r.obs.n_mean, ref.n_mean, 1e-8);
    CHECK_REL(r.obs.n2_mean, ref.n2_mean, 1e-8);
    CHECK_REL(r.obs.g2, ref.g2, 1e-8);
    CHECK_REL(r.obs.sz_mean, ref.sz_mean, 1e-8);
    CHECK_REL(creal(r.obs.rho_spin[0][0]), ref.p_up, 1e-8);
    /* P(n): relative where it is well above round-off, absolute below */
    for (int n = 0; n < ref.levels; n++) {
        if (ref.p_n[n] > 1e-6) CHECK_REL(r.obs.p_n[n], ref.p_n[n], 1e-8);
        else CHECK(fabs(r.obs.p_n[n] - ref.p_n[n]) < 1e-14);
    }
    pm_steady_result_clear(&r);
    pm_model_free(model);
}

static void check_evolve(const char *name, pm_path path)
{
    reference ref;
    if (load(name, &ref) != 0) {
        test_failures++;
        return;
    }
    CHECK(ref.nrows >= 2);
    pm_model *model = NULL;
    CHECK_OK(pm_model_jc_alloc(&ref.params, &model));
    pm_initial init;
    pm_initial_kind kind = !strcmp(ref.initial, "coherent") ? PM_INITIAL_COHERENT : PM_INITIAL_THERMAL;
    pm_initial_default(&ref.params, kind, &init);
    init.alpha = ref.alpha_re + I * ref.alpha_im;
    if (ref.has_spin_p_up) init.p_up = ref.spin_p_up;
    double times[QREF_MAX_ROWS];
    for (int k = 0; k < ref.nrows; k++) times[k] = ref.rows[k][0];
    pm_mesolve_options mo;
    pm_mesolve_options_default(&mo);
    mo.path = path;
    mo.evolve.rtol = 1e-11;
    mo.evolve.atol = 1e-14;
    pm_mesolve_result m;
    CHECK_OK(pm_mesolve(model, &init, (size_t)ref.nrows, times, &mo, &m));
    REQUIRE(m.series.ntimes == (size_t)ref.nrows); /* ref.rows[k] below */
    for (size_t k = 0; k < m.series.ntimes; k++) {
        const double *r = ref.rows[k];
        CHECK_REL(m.series.n_mean[k], r[1], 1e-8);
        CHECK_REL(m.series.n2_mean[k], r[2], 1e-8);
        CHECK_REL(m.series.sz_mean[k], r[3], 1e-8);
        /* <a>: relative to its magnitude (zero for the thermal case) */
        double a_scale = fmax(hypot(r[4], r[5]), 1e-6);
        CHECK(cabs(m.series.a_mean[k] - (r[4] + I * r[5])) <= 1e-8 * a_scale);
        CHECK_REL(m.series.trace[k], r[6], 1e-10);
    }
    pm_mesolve_result_clear(&m);
    pm_model_free(model);
}

int main(void)
{
    const char *steady_cases[] = {"qutip_reference_steady_A1.txt", "qutip_reference_steady_A2.txt",
                                  "qutip_reference_steady_A3.txt", "qutip_reference_steady_A4.txt"};
    for (size_t c = 0; c < 4; c++) {
        check_steady(steady_cases[c], PM_PATH_SECTOR, PM_STEADY_DIRECT);
        check_steady(steady_cases[c], PM_PATH_SECTOR, PM_STEADY_ARPACK);
        check_steady(steady_cases[c], PM_PATH_FULL, PM_STEADY_DIRECT);
    }
    check_evolve("qutip_reference_evolve_B1.txt", PM_PATH_SECTOR);
    check_evolve("qutip_reference_evolve_B1.txt", PM_PATH_FULL);
    check_evolve("qutip_reference_evolve_B2.txt", PM_PATH_SECTOR);
    check_evolve("qutip_reference_evolve_B2.txt", PM_PATH_FULL);
    return TEST_RESULT();
}
