/* HDF5 result files: temporary name and rename, attributes, datasets of
 * every type read back bit for bit, the on-disk types h5py relies on, and
 * every error path (PM_EIO naming file and object, nothing printed). */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <hdf5.h>

#include "phonomaser/io/h5io.h"
#include "phonomaser/version.h"
#include "testutil.h"

static char dir[64];

static int file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

static void path_in_dir(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static void tmp_name(char *out, size_t size, const char *path)
{
    snprintf(out, size, "%s.tmp.%ld", path, (long)getpid());
}

static int contains(const char *haystack, const char *needle)
{
    return strstr(haystack, needle) != NULL;
}

/* Read a scalar string attribute with plain HDF5, checking that it is stored
 * as variable-length UTF-8 (what h5py returns as str). */
static int read_vlen_utf8_attr(const char *path, const char *object, const char *name,
                               char *out, size_t size)
{
    int ok = 0;
    hid_t fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t attr = H5Aopen_by_name(fid, object, name, H5P_DEFAULT, H5P_DEFAULT);
    hid_t type = H5Aget_type(attr);
    if (H5Tget_class(type) == H5T_STRING && H5Tis_variable_str(type) > 0 &&
        H5Tget_cset(type) == H5T_CSET_UTF8) {
        char *value = NULL;
        if (H5Aread(attr, type, &value) >= 0 && value != NULL) {
            snprintf(out, size, "%s", value);
            ok = 1;
            H5free_memory(value);
        }
    }
    H5Tclose(type);
    H5Aclose(attr);
    H5Fclose(fid);
    return ok;
}

/* Member names, offsets and types of the complex dataset as stored. */
static void check_complex_layout(const char *path, const char *dataset)
{
    hid_t fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t dset = H5Dopen2(fid, dataset, H5P_DEFAULT);
    hid_t type = H5Dget_type(dset);
    CHECK(H5Tget_class(type) == H5T_COMPOUND);
    CHECK(H5Tget_nmembers(type) == 2);
    CHECK(H5Tget_size(type) == 16);
    for (unsigned m = 0; m < 2; m++) {
        char *name = H5Tget_member_name(type, m);
        CHECK(name != NULL && strcmp(name, m == 0 ? "r" : "i") == 0);
        H5free_memory(name);
        CHECK(H5Tget_member_offset(type, m) == 8 * m);
        hid_t member = H5Tget_member_type(type, m);
        CHECK(H5Tequal(member, H5T_IEEE_F64LE) > 0);
        H5Tclose(member);
    }
    H5Tclose(type);
    H5Dclose(dset);
    H5Fclose(fid);
}

/* 1 if the dataset is chunked with the deflate filter. */
static int is_compressed(const char *path, const char *dataset)
{
    hid_t fid = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    hid_t dset = H5Dopen2(fid, dataset, H5P_DEFAULT);
    hid_t dcpl = H5Dget_create_plist(dset);
    int compressed = H5Pget_layout(dcpl) == H5D_CHUNKED;
    int has_deflate = 0;
    for (int f = 0; f < H5Pget_nfilters(dcpl); f++) {
        unsigned flags, values[4];
        size_t nvalues = 4;
        char name[32];
        if (H5Pget_filter2(dcpl, (unsigned)f, &flags, &nvalues, values, sizeof name, name, NULL) ==
                H5Z_FILTER_DEFLATE &&
            nvalues >= 1 && values[0] == 4)
            has_deflate = 1;
    }
    H5Pclose(dcpl);
    H5Dclose(dset);
    H5Fclose(fid);
    return compressed && has_deflate;
}

static void test_write_read(void)
{
    char path[128], tmp[160];
    path_in_dir(path, sizeof path, "result.h5");
    tmp_name(tmp, sizeof tmp, path);

    /* data that is exact only if nothing is converted through float or text */
    double rank1[7];
    for (int i = 0; i < 7; i++)
        rank1[i] = 1.0 / (i + 3.0) - 1e-300 * i;
    rank1[6] = -0.0;
    double rank2[3 * 4];
    for (int i = 0; i < 12; i++)
        rank2[i] = (i + 1) * 0.1 + 1e-17 * i;
    double complex cplx[2 * 3];
    for (int i = 0; i < 6; i++)
        cplx[i] = (i - 2.5) / 7.0 + I * (1.0 / (i + 1.0));
    int64_t ints[5] = {0, -1, INT64_MAX, INT64_MIN, 4294967296LL};
    enum { BIG = 20000 }; /* 160 kB: chunked and compressed */
    double *big = malloc(BIG * sizeof *big);
    double complex *big_c = malloc(BIG * sizeof *big_c);
    for (int i = 0; i < BIG; i++)
        big[i] = i % 17 == 0 ? 0.0 : 1.0 / i;
    for (int i = 0; i < BIG; i++)
        big_c[i] = big[i] - I * big[BIG - 1 - i];

    pm_h5file *h5 = NULL;
    CHECK_OK(pm_h5_create(path, &h5));
    CHECK(h5 != NULL);
    CHECK(file_exists(tmp));
    CHECK(!file_exists(path));

    CHECK_OK(pm_h5_attr_string(h5, "/", "command", "phonomaser steady --N 40 \xce\xb7=0.1"));
    CHECK_OK(pm_h5_attr_double(h5, "/parameters", "omega_m", 314.1592653589793, "rad/s"));
    CHECK_OK(pm_h5_attr_double(h5, "/parameters", "S", 0.2, NULL));
    CHECK_OK(pm_h5_attr_int(h5, "/parameters", "N", 40));
    CHECK_OK(pm_h5_attr_int(h5, "/deep/group/chain", "level", -3));
    CHECK_OK(pm_h5_dataset_double(h5, "/steady/p_n", rank1, 7, 0, "1"));
    CHECK_OK(pm_h5_dataset_double(h5, "/grid/w", rank2, 3, 4, "1"));
    CHECK_OK(pm_h5_dataset_complex(h5, "/evolve/a_mean", cplx, 6, 0, "1"));
    CHECK_OK(pm_h5_dataset_complex(h5, "/evolve/matrix", cplx, 2, 3, NULL));
    CHECK_OK(pm_h5_dataset_int(h5, "/steady/rho/row", ints, 5, NULL));
    CHECK_OK(pm_h5_dataset_double(h5, "/big/real", big, BIG, 0, "s"));
    CHECK_OK(pm_h5_dataset_complex(h5, "/big/complex", big_c, 100, BIG / 100, "1"));
    CHECK_OK(pm_h5_dataset_double(h5, "/empty", NULL, 0, 0, "1"));
    /* attribute on an existing dataset, and replacement of both kinds */
    CHECK_OK(pm_h5_attr_double(h5, "/steady/p_n", "n_mean", 1.5, NULL));
    CHECK_OK(pm_h5_attr_double(h5, "/steady/p_n", "n_mean", 2.5, "1"));
    CHECK_OK(pm_h5_dataset_double(h5, "/grid/w", rank2, 4, 3, "m"));
    CHECK(!file_exists(path));
    CHECK_OK(pm_h5_close(h5, 1));
    CHECK(file_exists(path));
    CHECK(!file_exists(tmp));

    CHECK_OK(pm_h5_open_read(path, &h5));
    double value = 0;
    int64_t ivalue = 0;
    CHECK_OK(pm_h5_read_attr_int(h5, "/", "complete", &ivalue));
    CHECK(ivalue == 1);
    /* provenance, written by pm_h5_create */
    CHECK_OK(pm_h5_read_attr_int(h5, "/", "schema_version", &ivalue));
    CHECK(ivalue == PM_H5_SCHEMA_VERSION);
    pm_dependency_versions versions;
    pm_dependency_versions_get(&versions);
    CHECK(versions.sundials[0] >= '1' && versions.sundials[0] <= '9' && strchr(versions.sundials, '.'));
    CHECK(strstr(versions.suitesparse, "UMFPACK") && strstr(versions.suitesparse, "KLU"));
    CHECK(strchr(versions.arpack, '.') && strchr(versions.hdf5, '.'));
    CHECK(pm_source_revision()[0] != '\0');
    CHECK_OK(pm_h5_read_attr_double(h5, "/parameters", "omega_m", &value));
    CHECK(value == 314.1592653589793);
    CHECK_OK(pm_h5_read_attr_double(h5, "/parameters", "S", &value));
    CHECK(value == 0.2);
    CHECK_OK(pm_h5_read_attr_double(h5, "/parameters", "N", &value)); /* int -> double */
    CHECK(value == 40.0);
    CHECK_OK(pm_h5_read_attr_int(h5, "/deep/group/chain", "level", &ivalue));
    CHECK(ivalue == -3);
    CHECK_OK(pm_h5_read_attr_double(h5, "/steady/p_n", "n_mean", &value));
    CHECK(value == 2.5);

    int exists = -1;
    CHECK_OK(pm_h5_exists(h5, "/steady/rho/row", &exists));
    CHECK(exists == 1);
    CHECK_OK(pm_h5_exists(h5, "/steady/rho", &exists));
    CHECK(exists == 1);
    CHECK_OK(pm_h5_exists(h5, "/steady/rho/value", &exists));
    CHECK(exists == 0);
    CHECK_OK(pm_h5_exists(h5, "/nothing/here/at/all", &exists));
    CHECK(exists == 0);
    CHECK_OK(pm_h5_exists(h5, "/", &exists));
    CHECK(exists == 1);

    size_t count = 0;
    CHECK_OK(pm_h5_dataset_size(h5, "/steady/p_n", &count));
    REQUIRE(count == 7); /* the read below fills that many */
    double back1[7] = {0};
    CHECK_OK(pm_h5_read_double(h5, "/steady/p_n", back1));
    CHECK(memcmp(back1, rank1, sizeof rank1) == 0); /* bitwise: keeps -0.0 */

    CHECK_OK(pm_h5_dataset_size(h5, "/grid/w", &count));
    REQUIRE(count == 12); /* the read below fills that many */
    double back2[12] = {0};
    CHECK_OK(pm_h5_read_double(h5, "/grid/w", back2));
    CHECK(memcmp(back2, rank2, sizeof rank2) == 0);

    double complex backc[6] = {0};
    CHECK_OK(pm_h5_dataset_size(h5, "/evolve/a_mean", &count));
    REQUIRE(count == 6); /* the read below fills that many */
    CHECK_OK(pm_h5_read_complex(h5, "/evolve/a_mean", backc));
    for (int i = 0; i < 6; i++)
        CHECK(backc[i] == cplx[i]);
    CHECK_OK(pm_h5_dataset_size(h5, "/evolve/matrix", &count));
    REQUIRE(count == 6); /* the read below fills that many */
    CHECK_OK(pm_h5_read_complex(h5, "/evolve/matrix", backc));
    CHECK(memcmp(backc, cplx, sizeof cplx) == 0);

    int64_t backi[5] = {0};
    CHECK_OK(pm_h5_read_int(h5, "/steady/rho/row", backi));
    CHECK(memcmp(backi, ints, sizeof ints) == 0);
    CHECK_OK(pm_h5_read_double(h5, "/steady/rho/row", back1)); /* int -> double */
    CHECK(back1[2] == (double)INT64_MAX && back1[4] == 4294967296.0);

    double *big_back = calloc(BIG, sizeof *big_back);
    double complex *big_c_back = calloc(BIG, sizeof *big_c_back);
    CHECK_OK(pm_h5_dataset_size(h5, "/big/real", &count));
    REQUIRE(count == BIG); /* the read below fills that many */
    CHECK_OK(pm_h5_read_double(h5, "/big/real", big_back));
    CHECK(memcmp(big_back, big, BIG * sizeof *big) == 0);
    CHECK_OK(pm_h5_dataset_size(h5, "/big/complex", &count));
    REQUIRE(count == BIG); /* the read below fills that many */
    CHECK_OK(pm_h5_read_complex(h5, "/big/complex", big_c_back));
    CHECK(memcmp(big_c_back, big_c, BIG * sizeof *big_c) == 0);
    CHECK_OK(pm_h5_dataset_size(h5, "/empty", &count));
    CHECK(count == 0);
    CHECK_OK(pm_h5_read_double(h5, "/empty", NULL));

    /* a read-only handle rejects writes */
    CHECK(pm_h5_attr_int(h5, "/", "x", 1) == PM_EINVAL);
    CHECK(pm_h5_dataset_double(h5, "/x", rank1, 7, 0, "1") == PM_EINVAL);
    CHECK_OK(pm_h5_close(h5, 1));

    /* on-disk types that h5py and the Python reader rely on */
    char text[128];
    CHECK(read_vlen_utf8_attr(path, "/", "creator", text, sizeof text));
    CHECK(strcmp(text, "phonomaser " PM_VERSION) == 0);
    CHECK(read_vlen_utf8_attr(path, "/", "created", text, sizeof text));
    int year, month, day, hour, minute, second;
    char zone = 0;
    CHECK(strlen(text) == 20 && sscanf(text, "%4d-%2d-%2dT%2d:%2d:%2d%c", &year, &month, &day,
                                       &hour, &minute, &second, &zone) == 7);
    CHECK(year >= 2024 && month >= 1 && month <= 12 && zone == 'Z');
    CHECK(read_vlen_utf8_attr(path, "/", "command", text, sizeof text));
    CHECK(strcmp(text, "phonomaser steady --N 40 \xce\xb7=0.1") == 0);
    CHECK(read_vlen_utf8_attr(path, "/parameters", "omega_m_unit", text, sizeof text));
    CHECK(strcmp(text, "rad/s") == 0);
    CHECK(read_vlen_utf8_attr(path, "/steady/p_n", "n_mean_unit", text, sizeof text));
    CHECK(strcmp(text, "1") == 0);
    CHECK(read_vlen_utf8_attr(path, "/grid/w", "unit", text, sizeof text));
    CHECK(strcmp(text, "m") == 0); /* the replacement's unit */
    CHECK(read_vlen_utf8_attr(path, "/big/real", "unit", text, sizeof text));
    CHECK(strcmp(text, "s") == 0);
    H5E_auto2_t saved_func;
    void *saved_data;
    H5Eget_auto2(H5E_DEFAULT, &saved_func, &saved_data);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL); /* the next two probe absent attributes */
    CHECK(!read_vlen_utf8_attr(path, "/parameters", "S_unit", text, sizeof text));
    CHECK(!read_vlen_utf8_attr(path, "/steady/rho/row", "unit", text, sizeof text));
    H5Eset_auto2(H5E_DEFAULT, saved_func, saved_data);
    check_complex_layout(path, "/evolve/a_mean");
    CHECK(is_compressed(path, "/big/real"));
    CHECK(is_compressed(path, "/big/complex"));
    CHECK(!is_compressed(path, "/steady/p_n"));

    remove(path);
    free(big);
    free(big_c);
    free(big_back);
    free(big_c_back);
}

static void test_partial_abort_replace(void)
{
    char path[128], tmp[160];
    path_in_dir(path, sizeof path, "partial.h5");
    tmp_name(tmp, sizeof tmp, path);
    pm_h5file *h5 = NULL;
    double t[3] = {0.0, 0.5, 1.0};

    /* complete = 0: renamed into place but marked partial */
    CHECK_OK(pm_h5_create(path, &h5));
    CHECK_OK(pm_h5_dataset_double(h5, "/evolve/t", t, 3, 0, "s"));
    CHECK_OK(pm_h5_close(h5, 0));
    CHECK(file_exists(path) && !file_exists(tmp));
    CHECK_OK(pm_h5_open_read(path, &h5));
    int64_t complete = -1;
    CHECK_OK(pm_h5_read_attr_int(h5, "/", "complete", &complete));
    CHECK(complete == 0);
    CHECK_OK(pm_h5_close(h5, 1));

    /* a finished file replaces the older one atomically */
    CHECK_OK(pm_h5_create(path, &h5));
    CHECK(file_exists(tmp) && file_exists(path));
    CHECK_OK(pm_h5_attr_double(h5, "/steady", "n_mean", 7.0, "1"));
    CHECK_OK(pm_h5_close(h5, 1));
    CHECK_OK(pm_h5_open_read(path, &h5));
    CHECK_OK(pm_h5_read_attr_int(h5, "/", "complete", &complete));
    CHECK(complete == 1);
    int exists = 1;
    CHECK_OK(pm_h5_exists(h5, "/evolve/t", &exists));
    CHECK(exists == 0);
    CHECK_OK(pm_h5_close(h5, 1));
    remove(path);

    /* abort leaves nothing behind */
    CHECK_OK(pm_h5_create(path, &h5));
    CHECK_OK(pm_h5_dataset_double(h5, "/evolve/t", t, 3, 0, "s"));
    CHECK(file_exists(tmp));
    pm_h5_abort(h5);
    CHECK(!file_exists(tmp));
    CHECK(!file_exists(path));
    pm_h5_abort(NULL);
    CHECK_OK(pm_h5_close(NULL, 1));
}

static void test_errors(void)
{
    char path[128], tmp[160], msg[1024];
    pm_h5file *h5 = NULL;

    /* missing directory: PM_EIO naming the file, no file anywhere */
    path_in_dir(path, sizeof path, "no_such_dir/x.h5");
    tmp_name(tmp, sizeof tmp, path);
    h5 = (pm_h5file *)&h5; /* must be reset to NULL */
    CHECK(pm_h5_create(path, &h5) == PM_EIO);
    CHECK(h5 == NULL);
    snprintf(msg, sizeof msg, "%s", pm_error_message());
    CHECK(strncmp(msg, "cannot create '", 15) == 0 && contains(msg, path));
    CHECK(contains(msg, "No such file or directory"));
    CHECK(!file_exists(path) && !file_exists(tmp));

    CHECK(pm_h5_create(NULL, &h5) == PM_EINVAL);
    CHECK(pm_h5_create("", &h5) == PM_EINVAL);
    CHECK(pm_h5_create(path, NULL) == PM_EINVAL);
    CHECK(pm_h5_open_read(NULL, &h5) == PM_EINVAL);

    /* reading: missing file, a file that is not HDF5 */
    CHECK(pm_h5_open_read(path, &h5) == PM_EIO);
    CHECK(h5 == NULL);
    CHECK(contains(pm_error_message(), path));
    path_in_dir(path, sizeof path, "not_hdf5.h5");
    FILE *text = fopen(path, "w");
    fputs("this is not an HDF5 file\n", text);
    fclose(text);
    CHECK(pm_h5_open_read(path, &h5) == PM_EIO);
    CHECK(contains(pm_error_message(), path));
    remove(path);

    /* a target name that is a directory is refused before any work */
    path_in_dir(path, sizeof path, "is_a_dir");
    tmp_name(tmp, sizeof tmp, path);
    CHECK(mkdir(path, 0700) == 0);
    CHECK(pm_h5_create(path, &h5) == PM_EIO && h5 == NULL);
    CHECK(contains(pm_error_message(), path) && contains(pm_error_message(), "is a directory"));
    CHECK(pm_h5_check_output(path, NULL) == PM_EIO);
    CHECK(contains(pm_error_message(), "is a directory"));
    CHECK(!file_exists(tmp));
    rmdir(path);
    /* ... and one that becomes a directory during the run: only the rename
     * fails, the results stay in the temporary file, named in the message */
    CHECK_OK(pm_h5_create(path, &h5));
    CHECK(mkdir(path, 0700) == 0);
    CHECK(pm_h5_close(h5, 1) == PM_EIO);
    CHECK(contains(pm_error_message(), "cannot rename") && contains(pm_error_message(), tmp));
    CHECK(file_exists(tmp));
    remove(tmp);
    rmdir(path);

    /* errors inside a file: PM_EIO naming file and object */
    path_in_dir(path, sizeof path, "errors.h5");
    double x[2] = {1.0, 2.0};
    double complex z[2] = {1.0, I};
    int64_t n[2] = {1, 2};
    CHECK_OK(pm_h5_create(path, &h5));
    CHECK_OK(pm_h5_dataset_double(h5, "/data/x", x, 2, 0, "1"));
    CHECK(pm_h5_dataset_double(h5, "/data/x/below", x, 2, 0, "1") == PM_EIO);
    CHECK(contains(pm_error_message(), "/data/x/below") && contains(pm_error_message(), path));
    CHECK(contains(pm_error_message(), "'/data/x' is not a group"));
    CHECK(pm_h5_attr_double(h5, "/data/x/below", "a", 1.0, NULL) == PM_EIO);
    CHECK(contains(pm_error_message(), "/data/x/below"));
    CHECK(pm_h5_dataset_double(h5, "/data/y", NULL, 2, 0, "1") == PM_EINVAL);
    CHECK(pm_h5_dataset_double(h5, "", x, 2, 0, "1") == PM_EINVAL);
    CHECK(pm_h5_dataset_double(NULL, "/data/y", x, 2, 0, "1") == PM_EINVAL);
    CHECK(pm_h5_attr_double(h5, "/", "", 1.0, NULL) == PM_EINVAL);
    CHECK(pm_h5_attr_string(h5, "/", "s", NULL) == PM_EINVAL);
    CHECK_OK(pm_h5_dataset_complex(h5, "/data/z", z, 2, 0, "1"));
    CHECK_OK(pm_h5_dataset_int(h5, "/data/n", n, 2, NULL));
    CHECK_OK(pm_h5_close(h5, 1));

    CHECK_OK(pm_h5_open_read(path, &h5));
    size_t count = 0;
    CHECK(pm_h5_dataset_size(h5, "/data/missing", &count) == PM_EIO);
    CHECK(contains(pm_error_message(), "/data/missing") && contains(pm_error_message(), path));
    CHECK(pm_h5_read_double(h5, "/data/missing", x) == PM_EIO);
    CHECK(pm_h5_read_double(h5, "/data/z", x) == PM_EIO);
    CHECK(contains(pm_error_message(), "/data/z") && contains(pm_error_message(), "wrong type"));
    CHECK(pm_h5_read_complex(h5, "/data/x", z) == PM_EIO);
    CHECK(pm_h5_read_int(h5, "/data/x", n) == PM_EIO);
    CHECK(pm_h5_read_double(h5, "/data", x) == PM_EIO); /* a group, not a dataset */
    double value = 0;
    int64_t ivalue = 0;
    CHECK(pm_h5_read_attr_double(h5, "/", "no_such_attr", &value) == PM_EIO);
    CHECK(contains(pm_error_message(), "no_such_attr") && contains(pm_error_message(), path));
    CHECK(pm_h5_read_attr_double(h5, "/", "creator", &value) == PM_EIO); /* a string */
    CHECK(pm_h5_read_attr_int(h5, "/no/object", "complete", &ivalue) == PM_EIO);
    CHECK(pm_h5_read_attr_double(h5, "/", "complete", &value) == PM_OK && value == 1.0);
    CHECK_OK(pm_h5_close(h5, 1));

    /* a compound that is not {r, i} is not complex data */
    hid_t fid = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t pair = H5Tcreate(H5T_COMPOUND, 2 * sizeof(double));
    H5Tinsert(pair, "re", 0, H5T_NATIVE_DOUBLE);
    H5Tinsert(pair, "i", sizeof(double), H5T_NATIVE_DOUBLE);
    hsize_t two = 2;
    hid_t space = H5Screate_simple(1, &two, NULL);
    hid_t dset = H5Dcreate2(fid, "/data/pair", pair, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    CHECK(H5Dwrite(dset, pair, H5S_ALL, H5S_ALL, H5P_DEFAULT, z) >= 0); /* 2 x 16 bytes */
    H5Dclose(dset);
    H5Sclose(space);
    H5Tclose(pair);
    H5Fclose(fid);
    CHECK_OK(pm_h5_open_read(path, &h5));
    CHECK(pm_h5_read_complex(h5, "/data/pair", z) == PM_EIO);
    CHECK(contains(pm_error_message(), "/data/pair") && contains(pm_error_message(), "{r, i}"));
    CHECK_OK(pm_h5_close(h5, 1));
    remove(path);
}

/* A disk that refuses the data (here the file size limit, RLIMIT_FSIZE,
 * which fails write(2) as a full disk does with ENOSPC): pm_h5_close
 * returns PM_EIO naming the file and the reason, removes the temporary
 * file, leaves the existing file as it was, and the process exits cleanly
 * (HDF5 1.10 crashed at exit after a failed H5Fclose).  Run in a child so
 * the limit stays there. */
static void test_disk_full(void)
{
    char path[128], tmp[160];
    path_in_dir(path, sizeof path, "full.h5");
    FILE *old = fopen(path, "w");
    fputs("the previous result\n", old);
    fclose(old);
    fflush(stderr);
    pid_t child = fork();
    if (child == 0) {
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit = {16 * 1024, 16 * 1024};
        int failed = setrlimit(RLIMIT_FSIZE, &limit) != 0;
        tmp_name(tmp, sizeof tmp, path); /* the child's pid */
        size_t n = 64 * 1024; /* 512 kB of incompressible doubles */
        double *data = malloc(n * sizeof *data);
        uint64_t state = 88172645463325252ull;
        for (size_t k = 0; data && k < n; k++) {
            state ^= state << 13, state ^= state >> 7, state ^= state << 17;
            data[k] = (double)state;
        }
        pm_h5file *h5 = NULL;
        if (data == NULL || pm_h5_create(path, &h5) != PM_OK ||
            pm_h5_dataset_double(h5, "/big", data, n, 0, "1") != PM_OK)
            failed = 1;
        else if (pm_h5_close(h5, 1) != PM_EIO)
            failed = 1;
        else if (!contains(pm_error_message(), path) || !contains(pm_error_message(), "File too large") ||
                 !contains(pm_error_message(), "file size limit"))
            failed = 1;
        if (file_exists(tmp))
            failed = 1;
        free(data);
        if (failed)
            fprintf(stderr, "test_h5io.c: disk full: %s\n", pm_error_message());
        exit(failed ? 3 : 0); /* through atexit: HDF5's clean-up runs */
    }
    int status = 0;
    CHECK(child > 0 && waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (WIFSIGNALED(status))
        fprintf(stderr, "test_h5io.c: disk full: the child died of signal %d\n", WTERMSIG(status));
    char line[64] = "";
    old = fopen(path, "r");
    CHECK(old != NULL && fgets(line, sizeof line, old) != NULL);
    if (old != NULL)
        fclose(old);
    CHECK(strcmp(line, "the previous result\n") == 0);
    remove(path);
}

/* pm_h5_check_output: refuses what cannot be written, removes the temporary
 * files of processes that are gone, keeps those of live ones. */
static void test_check_output(void)
{
    char path[128], stale[160], live[160], other[160];
    path_in_dir(path, sizeof path, "out.h5");
    size_t removed = 99;
    CHECK_OK(pm_h5_check_output(path, &removed));
    CHECK(removed == 0 && !file_exists(path));
    pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    waitpid(gone, NULL, 0);
    snprintf(stale, sizeof stale, "%s.tmp.%ld", path, (long)gone);
    snprintf(live, sizeof live, "%s.tmp.%ld", path, (long)getppid());
    snprintf(other, sizeof other, "%s.tmp.12x", path);
    const char *names[3] = {stale, live, other};
    for (int k = 0; k < 3; k++) {
        FILE *f = fopen(names[k], "w");
        CHECK(f != NULL);
        if (f != NULL)
            fclose(f);
    }
    CHECK_OK(pm_h5_check_output(path, &removed));
    CHECK(removed == 1);
    CHECK(!file_exists(stale) && file_exists(live) && file_exists(other));
    remove(live);
    remove(other);
    path_in_dir(path, sizeof path, "no_such_dir/out.h5");
    CHECK(pm_h5_check_output(path, &removed) == PM_EIO);
    CHECK(contains(pm_error_message(), path) && contains(pm_error_message(), "No such file or directory"));
    CHECK(pm_h5_check_output("", &removed) == PM_EINVAL);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/pm_test_h5io_XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    /* The library must print nothing, even on HDF5 failures: run everything
     * with stderr redirected to a file and check that only CHECK lines
     * (which name this source file) landed there. */
    char log_path[96];
    snprintf(log_path, sizeof log_path, "%s/stderr.log", dir);
    fprintf(stderr, "test_h5io: stderr captured in %s until the end (look there after a crash)\n",
            log_path);
    fflush(stderr);
    int saved_stderr = dup(STDERR_FILENO);
    int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(log_fd, STDERR_FILENO);

    test_write_read();
    test_partial_abort_replace();
    test_errors();
    test_disk_full();
    test_check_output();

    fflush(stderr);
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    close(log_fd);
    FILE *log = fopen(log_path, "r");
    char line[1024];
    int printed_by_library = 0;
    while (log != NULL && fgets(line, sizeof line, log) != NULL) {
        fputs(line, stderr); /* replay the CHECK failures */
        if (!contains(line, "test_h5io.c"))
            printed_by_library = 1;
    }
    if (log != NULL)
        fclose(log);
    CHECK(!printed_by_library);
    remove(log_path);
    CHECK(rmdir(dir) == 0); /* every test removed its files: nothing left over */
    H5close();
    return TEST_RESULT();
}
