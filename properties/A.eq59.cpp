// A (57)-(60): the network output (57) u^T q(U^T x) = ||U1^T x||^2 - ||U2^T x||^2 equals
// <U1 U1^T - U2 U2^T, x x^T>, the teacher's output v^T q(U_nat^T x) equals <M, x x^T> for
// M = U_nat diag(v) U_nat^T, and so the loss (58) with y_i = y(U_nat, x_i) equals (60), b = A(M).
// Negative control: the signs u = (1, -1) of the output layer forgotten (applicable when k2 > 0).
#include "flatmin/objective.hpp"
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_eq59, "A.eq59")

namespace {
using flatmin::InvalidArgument;
using M = flatmin::Mat<double>;
using V = flatmin::Vec<double>;
using flatmin::props::message_of;
}  // namespace

// A hand-computed case: U1 = (1, 2)^T, U2 = (1, 0)^T, x = (1, 1): 9 - 1 = 8 = x^T(U1U1^T-U2U2^T)x.
TEST(A_eq59, HandComputedOutput) {
  M U1(2, 1), U2(2, 1);
  U1 << 1, 2;
  U2 << 1, 0;
  V x(2);
  x << 1, 1;
  EXPECT_EQ(flatmin::network_output<double>(U1, U2, x), 8.0);
  M X(1, 2);
  X << 1, 1;
  V y(1);
  y << 5;
  EXPECT_EQ(flatmin::network_loss<double>(U1, U2, X, y), 9.0);  // (8 - 5)^2 / 1
}

// k1 = 0 or k2 = 0 (empty blocks) are valid networks.
TEST(A_eq59, EmptyBlocks) {
  M U1(3, 0), U2(3, 2);
  U2 << 1, 0, 0, 1, 0, 0;
  V x(3);
  x << 1, 2, 3;
  EXPECT_EQ(flatmin::network_output<double>(U1, U2, x), -5.0);
}

TEST(A_eq59, BadInputThrows) {
  M U1 = M::Ones(3, 2), U2 = M::Ones(3, 1), X = M::Ones(4, 3);
  V y = V::Ones(4), x = V::Ones(2);
  EXPECT_NE(message_of([&] { flatmin::network_output<double>(U1, U2, x); }).find("rows"),
            std::string::npos);
  EXPECT_NE(
      message_of([&] { flatmin::network_loss<double>(U1, U2, X, V::Ones(3)); }).find("labels"),
      std::string::npos);
  EXPECT_NE(
      message_of([&] { flatmin::network_loss<double>(U1, U2, M(0, 3), V(0)); }).find("m >= 1"),
      std::string::npos);
  EXPECT_NE(
      message_of([&] { flatmin::network_loss<double>(M::Ones(2, 2), U2, X, y); }).find("d = 3"),
      std::string::npos);
  M Xbad = X;
  Xbad(1, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(message_of([&] { flatmin::network_loss<double>(U1, U2, Xbad, y); }).find("not finite"),
            std::string::npos);
}
