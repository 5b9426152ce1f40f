// B (7) with its constant checked, not assumed: the brute-force Hessian trace equals
//   (2/n) sum_i sum_j ||W_{j-1}..W_1 A_i^T W_L..W_{j+1}||_F^2   (deep_trace_closed).
// Correction: the paper prints (1/n) (the display before (7), "according to Lemma 2"), which
// contradicts Lemma 2's (2/n); so (7) as an induced regularizer is half the trace, the
// convention of Theorems 5 and 7 (rows B.T5, B.T7). The printed 1/n is the negative control.
// Also: bad input of deep_trace_closed / its gradient, and the gradient against differences.
#include "property.hpp"

#include <cmath>
#include <limits>

#include "flatmin/deep.hpp"

FLATMIN_ROW_PROPERTIES(B_eq7, "B.eq7")

namespace {
using flatmin::props::message_of;
using Md = flatmin::Mat<double>;
using flatmin::Layers;
}  // namespace

// L = 1 (E(W) = W_1): the formula is (2/n) sum_i ||A_i||_F^2, the Hessian of a least-squares
// problem, with no product at all: a hand check of the constant.
TEST(B_eq7, DepthOneIsLeastSquares) {
  flatmin::Rng rng(5);
  const auto A = flatmin::gaussian_map(rng, 3, 2, 4);
  const Layers<double> W{rng.normal_matrix(3, 2)};
  const double sum = A.dense().squaredNorm();
  EXPECT_NEAR(flatmin::deep_trace_closed(A, W), 2 * sum / 4, 1e-13 * sum);
  EXPECT_NEAR(flatmin::deep_trace_definition(A, A.apply(W[0]), W), 2 * sum / 4, 1e-12 * sum);
}

TEST(B_eq7, BadInputThrows) {
  flatmin::Rng rng(6);
  const auto A = flatmin::gaussian_map(rng, 2, 3, 4);  // d_L = 2, d_0 = 3
  Layers<double> W{rng.normal_matrix(4, 3), rng.normal_matrix(2, 4)};
  EXPECT_NO_THROW(flatmin::deep_trace_closed(A, W));
  Layers<double> unchained{rng.normal_matrix(4, 3), rng.normal_matrix(2, 5)};
  EXPECT_NE(message_of([&] { flatmin::deep_trace_closed(A, unchained); }).find("do not chain"),
            std::string::npos);
  Layers<double> wrong_out{rng.normal_matrix(4, 3), rng.normal_matrix(3, 4)};  // d_L = 3
  EXPECT_NE(message_of([&] { flatmin::deep_trace_closed(A, wrong_out); }).find("d_L x d_0"),
            std::string::npos);
  EXPECT_NE(message_of([&] { flatmin::deep_trace_closed_gradient(A, wrong_out); }).find("d_L x d_0"),
            std::string::npos);
  Layers<double> nan = W;
  nan[1](0, 0) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(message_of([&] { flatmin::deep_trace_closed(A, nan); }).find("W_2"), std::string::npos);
  Layers<double> empty{Md(0, 3), rng.normal_matrix(2, 0)};
  EXPECT_NE(message_of([&] { flatmin::deep_trace_closed(A, empty); }).find("empty"),
            std::string::npos);
}

// The analytic gradient of the closed form (used by the minimiser) against central differences.
TEST(B_eq7, ClosedGradientMatchesDifferences) {
  flatmin::Rng rng(7);
  const auto A = flatmin::gaussian_map(rng, 3, 2, 5);
  const Layers<double> W{rng.normal_matrix(4, 2), rng.normal_matrix(2, 4), rng.normal_matrix(3, 2)};
  const Layers<double> g = flatmin::deep_trace_closed_gradient(A, W);
  const double h = 1e-6;
  for (std::size_t j = 0; j < W.size(); ++j)
    for (flatmin::Index r = 0; r < W[j].rows(); ++r)
      for (flatmin::Index c = 0; c < W[j].cols(); ++c) {
        Layers<double> P = W, M = W;
        P[j](r, c) += h;
        M[j](r, c) -= h;
        const double fd = (flatmin::deep_trace_closed(A, P) - flatmin::deep_trace_closed(A, M)) / (2 * h);
        EXPECT_NEAR(g[j](r, c), fd, 1e-6 * (1 + std::abs(fd))) << "layer " << j + 1;
      }
}
