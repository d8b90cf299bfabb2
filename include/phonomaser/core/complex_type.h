/* pm_complex: the complex double of the public API, for C and C++ callers.
 *
 * In C it is `double complex` (C99 _Complex), exactly the type the library
 * is compiled with, so the C API and ABI are those of `double complex`.  In
 * C++ (which has no _Complex) it is std::complex<double>: the C++ standard
 * makes it an array of two doubles {re, im} ([complex.numbers]), the layout
 * of double _Complex (C11 6.2.5), and on the x86-64 System V and AArch64
 * ABIs both are passed and returned the same way (two floating-point
 * registers), which tests/install/test_cxx_headers.cpp checks by calling functions
 * that take and return pm_complex by value.  Arrays (pm_complex *) can be
 * handed across in either direction without copying.
 *
 * This header declares no functions, so it needs no extern "C" block; its
 * C++ part must stay outside one (<complex> holds templates). */
#ifndef PHONOMASER_COMPLEX_TYPE_H
#define PHONOMASER_COMPLEX_TYPE_H

#ifdef __cplusplus
#include <complex>
typedef std::complex<double> pm_complex;
static_assert(sizeof(pm_complex) == 2 * sizeof(double) && alignof(pm_complex) == alignof(double),
              "pm_complex must have the layout of double _Complex");
#if defined(__clang__)
/* clang warns that a C-linkage function returning a C++ class type is
 * "incompatible with C"; std::complex<double> is returned like
 * double _Complex on the ABIs above (see the first comment). */
#pragma clang diagnostic ignored "-Wreturn-type-c-linkage"
#endif
#else
#include <complex.h>
typedef double complex pm_complex;
#endif

#endif
