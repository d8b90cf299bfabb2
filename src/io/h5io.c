/* HDF5 result files (see include/phonomaser/h5io.h for the contract).
 *
 * Every public function silences HDF5's automatic error-stack printing for
 * its own duration (the library never prints) and restores the caller's
 * setting on return.  On a failed HDF5 call the innermost message of the
 * HDF5 error stack is captured at once, before any clean-up call can reset
 * the stack, and turned into a PM_EIO message naming the file and object. */
#include "phonomaser/io/h5io.h"

#include <hdf5_hl.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <hdf5.h>

#include "phonomaser/version.h"

struct pm_h5file {
    hid_t file_id;
    hid_t lcpl;      /* link creation: create missing parent groups */
    char *path;      /* final name, used in every message */
    char *tmp_path;  /* NULL for a file opened for reading */
    int fd;          /* the open temporary file (writing), else -1 */
};

/* Datasets above this size are chunked and compressed. */
enum { CHUNK_THRESHOLD_BYTES = 64 * 1024, CHUNK_TARGET_BYTES = 256 * 1024, DEFLATE_LEVEL = 4 };

/* ---- error handling ----------------------------------------------------- */

typedef struct {
    H5E_auto2_t func;
    void *data;
} h5_quiet;

static void quiet_begin(h5_quiet *saved)
{
    H5Eget_auto2(H5E_DEFAULT, &saved->func, &saved->data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
}

static void quiet_end(const h5_quiet *saved) { H5Eset_auto2(H5E_DEFAULT, saved->func, saved->data); }

typedef struct {
    char api[128];   /* outermost: what the API call reports */
    char inner[256]; /* innermost: where the failure was detected */
} h5_detail;

static herr_t walk_error(unsigned n, const H5E_error2_t *err, void *client)
{
    h5_detail *detail = client;
    const char *desc = err->desc != NULL ? err->desc : "";
    if (n == 0)
        snprintf(detail->inner, sizeof detail->inner, "%s", desc);
    snprintf(detail->api, sizeof detail->api, "%s", desc); /* last one wins: the API level */
    return 0;
}

/* Record a failed HDF5 call:
 * "cannot <action> ['attribute '<attr>' on] '<object>' in '<file>': <api> (<innermost>)". */
static pm_status h5_fail_attr(const char *file_path, const char *action, const char *object,
                              const char *attr)
{
    h5_detail detail = {"", ""};
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_error, &detail);
    H5Eclear2(H5E_DEFAULT);
    char target[256];
    if (attr != NULL)
        snprintf(target, sizeof target, "attribute '%s' on '%s'", PM_EXCERPT(attr), PM_EXCERPT(object));
    else
        snprintf(target, sizeof target, "'%s'", PM_EXCERPT(object));
    const char *why = detail.inner[0] != '\0' ? detail.inner : "HDF5 error";
    if (detail.api[0] != '\0' && strcmp(detail.api, detail.inner) != 0)
        return pm_error_set(PM_EIO, "cannot %s %s in '%s': %s (%s)", action, target, PM_EXCERPT(file_path),
                            detail.api, why);
    return pm_error_set(PM_EIO, "cannot %s %s in '%s': %s", action, target, PM_EXCERPT(file_path), why);
}

static pm_status h5_fail(const char *file_path, const char *action, const char *object)
{
    return h5_fail_attr(file_path, action, object, NULL);
}

static pm_status check_args(const pm_h5file *file, const char *object, const char *what)
{
    if (file == NULL || file->file_id < 0)
        return pm_error_set(PM_EINVAL, "%s: file handle is NULL or closed", what);
    if (object == NULL || object[0] == '\0')
        return pm_error_set(PM_EINVAL, "%s: object path is NULL or empty (use \"/\" for the root)",
                            what);
    return PM_OK;
}

static pm_status check_writable(const pm_h5file *file, const char *what)
{
    if (file->tmp_path == NULL)
        return pm_error_set(PM_EINVAL, "%s: '%s' was opened read-only (pm_h5_open_read)", what,
                            PM_EXCERPT(file->path));
    return PM_OK;
}

static char *dup_string(const char *s)
{
    size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (copy != NULL)
        memcpy(copy, s, len);
    return copy;
}

/* ---- objects ------------------------------------------------------------ */

/* *exists = 1 if every component of `path` exists (the root always does).
 * *parent_len is set to the length of the longest existing proper prefix, so
 * a failed lookup below it can name the object that is not a group. */
static herr_t path_exists(hid_t file_id, const char *path, int *exists, size_t *parent_len)
{
    *exists = 1;
    *parent_len = 0;
    size_t len = strlen(path);
    char *prefix = malloc(len + 1);
    if (prefix == NULL)
        return -1;
    herr_t status = 0;
    for (size_t end = 1; end <= len && *exists; end++) {
        if (end < len && path[end] != '/')
            continue;
        memcpy(prefix, path, end);
        prefix[end] = '\0';
        if (strcmp(prefix, "/") == 0 || prefix[end - 1] == '/')
            continue;
        htri_t found = H5Lexists(file_id, prefix, H5P_DEFAULT);
        if (found < 0) {
            status = -1;
            break;
        }
        *exists = found > 0;
        if (*exists && end < len)
            *parent_len = end;
    }
    free(prefix);
    return status;
}

static pm_status lookup(const pm_h5file *file, const char *path, int *exists)
{
    size_t parent_len = 0;
    if (path_exists(file->file_id, path, exists, &parent_len) >= 0)
        return PM_OK;
    if (parent_len > 0) {
        H5Eclear2(H5E_DEFAULT);
        char *parent = strndup(path, parent_len);
        pm_status s = pm_error_set(PM_EIO, "cannot look up '%s' in '%s': '%s' is not a group", PM_EXCERPT(path),
                                   PM_EXCERPT(file->path), PM_EXCERPT(parent ? parent : "?"));
        free(parent);
        return s;
    }
    return h5_fail(file->path, "look up", path);
}

/* Open `object`, creating it (and its parents) as a group if it is absent. */
static pm_status open_or_create_object(pm_h5file *file, const char *object, hid_t *out)
{
    int exists = 0;
    pm_status status = lookup(file, object, &exists);
    if (status != PM_OK)
        return status;
    hid_t id = exists ? H5Oopen(file->file_id, object, H5P_DEFAULT)
                      : H5Gcreate2(file->file_id, object, file->lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (id < 0)
        return h5_fail(file->path, exists ? "open" : "create group", object);
    *out = id;
    return PM_OK;
}

/* Variable-length UTF-8 string type: h5py reads it as str. */
static hid_t string_type(void)
{
    hid_t type = H5Tcopy(H5T_C_S1);
    if (type < 0)
        return type;
    if (H5Tset_size(type, H5T_VARIABLE) < 0 || H5Tset_cset(type, H5T_CSET_UTF8) < 0) {
        H5Tclose(type);
        return -1;
    }
    return type;
}

/* Compound {double r; double i} laid out like C's double complex (C11 6.2.5:
 * an array of two doubles); members are converted by name, so the same type
 * with little-endian doubles serves as the file type. */
static hid_t complex_type(int file_layout)
{
    hid_t member = file_layout ? H5T_IEEE_F64LE : H5T_NATIVE_DOUBLE;
    size_t member_size = file_layout ? 8 : sizeof(double);
    hid_t type = H5Tcreate(H5T_COMPOUND, 2 * member_size);
    if (type < 0)
        return type;
    if (H5Tinsert(type, "r", 0, member) < 0 || H5Tinsert(type, "i", member_size, member) < 0) {
        H5Tclose(type);
        return -1;
    }
    return type;
}

/* Write one scalar attribute, replacing an existing one of the same name. */
static pm_status write_attr(pm_h5file *file, hid_t object_id, const char *object,
                            const char *name, hid_t file_type, hid_t mem_type, const void *value)
{
    pm_status status = PM_OK;
    hid_t space = -1, attr = -1;
    htri_t exists = H5Aexists(object_id, name);
    if (exists < 0 || (exists > 0 && H5Adelete(object_id, name) < 0)) {
        status = h5_fail_attr(file->path, "replace", object, name);
        goto done;
    }
    space = H5Screate(H5S_SCALAR);
    if (space >= 0)
        attr = H5Acreate2(object_id, name, file_type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr < 0 || H5Awrite(attr, mem_type, value) < 0) {
        status = h5_fail_attr(file->path, "write", object, name);
        goto done;
    }
done:
    if (attr >= 0)
        H5Aclose(attr);
    if (space >= 0)
        H5Sclose(space);
    return status;
}

static pm_status write_string_attr(pm_h5file *file, hid_t object_id, const char *object,
                                   const char *name, const char *value)
{
    hid_t type = string_type();
    if (type < 0)
        return h5_fail_attr(file->path, "write", object, name);
    pm_status status = write_attr(file, object_id, object, name, type, type, &value);
    H5Tclose(type);
    return status;
}

typedef enum { ATTR_DOUBLE, ATTR_INT, ATTR_STRING } attr_kind;

static pm_status set_attr(pm_h5file *file, const char *object, const char *name, attr_kind kind,
                          const void *value, const char *unit)
{
    pm_status status = check_args(file, object, "pm_h5_attr");
    if (status == PM_OK)
        status = check_writable(file, "pm_h5_attr");
    if (status != PM_OK)
        return status;
    if (name == NULL || name[0] == '\0')
        return pm_error_set(PM_EINVAL, "pm_h5_attr: attribute name on '%s' is NULL or empty", object);

    h5_quiet quiet;
    quiet_begin(&quiet);
    hid_t object_id = -1;
    status = open_or_create_object(file, object, &object_id);
    if (status == PM_OK) {
        switch (kind) {
        case ATTR_DOUBLE:
            status = write_attr(file, object_id, object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                value);
            break;
        case ATTR_INT:
            status = write_attr(file, object_id, object, name, H5T_STD_I64LE, H5T_NATIVE_INT64,
                                value);
            break;
        case ATTR_STRING:
            status = write_string_attr(file, object_id, object, name, value);
            break;
        }
    }
    if (status == PM_OK && unit != NULL) {
        size_t len = strlen(name) + sizeof "_unit";
        char *unit_name = malloc(len);
        if (unit_name == NULL) {
            status = pm_error_set(PM_ENOMEM, "pm_h5_attr: out of memory for '%s_unit'", name);
        } else {
            snprintf(unit_name, len, "%s_unit", name);
            status = write_string_attr(file, object_id, object, unit_name, unit);
            free(unit_name);
        }
    }
    if (object_id >= 0)
        H5Oclose(object_id);
    quiet_end(&quiet);
    return status;
}

pm_status pm_h5_attr_double(pm_h5file *file, const char *object, const char *name, double value,
                            const char *unit)
{
    return set_attr(file, object, name, ATTR_DOUBLE, &value, unit);
}

pm_status pm_h5_attr_int(pm_h5file *file, const char *object, const char *name, int64_t value)
{
    return set_attr(file, object, name, ATTR_INT, &value, NULL);
}

pm_status pm_h5_attr_string(pm_h5file *file, const char *object, const char *name,
                            const char *value)
{
    if (value == NULL)
        return pm_error_set(PM_EINVAL, "pm_h5_attr_string: value of '%s' is NULL",
                            name != NULL ? name : "(null)");
    return set_attr(file, object, name, ATTR_STRING, value, NULL);
}

/* ---- create / close ----------------------------------------------------- */

/* A file being written lives in memory (HDF5's core driver, no backing
 * store) and reaches the disk only in pm_h5_close, with plain write(2)
 * calls whose errors (ENOSPC, EDQUOT, EFBIG, EIO) phonomaser sees itself.
 * With the default sec2 driver a full disk makes H5Fclose fail half-way and
 * leaves HDF5 in a state that crashes at exit (H5F__close_cb, HDF5 1.10);
 * in memory nothing inside HDF5 can meet a disk error.  The cost is one
 * copy of the file in memory while it is written (result files are small
 * beside the states they describe). */
enum { CORE_INCREMENT_BYTES = 1 << 20 };

static void free_handle(pm_h5file *file)
{
    if (file->lcpl >= 0)
        H5Pclose(file->lcpl);
    if (file->fd >= 0)
        close(file->fd);
    free(file->path);
    free(file->tmp_path);
    free(file);
}

static char *tmp_name_for(const char *path, long pid)
{
    size_t len = strlen(path) + 32;
    char *name = malloc(len);
    if (name != NULL)
        snprintf(name, len, "%s.tmp.%ld", path, pid);
    return name;
}

static pm_status alloc_handle(const char *path, int writable, pm_h5file **out)
{
    pm_h5file *file = calloc(1, sizeof *file);
    if (file == NULL)
        return pm_error_set(PM_ENOMEM, "out of memory opening '%s'", PM_EXCERPT(path));
    file->file_id = -1;
    file->lcpl = -1;
    file->fd = -1;
    file->path = dup_string(path);
    if (file->path != NULL && writable)
        file->tmp_path = tmp_name_for(path, (long)getpid());
    if (file->path == NULL || (writable && file->tmp_path == NULL)) {
        free_handle(file);
        return pm_error_set(PM_ENOMEM, "out of memory opening '%s'", PM_EXCERPT(path));
    }
    *out = file;
    return PM_OK;
}

/* The directory part of `path` ("." for a bare name); NULL if out of memory. */
static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return dup_string(".");
    size_t len = slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(len + 1);
    if (dir != NULL) {
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
    return dir;
}

/* The target itself: absent, or a regular file that a rename may replace. */
static pm_status check_target(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return pm_error_set(PM_EIO, "cannot write '%s': it is a directory (give a file name)", PM_EXCERPT(path));
        if (!S_ISREG(st.st_mode))
            return pm_error_set(PM_EIO, "cannot write '%s': it exists and is not a regular file", PM_EXCERPT(path));
    } else if (errno != ENOENT) {
        return pm_error_set(PM_EIO, "cannot write '%s': %s", PM_EXCERPT(path), strerror(errno));
    }
    return PM_OK;
}

/* Open (create or truncate) the temporary file; PM_EIO names the file. */
static pm_status open_tmp(const char *path, const char *tmp_path, int *fd)
{
    *fd = open(tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (*fd < 0)
        return pm_error_set(PM_EIO, "cannot create '%s': %s (temporary file '%s')", PM_EXCERPT(path), strerror(errno),
                            PM_EXCERPT(tmp_path));
    return PM_OK;
}

/* Remove <path>.tmp.<pid> files whose process no longer exists. */
static size_t remove_stale(const char *path)
{
    char *dir = directory_of(path);
    if (dir == NULL)
        return 0;
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    size_t base_len = strlen(base), removed = 0;
    DIR *listing = opendir(dir);
    struct dirent *entry;
    while (listing != NULL && (entry = readdir(listing)) != NULL) {
        const char *name = entry->d_name;
        if (strncmp(name, base, base_len) != 0 || strncmp(name + base_len, ".tmp.", 5) != 0)
            continue;
        const char *digits = name + base_len + 5;
        char *end = NULL;
        errno = 0;
        long pid = strtol(digits, &end, 10);
        if (digits[0] < '0' || digits[0] > '9' || *end != '\0' || errno != 0 || pid <= 0 ||
            pid == (long)getpid() || (pid_t)pid != pid)
            continue;
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue; /* alive, or not ours to judge (EPERM) */
        char *stale = tmp_name_for(path, pid);
        if (stale != NULL && unlink(stale) == 0)
            removed++;
        free(stale);
    }
    if (listing != NULL)
        closedir(listing);
    free(dir);
    return removed;
}

pm_status pm_h5_check_output(const char *path, size_t *stale_removed)
{
    if (stale_removed != NULL)
        *stale_removed = 0;
    if (path == NULL || path[0] == '\0')
        return pm_error_set(PM_EINVAL, "pm_h5_check_output: file name is NULL or empty");
    pm_status status = check_target(path);
    if (status != PM_OK)
        return status;
    char *tmp_path = tmp_name_for(path, (long)getpid());
    if (tmp_path == NULL)
        return pm_error_set(PM_ENOMEM, "out of memory checking '%s'", PM_EXCERPT(path));
    /* the one exact test of "can I write there": create the temporary file */
    int fd = -1;
    status = open_tmp(path, tmp_path, &fd);
    if (status == PM_OK) {
        close(fd);
        unlink(tmp_path);
        size_t removed = remove_stale(path);
        if (stale_removed != NULL)
            *stale_removed = removed;
    }
    free(tmp_path);
    return status;
}

pm_status pm_h5_create(const char *path, pm_h5file **out)
{
    if (out == NULL)
        return pm_error_set(PM_EINVAL, "pm_h5_create: output handle pointer is NULL");
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return pm_error_set(PM_EINVAL, "pm_h5_create: file name is NULL or empty");
    pm_status status = check_target(path);
    if (status != PM_OK)
        return status;
    pm_h5file *file = NULL;
    status = alloc_handle(path, 1, &file);
    if (status != PM_OK)
        return status;
    /* the temporary file exists from here on: a missing directory or no
     * permission fails now, before the caller computes anything */
    status = open_tmp(path, file->tmp_path, &file->fd);
    if (status != PM_OK) {
        free_handle(file);
        return status;
    }

    h5_quiet quiet;
    quiet_begin(&quiet);
    hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
    file->lcpl = H5Pcreate(H5P_LINK_CREATE);
    if (fapl < 0 || H5Pset_fapl_core(fapl, CORE_INCREMENT_BYTES, 0) < 0 || file->lcpl < 0 ||
        H5Pset_create_intermediate_group(file->lcpl, 1) < 0 ||
        (file->file_id = H5Fcreate(file->tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl)) < 0) {
        status = h5_fail(path, "create", "/");
        if (fapl >= 0)
            H5Pclose(fapl);
        quiet_end(&quiet);
        unlink(file->tmp_path);
        free_handle(file);
        return status;
    }
    H5Pclose(fapl);
    quiet_end(&quiet);

    char creator[64];
    snprintf(creator, sizeof creator, "phonomaser %s", PM_VERSION);
    char created[32] = "unknown";
    time_t now = time(NULL);
    struct tm utc;
    if (gmtime_r(&now, &utc) != NULL)
        strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &utc);
    status = pm_h5_attr_string(file, "/", "creator", creator);
    if (status == PM_OK)
        status = pm_h5_attr_string(file, "/", "created", created);
    /* provenance: the layout version, the source and the libraries */
    pm_dependency_versions versions;
    pm_dependency_versions_get(&versions);
    const char *provenance[][2] = {
        {"source_revision", pm_source_revision()}, {"sundials_version", versions.sundials},
        {"suitesparse_version", versions.suitesparse}, {"arpack_version", versions.arpack},
        {"hdf5_version", versions.hdf5}};
    if (status == PM_OK) status = pm_h5_attr_int(file, "/", "schema_version", PM_H5_SCHEMA_VERSION);
    for (size_t k = 0; k < sizeof provenance / sizeof provenance[0] && status == PM_OK; k++)
        status = pm_h5_attr_string(file, "/", provenance[k][0], provenance[k][1]);
    if (status != PM_OK) {
        pm_h5_abort(file);
        return status;
    }
    *out = file;
    return PM_OK;
}

/* Close the HDF5 file id; every object we open is closed before return, so
 * nothing keeps the file open behind the id. */
static pm_status close_file_id(pm_h5file *file)
{
    if (file->file_id < 0)
        return PM_OK;
    herr_t rc = H5Fclose(file->file_id);
    file->file_id = -1;
    if (rc < 0)
        return h5_fail(file->path, "close", "/");
    return PM_OK;
}

/* Write the whole image to the temporary file and make it durable; a disk
 * error names the final file and says what it means. */
static pm_status write_image(pm_h5file *file, const unsigned char *image, size_t size)
{
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(file->fd, image + done, size - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        done += (size_t)n;
    }
    int err = done < size ? (errno != 0 ? errno : EIO) : 0;
    if (err == 0 && fsync(file->fd) != 0 && errno != EINVAL && errno != EROFS)
        err = errno; /* EINVAL/EROFS: a special file that cannot sync */
    if (close(file->fd) != 0 && err == 0)
        err = errno;
    file->fd = -1;
    if (err == 0)
        return PM_OK;
    const char *meaning = err == ENOSPC ? " (the disk is full)"
                          : err == EDQUOT ? " (the disk quota is exhausted)"
                          : err == EFBIG ? " (the file size limit is exceeded)" : "";
    return pm_error_set(PM_EIO, "cannot write '%s': %s%s; %zu of %zu bytes written, nothing kept", PM_EXCERPT(file->path),
                        strerror(err), meaning, done, size);
}

pm_status pm_h5_close(pm_h5file *file, int complete)
{
    if (file == NULL)
        return PM_OK;
    if (file->tmp_path == NULL) { /* opened for reading */
        h5_quiet quiet;
        quiet_begin(&quiet);
        pm_status status = close_file_id(file);
        quiet_end(&quiet);
        free_handle(file);
        return status;
    }
    pm_status status = pm_h5_attr_int(file, "/", "complete", complete ? 1 : 0);
    if (status != PM_OK) {
        pm_h5_abort(file);
        return status;
    }
    h5_quiet quiet;
    quiet_begin(&quiet);
    unsigned char *image = NULL;
    ssize_t size = -1;
    if (H5Fflush(file->file_id, H5F_SCOPE_GLOBAL) < 0 ||
        (size = H5Fget_file_image(file->file_id, NULL, 0)) < 0) {
        status = h5_fail(file->path, "flush", "/");
    } else if ((image = malloc(size > 0 ? (size_t)size : 1)) == NULL) {
        status = pm_error_set(PM_ENOMEM, "cannot write '%s': out of memory for its %zd bytes", PM_EXCERPT(file->path), size);
    } else if (H5Fget_file_image(file->file_id, image, (size_t)size) != size) {
        status = h5_fail(file->path, "flush", "/");
    }
    pm_status close_status = close_file_id(file);
    quiet_end(&quiet);
    if (status == PM_OK)
        status = close_status;
    if (status == PM_OK)
        status = write_image(file, image, (size_t)size);
    free(image);
    if (status != PM_OK) { /* a file that failed to reach the disk cannot be trusted */
        unlink(file->tmp_path);
        free_handle(file);
        return status;
    }
    if (rename(file->tmp_path, file->path) != 0) {
        /* keep the temporary file: it holds the results of the whole run */
        status = pm_error_set(PM_EIO, "cannot rename '%s' to '%s': %s (the results are left in '%s')",
                              PM_EXCERPT(file->tmp_path), PM_EXCERPT(file->path), strerror(errno), file->tmp_path);
    }
    free_handle(file);
    return status;
}

void pm_h5_abort(pm_h5file *file)
{
    if (file == NULL)
        return;
    h5_quiet quiet;
    quiet_begin(&quiet);
    if (file->file_id >= 0) {
        H5Fclose(file->file_id);
        H5Eclear2(H5E_DEFAULT);
    }
    quiet_end(&quiet);
    if (file->tmp_path != NULL)
        unlink(file->tmp_path);
    free_handle(file);
}

/* ---- datasets ----------------------------------------------------------- */

static pm_status write_dataset(pm_h5file *file, const char *path, hid_t file_type,
                               hid_t mem_type, size_t element_size, const void *data, size_t dim0,
                               size_t dim1, const char *unit, const char *what)
{
    pm_status status = check_args(file, path, what);
    if (status == PM_OK)
        status = check_writable(file, what);
    if (status != PM_OK)
        return status;
    size_t count = dim1 == 0 ? dim0 : dim0 * dim1;
    if (dim1 != 0 && count / dim1 != dim0)
        return pm_error_set(PM_EINVAL, "%s: dataset '%s' size %zu x %zu overflows", what, path,
                            dim0, dim1);
    if (data == NULL && count > 0)
        return pm_error_set(PM_EINVAL, "%s: data of '%s' is NULL", what, path);

    hsize_t dims[2] = {(hsize_t)dim0, (hsize_t)dim1};
    int rank = dim1 == 0 ? 1 : 2;
    hid_t space = -1, dcpl = -1, dset = -1;
    h5_quiet quiet;
    quiet_begin(&quiet);

    int exists = 0;
    status = lookup(file, path, &exists);
    if (status != PM_OK)
        goto done;
    if (exists && H5Ldelete(file->file_id, path, H5P_DEFAULT) < 0) {
        status = h5_fail(file->path, "replace dataset", path);
        goto done;
    }
    space = H5Screate_simple(rank, dims, NULL);
    dcpl = H5Pcreate(H5P_DATASET_CREATE);
    if (space < 0 || dcpl < 0) {
        status = h5_fail(file->path, "create dataset", path);
        goto done;
    }
    if (count * element_size > CHUNK_THRESHOLD_BYTES) {
        /* chunks of about CHUNK_TARGET_BYTES, whole rows where possible */
        hsize_t chunk[2];
        size_t target = CHUNK_TARGET_BYTES / element_size;
        if (rank == 1) {
            chunk[0] = dim0 < target ? dim0 : target;
        } else {
            chunk[1] = dim1 < target ? dim1 : target;
            size_t rows = target / chunk[1];
            chunk[0] = rows < 1 ? 1 : (rows < dim0 ? rows : dim0);
        }
        if (H5Pset_chunk(dcpl, rank, chunk) < 0 || H5Pset_shuffle(dcpl) < 0 ||
            H5Pset_deflate(dcpl, DEFLATE_LEVEL) < 0) {
            status = h5_fail(file->path, "set compression of dataset", path);
            goto done;
        }
    }
    dset = H5Dcreate2(file->file_id, path, file_type, space, file->lcpl, dcpl, H5P_DEFAULT);
    if (dset < 0) {
        status = h5_fail(file->path, "create dataset", path);
        goto done;
    }
    if (count > 0 && H5Dwrite(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0) {
        status = h5_fail(file->path, "write dataset", path);
        goto done;
    }
    if (unit != NULL)
        status = write_string_attr(file, dset, path, "unit", unit);
done:
    if (dset >= 0)
        H5Dclose(dset);
    if (dcpl >= 0)
        H5Pclose(dcpl);
    if (space >= 0)
        H5Sclose(space);
    quiet_end(&quiet);
    return status;
}

pm_status pm_h5_dataset_double(pm_h5file *file, const char *path, const double *data, size_t dim0,
                               size_t dim1, const char *unit)
{
    return write_dataset(file, path, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, sizeof(double), data, dim0,
                         dim1, unit, "pm_h5_dataset_double");
}

pm_status pm_h5_dataset_complex(pm_h5file *file, const char *path, const double complex *data,
                                size_t dim0, size_t dim1, const char *unit)
{
    h5_quiet quiet;
    quiet_begin(&quiet);
    hid_t file_type = complex_type(1), mem_type = complex_type(0);
    quiet_end(&quiet);
    pm_status status = PM_OK;
    if (file_type < 0 || mem_type < 0)
        status = pm_error_set(PM_EIO, "pm_h5_dataset_complex: cannot create the complex type");
    if (file_type >= 0 && mem_type >= 0)
        status = write_dataset(file, path, file_type, mem_type, sizeof(double complex), data, dim0,
                               dim1, unit, "pm_h5_dataset_complex");
    if (file_type >= 0)
        H5Tclose(file_type);
    if (mem_type >= 0)
        H5Tclose(mem_type);
    return status;
}

pm_status pm_h5_dataset_int(pm_h5file *file, const char *path, const int64_t *data, size_t dim0,
                            const char *unit)
{
    return write_dataset(file, path, H5T_STD_I64LE, H5T_NATIVE_INT64, sizeof(int64_t), data, dim0,
                         0, unit, "pm_h5_dataset_int");
}

/* ---- readers ------------------------------------------------------------ */

pm_status pm_h5_open_read(const char *path, pm_h5file **out)
{
    if (out == NULL)
        return pm_error_set(PM_EINVAL, "pm_h5_open_read: output handle pointer is NULL");
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return pm_error_set(PM_EINVAL, "pm_h5_open_read: file name is NULL or empty");
    pm_h5file *file = NULL;
    pm_status status = alloc_handle(path, 0, &file);
    if (status != PM_OK)
        return status;
    h5_quiet quiet;
    quiet_begin(&quiet);
    errno = 0;
    file->file_id = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (file->file_id < 0) {
        int err = errno;
        h5_detail detail = {"", ""};
        H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, walk_error, &detail);
        H5Eclear2(H5E_DEFAULT);
        /* a missing file sets errno; a non-HDF5 file only leaves HDF5's message */
        status = pm_error_set(PM_EIO, "cannot open '%s': %s", PM_EXCERPT(path),
                              err != 0 ? strerror(err)
                                       : (detail.inner[0] ? detail.inner : "not an HDF5 file"));
        quiet_end(&quiet);
        free_handle(file);
        return status;
    }
    quiet_end(&quiet);
    *out = file;
    return PM_OK;
}

pm_status pm_h5_exists(pm_h5file *file, const char *path, int *exists)
{
    pm_status status = check_args(file, path, "pm_h5_exists");
    if (status != PM_OK)
        return status;
    h5_quiet quiet;
    quiet_begin(&quiet);
    status = lookup(file, path, exists);
    quiet_end(&quiet);
    return status;
}

/* Type classes a reader accepts: integers also convert to double. */
static int class_matches(H5T_class_t have, H5T_class_t want)
{
    return want == H5T_NO_CLASS || have == want || (want == H5T_FLOAT && have == H5T_INTEGER);
}

/* Open dataset `path`, check its type class, and return its element count. */
static pm_status open_dataset(pm_h5file *file, const char *path, const char *what,
                              H5T_class_t want, hid_t *dset_out, size_t *count)
{
    pm_status status = check_args(file, path, what);
    if (status != PM_OK)
        return status;
    hid_t dset = H5Dopen2(file->file_id, path, H5P_DEFAULT);
    if (dset < 0)
        return h5_fail(file->path, "open dataset", path);
    hid_t space = H5Dget_space(dset);
    hid_t type = H5Dget_type(dset);
    int rank = space >= 0 ? H5Sget_simple_extent_ndims(space) : -1;
    H5T_class_t klass = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
    hsize_t dims[H5S_MAX_RANK];
    if (rank < 0 || klass == H5T_NO_CLASS || H5Sget_simple_extent_dims(space, dims, NULL) < 0) {
        status = h5_fail(file->path, "inspect dataset", path);
    } else if (!class_matches(klass, want) ||
               (want == H5T_COMPOUND && (H5Tget_member_index(type, "r") < 0 ||
                                         H5Tget_member_index(type, "i") < 0))) {
        H5Eclear2(H5E_DEFAULT); /* H5Tget_member_index fails for a missing member */
        status = pm_error_set(PM_EIO, "%s: dataset '%s' in '%s' has the wrong type (expected %s)",
                              what, PM_EXCERPT(path), PM_EXCERPT(file->path),
                              want == H5T_FLOAT     ? "a real number"
                              : want == H5T_INTEGER ? "an integer"
                                                    : "a complex {r, i} compound");
    } else {
        size_t total = 1;
        for (int d = 0; d < rank; d++)
            total *= (size_t)dims[d];
        *count = total;
    }
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    if (status != PM_OK || dset_out == NULL)
        H5Dclose(dset);
    else
        *dset_out = dset;
    return status;
}

pm_status pm_h5_dataset_size(pm_h5file *file, const char *path, size_t *count)
{
    if (count == NULL)
        return pm_error_set(PM_EINVAL, "pm_h5_dataset_size: count pointer is NULL");
    h5_quiet quiet;
    quiet_begin(&quiet);
    pm_status status = open_dataset(file, path, "pm_h5_dataset_size", H5T_NO_CLASS, NULL, count);
    quiet_end(&quiet);
    return status;
}

static pm_status read_dataset(pm_h5file *file, const char *path, H5T_class_t want,
                              hid_t mem_type, void *data, const char *what)
{
    h5_quiet quiet;
    quiet_begin(&quiet);
    hid_t dset = -1;
    size_t count = 0;
    pm_status status = open_dataset(file, path, what, want, &dset, &count);
    if (status == PM_OK) {
        if (data == NULL && count > 0)
            status = pm_error_set(PM_EINVAL, "%s: output buffer for '%s' is NULL", what, path);
        else if (count > 0 && H5Dread(dset, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
            status = h5_fail(file->path, "read dataset", path);
        H5Dclose(dset);
    }
    quiet_end(&quiet);
    return status;
}

pm_status pm_h5_read_double(pm_h5file *file, const char *path, double *data)
{
    return read_dataset(file, path, H5T_FLOAT, H5T_NATIVE_DOUBLE, data, "pm_h5_read_double");
}

pm_status pm_h5_read_complex(pm_h5file *file, const char *path, double complex *data)
{
    h5_quiet quiet;
    quiet_begin(&quiet);
    hid_t mem_type = complex_type(0);
    quiet_end(&quiet);
    if (mem_type < 0)
        return pm_error_set(PM_EIO, "pm_h5_read_complex: cannot create the complex type");
    pm_status status =
        read_dataset(file, path, H5T_COMPOUND, mem_type, data, "pm_h5_read_complex");
    H5Tclose(mem_type);
    return status;
}

pm_status pm_h5_read_int(pm_h5file *file, const char *path, int64_t *data)
{
    return read_dataset(file, path, H5T_INTEGER, H5T_NATIVE_INT64, data, "pm_h5_read_int");
}

static pm_status read_attr(pm_h5file *file, const char *object, const char *name, H5T_class_t want,
                           hid_t mem_type, void *value, const char *what)
{
    pm_status status = check_args(file, object, what);
    if (status != PM_OK)
        return status;
    if (name == NULL || value == NULL)
        return pm_error_set(PM_EINVAL, "%s: attribute name or output pointer is NULL", what);
    h5_quiet quiet;
    quiet_begin(&quiet);
    hid_t attr = H5Aopen_by_name(file->file_id, object, name, H5P_DEFAULT, H5P_DEFAULT);
    hid_t space = attr >= 0 ? H5Aget_space(attr) : -1;
    hid_t type = space >= 0 ? H5Aget_type(attr) : -1;
    hssize_t points = type >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
    if (points < 0) {
        status = h5_fail_attr(file->path, "read", object, name);
    } else if (points != 1 || !class_matches(H5Tget_class(type), want)) {
        status = pm_error_set(PM_EIO, "%s: attribute '%s' on '%s' in '%s' is not a scalar %s",
                              what, PM_EXCERPT(name), PM_EXCERPT(object), PM_EXCERPT(file->path),
                              want == H5T_INTEGER ? "integer" : "number");
    } else if (H5Aread(attr, mem_type, value) < 0) {
        status = h5_fail_attr(file->path, "read", object, name);
    }
    if (type >= 0)
        H5Tclose(type);
    if (space >= 0)
        H5Sclose(space);
    if (attr >= 0)
        H5Aclose(attr);
    quiet_end(&quiet);
    return status;
}

pm_status pm_h5_read_attr_double(pm_h5file *file, const char *object, const char *name,
                                 double *value)
{
    return read_attr(file, object, name, H5T_FLOAT, H5T_NATIVE_DOUBLE, value,
                     "pm_h5_read_attr_double");
}

pm_status pm_h5_read_attr_int(pm_h5file *file, const char *object, const char *name,
                              int64_t *value)
{
    return read_attr(file, object, name, H5T_INTEGER, H5T_NATIVE_INT64, value,
                     "pm_h5_read_attr_int");
}

pm_status pm_h5_dimension_scale(pm_h5file *file, const char *dataset, unsigned dim, const char *scale,
                                const char *label)
{
    pm_status status = check_writable(file, dataset);
    if (status != PM_OK) return status;
    hid_t data = H5Dopen2(file->file_id, dataset, H5P_DEFAULT);
    hid_t axis = data >= 0 ? H5Dopen2(file->file_id, scale, H5P_DEFAULT) : -1;
    int is_scale = axis >= 0 ? H5DSis_scale(axis) : -1;
    herr_t rc = axis < 0 || is_scale < 0 ? -1 : 0;
    if (rc >= 0 && !is_scale) rc = H5DSset_scale(axis, label);
    if (rc >= 0) rc = H5DSattach_scale(data, axis, dim);
    if (rc >= 0 && label) rc = H5DSset_label(data, dim, label);
    if (axis >= 0) H5Dclose(axis);
    if (data >= 0) H5Dclose(data);
    return rc < 0 ? h5_fail(file->path, "attach the dimension scale to", dataset) : PM_OK;
}
