// flatmin/determinism.hpp — what "same seed, same bytes" rests on.
//
// flatmin guarantees: for a given seed, every instance (the random numbers themselves) is
// bit-for-bit identical on any machine with IEEE-754 binary64 arithmetic, and every number
// flatmin computes and prints is bit-for-bit identical across runs, thread counts and shardings
// on x86-64 builds made with this repository's CMake (clang++ 14, the build scripts' default
// and what CI tests, or g++ 12; Eigen 3.4, Boost 1.74, MPFR 4.2). g++ and clang++ builds gave
// the same bytes when checked (docs/usage.md, "Determinism"); CI does not re-check g++. The
// ingredients:
//  * the generator is flatmin's own (rng.hpp), with its own logarithm;
//  * -ffp-contract=off and no -march=native / -ffast-math (CMakeLists.txt), so the compiler
//    never fuses or reorders floating-point operations; vector code is one fixed ISA level,
//    AVX2 without FMA by default (FLATMIN_ISA=avx2, the committed manifest's) or SSE2
//    (FLATMIN_ISA=sse2, every x86-64). The two agree to rounding, not bit for bit (Eigen's
//    kernels sum in an order set by the vector width), so bytes are guaranteed among builds of
//    the same ISA; build_isa() names it and code_version() carries it into captions and shards;
//  * Eigen's matrix-product blocking depends on the cache sizes it detects; pin_eigen() fixes
//    them to constants so that the summation order of large products does not depend on the
//    machine. It is called by catalogue::rows(), by the command-line tool before any work, by
//    the benchmarks and by every unit-test executable (lib/tests/pinned_eigen.cpp).
// Not guaranteed: other architectures (aarch64 libm and FMA defaults), other compilers or
// versions, other library versions (quad and mp50 last bits come from libquadmath and MPFR).
#pragma once

namespace flatmin {

// Fix Eigen's assumed cache sizes (L1 32 KiB, L2 1 MiB, L3 8 MiB). Idempotent and cheap.
void pin_eigen();

// The vector ISA this library was compiled for: "x86-64 AVX2 without FMA" or "x86-64 SSE2".
const char* build_isa();

// False when the build uses AVX2 and the CPU running it has none. The flatmin command checks it
// first thing in main() and exits with a message; the test and benchmark binaries do not (they
// are run where they were configured, and configuring the AVX2 build on such a CPU fails).
bool cpu_supports_build_isa();

// Process setting for executables (the CLI, the benchmarks), not for a library's host: keep freed
// heap memory for reuse (glibc mmap threshold and trim threshold raised to 256 MiB). The solvers
// allocate matrices of m x dim T and more in every step; returning them to the kernel and
// faulting them in again cost up to half the time of a Gauss-Newton solve (measured on Gaussian
// d = 20, m = 240: 14.7 ms -> 6.7 ms). Results are unaffected (allocation does not change any
// arithmetic). No-op where glibc's mallopt is unavailable.
void retain_freed_memory();

}  // namespace flatmin
