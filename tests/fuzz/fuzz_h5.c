/* libFuzzer target: the HDF5 readers of hostile files, structure-aware.
 * At start it writes valid files with the library's own writers (a JC
 * steady state, a dressed steady state with coupled sectors, the final
 * state of a coherent evolution: io/results.h; the checkpoint of an
 * interrupted evolution: io/checkpoint.h).  Each input picks one, and a
 * list of mutations applied through the HDF5 API, so that the file stays a
 * well-formed HDF5 file (libhdf5's own parser of corrupt bytes is not what
 * is tested) while its content is hostile:
 *   delete an attribute, a dataset or a group; replace an attribute by a
 *   scalar integer, double (NaN, inf, huge) or string, or by an array;
 *   replace a dataset by one of another type (integer, double, string, the
 *   original), rank (1, 2) and length (0-40) with content from the input,
 *   or by one declared with up to 2^40 elements and never written;
 *   overwrite one element of a dataset (an index, a size, a NaN).
 * Then the readers the commands use: pm_cli_read_state (wigner --state:
 * group lookup, pm_results_read_triplets, pm_wigner_mech_from_triplets,
 * pm_results_read_parameters) and, for an accepted state, a 3 x 3 Wigner
 * grid; pm_checkpoint_read (evolve --resume).
 * Properties beyond the sanitizers: a failure comes with a message (a
 * state or checkpoint too large for the memory, PHONOMASER_MEMORY_LIMIT =
 * 500MB here, is refused before it is allocated); an accepted state has
 * N = dim/2 >= 1 and a finite 3 x 3 grid. */
#define _GNU_SOURCE
#include <hdf5.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "phonomaser/drivers/restart.h"
#include "phonomaser/io/checkpoint.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { BASE_JC, BASE_DRESSED, BASE_EVOLVED, BASE_CHECKPOINT, BASES };
static char dir[64], base_path[BASES][128], work_path[160];
static unsigned char *base_bytes[BASES];
static size_t base_size[BASES];

static void die(const char *what)
{
    fprintf(stderr, "fuzz_h5: %s: %s\n", what, pm_error_message());
    abort();
}

static void slurp(int b)
{
    FILE *f = fopen(base_path[b], "rb");
    if (!f || fseek(f, 0, SEEK_END) != 0) die("cannot read a baseline");
    long n = ftell(f);
    rewind(f);
    base_bytes[b] = malloc((size_t)n);
    if (!base_bytes[b] || fread(base_bytes[b], 1, (size_t)n, f) != (size_t)n) die("cannot read a baseline");
    base_size[b] = (size_t)n;
    fclose(f);
}

static void write_state(const pm_params *params, const pm_state *state, const char *group, const char *path)
{
    pm_h5file *file = NULL;
    if (pm_h5_create(path, &file) != PM_OK) die("pm_h5_create");
    if (pm_results_write_parameters(file, params, state->N) != PM_OK) die("write /parameters");
    if (pm_results_write_state(file, group, state) != PM_OK) die("write the state");
    if (pm_h5_close(file, 1) != PM_OK) die("close");
}

static void steady_baseline(int model, const char *path)
{
    pm_params p;
    pm_params_init(&p);
    if (pm_params_set(&p, "N", "6") != PM_OK) die("N");
    if (model == PM_MODEL_DRESSED &&
        (pm_params_set(&p, "model", "dressed") != PM_OK || pm_params_set(&p, "K", "2") != PM_OK))
        die("dressed");
    if (pm_params_derive(&p) != PM_OK) die("derive");
    pm_model *m = NULL;
    pm_steady_options opts;
    pm_steady_options_default(&opts);
    pm_steady_result r;
    memset(&r, 0, sizeof r);
    if (pm_model_alloc(&p, &m) != PM_OK || pm_steadystate(m, PM_PATH_AUTO, &opts, &r) != PM_OK) die("steady state");
    write_state(&p, r.state, "/steady/rho", path);
    pm_steady_result_clear(&r);
    pm_model_free(m);
}

static pm_status keep_checkpoint(void *user, const pm_checkpoint *cp) { return pm_checkpoint_write(user, cp); }
static int stop_at_2(void *user, size_t block, size_t index, double t)
{
    (void)user, (void)block, (void)t;
    return index >= 2;
}

/* A coherent state evolved a little (sectors k = 0, 1, 2: coherences), and
 * the checkpoint of the same run stopped at its third output time. */
static void evolved_baselines(void)
{
    pm_params p;
    pm_params_init(&p);
    /* N = 12 holds the coherent state (pm_initial_validate: |alpha| = 0.85 needs N >= 9) */
    if (pm_params_set(&p, "N", "12") != PM_OK || pm_params_derive(&p) != PM_OK) die("params");
    pm_model *m = NULL;
    if (pm_model_alloc(&p, &m) != PM_OK) die("model");
    pm_initial init;
    pm_initial_default(&p, PM_INITIAL_COHERENT, &init);
    init.alpha = 0.8 + 0.3 * I;
    double times[] = {0, 0.001, 0.002, 0.003, 0.004};
    for (int pass = 0; pass < 2; pass++) {
        pm_mesolve_options o;
        pm_mesolve_options_default(&o);
        o.keep_final_state = pass == 0;
        o.threads = 1;
        if (pass == 1) {
            o.checkpoint = keep_checkpoint;
            o.checkpoint_user = base_path[BASE_CHECKPOINT];
            o.checkpoint_interval = 1e-9;
            o.checkpoint_config = "[model]\nN = 6\n";
            o.monitor = stop_at_2;
        }
        pm_mesolve_result r;
        memset(&r, 0, sizeof r);
        pm_status s = pm_mesolve(m, &init, 5, times, &o, &r);
        if (pass == 0 && (s != PM_OK || !r.final_state)) die("evolution");
        if (pass == 1 && r.checkpoints_written == 0) die("checkpoint");
        if (pass == 0) write_state(&p, r.final_state, "/evolve/rho_final", base_path[BASE_EVOLVED]);
        pm_mesolve_result_clear(&r);
    }
    pm_model_free(m);
}

static void remove_dir(void)
{
    unlink(work_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    /* what the readers may plan for (drivers/solve.h): below the fuzzer's
     * -rss_limit_mb, so that a refusal, not the allocation, is tested */
    setenv("PHONOMASER_MEMORY_LIMIT", "500MB", 1);
    snprintf(dir, sizeof dir, "%s/pm_fuzz_h5_XXXXXX", access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir)) die("mkdtemp");
    static const char *const names[BASES] = {"jc.h5", "dressed.h5", "evolved.h5", "run.h5.checkpoint.h5"};
    for (int b = 0; b < BASES; b++) snprintf(base_path[b], sizeof base_path[b], "%s/%s", dir, names[b]);
    snprintf(work_path, sizeof work_path, "%s/work.h5", dir);
    atexit(remove_dir);
    steady_baseline(PM_MODEL_JC, base_path[BASE_JC]);
    steady_baseline(PM_MODEL_DRESSED, base_path[BASE_DRESSED]);
    evolved_baselines();
    for (int b = 0; b < BASES; b++) {
        slurp(b);
        unlink(base_path[b]);
    }
    return 0;
}

/* ---- the objects of a file ---------------------------------------------------- */

enum { MAX_OBJECTS = 256 };
typedef struct object {
    char path[256]; /* the group or dataset */
    char attr[64];  /* "" for the dataset or group itself */
    int dataset;
} object;
typedef struct object_list {
    object o[MAX_OBJECTS];
    int count;
} object_list;

typedef struct attr_walk {
    object_list *list;
    const char *path; /* the object whose attributes are listed */
} attr_walk;

static herr_t add_attr(hid_t loc, const char *name, const H5A_info_t *info, void *user)
{
    (void)loc, (void)info;
    attr_walk *w = user;
    object_list *list = w->list;
    if (list->count < MAX_OBJECTS && strlen(name) < sizeof list->o[0].attr) {
        object *o = &list->o[list->count++];
        snprintf(o->path, sizeof o->path, "%s", w->path);
        snprintf(o->attr, sizeof o->attr, "%s", name);
        o->dataset = 0;
    }
    return 0;
}

static void add_attrs(hid_t file, const char *path, object_list *list)
{
    hid_t obj = H5Oopen(file, path, H5P_DEFAULT);
    if (obj < 0) return;
    attr_walk w = {list, path};
    H5Aiterate2(obj, H5_INDEX_NAME, H5_ITER_INC, NULL, add_attr, &w);
    H5Oclose(obj);
}

typedef struct visit {
    hid_t file;
    object_list *list;
} visit;

static herr_t add_link(hid_t group, const char *name, const H5L_info_t *info, void *user)
{
    (void)group, (void)info;
    visit *v = user;
    object_list *list = v->list;
    if (list->count >= MAX_OBJECTS || strlen(name) + 2 > sizeof list->o[0].path) return 0;
    object *o = &list->o[list->count];
    snprintf(o->path, sizeof o->path, "/%s", name);
    o->attr[0] = '\0';
    H5O_info_t oi;
    o->dataset = H5Oget_info_by_name(v->file, o->path, &oi, H5P_DEFAULT) >= 0 && oi.type == H5O_TYPE_DATASET;
    list->count++;
    char path[256];
    snprintf(path, sizeof path, "%s", o->path);
    add_attrs(v->file, path, list);
    return 0;
}

static void collect(hid_t file, object_list *list)
{
    list->count = 0;
    add_attrs(file, "/", list);
    visit v = {file, list};
    H5Lvisit(file, H5_INDEX_NAME, H5_ITER_INC, add_link, &v);
}

/* ---- mutations ------------------------------------------------------------------- */

typedef struct input {
    const uint8_t *p;
    size_t left;
} input;

static unsigned take(input *in)
{
    if (in->left == 0) return 0;
    in->left--;
    return *in->p++;
}

static void take_bytes(input *in, void *out, size_t n)
{
    unsigned char *o = out;
    for (size_t k = 0; k < n; k++) o[k] = (unsigned char)take(in);
}

/* A double worth trying: special values or the input's bits. */
static double take_double(input *in)
{
    static const double special[] = {0.0, -1.0, 1e308, -1e308, 1e-310, 0.5, 12.0, 1e9};
    unsigned k = take(in);
    if (k < 8) return special[k];
    if (k == 8) return NAN;
    if (k == 9) return INFINITY;
    double x;
    take_bytes(in, &x, sizeof x);
    return x;
}

static int64_t take_int(input *in)
{
    static const int64_t special[] = {0, -1, 1, 2, 12, INT64_MAX, INT64_MIN, (int64_t)1 << 40, 100000000};
    unsigned k = take(in);
    if (k < 9) return special[k];
    int64_t x;
    take_bytes(in, &x, sizeof x);
    return x;
}

static void replace_attr(hid_t file, const object *o, input *in)
{
    hid_t obj = H5Oopen(file, o->path, H5P_DEFAULT);
    if (obj < 0) return;
    H5Adelete(obj, o->attr);
    unsigned kind = take(in) % 5;
    hsize_t two = 2;
    hid_t space = kind == 4 ? H5Screate_simple(1, &two, NULL) : H5Screate(H5S_SCALAR);
    hid_t type = kind == 0 || kind == 4 ? H5Tcopy(H5T_NATIVE_INT64) : kind == 1 ? H5Tcopy(H5T_NATIVE_DOUBLE)
                                                                               : H5Tcopy(H5T_C_S1);
    char text[40] = "";
    if (kind == 2 || kind == 3) {
        size_t n = take(in) % 32 + 1;
        take_bytes(in, text, n - 1);
        if (kind == 3) snprintf(text, sizeof text, "%s", take(in) & 1 ? "full" : "phonomaser checkpoint");
        H5Tset_size(type, strlen(text) + 1);
    }
    hid_t attr = H5Acreate2(obj, o->attr, type, space, H5P_DEFAULT, H5P_DEFAULT);
    if (attr >= 0) {
        if (kind == 0) {
            int64_t v = take_int(in);
            H5Awrite(attr, type, &v);
        } else if (kind == 1) {
            double v = take_double(in);
            H5Awrite(attr, type, &v);
        } else if (kind == 4) {
            int64_t v[2] = {take_int(in), take_int(in)};
            H5Awrite(attr, type, v);
        } else {
            H5Awrite(attr, type, text);
        }
        H5Aclose(attr);
    }
    H5Tclose(type), H5Sclose(space), H5Oclose(obj);
}

static void replace_dataset(hid_t file, const object *o, input *in)
{
    hid_t old = H5Dopen2(file, o->path, H5P_DEFAULT);
    if (old < 0) return;
    hid_t original = H5Dget_type(old);
    H5Dclose(old);
    unsigned kind = take(in) % 5, rank = take(in) % 2 + 1;
    hsize_t dims[2] = {take(in) % 41, 2};
    /* kind 4: the original type, declared with 2^20 to 2^40 elements and
     * never written (a few bytes in the file, HDF5 fills it on reading) */
    int huge = kind == 4;
    if (huge) kind = 0, rank = 1, dims[0] = (hsize_t)1 << (20 + take(in) % 21);
    hid_t type = kind == 0 ? H5Tcopy(original) : kind == 1 ? H5Tcopy(H5T_NATIVE_INT64)
                 : kind == 2 ? H5Tcopy(H5T_NATIVE_DOUBLE) : H5Tcopy(H5T_C_S1);
    if (kind == 3) H5Tset_size(type, 8);
    H5Tclose(original);
    H5Ldelete(file, o->path, H5P_DEFAULT);
    hid_t space = H5Screate_simple((int)rank, dims, NULL);
    hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
    H5Pset_create_intermediate_group(lcpl, 1);
    hid_t ds = H5Dcreate2(file, o->path, type, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    if (ds >= 0 && !huge) {
        size_t n = (size_t)dims[0] * (rank == 2 ? 2 : 1), bytes = n * H5Tget_size(type);
        unsigned char *buf = calloc(bytes ? bytes : 1, 1);
        if (buf) {
            for (size_t k = 0; k < bytes; k++) buf[k] = (unsigned char)take(in);
            if (kind == 1) /* indices worth trying */
                for (size_t k = 0; k < n; k++) ((int64_t *)buf)[k] = (int64_t)(buf[8 * k] % 16) - 2;
            if (bytes) H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
            free(buf);
        }
    }
    if (ds >= 0) H5Dclose(ds);
    H5Pclose(lcpl), H5Sclose(space), H5Tclose(type);
}

/* One element of a numeric dataset set to a value worth trying. */
static void poke_element(hid_t file, const object *o, input *in)
{
    hid_t ds = H5Dopen2(file, o->path, H5P_DEFAULT);
    if (ds < 0) return;
    hid_t type = H5Dget_type(ds), space = H5Dget_space(ds);
    hssize_t n = H5Sget_simple_extent_npoints(space);
    size_t size = H5Tget_size(type);
    H5T_class_t cls = H5Tget_class(type);
    if (n > 0 && n < (1 << 20) && size > 0 && size <= 64 && (cls == H5T_INTEGER || cls == H5T_FLOAT ||
                                                              cls == H5T_COMPOUND)) {
        unsigned char *buf = malloc((size_t)n * size);
        if (buf && H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) >= 0) {
            size_t k = (size_t)(take(in) % (unsigned)n);
            if (cls == H5T_INTEGER && size == 8) {
                int64_t v = take_int(in);
                memcpy(buf + k * size, &v, 8);
            } else if ((cls == H5T_FLOAT && size == 8) || (cls == H5T_COMPOUND && size == 16)) {
                double v = take_double(in);
                memcpy(buf + k * size + (cls == H5T_COMPOUND && (take(in) & 1) ? 8 : 0), &v, 8);
            }
            H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf);
        }
        free(buf);
    }
    H5Tclose(type), H5Sclose(space), H5Dclose(ds);
}

static void mutate(input *in)
{
    hid_t file = H5Fopen(work_path, H5F_ACC_RDWR, H5P_DEFAULT);
    if (file < 0) die("cannot reopen the work file");
    static object_list list;
    int ops = (int)(take(in) % 6) + 1;
    for (int op = 0; op < ops && in->left > 0; op++) {
        collect(file, &list);
        if (list.count == 0) break;
        const object *o = &list.o[take(in) % (unsigned)list.count];
        unsigned what = take(in) % 4;
        if (what == 0) {
            if (o->attr[0]) H5Adelete_by_name(file, o->path, o->attr, H5P_DEFAULT);
            else H5Ldelete(file, o->path, H5P_DEFAULT);
        } else if (o->attr[0]) {
            replace_attr(file, o, in);
        } else if (o->dataset) {
            if (what == 1) replace_dataset(file, o, in);
            else poke_element(file, o, in);
        }
    }
    H5Fclose(file);
}

/* ---- the readers ------------------------------------------------------------------- */

static void read_state(input *in)
{
    static const char *const groups[] = {"", "", "", "/steady/rho", "/evolve/rho_final", "/steady", "/parameters"};
    const char *group = groups[take(in) % 7];
    pm_wigner_mech *mech = NULL;
    pm_params params;
    pm_params_init(&params);
    int have = 0;
    pm_error_clear();
    pm_status s = pm_cli_read_state(work_path, group, "work.h5", &mech, &params, &have);
    if (s != PM_OK) {
        if (pm_error_message()[0] == '\0') die("a rejected state without a message");
        if (mech) die("a rejected state left a result");
        return;
    }
    if (!mech || mech->N < 1 || params.N != mech->N) die("an accepted state of no size");
    double z[3] = {-1.0, 0.0, 1.0}, W[9];
    s = pm_wigner_grid_mech_interruptible(mech, pm_wigner_choose_path(mech), 3, z, 3, z, W, NULL);
    if (s == PM_OK)
        for (int k = 0; k < 9; k++)
            if (!isfinite(W[k])) die("a non-finite Wigner function of an accepted state");
    pm_wigner_mech_free(mech);
}

static void read_checkpoint(void)
{
    pm_checkpoint *cp = NULL;
    pm_error_clear();
    pm_status s = pm_checkpoint_read(work_path, &cp);
    if (s != PM_OK) {
        if (pm_error_message()[0] == '\0') die("a rejected checkpoint without a message");
        if (cp) die("a rejected checkpoint left a result");
        return;
    }
    if (!cp) die("an accepted checkpoint without data");
    pm_checkpoint_free(cp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    input in = {data, size};
    int b = (int)(take(&in) % BASES);
    FILE *f = fopen(work_path, "wb");
    if (!f || fwrite(base_bytes[b], 1, base_size[b], f) != base_size[b] || fclose(f) != 0) die("work file");
    mutate(&in);
    if (b == BASE_CHECKPOINT) read_checkpoint();
    else read_state(&in);
    return 0;
}
