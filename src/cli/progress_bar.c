/* The command line's progress bar on stderr (a pm_progress_fn):
 * "[####......]  40% detail", its line ended when the run is done.  Each
 * report rewrites the line from its start ('\r') and pads with blanks to
 * the length of the previous one, so that a shorter detail ("t = 99.5 s"
 * after "t = 1e+02 s") leaves no stale characters behind. */
#include <stdio.h>

#include "cli.h"

void pm_cli_progress_bar(void *user, double fraction, const char *detail, int done)
{
    (void)user;
    static int previous = 0; /* length of the line drawn last (one bar at a time) */
    if (done) {
        fputc('\n', stderr);
        fflush(stderr);
        previous = 0;
        return;
    }
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    if (!(fraction >= 0.0)) fraction = 0.0;
    if (fraction > 1.0) fraction = 1.0;
    int filled = (int)(fraction * WIDTH + 0.5);
    for (int c = 0; c < WIDTH; ++c) bar[c] = c < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    char line[160];
    int length = snprintf(line, sizeof line, "[%s] %3d%% %.100s", bar, (int)(100.0 * fraction + 0.5),
                          detail ? detail : "");
    if (length < 0) return;
    if (length >= (int)sizeof line) length = (int)sizeof line - 1;
    fprintf(stderr, "\r%s%*s", line, previous > length ? previous - length : 0, "");
    previous = length;
    fflush(stderr);
}
