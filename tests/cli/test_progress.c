/* Progress reports (issue 12.16): the command line's bar leaves no stale
 * characters when its text gets shorter, and a sweep stopped by the stop
 * flag does not report the points it skipped as done (no 100 % after
 * Ctrl-C). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "phonomaser/drivers/compare.h"
#include "src/cli/cli.h"
#include "testutil.h"

/* What a terminal shows of `out` on its last line: '\r' returns to column
 * 0, later characters overwrite earlier ones. */
static void terminal_line(const char *out, char *line, size_t size)
{
    size_t col = 0, len = 0;
    memset(line, 0, size);
    for (const char *p = out; *p; p++) {
        if (*p == '\n') {
            col = len = 0;
            memset(line, 0, size);
        } else if (*p == '\r') {
            col = 0;
        } else if (col + 1 < size) {
            line[col++] = *p;
            if (col > len) len = col;
        }
    }
    line[len] = '\0';
}

/* The bar's output for the reports of one run, stderr captured in a file. */
static char *capture_bar(const double *fractions, const char *const *details, size_t n, int finish)
{
    fflush(stderr);
    int saved = dup(2);
    FILE *capture = tmpfile();
    if (saved < 0 || !capture) return NULL;
    dup2(fileno(capture), 2);
    for (size_t k = 0; k < n; k++) pm_cli_progress_bar(NULL, fractions[k], details[k], 0);
    if (finish) pm_cli_progress_bar(NULL, 1.0, NULL, 1);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    long size = ftell(capture);
    char *text = calloc((size_t)(size > 0 ? size : 0) + 1, 1);
    rewind(capture);
    if (text && size > 0 && fread(text, 1, (size_t)size, capture) != (size_t)size) text[0] = '\0';
    fclose(capture);
    return text;
}

static void test_bar_no_stale_characters(void)
{
    /* the evolve detail shrinks with %.4g: "t = 10.55 s" -> "t = 11 s" (the
     * old bar left "... / 100 s s" on the screen) */
    const double fractions[] = {0.2, 0.1055, 0.11};
    const char *const details[] = {"t = 20 s / 100 s", "t = 10.55 s / 100 s", "t = 11 s / 100 s"};
    char *text = capture_bar(fractions, details, 3, 0);
    REQUIRE(text != NULL);
    char line[512];
    terminal_line(text, line, sizeof line);
    /* the visible line is the last report, then blanks only */
    const char *want = "[###...........................]  11% t = 11 s / 100 s";
    size_t n = strlen(want);
    CHECK(strncmp(line, want, n) == 0);
    for (size_t i = n; line[i]; i++)
        if (line[i] != ' ') {
            fprintf(stderr, "stale character '%c' at column %zu: '%s'\n", line[i], i, line);
            test_failures++;
            break;
        }
    free(text);
    /* done ends the line */
    const double one[] = {0.5};
    const char *const one_detail[] = {"1 of 2 sweep points"};
    text = capture_bar(one, one_detail, 1, 1);
    REQUIRE(text != NULL);
    CHECK(text[strlen(text) - 1] == '\n');
    free(text);
}

/* A sweep of 6 points on one thread: the stop flag is set while point 3
 * runs; the points after it are skipped and must not count as progress. */
typedef struct {
    pm_stop_flag *stop;
} stop_user;

static pm_status point(void *user, size_t k, const pm_params *params, pm_status applied)
{
    (void)params;
    stop_user *u = user;
    if (applied != PM_OK) return applied; /* skipped: PM_EINTERRUPT */
    if (k == 2) {
        atomic_store(u->stop, 1);
        return pm_error_set(PM_EINTERRUPT, "stopped in point 3");
    }
    return PM_OK;
}

static double last_fraction = -1.0;
static int reports = 0, done_reports = 0;
static void record(void *user, double fraction, const char *detail, int done)
{
    (void)user, (void)detail;
    if (done) done_reports++;
    else last_fraction = fraction, reports++;
}

static void test_sweep_progress_after_stop(void)
{
    pm_params base;
    pm_params_init(&base);
    pm_stop_flag stop;
    atomic_init(&stop, 0);
    stop_user u = {&stop};
    pm_compare_options opts;
    pm_compare_options_default(&opts);
    opts.threads = 1;
    opts.stop = &stop;
    opts.progress = record;
    const double values[] = {0.0, 0.05, 0.1, 0.15, 0.2, 0.25};
    size_t completed = 0;
    pm_status s = pm_sweep_run(&base, PM_SWEEP_S, 6, values, &opts, point, &u, &completed);
    CHECK(s == PM_EINTERRUPT);
    CHECK(completed == 2);
    /* 2 of 6 points done: the bar stops at most at a third (reports are
     * rate-limited to ten a second), not at 100 % */
    CHECK(reports >= 1);
    CHECK(last_fraction > 0.0 && last_fraction <= 2.0 / 6.0 + 1e-12);
    CHECK(done_reports == 1);
}

int main(void)
{
    test_bar_no_stale_characters();
    test_sweep_progress_after_stop();
    return TEST_RESULT();
}
