/* Append-only journals of finished points (journal.h). */
#include "phonomaser/io/journal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "phonomaser/core/timer.h"

#define MAGIC "phonomaser-journal 1"

struct pm_journal {
    FILE *file;
    char *path;
    double synced_at; /* pm_wall_seconds of the last fsync */
    int unsynced;     /* records written since */
};

static pm_status open_mode(const char *path, const char *mode, pm_journal **out)
{
    *out = NULL;
    pm_journal *j = calloc(1, sizeof *j);
    if (!j || !(j->path = strdup(path))) {
        free(j);
        return pm_error_set(PM_ENOMEM, "out of memory opening journal '%s'", path);
    }
    if (!(j->file = fopen(path, mode))) {
        pm_status s = pm_error_set(PM_EIO, "cannot open journal '%s': %s", path, strerror(errno));
        free(j->path);
        free(j);
        return s;
    }
    *out = j;
    return PM_OK;
}

/* flush (the record is the kernel's: a killed process loses nothing) and,
 * with `durable` or PM_JOURNAL_SYNC_SECONDS after the last, fsync (on the
 * disk: a power cut loses nothing older than that) */
static pm_status sync_journal(pm_journal *j, int durable)
{
    if (fflush(j->file) != 0) return pm_error_set(PM_EIO, "cannot write journal '%s': %s", j->path, strerror(errno));
    j->unsynced++;
    double now = pm_wall_seconds();
    if (!durable && now - j->synced_at < PM_JOURNAL_SYNC_SECONDS) return PM_OK;
    if (fsync(fileno(j->file)) != 0 && errno != EINVAL && errno != EROFS)
        return pm_error_set(PM_EIO, "cannot write journal '%s': %s", j->path, strerror(errno));
    j->synced_at = now;
    j->unsynced = 0;
    return PM_OK;
}

pm_status pm_journal_create(const char *path, const char *header, pm_journal **out)
{
    pm_status s = open_mode(path, "w", out);
    if (s != PM_OK) return s;
    if (fprintf((*out)->file, MAGIC "\nheader %zu\n%s\n", strlen(header), header) < 0)
        s = pm_error_set(PM_EIO, "cannot write journal '%s': %s", path, strerror(errno));
    if (s == PM_OK) s = sync_journal(*out, 1);
    if (s != PM_OK) {
        pm_journal_close(*out);
        *out = NULL;
        unlink(path);
    }
    return s;
}

pm_status pm_journal_open_append(const char *path, pm_journal **out)
{
    pm_status s = open_mode(path, "a+", out);
    if (s != PM_OK) return s;
    /* a record cut short by a crash has no newline: end it, or the next
     * record would be read as part of it and lost */
    FILE *f = (*out)->file;
    int last = fseek(f, -1, SEEK_END) == 0 ? fgetc(f) : '\n';
    if (last != '\n' && (fseek(f, 0, SEEK_END) != 0 || fputc('\n', f) == EOF || fflush(f) != 0)) {
        s = pm_error_set(PM_EIO, "cannot write journal '%s': %s", path, strerror(errno));
        pm_journal_close(*out);
        *out = NULL;
    }
    return s;
}

pm_status pm_journal_append(pm_journal *j, size_t index, size_t nvalues, const double *values)
{
    int bad = fprintf(j->file, "p %zu", index) < 0;
    for (size_t k = 0; k < nvalues && !bad; k++) bad = fprintf(j->file, " %.17g", values[k]) < 0;
    if (!bad) bad = fputc('\n', j->file) == EOF;
    if (bad) return pm_error_set(PM_EIO, "cannot write journal '%s': %s", j->path, strerror(errno));
    return sync_journal(j, 0);
}

pm_status pm_journal_close(pm_journal *j)
{
    if (!j) return PM_OK;
    pm_status s = PM_OK;
    if (j->unsynced && fsync(fileno(j->file)) != 0 && errno != EINVAL && errno != EROFS)
        s = pm_error_set(PM_EIO, "cannot write journal '%s': %s", j->path, strerror(errno));
    if (fclose(j->file) != 0 && s == PM_OK) s = pm_error_set(PM_EIO, "cannot close journal '%s': %s", j->path, strerror(errno));
    free(j->path);
    free(j);
    return s;
}

/* One record "p <index> <values...>\n": 1 if complete and of the right length. */
static int parse_record(char *line, size_t npoints, size_t nvalues, size_t *index, double *values)
{
    if (line[0] != 'p' || line[1] != ' ') return 0;
    char *end = NULL;
    errno = 0;
    unsigned long long i = strtoull(line + 2, &end, 10);
    if (errno || end == line + 2 || i >= npoints) return 0;
    for (size_t k = 0; k < nvalues; k++) {
        char *next = NULL;
        values[k] = strtod(end, &next);
        if (next == end) return 0;
        end = next;
    }
    while (*end == ' ') end++;
    if (*end != '\0') return 0;
    *index = (size_t)i;
    return 1;
}

pm_status pm_journal_read(const char *path, char **header, size_t npoints, size_t nvalues, double *values,
                          unsigned char *done)
{
    *header = NULL;
    FILE *f = fopen(path, "r");
    if (!f) return pm_error_set(PM_EIO, "cannot read journal '%s': %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    ssize_t len = getline(&line, &cap, f);
    size_t hlen = 0;
    pm_status s = PM_OK;
    if (len <= 0 || strncmp(line, MAGIC "\n", sizeof MAGIC) != 0)
        s = pm_error_set(PM_EIO, "'%s' is not a phonomaser journal", path);
    if (s == PM_OK && (getline(&line, &cap, f) <= 0 || sscanf(line, "header %zu", &hlen) != 1 || hlen > (64u << 20)))
        s = pm_error_set(PM_EIO, "journal '%s': no header", path);
    if (s == PM_OK && !(*header = malloc(hlen + 1))) s = pm_error_set(PM_ENOMEM, "out of memory reading '%s'", path);
    if (s == PM_OK && (fread(*header, 1, hlen, f) != hlen || fgetc(f) != '\n'))
        s = pm_error_set(PM_EIO, "journal '%s': header cut short", path);
    if (s == PM_OK) (*header)[hlen] = '\0';
    double *record = s == PM_OK ? malloc((nvalues ? nvalues : 1) * sizeof *record) : NULL;
    if (s == PM_OK && !record) s = pm_error_set(PM_ENOMEM, "out of memory reading '%s'", path);
    while (s == PM_OK && (len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] != '\n') break; /* the last record, cut short */
        line[len - 1] = '\0';
        size_t index = 0;
        if (!parse_record(line, npoints, nvalues, &index, record)) continue;
        memcpy(values + index * nvalues, record, nvalues * sizeof *record);
        done[index] = 1;
    }
    if (s == PM_OK && ferror(f)) s = pm_error_set(PM_EIO, "cannot read journal '%s': %s", path, strerror(errno));
    free(record);
    free(line);
    fclose(f);
    if (s != PM_OK) {
        free(*header);
        *header = NULL;
    }
    return s;
}
