# ruff: noqa: E501  (C source and its mutations read best one function per line)
"""The small C project mutation_bench.py grades: a statistics library (`stats`), 30 buggy
implementations of it, a harness that runs named student tests against one implementation
chosen by name, and a student's 20 tests.

Every implementation is linked into one test binary (`run`) by the suite's setup command, so a
run costs a process start, not a compile: `./run <impl> <test>...` exits 1 at the first
failing test. `./run --list` prints the student's test names.
"""

from __future__ import annotations

HEADER = r"""
#include <stddef.h>
struct stats_impl {
    const char *name;
    long (*sum)(const long *xs, int n);
    long (*max)(const long *xs, int n);
    long (*min)(const long *xs, int n);
    int (*count)(const long *xs, int n, long x);
    int (*index_of)(const long *xs, int n, long x);
    int (*is_sorted)(const long *xs, int n);
};
extern const struct stats_impl *impl;
#define sum(...) impl->sum(__VA_ARGS__)
#define max(...) impl->max(__VA_ARGS__)
#define min(...) impl->min(__VA_ARGS__)
#define count(...) impl->count(__VA_ARGS__)
#define index_of(...) impl->index_of(__VA_ARGS__)
#define is_sorted(...) impl->is_sorted(__VA_ARGS__)
void register_test(const char *name, void (*fn)(void));
void check_failed(const char *what, int line);
#define TEST(name) static void name(void); \
    __attribute__((constructor)) static void reg_##name(void) { register_test(#name, name); } \
    static void name(void)
#define CHECK(cond) do { if (!(cond)) check_failed(#cond, __LINE__); } while (0)
"""

HARNESS = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "stats.h"
const struct stats_impl *impl;
extern const struct stats_impl *const all_impls[];
static struct { const char *name; void (*fn)(void); } tests[256];
static int num_tests;
void register_test(const char *name, void (*fn)(void)) {
    if (num_tests < 256) { tests[num_tests].name = name; tests[num_tests].fn = fn; num_tests++; }
}
void check_failed(const char *what, int line) {
    fprintf(stderr, "CHECK(%s) failed on line %d\n", what, line);
    exit(1);
}
int main(int argc, char **argv) {
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (int i = 0; i < num_tests; i++) puts(tests[i].name);
        return 0;
    }
    if (argc < 3) { fprintf(stderr, "usage: run IMPL TEST...\n"); return 2; }
    for (int i = 0; all_impls[i]; i++)
        if (strcmp(all_impls[i]->name, argv[1]) == 0) impl = all_impls[i];
    if (!impl) { fprintf(stderr, "no implementation %s\n", argv[1]); return 2; }
    for (int a = 2; a < argc; a++) {
        int found = 0;
        for (int i = 0; i < num_tests; i++)
            if (strcmp(tests[i].name, argv[a]) == 0) { tests[i].fn(); found = 1; }
        if (!found) { fprintf(stderr, "no test %s\n", argv[a]); return 2; }
    }
    return 0;
}
"""

CORRECT = r"""
#include "stats.h"
#undef sum
#undef max
#undef min
#undef count
#undef index_of
#undef is_sorted
static long sum(const long *xs, int n) { long s = 0; for (int i = 0; i < n; i++) s += xs[i]; return s; }
static long max(const long *xs, int n) { long m = xs[0]; for (int i = 1; i < n; i++) if (xs[i] > m) m = xs[i]; return m; }
static long min(const long *xs, int n) { long m = xs[0]; for (int i = 1; i < n; i++) if (xs[i] < m) m = xs[i]; return m; }
static int count(const long *xs, int n, long x) { int c = 0; for (int i = 0; i < n; i++) if (xs[i] == x) c++; return c; }
static int index_of(const long *xs, int n, long x) { for (int i = 0; i < n; i++) if (xs[i] == x) return i; return -1; }
static int is_sorted(const long *xs, int n) { for (int i = 1; i < n; i++) if (xs[i - 1] > xs[i]) return 0; return 1; }
const struct stats_impl impl_NAME = {"NAME", sum, max, min, count, index_of, is_sorted};
"""

MUTATIONS: list[tuple[str, str]] = [
    ("for (int i = 0; i < n; i++) s += xs[i]", "for (int i = 1; i < n; i++) s += xs[i]"),
    ("for (int i = 0; i < n; i++) s += xs[i]", "for (int i = 0; i < n - 1; i++) s += xs[i]"),
    ("s += xs[i]; return s;", "s += xs[i]; return s > 100 ? 100 : s;"),
    ("long s = 0;", "long s = 1;"),
    ("s += xs[i]", "s += xs[i] < 0 ? -xs[i] : xs[i]"),
    (
        "if (xs[i] > m) m = xs[i]; return m; }\nstatic long min",
        "if (xs[i] < m) m = xs[i]; return m; }\nstatic long min",
    ),
    (
        "for (int i = 1; i < n; i++) if (xs[i] > m)",
        "for (int i = 1; i < n - 1; i++) if (xs[i] > m)",
    ),
    (
        "long m = xs[0]; for (int i = 1; i < n; i++) if (xs[i] > m)",
        "long m = 0; for (int i = 1; i < n; i++) if (xs[i] > m)",
    ),
    (
        "if (xs[i] > m) m = xs[i]; return m; }\nstatic long min",
        "if (xs[i] >= m + 2) m = xs[i]; return m; }\nstatic long min",
    ),
    (
        "if (xs[i] > m) m = xs[i]; return m; }\nstatic long min",
        "if (xs[i] > m) m = xs[i]; return m == 7 ? 8 : m; }\nstatic long min",
    ),
    (
        "if (xs[i] < m) m = xs[i]; return m; }\nstatic int count",
        "if (xs[i] > m) m = xs[i]; return m; }\nstatic int count",
    ),
    (
        "long m = xs[0]; for (int i = 1; i < n; i++) if (xs[i] < m)",
        "long m = 0; for (int i = 1; i < n; i++) if (xs[i] < m)",
    ),
    ("for (int i = 1; i < n; i++) if (xs[i] < m)", "for (int i = 2; i < n; i++) if (xs[i] < m)"),
    (
        "if (xs[i] < m) m = xs[i]; return m; }\nstatic int count",
        "if (xs[i] < m && xs[i] > -1000) m = xs[i]; return m; }\nstatic int count",
    ),
    (
        "if (xs[i] < m) m = xs[i]; return m; }\nstatic int count",
        "if (xs[i] < m) m = xs[i]; return m < 0 ? 0 : m; }\nstatic int count",
    ),
    (
        "int c = 0; for (int i = 0; i < n; i++) if (xs[i] == x) c++;",
        "int c = 0; for (int i = 1; i < n; i++) if (xs[i] == x) c++;",
    ),
    ("int c = 0; for", "int c = 1; for"),
    ("if (xs[i] == x) c++; return c;", "if (xs[i] != x) c++; return c;"),
    ("if (xs[i] == x) c++; return c;", "if (xs[i] == x) c = 1; return c;"),
    ("if (xs[i] == x) c++; return c;", "if (xs[i] >= x) c++; return c;"),
    (
        "for (int i = 0; i < n; i++) if (xs[i] == x) return i; return -1;",
        "for (int i = 0; i < n; i++) if (xs[i] == x) return i; return 0;",
    ),
    (
        "for (int i = 0; i < n; i++) if (xs[i] == x) return i; return -1;",
        "for (int i = 1; i < n; i++) if (xs[i] == x) return i; return -1;",
    ),
    (
        "for (int i = 0; i < n; i++) if (xs[i] == x) return i; return -1;",
        "for (int i = n - 1; i >= 0; i--) if (xs[i] == x) return i; return -1;",
    ),
    (
        "for (int i = 0; i < n; i++) if (xs[i] == x) return i; return -1;",
        "for (int i = 0; i < n; i++) if (xs[i] == x) return i + 1; return -1;",
    ),
    (
        "for (int i = 0; i < n; i++) if (xs[i] == x) return i; return -1;",
        "for (int i = 0; i < n - 1; i++) if (xs[i] == x) return i; return -1;",
    ),
    ("if (xs[i - 1] > xs[i]) return 0; return 1;", "if (xs[i - 1] >= xs[i]) return 0; return 1;"),
    ("if (xs[i - 1] > xs[i]) return 0; return 1;", "if (xs[i - 1] < xs[i]) return 0; return 1;"),
    (
        "for (int i = 1; i < n; i++) if (xs[i - 1] > xs[i])",
        "for (int i = 2; i < n; i++) if (xs[i - 1] > xs[i])",
    ),
    (
        "if (xs[i - 1] > xs[i]) return 0; return 1;",
        "if (xs[i - 1] > xs[i]) return 0; return n > 0;",
    ),
    (
        "if (xs[i - 1] > xs[i]) return 0; return 1;",
        "if (xs[i - 1] > xs[i] + 1) return 0; return 1;",
    ),
]
BUG_NAMES = [f"bug_{i:02d}" for i in range(1, len(MUTATIONS) + 1)]

STUDENT_TESTS = r"""
#include "stats.h"
TEST(test_sum_basic) { long xs[] = {1, 2, 3}; CHECK(sum(xs, 3) == 6); }
TEST(test_sum_one) { long xs[] = {5}; CHECK(sum(xs, 1) == 5); }
TEST(test_sum_empty) { CHECK(sum(0, 0) == 0); }
TEST(test_sum_big) { long xs[] = {60, 70}; CHECK(sum(xs, 2) == 130); }
TEST(test_max_first) { long xs[] = {9, 1, 2}; CHECK(max(xs, 3) == 9); }
TEST(test_max_last) { long xs[] = {1, 2, 9}; CHECK(max(xs, 3) == 9); }
TEST(test_max_negative) { long xs[] = {-5, -3, -4}; CHECK(max(xs, 3) == -3); }
TEST(test_min_first) { long xs[] = {1, 5, 9}; CHECK(min(xs, 3) == 1); }
TEST(test_min_middle) { long xs[] = {5, 1, 9}; CHECK(min(xs, 3) == 1); }
TEST(test_count_none) { long xs[] = {1, 2}; CHECK(count(xs, 2, 7) == 0); }
TEST(test_count_two) { long xs[] = {7, 2, 7}; CHECK(count(xs, 3, 7) == 2); }
TEST(test_index_first) { long xs[] = {4, 5, 6}; CHECK(index_of(xs, 3, 4) == 0); }
TEST(test_index_missing) { long xs[] = {4, 5, 6}; CHECK(index_of(xs, 3, 9) == -1); }
TEST(test_index_middle) { long xs[] = {4, 5, 6}; CHECK(index_of(xs, 3, 5) == 1); }
TEST(test_sorted_yes) { long xs[] = {1, 2, 3}; CHECK(is_sorted(xs, 3)); }
TEST(test_sorted_no) { long xs[] = {3, 1, 2}; CHECK(!is_sorted(xs, 3)); }
TEST(test_sorted_equal) { long xs[] = {2, 2}; CHECK(is_sorted(xs, 2)); }
TEST(test_sorted_empty) { CHECK(is_sorted(0, 0)); }
TEST(test_all_functions) { long xs[] = {3, 8, 1}; CHECK(sum(xs, 3) == 12 && max(xs, 3) == 8 && min(xs, 3) == 1); }
TEST(test_min_wrong) { long xs[] = {2, 3}; CHECK(min(xs, 2) == 3); }
"""
"""20 tests; `test_min_wrong` is invalid (fails against the correct implementation)."""

SETUP_COMMAND = "gcc -o run harness.c student_tests.c impl_*.c"
TEST_NAMES_COMMAND = "./run --list"
VALIDITY_COMMAND = "./run correct ${student_test_name}"
GRADE_COMMAND = "./run ${buggy_impl_name} ${student_test_name}"


def implementation(name: str, mutation: tuple[str, str] | None) -> bytes:
    source = CORRECT.replace("NAME", name)
    if mutation is not None:
        old, new = mutation
        if old not in source:
            raise AssertionError(f"mutation of {name} does not apply: {old!r}")
        source = source.replace(old, new, 1)
    return source.encode()


def instructor_files() -> dict[str, bytes]:
    names = ["correct", *BUG_NAMES]
    files = {"stats.h": HEADER.encode(), "harness.c": HARNESS.encode()}
    files["impl_correct.c"] = implementation("correct", None)
    for name, mutation in zip(BUG_NAMES, MUTATIONS, strict=True):
        files[f"impl_{name}.c"] = implementation(name, mutation)
    table = "".join(f"extern const struct stats_impl impl_{n};\n" for n in names)
    table += "const struct stats_impl *const all_impls[] = {"
    table += "".join(f"&impl_{n}, " for n in names) + "0};\n"
    files["impl_table.c"] = ('#include "stats.h"\n' + table).encode()
    return files


def student_files() -> dict[str, bytes]:
    return {"student_tests.c": STUDENT_TESTS.encode()}
