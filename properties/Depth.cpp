// Depth (later version of paper A; spec/figures.md "Depth"): sparse recovery with x = v_1 ⊙ ... ⊙ v_k
// and f(v) = (1/m)||A x - b||^2. tr D^2 f by definition = 2 sum_j D_jj^2 sum_l prod_{l'!=l}
// v_{l',j}^2 with D_jj^2 = ||a_j||^2/m (constant derived from the definition); AM-GM lower bound
// 2k sum_j D_jj^2 |x_j|^{2(k-1)/k}, attained by the balanced factors.
// Negative control: the unweighted penalty 2k sum_j |x_j|^{2(k-1)/k} claimed attained.
#include <cmath>

#include "property.hpp"

#include "flatmin/depth.hpp"

FLATMIN_ROW_PROPERTIES(Depth, "Depth")

namespace {
using flatmin::HadamardFactors;
using flatmin::InvalidArgument;
using flatmin::Mat;
using flatmin::Vec;

Vec<double> vec(std::initializer_list<double> xs) {
  Vec<double> v(Eigen::Index(xs.size()));
  Eigen::Index i = 0;
  for (double x : xs) v(i++) = x;
  return v;
}

TEST(Depth, HadamardProductAndBadInput) {
  const HadamardFactors<double> v{vec({1, 2, -3}), vec({2, 0.5, 2}), vec({-1, 1, 1})};
  EXPECT_EQ(flatmin::hadamard_product(v), vec({-2, 1, -6}));
  EXPECT_THROW(flatmin::hadamard_product(HadamardFactors<double>{}), InvalidArgument);
  EXPECT_THROW(flatmin::hadamard_product(HadamardFactors<double>{vec({1, 2}), vec({1})}),
               InvalidArgument);
  EXPECT_THROW(flatmin::hadamard_product(HadamardFactors<double>{vec({1, NAN})}), InvalidArgument);
  const Mat<double> A = Mat<double>::Ones(2, 3);
  EXPECT_THROW(flatmin::hadamard_loss<double>(A, vec({1}), v), InvalidArgument);
  EXPECT_THROW(flatmin::hadamard_loss<double>(Mat<double>::Ones(2, 2), vec({1, 1}), v),
               InvalidArgument);
}

// A = [1 2; 3 4], m = 2: D^2 = (||a_1||^2, ||a_2||^2)/2 = (5, 10).
TEST(Depth, WeightsAndExponent) {
  Mat<double> A(2, 2);
  A << 1, 2, 3, 4;
  EXPECT_EQ(flatmin::hadamard_weights<double>(A), vec({5, 10}));
  EXPECT_EQ(flatmin::depth_exponent<double>(2), 1.0);
  EXPECT_EQ(flatmin::depth_exponent<double>(3), 4.0 / 3.0);
  EXPECT_EQ(flatmin::depth_exponent<double>(4), 1.5);
  // k = 2: weighted l1; x = (-2, 3): 5*2 + 10*3
  EXPECT_EQ(flatmin::depth_penalty<double>(A, vec({-2, 3}), 2), 40.0);
  EXPECT_EQ(flatmin::depth_trace_lower_bound<double>(A, vec({-2, 3}), 2), 160.0);
  EXPECT_THROW(flatmin::depth_penalty<double>(A, vec({1, 1}), 1), InvalidArgument);
  EXPECT_THROW(flatmin::weighted_lq_penalty<double>(vec({1, -1}), vec({1, 1}), 1.0),
               InvalidArgument);
  EXPECT_THROW(flatmin::weighted_lq_penalty<double>(vec({1, 1}), vec({1, 1}), 0.0),
               InvalidArgument);
  EXPECT_THROW(flatmin::weighted_lq_penalty<double>(vec({1}), vec({1, 1}), 1.0), InvalidArgument);
  EXPECT_THROW(flatmin::hadamard_weights<double>(Mat<double>(0, 2)), InvalidArgument);
  // 0^q = 0 and q = 2 without pow
  EXPECT_EQ(flatmin::weighted_lq_penalty<double>(vec({2, 3}), vec({0, -3}), 2.0), 27.0);
}

// Balanced factors carry the sign on the first factor and multiply back to x.
TEST(Depth, BalancedFactors) {
  const Vec<double> x = vec({-4, 9, 0});
  const HadamardFactors<double> v = flatmin::balanced_hadamard_factors<double>(x, 2);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[0], vec({-2, 3, 0}));
  EXPECT_EQ(v[1], vec({2, 3, 0}));
  const HadamardFactors<double> w = flatmin::balanced_hadamard_factors<double>(vec({-8, 27}), 3);
  EXPECT_NEAR(w[0](0), -2.0, 1e-15);
  EXPECT_NEAR(w[2](1), 3.0, 1e-15);
  EXPECT_TRUE(flatmin::hadamard_product(w).isApprox(vec({-8, 27}), 1e-15));
  EXPECT_THROW(flatmin::balanced_hadamard_factors<double>(x, 0), InvalidArgument);
}

// n = m = 1, A = [a]: f = (a v1 v2 - b)^2, tr = 2 a^2 (v2^2 + v1^2) at every v (also off the
// solution set, since each coordinate line is a quadratic with a residual-free curvature).
TEST(Depth, ScalarTraceByHand) {
  const Mat<double> A = Mat<double>::Constant(1, 1, 3.0);
  const HadamardFactors<double> v{vec({2}), vec({-1})};
  for (double b : {-6.0, 0.0, 5.0}) {
    EXPECT_EQ(flatmin::hadamard_trace_definition<double>(A, vec({b}), v), 2 * 9.0 * (1 + 4));
  }
  EXPECT_EQ(flatmin::hadamard_trace_closed<double>(A, v), 90.0);
  // AM-GM: 2k D^2 |x| = 4 * 9 * 2 = 72 <= 90, attained at (sqrt 2, sqrt 2).
  EXPECT_EQ(flatmin::depth_trace_lower_bound<double>(A, vec({-2}), 2), 72.0);
  const HadamardFactors<double> vb = flatmin::balanced_hadamard_factors<double>(vec({-2}), 2);
  EXPECT_NEAR(flatmin::hadamard_trace_definition<double>(A, vec({-6}), vb), 72.0, 1e-12);
}

TEST(Depth, CompleteFactorsAndSparseVector) {
  const HadamardFactors<double> v =
      flatmin::complete_hadamard_factors<double>(vec({6, 0}), {vec({2, 5}), vec({-1, 1})});
  EXPECT_EQ(v[0], vec({-3, 0}));
  EXPECT_THROW(flatmin::complete_hadamard_factors<double>(vec({6, 1}), {vec({0, 5})}),
               InvalidArgument);
  flatmin::Rng rng(3);
  for (int t = 0; t < 20; ++t) {
    const Vec<double> x = flatmin::sparse_vector(rng, 7, t % 8);
    EXPECT_EQ((x.array() != 0).count(), t % 8);
  }
  EXPECT_THROW(flatmin::sparse_vector(rng, 3, 4), InvalidArgument);
}
}  // namespace
