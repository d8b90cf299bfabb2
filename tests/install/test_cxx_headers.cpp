/* Every public header from C++ (-std=c++17): they compile (each one alone
 * too: test_cxx_headers.sh, which also checks that the list below is
 * complete), the structs have the layout C sees (test_cxx_layout.c), and
 * pm_complex (std::complex<double> here, double complex in the library)
 * crosses the C ABI by value and by pointer. */
#include "phonomaser/api/handle.h"
#include "phonomaser/io/checkpoint.h"
#include "phonomaser/drivers/compare.h"
#include "phonomaser/drivers/compare_models.h"
#include "phonomaser/drivers/map.h"
#include "phonomaser/io/journal.h"
#include "phonomaser/core/complex_type.h"
#include "phonomaser/core/constants.h"
#include "phonomaser/drivers/converge.h"
#include "phonomaser/drivers/restart.h"
#include "phonomaser/core/error.h"
#include "phonomaser/solvers/evolve.h"
#include "phonomaser/io/h5io.h"
#include "phonomaser/io/results.h"
#include "phonomaser/theory/langevin.h"
#include "phonomaser/liouvillian/liouvillian.h"
#include "phonomaser/linalg/lu.h"
#include "phonomaser/model/model.h"
#include "phonomaser/core/parallel.h"
#include "phonomaser/core/params.h"
#include "phonomaser/core/progress.h"
#include "phonomaser/theory/reduced.h"
#include "phonomaser/drivers/solve.h"
#include "phonomaser/model/space.h"
#include "phonomaser/linalg/sparse.h"
#include "phonomaser/solvers/spectrum.h"
#include "phonomaser/state/state.h"
#include "phonomaser/solvers/steady.h"
#include "phonomaser/model/terms.h"
#include "phonomaser/core/timer.h"
#include "phonomaser/version.h"
#include "phonomaser/phase_space/wigner.h"

#include <cmath>
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <vector>

#include "cxx_layout.h"

static int failures = 0;

#define CHECK(cond)                                                                  \
    do {                                                                             \
        if (!(cond)) {                                                               \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            failures++;                                                              \
        }                                                                            \
    } while (0)
#define CHECK_OK(call)                                                               \
    do {                                                                             \
        pm_status check_s_ = (call);                                                 \
        if (check_s_ != PM_OK) {                                                     \
            std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, pm_error_message()); \
            failures++;                                                              \
        }                                                                            \
    } while (0)

static_assert(std::is_same<pm_complex, std::complex<double>>::value, "pm_complex is std::complex<double> in C++");

static bool approx(pm_complex a, pm_complex b, double tol = 1e-14)
{
    return std::abs(a - b) <= tol * (1 + std::abs(b));
}

static void test_layout()
{
#define PM_LAYOUT_ENTRY(type, member) {sizeof(type), offsetof(type, member), #type "." #member},
    struct entry { size_t size, offset; const char *name; };
    static const entry cxx[] = {PM_LAYOUT_LIST(PM_LAYOUT_ENTRY)};
    size_t count = sizeof cxx / sizeof cxx[0];
    CHECK(count == pm_test_c_layout_count());
    for (size_t k = 0; k < count && k < pm_test_c_layout_count(); k++) {
        size_t size = 0, offset = 0;
        pm_test_c_layout(k, &size, &offset);
        if (size != cxx[k].size || offset != cxx[k].offset) {
            std::fprintf(stderr, "%s: C sizeof %zu offset %zu, C++ sizeof %zu offset %zu\n", cxx[k].name, size,
                         offset, cxx[k].size, cxx[k].offset);
            failures++;
        }
    }
    CHECK(sizeof(pm_stop_flag) == pm_test_c_sizeof_stop_flag());
}

static void test_version()
{
    CHECK(std::strcmp(pm_version(), PM_VERSION) == 0);
    CHECK(PM_VERSION_NUMBER == PM_VERSION_MAJOR * 10000 + PM_VERSION_MINOR * 100 + PM_VERSION_PATCH);
}

/* pm_complex by value (arguments and return values) and by pointer */
static void test_sparse()
{
    pm_triplets *t = pm_triplets_alloc(3, 3, 4);
    CHECK(t != nullptr);
    if (!t) return;
    CHECK_OK(pm_triplets_add(t, 0, 0, pm_complex(1.5, -2.0)));
    CHECK_OK(pm_triplets_add(t, 2, 1, pm_complex(0.0, 3.0)));
    CHECK_OK(pm_triplets_add(t, 2, 1, pm_complex(-0.5, 0.25))); /* summed */
    CHECK_OK(pm_triplets_add(t, 1, 2, 4.0));
    pm_sparse *a = nullptr, *b = nullptr;
    CHECK_OK(pm_sparse_from_triplets(t, &a));
    pm_triplets_free(t);
    if (!a) return;
    CHECK(pm_sparse_nnz(a) == 3);
    CHECK(approx(pm_sparse_get(a, 0, 0), pm_complex(1.5, -2.0)));
    CHECK(approx(pm_sparse_get(a, 2, 1), pm_complex(-0.5, 3.25)));
    CHECK(approx(pm_sparse_get(a, 1, 2), pm_complex(4.0, 0.0)));
    CHECK(pm_sparse_get(a, 1, 1) == pm_complex(0.0, 0.0));
    /* b = i a + 2 a = (2 + i) a */
    CHECK_OK(pm_sparse_add(pm_complex(0.0, 1.0), a, pm_complex(2.0, 0.0), a, &b));
    if (b) {
        const pm_complex factor(2.0, 1.0);
        CHECK(approx(pm_sparse_get(b, 0, 0), factor * pm_complex(1.5, -2.0)));
        CHECK(approx(pm_sparse_get(b, 2, 1), factor * pm_complex(-0.5, 3.25)));
        std::vector<pm_complex> x{pm_complex(1.0, 1.0), pm_complex(0.0, -1.0), pm_complex(2.0, 0.0)}, y(3);
        pm_sparse_matvec(b, x.data(), y.data());
        CHECK(approx(y[0], factor * pm_complex(1.5, -2.0) * x[0]));
        CHECK(approx(y[1], factor * 4.0 * x[2]));
        CHECK(approx(y[2], factor * pm_complex(-0.5, 3.25) * x[1]));
    }
    pm_sparse_free(a);
    pm_sparse_free(b);
}

static void test_operators_and_states()
{
    const int64_t N = 6;
    pm_sparse *a = nullptr;
    CHECK_OK(pm_space_operator(N, PM_OP_A, &a));
    if (!a) return;
    /* a |up, 3> = sqrt(3) |up, 2> */
    std::vector<pm_complex> x(2 * N), y(2 * N);
    x[pm_space_index(N, PM_SPIN_UP, 3)] = 1.0;
    pm_sparse_matvec(a, x.data(), y.data());
    CHECK(approx(y[pm_space_index(N, PM_SPIN_UP, 2)], std::sqrt(3.0)));
    pm_sparse_free(a);

    /* a coherent state: rho[(up, 1), (up, 0)] = p_up e^{-|alpha|^2} alpha */
    pm_initial init{};
    init.kind = PM_INITIAL_COHERENT;
    init.alpha = pm_complex(0.6, -0.3);
    init.p_up = 1.0;
    CHECK_OK(pm_initial_validate(&init, 10)); /* N = 6 would lose 7.9e-6 of it (limit 1e-6) */
    pm_complex element = pm_initial_element(&init, N, pm_space_index(N, PM_SPIN_UP, 1), pm_space_index(N, PM_SPIN_UP, 0));
    CHECK(approx(element, std::exp(-std::norm(init.alpha)) * init.alpha));
}

/* The whole pipeline from C++: a small steady state */
static void test_steady()
{
    pm_params params;
    pm_params_init(&params);
    CHECK_OK(pm_params_set(&params, "N", "12"));
    CHECK_OK(pm_params_derive(&params));
    pm_model *model = nullptr;
    CHECK_OK(pm_model_alloc(&params, &model));
    if (!model) return;
    pm_steady_options opts;
    pm_steady_options_default(&opts);
    pm_stop_flag stop{0};
    opts.stop = &stop;
    CHECK(!PM_STOP_REQUESTED(opts.stop));
    pm_steady_result result{};
    CHECK_OK(pm_steadystate(model, PM_PATH_AUTO, &opts, &result));
    if (result.state) {
        CHECK(std::fabs(result.obs.trace - 1) < 1e-12);
        CHECK(approx(result.obs.rho_spin[0][0] + result.obs.rho_spin[1][1], 1.0, 1e-12));
        CHECK(result.obs.n_mean > 0);
        /* the same element through the C accessor (returned by value) */
        pm_complex p00 = pm_state_element(result.state, 0, 0);
        CHECK(p00.real() > 0 && std::fabs(p00.imag()) < 1e-12);
    }
    stop = 1;
    CHECK(PM_STOP_REQUESTED(opts.stop));
    pm_steady_result_clear(&result);
    pm_model_free(model);
}

int main()
{
    test_layout();
    test_version();
    test_sparse();
    test_operators_and_states();
    test_steady();
    if (failures) std::fprintf(stderr, "%d check(s) failed\n", failures);
    return failures != 0;
}
