/* Minimal test harness: CHECK* record a failure with file:line and go on; each test binary
 * ends with TEST_SUMMARY(), printing "<name>: N passed, M failed" and exiting non-zero on any
 * failure. A test counts as passed when none of its checks failed. */
#ifndef SEQTRANS_CHECK_H
#define SEQTRANS_CHECK_H
#include <math.h>
#include <stdio.h>

static int check_failures_in_test, tests_passed, tests_failed;

#define CHECK(cond) do { if (!(cond)) { check_failures_in_test++; \
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); } } while (0)

#define CHECK_NEAR(a, b, tol) do { double a_ = (a), b_ = (b); \
    if (!(fabs(a_ - b_) <= (tol))) { check_failures_in_test++; \
    fprintf(stderr, "%s:%d: CHECK_NEAR failed: %s = %.9g, %s = %.9g, tol %g\n", \
            __FILE__, __LINE__, #a, a_, #b, b_, (double)(tol)); } } while (0)

#define RUN_TEST(fn) do { check_failures_in_test = 0; fn(); \
    if (check_failures_in_test) { tests_failed++; fprintf(stderr, "FAIL %s\n", #fn); } \
    else tests_passed++; } while (0)

#define TEST_SUMMARY(name) (printf("%s: %d passed, %d failed\n", name, tests_passed, \
    tests_failed), tests_failed ? 1 : 0)

#endif
