/* The command line's progress bar on stderr (a pm_progress_fn):
 * "[####......]  40% detail", its line ended when the run is done. */
#include <stdio.h>

#include "cli.h"

void pm_cli_progress_bar(void *user, double fraction, const char *detail, int done)
{
    (void)user;
    if (done) {
        fputc('\n', stderr);
        fflush(stderr);
        return;
    }
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    int filled = (int)(fraction * WIDTH + 0.5);
    for (int c = 0; c < WIDTH; ++c) bar[c] = c < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %3d%% %s ", bar, (int)(100.0 * fraction + 0.5), detail ? detail : "");
    fflush(stderr);
}
