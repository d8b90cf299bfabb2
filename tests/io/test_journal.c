/* The journal of finished points (journal.h): every record appended is in
 * the file at once (flushed to the kernel, what a killed process leaves
 * behind) even though the fsync is deferred, a record cut short is ignored,
 * a later record of an index replaces an earlier one, and a journal that
 * cannot be created is a one-line error naming it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "phonomaser/io/journal.h"
#include "testutil.h"

static char dir[] = "/tmp/pm_test_journal_XXXXXX";

static void test_journal(void)
{
    char path[256];
    snprintf(path, sizeof path, "%s/map.h5.journal", dir);
    pm_journal *j = NULL;
    REQUIRE_OK(pm_journal_create(path, "kind = steady\n", &j));
    const double a[2] = {1.5, -0.1}, b[2] = {NAN, 1e-300}, c[2] = {3, 4};
    REQUIRE_OK(pm_journal_append(j, 2, 2, a));
    REQUIRE_OK(pm_journal_append(j, 0, 2, b));

    /* before close, read through another handle: both records are there */
    double values[3 * 2];
    unsigned char done[3] = {0};
    char *header = NULL;
    REQUIRE_OK(pm_journal_read(path, &header, 3, 2, values, done));
    CHECK(header && !strcmp(header, "kind = steady\n"));
    free(header);
    CHECK(done[0] && !done[1] && done[2]);
    CHECK(values[4] == 1.5 && values[5] == -0.1 && isnan(values[0]) && values[1] == 1e-300);

    /* a later record of index 2 replaces the first; a cut record is ignored */
    REQUIRE_OK(pm_journal_append(j, 2, 2, c));
    CHECK_OK(pm_journal_close(j));
    FILE *f = fopen(path, "a");
    REQUIRE(f);
    fputs("p 1 7", f); /* no newline, one value short: a crash in the middle of a record */
    fclose(f);
    memset(done, 0, sizeof done);
    REQUIRE_OK(pm_journal_read(path, &header, 3, 2, values, done));
    free(header);
    CHECK(done[0] && !done[1] && done[2] && values[4] == 3 && values[5] == 4);

    /* appended after a resume, and read again */
    REQUIRE_OK(pm_journal_open_append(path, &j));
    REQUIRE_OK(pm_journal_append(j, 1, 2, a));
    memset(done, 0, sizeof done);
    REQUIRE_OK(pm_journal_read(path, &header, 3, 2, values, done));
    free(header);
    CHECK(done[0] && done[1] && done[2] && values[2] == 1.5 && values[3] == -0.1);
    CHECK_OK(pm_journal_close(j));

    /* a directory that does not exist: PM_EIO naming the file, nothing left */
    char bad[300];
    snprintf(bad, sizeof bad, "%s/missing/map.h5.journal", dir);
    CHECK(pm_journal_create(bad, "x", &j) == PM_EIO && j == NULL);
    CHECK(strstr(pm_error_message(), bad) != NULL);

    unlink(path);
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_journal();
    rmdir(dir);
    return TEST_RESULT();
}
