/* The ARGS part of a fuzz input as an argv: NUL-terminated lines (a NUL
 * inside a line ends it, as in argv), at most FUZZ_MAX_ARGS.  Shared by the
 * fuzz targets; the caller frees *args. */
#ifndef PHONOMASER_FUZZ_LINES_H
#define PHONOMASER_FUZZ_LINES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_MAX_ARGS 64

static int fuzz_lines(const uint8_t *data, size_t size, char **args, char *argv[FUZZ_MAX_ARGS + 1])
{
    *args = malloc(size + 1);
    if (!*args) abort();
    memcpy(*args, data, size);
    (*args)[size] = '\0';
    int argc = 0;
    for (char *p = *args; argc < FUZZ_MAX_ARGS && size > 0;) {
        argv[argc++] = p;
        char *nl = memchr(p, '\n', (size_t)(*args + size - p));
        if (!nl) break;
        *nl = '\0';
        p = nl + 1;
    }
    argv[argc] = NULL;
    return argc;
}

#endif
