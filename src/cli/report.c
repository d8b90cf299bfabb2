#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "phonomaser/version.h"

/* ------------------------------------------------------- stdout lines */

void pm_report_double(const char *name, double value) { printf("%s = %.12g\n", name, value); }
void pm_report_int(const char *name, long long value) { printf("%s = %lld\n", name, value); }
void pm_report_string(const char *name, const char *value) { printf("%s = %s\n", name, value); }

void pm_report_observables(const pm_observables *obs)
{
    pm_report_double("n_mean", obs->n_mean);
    pm_report_double("n2_mean", obs->n2_mean);
    pm_report_double("g2", obs->g2);
    pm_report_double("sz_mean", obs->sz_mean);
    pm_report_double("a_abs", cabs(obs->a_mean));
    /* <a^2> != 0 only without the excitation-number symmetry (dressed model) */
    pm_report_double("a2_re", creal(obs->a2_mean));
    pm_report_double("a2_im", cimag(obs->a2_mean));
    pm_report_double("p_up", creal(obs->rho_spin[0][0]));
    pm_report_double("trace", obs->trace);
    pm_report_double("hermiticity_error", obs->hermiticity_error);
    pm_report_double("min_eigenvalue", obs->min_eigenvalue);
    pm_report_double("tail_population", obs->tail_population);
    if (!isnan(obs->coherence_tail)) pm_report_double("coherence_tail", obs->coherence_tail);
}

int pm_report_health(const pm_health *health)
{
    for (int k = 0; k < health->count; k++) fprintf(stderr, "phonomaser: warning: %s\n", health->messages[k]);
    return health->count;
}

/* -------------------------------------------------------------- HDF5 */

pm_status pm_report_h5_header(pm_h5file *file, const char *command, int argc, char **argv,
                              const pm_run_config *cfg, long N_used)
{
    char line[4096];
    size_t used = (size_t)snprintf(line, sizeof line, "phonomaser %s", command);
    for (int a = 0; a < argc && used < sizeof line; a++)
        used += (size_t)snprintf(line + used, sizeof line - used, " %s", argv[a]);
    pm_status s = pm_h5_attr_string(file, "/", "command", line);
    if (s == PM_OK) s = pm_h5_attr_string(file, "/", "version", PM_VERSION);
    /* the effective configuration, readable back with -c */
    char *text = NULL;
    size_t size = 0;
    FILE *memory = open_memstream(&text, &size);
    if (memory) {
        pm_config_write_ini(memory, cfg);
        fclose(memory);
        if (s == PM_OK) s = pm_h5_attr_string(file, "/", "config_ini", text);
        free(text);
    }
    if (s == PM_OK) s = pm_results_write_parameters(file, &cfg->params, N_used);
    return s;
}



/* ------------------------------------------------------ convergence */

void pm_report_ladder(FILE *out, const pm_converge_result *result)
{
    /* coupled sectors: two more columns, K and the coherence tail */
    int with_k = result->nsteps > 0 && result->steps[0].K >= 0;
    fprintf(out, "# %8s", "N");
    if (with_k) fprintf(out, " %5s %10s", "K", "coh_tail");
    fprintf(out, " %16s %12s %16s %10s %12s %12s %10s %10s\n", "n_mean", "rel_change", "n2_mean", "g2",
            "sz_mean", "tail", "residual", "seconds");
    for (size_t k = 0; k < result->nsteps; k++) {
        const pm_converge_step *s = &result->steps[k];
        fprintf(out, "  %8ld", s->N);
        if (with_k) fprintf(out, " %5ld %10.2e", s->K, s->coherence_tail);
        fprintf(out, " %16.10g %12.3e %16.10g %10.6f %12.8f %12.3e %10.2e %10.4f\n", s->n_mean,
                s->rel_change_n, s->n2_mean, s->g2, s->sz_mean, s->tail_population, s->residual, s->seconds);
    }
}

