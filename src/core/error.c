#include "phonomaser/core/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char error_message[1024];

pm_status pm_error_set(pm_status status, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(error_message, sizeof error_message, format, args);
    va_end(args);
    return status;
}

const char *pm_error_message(void) { return error_message; }

void pm_error_clear(void) { error_message[0] = '\0'; }

const char *pm_status_name(pm_status status)
{
    switch (status) {
    case PM_OK: return "ok";
    case PM_EINVAL: return "invalid input";
    case PM_ENOMEM: return "out of memory";
    case PM_ESOLVER: return "solver failure";
    case PM_EIO: return "i/o error";
    case PM_EINTERRUPT: return "interrupted";
    case PM_ESYMMETRY: return "symmetry broken";
    case PM_ENUMERIC: return "numerical failure";
    case PM_ETOOLARGE: return "too large for the memory available";
    }
    return "unknown status";
}
