#include <complex.h>
#include <string.h>

#include "api/run.h"
#include "phonomaser/core/timer.h"

void pm_run_converge_options(const pm_run_config *cfg, const pm_stop_flag *stop, pm_converge_options *opts)
{
    pm_converge_options_default(opts);
    opts->tail_tol = cfg->tail_tol;
    opts->rel_tol = cfg->converge_tol;
    opts->path = PM_PATH_AUTO;
    pm_path_from_name(cfg->path, &opts->path); /* validated by the configuration */
    opts->steady.method = pm_config_steady_method(cfg);
    opts->steady.arpack_tol = cfg->arpack_tol;
    opts->steady.lu = pm_config_lu_backend(cfg);
    opts->steady.real_fold = pm_config_real_fold(cfg);
    opts->steady.stop = stop; /* between cutoffs and around each factorisation */
}

pm_status pm_run_steady_solve(const pm_run_config *cfg, const pm_stop_flag *stop, pm_progress_fn progress,
                              void *progress_user, pm_run_steady *run)
{
    memset(run, 0, sizeof *run);
    pm_run_converge_options(cfg, stop, &run->copts);
    run->copts.progress = progress;
    run->copts.progress_user = progress_user;
    /* N = auto (or K = auto): grow the cutoffs until converged (converge.h);
     * the result is the steady state at the chosen N (and K) */
    pm_model_desc desc;
    pm_status s = pm_model_desc_init(&cfg->params, &desc);
    if (s != PM_OK) return s;
    run->automatic = pm_converge_is_automatic(&desc);
    run->result = run->automatic ? &run->ladder.final : &run->single;
    double start = pm_wall_seconds();
    if (run->automatic) {
        s = pm_converge_run(&desc, &run->copts, &run->ladder);
    } else {
        pm_model *model = NULL;
        /* the memory estimate before the model is built */
        s = pm_steadystate_memory_check(&desc, run->copts.path, run->copts.steady.method);
        if (s == PM_OK) s = pm_model_desc_build(&desc, cfg->params.N, cfg->params.K, &model);
        if (s == PM_OK && PM_STOP_REQUESTED(run->copts.steady.stop))
            s = pm_error_set(PM_EINTERRUPT, "steady state: stopped by caller after building the model");
        if (s == PM_OK) s = pm_steadystate(model, run->copts.path, &run->copts.steady, &run->single);
        pm_model_free(model);
    }
    run->total_seconds = pm_wall_seconds() - start;
    /* the build and solve at the final N; with N = auto the search is extra */
    run->seconds = run->automatic && run->ladder.nsteps > 0 ? run->ladder.steps[run->ladder.nsteps - 1].seconds
                                                            : run->total_seconds;
    return s;
}

void pm_run_steady_clear(pm_run_steady *run)
{
    pm_steady_result_clear(&run->single);
    pm_converge_result_clear(&run->ladder);
    run->result = NULL;
}

void pm_run_mesolve_options(const pm_run_config *cfg, const pm_stop_flag *stop, pm_mesolve_options *opts)
{
    pm_mesolve_options_default(opts);
    pm_path_from_name(cfg->path, &opts->path);
    opts->evolve.rtol = cfg->rtol;
    opts->evolve.atol = cfg->atol;
    opts->evolve.linear_solver = pm_config_linear_solver(cfg);
    opts->evolve.stop_flag = stop;
    opts->keep_final_state = cfg->store_rho;
    opts->sector_tolerance = cfg->sector_tol;
}

void pm_run_initial(const pm_run_config *cfg, pm_initial *init)
{
    pm_initial_default(&cfg->params, pm_config_initial_kind(cfg), init);
    init->fock_n = cfg->fock_n;
    init->alpha = cfg->alpha_re + I * cfg->alpha_im;
}
