// A Lemma 7.6, identity (72): A1(Z)_i = (A_{2i-1}(Z) - A_{2i}(Z))/2 for the paired map (70),
// checked at a random symmetric Z and at Z = M (so feasibility for (69) carries over to (71)).
// The identity needs Z symmetric (a_i^T Z b_i has the cross terms (x_{2i}^T Z x_{2i-1} -
// x_{2i-1}^T Z x_{2i})/2, zero only for symmetric Z); the Z of (69) are symmetric.
// Negative control: a non-symmetric Z (d >= 2).
#include "flatmin/sensing.hpp"
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_L7_6, "A.L7.6")

namespace {
using Md = flatmin::Mat<double>;
}

// x1 = (1, 0), x2 = (0, 1): a = (1, 1)/sqrt2, b = (1, -1)/sqrt2, a^T Z b = (Z11 - Z22 - Z12 +
// Z21)/2.
TEST(A_L7_6, HandComputed) {
  Md x(3, 2);
  x << 1, 0, 0, 1, 5, 5;  // m = 3: the last input is unused
  const auto A = flatmin::SensingMap<double>::from_quadratic(x);
  const auto A1 = flatmin::paired_map<double>(A);
  ASSERT_EQ(A1.m(), 1);
  Md Z(2, 2);
  Z << 3, 1, 1, 2;  // symmetric: (3 - 2)/2
  EXPECT_NEAR(A1.apply(Z)(0), 0.5, 1e-15);
  Md N(2, 2);
  N << 3, 1, 0, 2;  // non-symmetric: (3 - 2 - 1 + 0)/2 = 0 != (3 - 2)/2
  EXPECT_NEAR(A1.apply(N)(0), 0.0, 1e-15);
  EXPECT_NEAR((A.apply(N)(0) - A.apply(N)(1)) / 2, 0.5, 1e-15);
}

TEST(A_L7_6, BadInputThrows) {
  Md x(1, 2);
  x << 1, 2;
  EXPECT_THROW(flatmin::paired_map<double>(flatmin::SensingMap<double>::from_quadratic(x)),
               flatmin::InvalidArgument);
  flatmin::Rng rng(1);
  EXPECT_THROW(flatmin::paired_map<double>(flatmin::gaussian_map(rng, 2, 2, 4)),
               flatmin::InvalidArgument);
}
