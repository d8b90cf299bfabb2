#include "phonomaser/core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* First byte of the UTF-8 character holding text[i] (i itself if text[i]
 * starts a character). */
static size_t utf8_start(const char *text, size_t i)
{
    while (i > 0 && ((unsigned char)text[i] & 0xC0) == 0x80) i--;
    return i;
}

const char *pm_text_excerpt(const char *text, char *buf, size_t size)
{
    if (size == 0) return buf;
    if (text == NULL) text = "(null)";
    size_t len = strlen(text);
    size_t limit = size - 1 < PM_EXCERPT_MAX ? size - 1 : PM_EXCERPT_MAX;
    if (len <= limit) {
        memcpy(buf, text, len + 1);
        return buf;
    }
    /* head ... tail, 3 bytes for the ellipsis, the tail a quarter */
    size_t tail = limit >= 20 ? 20 : limit / 4;
    size_t head = limit >= tail + 3 ? limit - tail - 3 : 0;
    size_t head_end = utf8_start(text, head);             /* do not split a character */
    size_t tail_start = len - tail;
    while (tail_start < len && ((unsigned char)text[tail_start] & 0xC0) == 0x80) tail_start++;
    memcpy(buf, text, head_end);
    memcpy(buf + head_end, "...", 3);
    memcpy(buf + head_end + 3, text + tail_start, len - tail_start);
    buf[head_end + 3 + (len - tail_start)] = '\0';
    return buf;
}
