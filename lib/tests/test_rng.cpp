// The portable generator is a specification (lib/include/flatmin/rng.hpp); these values were
// produced by an independent Python implementation of that text (ci/rng_reference.py), so they
// test the C++ against the spec, not against itself. If one changes, every committed figure hash
// changes with it: that is a breaking change and must be deliberate.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "flatmin/determinism.hpp"
#include "flatmin/rng.hpp"

using flatmin::Rng;

// The ISA the library was compiled for (FLATMIN_ISA, determinism.hpp) is the one this test was
// compiled for, and the CPU running it has it: a library built with other vector flags than its
// users (or a build picked up on a machine without AVX2) would print other bytes.
TEST(Determinism, BuildIsaMatchesTheCompileFlags) {
#if defined(__AVX2__)
  EXPECT_STREQ(flatmin::build_isa(), "x86-64 AVX2 without FMA");
#else
  EXPECT_STREQ(flatmin::build_isa(), "x86-64 SSE2");
#endif
  EXPECT_TRUE(flatmin::cpu_supports_build_isa());
}

TEST(Rng, XoshiroStreamMatchesReference) {
  Rng r(42);
  EXPECT_EQ(r.next(), 0x15780b2e0c2ec716ULL);
  EXPECT_EQ(r.next(), 0x6104d9866d113a7eULL);
  EXPECT_EQ(r.next(), 0xae17533239e499a1ULL);
}

TEST(Rng, DerivedStreamsMatchReference) {
  Rng r = Rng::derive(7, {1, 2, 3});
  EXPECT_EQ(r.next(), 0xff2507068d369f2fULL);
  EXPECT_EQ(r.next(), 0x48e20c6ff01c0be1ULL);
  // different paths, different streams
  EXPECT_NE(Rng::derive(7, {1, 2, 3}).next(), Rng::derive(7, {1, 2, 4}).next());
  EXPECT_NE(Rng::derive(7, {1, 2}).next(), Rng::derive(7, {2, 1}).next());
}

TEST(Rng, UniformIs53BitGrid) {
  Rng r(42);
  EXPECT_EQ(r.uniform(), 0x1.5780b2e0c2ec0p-4);
  EXPECT_EQ(r.uniform(), 0x1.84136619b444ep-2);
}

TEST(Rng, NormalsMatchReferenceBitForBit) {
  Rng r(42);
  EXPECT_EQ(r.normal(), -0x1.73d2feb0fb377p-1);
  EXPECT_EQ(r.normal(), -0x1.b088028693f9cp-3);
  EXPECT_EQ(r.normal(), 0x1.c5e21f7812a4ep-3);
  EXPECT_EQ(r.normal(), 0x1.0ba8bb0c5fa51p-1);
}

TEST(Rng, PortableLogWithinTwoUlpOfLibm) {
  Rng r(1);
  int differ = 0;
  for (int i = 0; i < 100000; ++i) {
    const double x = std::ldexp(0.5 + r.uniform(), int(r.below(2000)) - 1000);
    const double a = flatmin::portable_log(x), b = std::log(x);
    const double ulp = std::nextafter(std::fabs(b), INFINITY) - std::fabs(b);
    ASSERT_LE(std::fabs(a - b), 2 * ulp) << "x = " << x;
    differ += a != b;
  }
  RecordProperty("values_differing_from_libm", differ);
  EXPECT_EQ(flatmin::portable_log(1.0), 0.0);
  EXPECT_THROW(flatmin::portable_log(0.0), flatmin::InvalidArgument);
  EXPECT_THROW(flatmin::portable_log(-1.0), flatmin::InvalidArgument);
  EXPECT_THROW(flatmin::portable_log(NAN), flatmin::InvalidArgument);
}

TEST(Rng, NormalMomentsAreStandard) {
  Rng r(3);
  const int n = 200000;
  double s1 = 0, s2 = 0, s4 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = r.normal();
    s1 += z;
    s2 += z * z;
    s4 += z * z * z * z;
  }
  // 6 standard errors: fails with probability < 1e-8 for a correct generator
  EXPECT_NEAR(s1 / n, 0.0, 6 * std::sqrt(1.0 / n));
  EXPECT_NEAR(s2 / n, 1.0, 6 * std::sqrt(2.0 / n));
  EXPECT_NEAR(s4 / n, 3.0, 6 * std::sqrt(96.0 / n));
}

TEST(Rng, BelowIsUnbiasedAndInRange) {
  Rng r(5);
  int counts[3] = {0, 0, 0};
  for (int i = 0; i < 30000; ++i) ++counts[r.below(3)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 6 * std::sqrt(30000 * (1.0 / 3) * (2.0 / 3)));
  EXPECT_THROW(r.below(0), flatmin::InvalidArgument);
}
