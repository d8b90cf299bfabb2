#include "phonomaser/core/progress.h"

#include <stdio.h>

#include "phonomaser/core/timer.h"

void pm_progress_draw(pm_progress *progress, double fraction, const char *detail, int force)
{
    if (!progress->enabled) return;
    double now = pm_wall_seconds();
    if (!force && progress->drawn && now - progress->last_draw_s < 0.1) return;
    progress->last_draw_s = now;
    progress->drawn = 1;
    if (!(fraction >= 0.0)) fraction = 0.0;
    if (fraction > 1.0) fraction = 1.0;
    enum { WIDTH = 30 };
    char bar[WIDTH + 1];
    int filled = (int)(fraction * WIDTH + 0.5);
    for (int c = 0; c < WIDTH; ++c) bar[c] = c < filled ? '#' : '.';
    bar[WIDTH] = '\0';
    fprintf(stderr, "\r[%s] %3d%% %s ", bar, (int)(100.0 * fraction + 0.5), detail ? detail : "");
    fflush(stderr);
}

void pm_progress_finish(pm_progress *progress)
{
    if (progress->enabled && progress->drawn) {
        fputc('\n', stderr);
        fflush(stderr);
    }
    progress->drawn = 0;
}
