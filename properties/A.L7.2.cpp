// A Lemma 7.2 with (64) corrected: on the solution set D^2 f[V1, V2] =
// (2/m)||A(U1V1^T + V1U1^T - U2V2^T - V2U2^T)||^2, and the trace by its definition (coordinate
// second derivatives of the loss (60)) equals 8d(||DU1||^2 + ||DU2||^2), not the printed 4d: the
// step (66) writes 2 sum <A_l, U1 e_j e_i^T>^2 where the symmetry of A_l gives 4. Off the solution
// set the trace gains (4/m)(k1 - k2)<A(U1U1^T - U2U2^T) - b, A(I)>.
// Negative control: the printed constant 4d.
#include "flatmin/objective.hpp"
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_L7_2, "A.L7.2")

namespace {
using Md = flatmin::Mat<double>;
using Vd = flatmin::Vec<double>;
}  // namespace

// By hand: d = m = k1 = 1, k2 = 0, x = 1 (A_1 = 1, D = 1): f(u) = (u^2 - b)^2,
// f''(u) = 12u^2 - 4b, which on the solution set u^2 = b is 8u^2 = 8d||DU1||^2 (printed: 4u^2).
TEST(A_L7_2, HandComputedScalarCase) {
  Md x(1, 1);
  x << 1;
  const auto A = flatmin::SensingMap<double>::from_quadratic(x);
  Md U1(1, 1), U2(1, 0), D(1, 1);
  U1 << 1.5;
  D << 1;
  Vd b(1);
  b << 2.25;
  EXPECT_NEAR(flatmin::sym_trace_definition<double>(A, b, U1, U2), 18.0, 1e-12);
  EXPECT_DOUBLE_EQ(flatmin::sym_trace_closed<double>(A, D, U1, U2), 18.0);
  EXPECT_DOUBLE_EQ(flatmin::rescaling(A).D1(0, 0), 1.0);
}

// Same with one negative unit: f(u1, u2) = (u1^2 - u2^2 - b)^2 has f_{u1u1} + f_{u2u2} =
// 8(u1^2 + u2^2) on u1^2 - u2^2 = b (the t^2 terms cancel when k1 = k2).
TEST(A_L7_2, HandComputedHyperbolicCase) {
  Md x(1, 1);
  x << 1;
  const auto A = flatmin::SensingMap<double>::from_quadratic(x);
  Md U1(1, 1), U2(1, 1), D = Md::Identity(1, 1);
  U1 << 2;
  U2 << 1;
  Vd b(1);
  b << 3;
  EXPECT_NEAR(flatmin::sym_trace_definition<double>(A, b, U1, U2), 40.0, 1e-12);
  EXPECT_DOUBLE_EQ(flatmin::sym_trace_closed<double>(A, D, U1, U2), 40.0);
}

TEST(A_L7_2, BadInputThrows) {
  Md x = Md::Ones(3, 2);
  const auto A = flatmin::SensingMap<double>::from_quadratic(x);
  EXPECT_THROW(
      flatmin::sym_trace_closed<double>(A, Md::Identity(3, 3), Md::Ones(2, 1), Md::Ones(2, 1)),
      flatmin::InvalidArgument);
  EXPECT_THROW(
      flatmin::sym_trace_closed<double>(A, Md::Identity(2, 2), Md::Ones(3, 1), Md::Ones(2, 1)),
      flatmin::InvalidArgument);
  EXPECT_THROW(
      flatmin::sym_trace_definition<double>(A, Vd::Ones(2), Md::Ones(2, 1), Md::Ones(2, 1)),
      flatmin::InvalidArgument);
}
