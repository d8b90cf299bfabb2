/* The version of the library (version.h). */
#include "phonomaser/version.h"

const char *pm_version(void)
{
    return PM_VERSION;
}
