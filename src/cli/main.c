/* phonomaser: command-line front end.  A thin layer over the library: every
 * command parses and validates its whole input first, then calls the public
 * API (phonomaser/solve.h), prints `name = value` lines and writes HDF5. */
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"
#include "phonomaser/version.h"

typedef struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    {"steady", pm_cmd_steady, "steady state of the maser master equation (ARPACK or direct LU)"},
    {"evolve", pm_cmd_evolve, "time evolution with CVODE from a thermal, Fock, coherent or vacuum state"},
    {"converge", pm_cmd_converge, "steady state over a ladder of Fock cutoffs (truncation convergence)"},
    {"wigner", pm_cmd_wigner, "Wigner function W(z, p) of the mechanical steady state (or of a stored state)"},
    {"theory", pm_cmd_theory, "the paper's reduced theory: Table II and every formula, for any parameters"},
    {"compare", pm_cmd_compare, "exact master equation vs the reduced theory, one point or a sweep"},
    {"map", pm_cmd_map, "a map over one or two input keys (steady state or comparison), threads or MPI"},
    {"spectrum", pm_cmd_spectrum, "emission and displacement spectra, g1(tau), g2(tau) and the linewidth"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: phonomaser <command> [options]\n\n"
                 "Exact master-equation solver for a driven-dissipative spin coupled to a\n"
                 "harmonic oscillator (phonon maser, Jaynes-Cummings model).\n\ncommands:\n");
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        fprintf(out, "  %-8s %s\n", commands[c].name, commands[c].summary);
    fprintf(out, "\n'phonomaser <command> --help' describes a command and its options.\n"
                 "'phonomaser --version' prints the version.\n");
}

/* Sweeps and maps solve many points of about the same size one after
 * another.  glibc returns large freed blocks to the kernel (blocks above a
 * threshold that adapts up to 32 MB are mmap'ed, and the heap top is
 * trimmed), so every point paid the page faults of fresh memory again: 8 ms
 * of system time per JC compare point at the operating point, a sixth of the
 * point (measured on 20-point maps: 0.27 s of system time, 0.01 s with
 * these settings, user time unchanged).  Freed memory is kept for the next
 * point instead: the process holds its peak, which it needs anyway. */
static void keep_freed_memory(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's largest: bigger blocks are still mmap'ed */
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

int main(int argc, char **argv)
{
    keep_freed_memory();
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("phonomaser %s\n", PM_VERSION);
        return 0;
    }
    pm_cli_install_signals();
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (!strcmp(argv[1], commands[c].name)) return commands[c].run(argc - 2, argv + 2);
    size_t ncommands = sizeof commands / sizeof commands[0];
    const char *names[sizeof commands / sizeof commands[0] + 1];
    char list[256] = "";
    for (size_t c = 0; c < ncommands; c++) {
        names[c] = commands[c].name;
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", c ? ", " : "", commands[c].name);
    }
    names[ncommands] = NULL;
    const char *closest = pm_closest_word(argv[1], names);
    if (closest)
        pm_error_set(PM_EINVAL, "unknown command '%s'; did you mean '%s'?", PM_EXCERPT(argv[1]), closest);
    else
        pm_error_set(PM_EINVAL, "unknown command '%s'; commands: %s", PM_EXCERPT(argv[1]), list);
    return pm_cli_fail(PM_EINVAL); /* one line, control characters escaped */
}
