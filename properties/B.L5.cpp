// B Lemma 5: under (2, delta)-RIP, |(1/n) sum <A_i, M>^2 - ||M||_F^2| <= 2 delta ||M||_*^2,
// checked with the certified delta (>= the true constant) on the truth, a Gaussian matrix and the
// RIP witness at random scales; n in [40, 160] >= d0 dL. Negative control: 2 delta ||M||_*
// (square dropped).
#include "flatmin/rip.hpp"
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(B_L5, "B.L5")

namespace {
using namespace flatmin;

#ifndef FLATMIN_DOUBLE_ONLY  // quad is not instantiated in a double-only build
// Paper B's delta for simple maps: the scaled identity (A_i = sqrt(n) E_i) is an exact isometry
// (delta = 0); the plain identity has (1/n)||X||^2 = ||X||^2/(d0 dL), delta = 1 - 1/(d0 dL).
TEST(B_L5, DeltaOfIdentityMaps) {
  for (Index d : {1, 2, 3}) {
    const SensingMap<quad> I = SensingMap<quad>::identity(d, d + 1);
    const RipDeltaB<quad> b = rip_delta_b<quad>(I, 2);
    const double want = 1 - 1.0 / double(d * (d + 1));
    EXPECT_LT(std::abs(to_double(b.estimate) - want), 1e-30);
    EXPECT_LT(std::abs(to_double(b.certified) - want), 1e-30);
  }
  Rng rng(1);
  EXPECT_THROW(rip_delta_b<double>(gaussian_map(rng, 2, 2, 0), 1), InvalidArgument);
}
#endif

}  // namespace
