/* phonomaser map: a 1-D or 2-D grid over any input keys (drivers/map.h), on
 * threads or MPI ranks (map_mpi.c), written point by point to a journal
 * (io/journal.h) so that an interrupted map resumes, and at the end to one
 * HDF5 file (/map, io/results.h). */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "phonomaser/core/parallel.h"
#include "phonomaser/core/timer.h"
#include "phonomaser/drivers/map.h"
#include "phonomaser/io/journal.h"

static void help(void)
{
    printf("usage: phonomaser map [-c FILE.ini] [--set KEY=VALUE]... --axis KEY=SPEC [--axis KEY=SPEC]\n"
           "                      [--quantities steady|compare] [--threads N] [-o FILE.h5]\n"
           "       phonomaser map --resume FILE.h5 [--threads N]\n"
           "       mpirun -np P phonomaser map ...      (points spread over the ranks)\n\n"
           "A map over one or two input keys of any model.  Each point is computed from its\n"
           "parameters alone, with N = auto (and K = auto for model = dressed) as configured.\n"
           "  --axis KEY=START:STOP:COUNT      linear, both ends included\n"
           "  --axis KEY=log:START:STOP:COUNT  geometric\n"
           "  --axis KEY=V1,V2,...             a list\n"
           "    KEY: any numeric model key but model, N, K (e.g. S, delta, eta, g, n_th, theta);\n"
           "    the first axis is the slow one: point index = i0 * n1 + i1\n"
           "  --quantities steady   the steady state: n_mean, n2_mean, g2, sz_mean, a_abs, a2_abs,\n"
           "                        tail_population, coherence_tail, residual, min_eigenvalue,\n"
           "                        number_balance, N, K, converged, intensity_ratio (<I^2>/<I>^2 of\n"
           "                        the Wigner function: pi/2 at the transition centre S_mid of\n"
           "                        compare --threshold) (default)\n"
           "  --quantities compare  exact vs the reduced theory: <quantity>_{exact,reduced,rel_dev,\n"
           "                        applies} (model = jc), <quantity>_{dressed,jc,reduced_rwa,\n"
           "                        reduced_beyond_rwa} (model = dressed); N, converged, S_th\n"
           "                        (dressed: N, K, N_jc, S_th_rwa, S_th_beyond_rwa)\n"
           "  --threads N           points in parallel on this machine (default: all cores;\n"
           "                        under mpirun: 1 per rank)\n"
           "  --resume FILE.h5      finish an interrupted map: reads FILE.h5.journal (the\n"
           "                        configuration and the points done), computes the rest\n\n"
           "With -o FILE.h5 every finished point is appended to FILE.h5.journal at once (to the\n"
           "kernel; fsync'ed at most a second later), so a map killed in any way loses no\n"
           "finished point (a power cut: at most the last second's); the HDF5 file is written at the\n"
           "end (complete = 0 after Ctrl-C, with the points done) and the journal removed once\n"
           "the map is complete.  /map/<quantity>[i0][i1] with the axes as dimension scales\n"
           "(/map/axes/<key>), /map/status (0 ok, else the failure's status code; NaN not\n"
           "computed).  Without -o a table goes to stdout.  A failed point does not stop the map.\n\n");
    pm_cli_print_common_help(stdout);
}

/* ---- the journal's header: what the map is --------------------------------------------- */

#define CONFIG_MARK "[config]\n"

static char *journal_header(pm_map_kind kind, int naxes, const pm_map_axis *axes, const pm_run_config *cfg)
{
    char *ini = pm_cli_config_text(cfg);
    if (!ini) return NULL;
    size_t size = strlen(ini) + 512;
    for (int a = 0; a < naxes; a++) size += strlen(axes[a].spec);
    char *text = malloc(size);
    if (text) {
        int used = snprintf(text, size, "kind = %s\n", pm_map_kind_name(kind));
        for (int a = 0; a < naxes; a++) used += snprintf(text + used, size - (size_t)used, "axis = %s\n", axes[a].spec);
        snprintf(text + used, size - (size_t)used, CONFIG_MARK "%s", ini);
    }
    free(ini);
    return text;
}

/* The map a journal header describes: kind, axes, configuration. */
static pm_status parse_journal_header(const char *header, const char *where, pm_map_kind *kind, int *naxes,
                                      pm_map_axis *axes, pm_run_config *cfg)
{
    const char *config = strstr(header, CONFIG_MARK);
    if (!config) return pm_error_set(PM_EIO, "map journal '%s': no configuration", PM_EXCERPT(where));
    pm_status s = PM_OK;
    int have_kind = 0;
    *naxes = 0;
    for (const char *line = header; line < config && s == PM_OK;) {
        size_t len = strcspn(line, "\n");
        char *buf = malloc(len + 1); /* an axis line is as long as its specification */
        if (!buf) {
            s = pm_error_set(PM_ENOMEM, "out of memory reading map journal '%s'", PM_EXCERPT(where));
            break;
        }
        memcpy(buf, line, len);
        buf[len] = '\0';
        if (!strncmp(buf, "kind = ", 7)) {
            s = pm_map_kind_parse(buf + 7, kind);
            have_kind = 1;
        } else if (!strncmp(buf, "axis = ", 7) && *naxes < PM_MAP_MAX_AXES) {
            s = pm_map_axis_parse(buf + 7, &axes[*naxes]);
            if (s == PM_OK) ++*naxes;
        } else {
            s = pm_error_set(PM_EIO, "map journal '%s': unexpected header line '%s'", PM_EXCERPT(where), PM_EXCERPT(buf));
        }
        free(buf);
        line += len + (line[len] == '\n');
    }
    if (s == PM_OK && (!have_kind || *naxes == 0)) s = pm_error_set(PM_EIO, "map journal '%s': no kind or axis", PM_EXCERPT(where));
    if (s == PM_OK) s = pm_cli_config_from_text("map journal", config + strlen(CONFIG_MARK), where, cfg);
    return s;
}

/* ---- the run --------------------------------------------------------------------------- */

typedef struct map_state {
    pm_map_results results; /* values, status and messages of the points (drivers/map.h) */
    const pm_params *base;
    int remote;             /* an MPI rank other than 0: results go to rank 0 */
    pm_journal *journal;    /* NULL: none */
    pm_status journal_status;
} map_state;

/* Each recorded point (the results' on_point, under their lock): into the
 * journal, or on another MPI rank to rank 0.  The first journal failure
 * stops the map: no result may be lost silently. */
static void journal_point(void *user, size_t index, pm_status s, const double *values, const char *message)
{
    map_state *st = user;
    if (st->remote) {
        pm_cli_mpi_send_result(index, s, st->results.nq, values, message);
        return;
    }
    if (s == PM_OK && st->journal && st->journal_status == PM_OK) {
        st->journal_status = pm_journal_append(st->journal, index, st->results.nq, values);
        if (st->journal_status != PM_OK) atomic_store(&pm_cli_stop, 1);
    }
}

/* a result another rank computed (pm_cli_mpi_record_fn) */
static void record_remote(void *user, size_t index, pm_status s, const double *values, const char *message)
{
    pm_map_results_record(user, index, s, values, message);
}

/* "point <i> (S = ..., delta = ...): message" lines of the failed points. */
static char *failure_lines(const pm_map_results *r, int naxes, const pm_map_axis *axes, size_t *nfailed)
{
    size_t size = 1;
    *nfailed = 0;
    for (size_t k = 0; k < r->npoints; k++)
        if (r->messages[k]) size += strlen(r->messages[k]) + 160, ++*nfailed;
    char *text = malloc(size);
    if (!text) return NULL;
    size_t used = 0;
    text[0] = '\0';
    for (size_t k = 0; k < r->npoints; k++) {
        if (!r->messages[k]) continue;
        size_t idx[PM_MAP_MAX_AXES];
        pm_map_point_indices((size_t)naxes, axes, k, idx);
        used += (size_t)snprintf(text + used, size - used, "point %zu (", k + 1);
        for (int a = 0; a < naxes; a++)
            used += (size_t)snprintf(text + used, size - used, "%s%s = %.10g", a ? ", " : "", axes[a].key,
                                     axes[a].values[idx[a]]);
        used += (size_t)snprintf(text + used, size - used, "): %s\n", r->messages[k]);
    }
    return text;
}

/* The table on stdout: the axes' values, the status, every quantity. */
static void print_table(const pm_map_results *r, const pm_params *base, int naxes, const pm_map_axis *axes)
{
    printf("#");
    for (int a = 0; a < naxes; a++) printf(" %16s", axes[a].key);
    printf(" %6s", "status");
    for (size_t q = 0; q < r->nq; q++) printf(" %16s", pm_map_quantity_name(r->kind, base, q));
    printf("\n");
    for (size_t k = 0; k < r->npoints; k++) {
        size_t idx[PM_MAP_MAX_AXES];
        pm_map_point_indices((size_t)naxes, axes, k, idx);
        printf(" ");
        for (int a = 0; a < naxes; a++) printf(" %16.10g", axes[a].values[idx[a]]);
        printf(" %6.0f", r->status[k]);
        for (size_t q = 0; q < r->nq; q++) printf(" %16.10g", r->values[k * r->nq + q]);
        printf("\n");
    }
}

/* The largest cutoff N of the computed points (the quantity "N"). */
static long largest_cutoff(const pm_map_results *r, const pm_params *base)
{
    double N = 0;
    for (size_t q = 0; q < r->nq; q++)
        if (!strcmp(pm_map_quantity_name(r->kind, base, q), "N"))
            for (size_t k = 0; k < r->npoints; k++)
                if (r->status[k] == 0 && r->values[k * r->nq + q] > N) N = r->values[k * r->nq + q];
    return (long)N;
}

static int map_command(pm_cli_mpi *mpi, int argc, char **argv);

static char *journal_path_of(const char *output)
{
    size_t n = strlen(output) + sizeof ".journal";
    char *path = malloc(n);
    if (path) snprintf(path, n, "%s.journal", output);
    return path;
}

int pm_cmd_map(int argc, char **argv)
{
    pm_cli_mpi mpi;
    int rc = pm_cli_mpi_init(&mpi);
    if (rc != 0) return rc;
    rc = map_command(&mpi, argc, argv);
    /* rank 0 failed before the ranks met: the others wait for it */
    if (rc != 0 && rc != 3 && mpi.rank == 0) pm_cli_mpi_abort(&mpi, rc);
    pm_cli_mpi_finalize(&mpi);
    return rc;
}

static int map_run(pm_cli_mpi *mpi, int argc, char **argv, pm_cli_flags *flags, pm_cli_options *opts);

static int map_command(pm_cli_mpi *mpi, int argc, char **argv)
{
    /* --axis, --quantities, --threads, --resume (flags.c: the axes parsed,
     * --set of an axis key refused, --resume alone), then the common options */
    pm_cli_flags flags;
    pm_cli_options opts;
    int rc = pm_cli_parse_command("map", argc, argv, &flags, &opts);
    if (rc == 0 && opts.help) help();
    if (rc == 0 && !opts.help) rc = map_run(mpi, argc, argv, &flags, &opts);
    pm_cli_flags_free(&flags);
    return rc;
}

static int map_run(pm_cli_mpi *mpi, int argc, char **argv, pm_cli_flags *flags, pm_cli_options *opts)
{
    int rc = 0;
    pm_run_config *cfg = &opts->config;
    pm_map_kind kind = PM_MAP_STEADY;
    pm_map_axis axes[PM_MAP_MAX_AXES];
    memset(axes, 0, sizeof axes);
    int naxes = 0;
    pm_status s = PM_OK;
    char *journal_path = NULL, *header = NULL;
    const char *output = opts->output;
    if (flags->resume) {
        output = flags->resume;
        journal_path = journal_path_of(output);
        if (!journal_path) return pm_cli_fail(pm_error_set(PM_ENOMEM, "out of memory"));
        /* the header first (the sizes), the records below; rank 0 reads the
         * file and gives the other ranks its header */
        char *text = NULL;
        unsigned char none = 0;
        if (mpi->rank == 0) s = pm_journal_read(journal_path, &text, 0, 0, NULL, &none);
        if (s == PM_OK) s = pm_cli_mpi_share_text(mpi, &text);
        if (s == PM_OK) {
            pm_config_init(cfg);
            s = parse_journal_header(text, journal_path, &kind, &naxes, axes, cfg);
        }
        header = text;
    } else {
        /* parsed by pm_cli_check_flags: taken over here */
        kind = flags->map_kind;
        naxes = flags->naxes;
        for (int a = 0; a < naxes; a++) {
            axes[a] = flags->axes[a];
            memset(&flags->axes[a], 0, sizeof flags->axes[a]);
        }
    }
    if (s == PM_OK && kind == PM_MAP_COMPARE) s = pm_compare_check_terms(&cfg->params);
    size_t npoints = s == PM_OK ? pm_map_point_count((size_t)naxes, axes) : 0;
    if (s == PM_OK && npoints > PM_MAP_MAX_POINTS) s = pm_error_set(PM_EINVAL, "map: %zu points (at most %d)", npoints, PM_MAP_MAX_POINTS);
    /* every point's parameters valid before any work */
    for (size_t k = 0; k < npoints && s == PM_OK; k++) {
        pm_params p;
        s = pm_map_point_params(&cfg->params, (size_t)naxes, axes, k, &p);
    }
    map_state st = {.base = &cfg->params};
    if (s == PM_OK) s = pm_map_results_init(&st.results, kind, &cfg->params, npoints, NULL);
    st.results.on_point = journal_point;
    st.results.on_point_user = &st;
    unsigned char *done = s == PM_OK ? calloc(npoints, 1) : NULL;
    double *busy = NULL; /* per rank: busy wall and CPU seconds (after the run) */
    if (s == PM_OK && !done) s = pm_error_set(PM_ENOMEM, "out of memory");
    size_t already = 0;
    /* under MPI only rank 0 reads and writes files; the others send it their results */
    st.remote = mpi->rank != 0;
    if (st.remote) output = NULL;
    if (s == PM_OK && flags->resume && !st.remote) {
        char *again = NULL;
        s = pm_journal_read(journal_path, &again, npoints, st.results.nq, st.results.values, done);
        free(again);
        for (size_t k = 0; s == PM_OK && k < npoints; k++)
            if (done[k]) st.results.status[k] = 0, already++;
    }
    if (s != PM_OK) {
        rc = pm_cli_fail(s);
        goto out;
    }
    if (output) {
        if (!journal_path && !(journal_path = journal_path_of(output))) {
            rc = pm_cli_fail(pm_error_set(PM_ENOMEM, "out of memory"));
            goto out;
        }
        rc = pm_cli_check_output(output, opts->quiet);
        if (rc == 0 && !flags->resume) rc = pm_cli_check_output(journal_path, opts->quiet);
        if (rc != 0) goto out;
        if (flags->resume) {
            s = pm_journal_open_append(journal_path, &st.journal);
        } else {
            char *text = journal_header(kind, naxes, axes, cfg);
            s = text ? pm_journal_create(journal_path, text, &st.journal) : pm_error_set(PM_ENOMEM, "out of memory");
            free(text);
        }
        if (s != PM_OK) {
            rc = pm_cli_fail(s);
            goto out;
        }
    }
    if (!opts->quiet && flags->resume && !st.remote)
        fprintf(stderr, "phonomaser map: note: resuming %s: %zu of %zu points done\n", output, already, npoints);

    pm_compare_options copts;
    pm_compare_options_default(&copts);
    pm_cli_converge_options(cfg, &copts.converge);
    copts.converge.steady.stop = &pm_cli_stop;
    st.results.opts = &copts;
    pm_map_run_options mopts;
    pm_map_run_options_default(&mopts);
    mopts.threads = flags->threads ? (int)flags->threads : mpi->active ? 1 : 0; /* under mpirun: a rank per core */
    mopts.stop = &pm_cli_stop;
    mopts.skip = done;
    mopts.progress = !opts->quiet && isatty(2) ? pm_cli_progress_bar : NULL;
    mopts.label = "map point";
    double start = pm_wall_seconds();
    size_t completed = 0;
    s = pm_cli_mpi_map_run(mpi, &cfg->params, (size_t)naxes, axes, &mopts, pm_map_results_point, &st.results,
                           st.results.nq, record_remote, &completed);
    double seconds = pm_wall_seconds() - start;
    /* how busy every worker was (collective: every rank, before the others leave) */
    busy = malloc(2 * (size_t)mpi->size * sizeof *busy);
    if (!busy) {
        fprintf(stderr, "phonomaser map: error: out of memory\n");
        pm_cli_mpi_abort(mpi, 1);
        rc = 1;
        goto out;
    }
    pm_cli_mpi_gather_busy(mpi, st.results.busy_seconds, st.results.busy_cpu_seconds, busy);
    if (st.remote) {
        rc = atomic_load(&pm_cli_stop) ? 3 : 0;
        goto out;
    }
    pm_status journal_status = st.journal_status;
    pm_status closed = pm_journal_close(st.journal);
    st.journal = NULL;
    if (journal_status == PM_OK) journal_status = closed;
    int interrupted = atomic_load(&pm_cli_stop) != 0;
    size_t nfailed = 0, computed = 0;
    char *failures = failure_lines(&st.results, naxes, axes, &nfailed);
    for (size_t k = 0; k < npoints; k++) computed += st.results.status[k] == 0;

    if (!output) print_table(&st.results, &cfg->params, naxes, axes);
    pm_report_string("quantities", pm_map_kind_name(kind));
    pm_report_int("points", (long long)npoints);
    pm_report_int("computed", (long long)computed);
    pm_report_int("failed", (long long)nfailed);
    if (flags->resume) pm_report_int("resumed_with", (long long)already);
    if (mpi->active) pm_report_int("ranks", mpi->size);
    pm_report_double("seconds", seconds);
    /* the workers: threads per rank (at most one per point to compute) times ranks */
    int threads_per_rank = (int)pm_parallel_workers(mopts.threads, npoints - already);
    double busy_total = 0, cpu_total = 0;
    for (int r = 0; r < mpi->size; r++) busy_total += busy[2 * r], cpu_total += busy[2 * r + 1];
    pm_report_int("workers", (long long)mpi->size * threads_per_rank);
    pm_report_double("busy_seconds", busy_total);
    pm_report_double("busy_cpu_seconds", cpu_total);
    pm_report_double("idle_fraction", pm_results_map_idle_fraction(mpi->size, threads_per_rank, seconds, busy));
    if (mpi->size > 1) {
        char line[1024] = "";
        for (int r = 0; r < mpi->size && strlen(line) + 24 < sizeof line; r++)
            snprintf(line + strlen(line), sizeof line - strlen(line), "%s%.3f", r ? "," : "", busy[2 * r]);
        pm_report_string("rank_busy_seconds", line);
    }
    if (journal_status != PM_OK) {
        /* the journal holds every point recorded before the failure */
        fprintf(stderr, "phonomaser map: error: %s; the points finished before are in %s: fix the cause, then "
                "phonomaser map --resume %s\n", pm_error_message(), journal_path, output);
        rc = 1;
    } else if (output) {
        pm_h5file *file = NULL;
        pm_status hs = pm_h5_create(output, &file);
        if (hs == PM_OK) hs = pm_report_h5_header(file, "map", argc, argv, cfg, largest_cutoff(&st.results, &cfg->params));
        if (hs == PM_OK) hs = pm_results_write_map(file, kind, &cfg->params, (size_t)naxes, axes, st.results.values, st.results.status, failures);
        if (hs == PM_OK) hs = pm_h5_attr_double(file, "/map", "seconds", seconds, "s");
        if (hs == PM_OK) hs = pm_results_write_map_timing(file, mpi->size, threads_per_rank, seconds, busy);
        int complete = !interrupted && computed + nfailed == npoints;
        if (hs == PM_OK) hs = pm_h5_close(file, complete);
        else pm_h5_abort(file);
        if (hs != PM_OK) {
            rc = pm_cli_fail(hs);
        } else if (complete && nfailed == 0) {
            unlink(journal_path); /* the file holds everything */
        } else if (!complete) {
            fprintf(stderr, "phonomaser map: interrupted; %s holds the %zu of %zu points done (complete = 0); "
                    "continue with: phonomaser map --resume %s\n", output, computed, npoints, output);
        }
    }
    if (rc == 0 && nfailed)
        fprintf(stderr, "phonomaser map: warning: %zu point%s failed (recomputed by --resume):\n%s", nfailed,
                nfailed == 1 ? "" : "s", failures ? failures : "");
    if (rc == 0 && interrupted) rc = 3;
    (void)s; /* the points' failures are reported above; the map goes on past them */
    free(failures);
out:
    free(busy);
    free(done);
    pm_map_results_clear(&st.results);
    for (int a = 0; a < naxes; a++) pm_map_axis_clear(&axes[a]);
    free(journal_path);
    free(header);
    return rc;
}
