/* A run configuration to and from INI text: the configuration a checkpoint
 * or a map journal stores, so that --resume rebuilds the run (cli.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

pm_status pm_cli_config_from_text(const char *what, const char *text, const char *where, pm_run_config *cfg)
{
    enum { LONG_LINE = 190 };
    char tmpl[] = "/tmp/phonomaser-resume-XXXXXX";
    int fd = mkstemp(tmpl);
    FILE *ini = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!ini) {
        if (fd >= 0) close(fd), unlink(tmpl);
        return pm_error_set(PM_EIO, "%s '%s': cannot write a temporary file: %s", what, PM_EXCERPT(where), strerror(errno));
    }
    size_t nlong = 0;
    const char **long_lines = calloc(strlen(text) / LONG_LINE + 1, sizeof *long_lines);
    for (const char *line = text; *line && long_lines;) {
        size_t len = strcspn(line, "\n");
        if (len > LONG_LINE) long_lines[nlong++] = line;
        else fprintf(ini, "%.*s\n", (int)len, line);
        line += len + (line[len] == '\n');
    }
    int write_failed = fclose(ini) != 0;
    pm_status s = !long_lines ? pm_error_set(PM_ENOMEM, "out of memory")
                  : write_failed ? pm_error_set(PM_EIO, "%s '%s': cannot write a temporary file", what, PM_EXCERPT(where))
                                 : pm_config_load_ini(cfg, tmpl);
    unlink(tmpl);
    for (size_t i = 0; i < nlong && s == PM_OK; i++) {
        size_t len = strcspn(long_lines[i], "\n");
        char *assignment = strndup(long_lines[i], len);
        s = assignment ? pm_config_apply_override(cfg, assignment) : pm_error_set(PM_ENOMEM, "out of memory");
        free(assignment);
    }
    free(long_lines);
    if (s == PM_OK) s = pm_config_finish(cfg);
    if (s != PM_OK) {
        char message[1024];
        snprintf(message, sizeof message, "%s", pm_error_message());
        return pm_error_set(s == PM_EINVAL ? PM_EIO : s, "%s '%s': stored configuration: %s", what, PM_EXCERPT(where), message);
    }
    return PM_OK;
}

char *pm_cli_config_text(const pm_run_config *cfg)
{
    char *text = NULL;
    size_t size = 0;
    FILE *memory = open_memstream(&text, &size);
    if (!memory) return NULL;
    pm_config_write_ini(memory, cfg);
    fclose(memory);
    return text;
}

