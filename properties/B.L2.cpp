// B Lemma 2 for the deep loss (2): at an interpolating W (E(W) = M, b = A(M)), the Hessian trace
// by its definition (exact five-point second derivatives of the loss along every coordinate of
// every layer) equals (2/n) sum_i ||grad f_i(W)||^2, every partial derivative of
// f_i(W) = <A_i, E(W)> also by its definition (f_i is affine along coordinate lines).
// Interpolating points: Lemma 4's balanced factors plus a random kernel part in W_1, moved by a
// random gauge; widths drawn in [r, k] (so d_j = rank(M) occurs), depth 2..4, all four families.
// Negative control: the constant 1/n.
// Also: bad input of the deep API (shapes that do not chain, a map of the wrong shape, labels of
// the wrong length, no measurements, non-finite entries) throws InvalidArgument naming it.
#include "property.hpp"

#include <cmath>
#include <limits>

#include "flatmin/deep.hpp"

FLATMIN_ROW_PROPERTIES(B_L2, "B.L2")

namespace {
using flatmin::props::message_of;
using Md = flatmin::Mat<double>;
using Vd = flatmin::Vec<double>;
using flatmin::Layers;


struct Fixture {
  flatmin::Rng rng{11};
  // d_0 = 3, d_1 = 2, d_2 = 4 = d_L; the map is 4 x 3 with n = 5
  Layers<double> W{rng.normal_matrix(2, 3), rng.normal_matrix(4, 2)};
  flatmin::SensingMap<double> A = flatmin::gaussian_map(rng, 4, 3, 5);
  Vd b = A.apply(W[1] * W[0]);
};
}  // namespace

TEST(B_L2, LayerShapesMustChain) {
  Fixture f;
  Layers<double> bad = f.W;
  bad[1] = Md::Ones(4, 3);  // W_2 must have d_1 = 2 columns
  const std::string msg = message_of([&] { flatmin::deep_trace_definition(f.A, f.b, bad); });
  EXPECT_NE(msg.find("do not chain"), std::string::npos) << msg;
  EXPECT_NE(msg.find("W_2"), std::string::npos) << msg;
  EXPECT_NE(message_of([&] { flatmin::deep_output_gradients_sq_definition(f.A, bad); }).find("chain"),
            std::string::npos);
  EXPECT_NE(message_of([&] { flatmin::end_to_end(bad); }).find("chain"), std::string::npos);
  EXPECT_NE(message_of([&] { flatmin::end_to_end(Layers<double>{}); }).find("no layers"),
            std::string::npos);
}

TEST(B_L2, MeasurementShapeMustBeDLxD0) {
  Fixture f;
  flatmin::Rng rng(3);
  const auto A34 = flatmin::gaussian_map(rng, 3, 4, 5);  // 3 x 4, but d_L x d_0 = 4 x 3
  const std::string msg = message_of([&] { flatmin::deep_trace_definition(A34, f.b, f.W); });
  EXPECT_NE(msg.find("measurement matrices are 3 x 4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("4 x 3"), std::string::npos) << msg;
  EXPECT_NE(message_of([&] { flatmin::deep_loss(f.A, Vd(Vd::Zero(4)), f.W); }).find("length 4"),
            std::string::npos);
  const auto A0 = flatmin::SensingMap<double>::from_dense(4, 3, Md(0, 12));
  EXPECT_NE(message_of([&] { flatmin::deep_output_gradients_sq_definition(A0, f.W); })
                .find("no measurements"),
            std::string::npos);
}

TEST(B_L2, NonFiniteDataThrows) {
  Fixture f;
  Layers<double> bad = f.W;
  bad[0](1, 2) = std::numeric_limits<double>::quiet_NaN();
  const std::string msg = message_of([&] { flatmin::deep_trace_definition(f.A, f.b, bad); });
  EXPECT_NE(msg.find("W_1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not finite"), std::string::npos) << msg;
  Vd b = f.b;
  b(0) = std::numeric_limits<double>::infinity();
  EXPECT_NE(message_of([&] { flatmin::deep_trace_definition(f.A, b, f.W); }).find("b"),
            std::string::npos);
  EXPECT_THROW(flatmin::deep_loss(f.A, b, f.W), flatmin::InvalidArgument);
}

// Off the solution set Lemma 2's hypothesis fails: the definition then also contains
// (2/n) sum_i r_i tr(Hess f_i) — zero along coordinate lines here, because f_i is affine along
// each coordinate line. So along coordinates the identity survives even off the solution set;
// we check that fact (it is what makes the brute-force trace a clean reference).
TEST(B_L2, CoordinateTraceIgnoresResidual) {
  Fixture f;
  Vd b = f.b + Vd::Ones(f.b.size());
  const double tr = flatmin::deep_trace_definition(f.A, b, f.W);
  const double g = flatmin::deep_output_gradients_sq_definition(f.A, f.W);
  EXPECT_NEAR(tr, 2 * g / 5, 1e-12 * tr);
}
