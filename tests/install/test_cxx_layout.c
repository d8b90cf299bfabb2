/* The C side of test_cxx_headers.cpp: layouts as the C compiler sees them. */
#include "phonomaser/io/checkpoint.h"
#include "phonomaser/drivers/compare.h"
#include "phonomaser/solvers/spectrum.h"
#include "phonomaser/phase_space/wigner.h"

#include "cxx_layout.h"

#define PM_LAYOUT_ENTRY(type, member) {sizeof(type), offsetof(type, member)},
static const size_t layout[][2] = {PM_LAYOUT_LIST(PM_LAYOUT_ENTRY)};

size_t pm_test_c_layout_count(void)
{
    return sizeof layout / sizeof layout[0];
}

void pm_test_c_layout(size_t k, size_t *struct_size, size_t *member_offset)
{
    *struct_size = layout[k][0];
    *member_offset = layout[k][1];
}

size_t pm_test_c_sizeof_stop_flag(void)
{
    return sizeof(pm_stop_flag);
}
