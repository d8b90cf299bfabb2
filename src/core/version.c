/* The version of the library, its source revision and the versions of the
 * libraries it runs with (version.h). */
#include "phonomaser/version.h"

#include <hdf5.h>
#include <klu.h>
#include <stdio.h>
#include <string.h>
#include <sundials/sundials_version.h>
#include <umfpack.h>

#include "pm_revision.h"

const char *pm_version(void)
{
    return PM_VERSION;
}

const char *pm_source_revision(void)
{
    return PM_SOURCE_REVISION;
}

void pm_dependency_versions_get(pm_dependency_versions *out)
{
    memset(out, 0, sizeof *out);
    if (SUNDIALSGetVersion(out->sundials, (int)sizeof out->sundials) != 0)
        snprintf(out->sundials, sizeof out->sundials, "unknown");
    int ss[3] = {0, 0, 0};
    SuiteSparse_version(ss);
    snprintf(out->suitesparse, sizeof out->suitesparse, "%d.%d.%d (UMFPACK %d.%d.%d, KLU %d.%d.%d)", ss[0], ss[1],
             ss[2], UMFPACK_MAIN_VERSION, UMFPACK_SUB_VERSION, UMFPACK_SUBSUB_VERSION, KLU_MAIN_VERSION,
             KLU_SUB_VERSION, KLU_SUBSUB_VERSION);
    snprintf(out->arpack, sizeof out->arpack, "%s", PM_ARPACK_VERSION);
    unsigned major = 0, minor = 0, release = 0;
    if (H5get_libversion(&major, &minor, &release) >= 0)
        snprintf(out->hdf5, sizeof out->hdf5, "%u.%u.%u", major, minor, release);
    else
        snprintf(out->hdf5, sizeof out->hdf5, "unknown");
}
