/* The density matrix of a state file for `phonomaser wigner --state`
 * (cli.h, pm_cli_read_state); also run by the fuzzer tests/fuzz/fuzz_h5.c
 * on mutated files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "phonomaser/model/space.h"

static int compare_orders(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The state's size is checked before the mechanical state is built: N
 * within the range of the key N, and the memory of
 * pm_wigner_mech_from_triplets (phase_space/wigner.c: 2 N flags, two
 * arrays of kmax + 1 diagonals, the diagonal k = 0 and, per coherence order
 * present, N complex numbers in each half) within the memory available: a
 * hostile file declares dim = 2^40 in a few bytes. */
static pm_status check_size(const pm_results_triplets *rho, const char *spec)
{
    if (rho->dim < 2 || rho->dim % 2 != 0 || rho->dim > 2 * (int64_t)100000000)
        return pm_error_set(PM_EINVAL, "--state %s: density-matrix dimension %lld: must be 2N with N in [1, "
                            "100000000]", spec, (long long)rho->dim);
    const int64_t N = rho->dim / 2;
    int64_t *orders = malloc((rho->count ? rho->count : 1) * sizeof *orders);
    if (!orders) return pm_error_set(PM_ENOMEM, "--state %s: out of memory", spec);
    size_t n = 0;
    int64_t kmax = 0;
    for (size_t q = 0; q < rho->count; q++) {
        int64_t i = rho->row[q], j = rho->col[q];
        if (i < 0 || i >= rho->dim || j < 0 || j >= rho->dim || pm_space_spin(N, i) != pm_space_spin(N, j))
            continue; /* rejected (or not part of rho_m) later */
        int64_t k = pm_space_fock(N, i) - pm_space_fock(N, j);
        if (k < 0) k = -k;
        if (k > kmax) kmax = k;
        if (k > 0) orders[n++] = k;
    }
    qsort(orders, n, sizeof *orders, compare_orders);
    size_t distinct = 0;
    for (size_t q = 0; q < n; q++) distinct += q == 0 || orders[q] != orders[q - 1];
    free(orders);
    double need = 2.0 * (double)N + 2.0 * sizeof(void *) * ((double)kmax + 1) +
                  sizeof(double complex) * (double)N * (1.0 + 2.0 * (double)distinct);
    if (need > pm_memory_available())
        return pm_error_set(PM_ETOOLARGE, "--state %s: the state (N = %lld, %zu coherence order%s) needs about %.3g "
                            "GB, more than the %.3g GB available", spec, (long long)N, distinct,
                            distinct == 1 ? "" : "s", need / 1e9, pm_memory_available() / 1e9);
    return PM_OK;
}

pm_status pm_cli_read_state(const char *path, const char *group_name, const char *spec_text, pm_wigner_mech **mech,
                            pm_params *params, int *have_params)
{
    *mech = NULL;
    *have_params = 0;
    const char *spec = PM_EXCERPT(spec_text);
    char group[PM_CLI_GROUP_MAX + 1];
    if (strlen(group_name) > PM_CLI_GROUP_MAX)
        return pm_error_set(PM_EINVAL, "--state %s: group name longer than %d bytes", spec, PM_CLI_GROUP_MAX);
    snprintf(group, sizeof group, "%s", group_name);
    pm_h5file *file = NULL;
    pm_status s = pm_h5_open_read(path, &file);
    if (s != PM_OK) return s;
    int exists = 0;
    static const char *const known[] = {"/steady/rho", "/evolve/rho_final"};
    for (size_t k = 0; !group[0] && k < sizeof known / sizeof known[0] && s == PM_OK; k++) {
        s = pm_h5_exists(file, known[k], &exists);
        if (s == PM_OK && exists) snprintf(group, sizeof group, "%s", known[k]);
    }
    if (s == PM_OK && group[0]) s = pm_h5_exists(file, group, &exists);
    if (s == PM_OK && (!group[0] || !exists))
        s = pm_error_set(PM_EINVAL, "--state %s: no density matrix %s in the file (write one with "
                         "'phonomaser steady --set store_rho=1 --output FILE.h5', or name the group as "
                         "FILE.h5:/GROUP)", spec, group[0] ? PM_EXCERPT(group) : "/steady/rho or /evolve/rho_final");
    pm_results_triplets rho = {0};
    if (s == PM_OK) s = pm_results_read_triplets(file, group, &rho);
    if (s != PM_OK) {
        char message[1024];
        snprintf(message, sizeof message, "%s", pm_error_message());
        s = pm_error_set(s, "--state %s: %s", spec, message);
    }
    if (s == PM_OK) s = check_size(&rho, spec);
    if (s == PM_OK)
        s = pm_wigner_mech_from_triplets(rho.dim, rho.count, rho.row, rho.col, rho.value, rho.adjoint_implied, mech);
    if (s == PM_OK) s = pm_results_read_parameters(file, params, have_params);
    if (s == PM_OK) params->N = (long)(rho.dim / 2);
    pm_results_triplets_clear(&rho);
    pm_status closed = pm_h5_close(file, 1);
    if (s == PM_OK && closed != PM_OK) s = closed;
    if (s != PM_OK) {
        pm_wigner_mech_free(*mech);
        *mech = NULL;
    }
    return s;
}
