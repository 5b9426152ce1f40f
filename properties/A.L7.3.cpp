// A Lemma 7.3, corrected: X = U1U1^T - U2U2^T with U_i in R^{d x k_i} exists iff X has at most
// k1 positive and k2 negative eigenvalues (printed: "non-negative" / "non-positive", which fails
// as soon as X has zero eigenvalues: X = 0 decomposes for every k1, k2). Both directions:
// random (U1, U2) give an X within the counts, and a random X of inertia (p, q) is decomposed by
// sym_factors exactly when p <= k1, q <= k2 (reconstruction to eps), refused otherwise.
// Negative control: the printed non-strict counts.
#include "flatmin/objective.hpp"
#include "property.hpp"

FLATMIN_ROW_PROPERTIES(A_L7_3, "A.L7.3")

namespace {
using flatmin::props::message_of;
using Md = flatmin::Mat<double>;
}  // namespace

// diag(3, -2, 0): inertia (1, 1); decomposes for k1, k2 >= 1, refused with a message naming the
// counts when k2 = 0.
TEST(A_L7_3, HandComputedInertia) {
  Md X = Md::Zero(3, 3);
  X(0, 0) = 3;
  X(1, 1) = -2;
  const auto in = flatmin::inertia<double>(X, 1e-12);
  EXPECT_EQ(in.positive, 1);
  EXPECT_EQ(in.negative, 1);
  const auto f = flatmin::sym_factors<double>(X, 1, 1);
  EXPECT_LT((f.U1 * f.U1.transpose() - f.U2 * f.U2.transpose() - X).norm(), 1e-14);
  const std::string msg = message_of([&] { flatmin::sym_factors<double>(X, 2, 0); });
  EXPECT_NE(msg.find("1 positive and 1 negative"), std::string::npos) << msg;
  EXPECT_NE(msg.find("k2 = 0"), std::string::npos) << msg;
}

// The printed statement is false on X = 0: 3 non-negative eigenvalues, yet X = 0 0^T - 0 0^T.
TEST(A_L7_3, ZeroMatrixDecomposesWithAnyWidths) {
  const Md X = Md::Zero(3, 3);
  const auto f = flatmin::sym_factors<double>(X, 0, 0);
  EXPECT_EQ(f.U1.rows(), 3);
  EXPECT_EQ(f.U1.cols(), 0);
  EXPECT_EQ(f.U2.cols(), 0);
  const auto g = flatmin::sym_factors<double>(X, 1, 2);
  EXPECT_EQ(g.U1.norm(), 0.0);
  EXPECT_EQ(g.U2.norm(), 0.0);
}

TEST(A_L7_3, BadInputThrows) {
  Md N(2, 2);
  N << 1, 2, 0, 1;
  EXPECT_NE(message_of([&] { flatmin::sym_factors<double>(N, 2, 2); }).find("symmetric"),
            std::string::npos);
  EXPECT_NE(message_of([&] { flatmin::sym_factors<double>(Md::Ones(2, 3), 2, 2); }).find("square"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              flatmin::sym_factors<double>(Md::Identity(2, 2), -1, 2);
            }).find("non-negative"),
            std::string::npos);
  Md Nan = Md::Identity(2, 2);
  Nan(0, 0) = std::numeric_limits<double>::infinity();
  EXPECT_NE(message_of([&] { flatmin::sym_factors<double>(Nan, 2, 2); }).find("not finite"),
            std::string::npos);
  EXPECT_THROW(flatmin::inertia<double>(Md::Ones(2, 3), 0.0), flatmin::InvalidArgument);
  EXPECT_THROW(flatmin::inertia<double>(Md::Identity(2, 2), -1.0), flatmin::InvalidArgument);
}
