/* The reader of the QuTiP reference files in data/ (written by
 * tools/make_qutip_reference*.py; the format is in each file's header),
 * shared by the tests that check against them.  Records:
 *   param <key> <value>    pm_params_set
 *   term <key> <value...>  a user term (the rest of the line is the value)
 *   initial thermal | initial coherent <Re alpha> <Im alpha>
 *   result <key> <value>   n_mean, n2_mean, g2, sz_mean, p_up, re_a, im_a,
 *                          re_a2, im_a2, sector_step
 *   P <n> <P(n)>           phonon distribution
 *   rho <i> <j> <re> <im>  density-matrix elements
 *   sector <k> <norm>      Frobenius norm of sector k (k = -4..4)
 *   row <t> <n> <n2> <sz> <re_a> <im_a> <trace> [<re_a2> <im_a2>]   mesolve */
#ifndef PM_TEST_QUTIP_REFERENCE_H
#define PM_TEST_QUTIP_REFERENCE_H

#include <complex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "phonomaser/core/params.h"
#include "testutil.h"

#define QREF_MAX_ROWS 512
#define QREF_MAX_LEVELS 256
#define QREF_MAX_ELEMENTS 64

typedef struct {
    pm_params params;
    int nterms;
    char initial[128];
    double alpha_re, alpha_im, spin_p_up; /* initial coherent: |alpha> (x) |down> */
    int has_spin_p_up;
    double n_mean, n2_mean, g2, sz_mean, p_up;
    double complex a, a2;
    long sector_step;                     /* -1 if not recorded */
    double p_n[QREF_MAX_LEVELS];
    int levels;
    int nrho;
    long rho_i[QREF_MAX_ELEMENTS], rho_j[QREF_MAX_ELEMENTS];
    double complex rho[QREF_MAX_ELEMENTS];
    double sector[9];                     /* k = -4..4 */
    double rows[QREF_MAX_ROWS][9];        /* JC files: 7 columns (the last two 0) */
    int nrows;
} qutip_reference;

/* 0 on success; -1 (and a counted failure) if the file cannot be read. */
static inline int qutip_reference_load(const char *name, qutip_reference *ref)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", PM_DATA_DIR, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        test_failures++;
        return -1;
    }
    memset(ref, 0, sizeof *ref);
    pm_params_init(&ref->params);
    ref->sector_step = -1;
    char line[4096], record[32], key[64], value[128];
    double re_a = 0, im_a = 0, re_a2 = 0, im_a2 = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#' || sscanf(line, "%31s", record) != 1) continue;
        int offset = 0;
        if (!strcmp(record, "param") && sscanf(line, "%*s %63s %127s", key, value) == 2) {
            CHECK_OK(pm_params_set(&ref->params, key, value));
        } else if (!strcmp(record, "term") && sscanf(line, "%*s %63s %n", key, &offset) == 1 && offset > 0) {
            CHECK_OK(pm_params_set(&ref->params, key, line + offset)); /* pm_params_set trims it */
            ref->nterms++;
        } else if (!strcmp(record, "initial") && sscanf(line, "%*s %63s", key) == 1) {
            snprintf(ref->initial, sizeof ref->initial, "%s", key);
            if (!strcmp(key, "coherent")) {
                CHECK(sscanf(line, "%*s %*s %lf %lf", &ref->alpha_re, &ref->alpha_im) == 2);
                ref->spin_p_up = 0;
                ref->has_spin_p_up = 1;
            }
        } else if (!strcmp(record, "result") && sscanf(line, "%*s %63s %127s", key, value) == 2) {
            double v = atof(value);
            if (!strcmp(key, "n_mean")) ref->n_mean = v;
            else if (!strcmp(key, "n2_mean")) ref->n2_mean = v;
            else if (!strcmp(key, "g2")) ref->g2 = v;
            else if (!strcmp(key, "sz_mean")) ref->sz_mean = v;
            else if (!strcmp(key, "p_up")) ref->p_up = v;
            else if (!strcmp(key, "re_a")) re_a = v;
            else if (!strcmp(key, "im_a")) im_a = v;
            else if (!strcmp(key, "re_a2")) re_a2 = v;
            else if (!strcmp(key, "im_a2")) im_a2 = v;
            else if (!strcmp(key, "sector_step")) ref->sector_step = atol(value);
        } else if (!strcmp(record, "P")) {
            int n;
            double v;
            if (sscanf(line, "%*s %d %lf", &n, &v) == 2 && n >= 0 && n < QREF_MAX_LEVELS) {
                ref->p_n[n] = v;
                if (n + 1 > ref->levels) ref->levels = n + 1;
            }
        } else if (!strcmp(record, "rho") && ref->nrho < QREF_MAX_ELEMENTS) {
            double re, im;
            if (sscanf(line, "%*s %ld %ld %lf %lf", &ref->rho_i[ref->nrho], &ref->rho_j[ref->nrho], &re, &im) == 4)
                ref->rho[ref->nrho++] = re + I * im;
        } else if (!strcmp(record, "sector")) {
            int k;
            double v;
            if (sscanf(line, "%*s %d %lf", &k, &v) == 2 && k >= -4 && k <= 4) ref->sector[k + 4] = v;
        } else if (!strcmp(record, "row") && ref->nrows < QREF_MAX_ROWS) {
            double *r = ref->rows[ref->nrows];
            if (sscanf(line, "%*s %lf %lf %lf %lf %lf %lf %lf %lf %lf", &r[0], &r[1], &r[2], &r[3], &r[4], &r[5], &r[6],
                       &r[7], &r[8]) >= 7)
                ref->nrows++;
        }
    }
    fclose(f);
    ref->a = re_a + I * im_a;
    ref->a2 = re_a2 + I * im_a2;
    CHECK_OK(pm_params_derive(&ref->params));
    return 0;
}

#endif
