// The other convex programs' verdicts do not depend on the scale of their data either (the issue
// "no false verdict at any data scale"; test_solver_scale.cpp does the same for solve and
// certify): the noisy nuclear-norm program (solve_noisy), the weighted l_q program of the depth
// study (solve_weighted_lq, q = 1 and q = 4/3) and robust PCA (solve_rpca, certify_rpca).
//   - powers of two 2^k, k in [-498, 498]: the same status and the same bits (the solution scaled
//     exactly, the dual vector as the program's homogeneity says);
//   - any real factor in [1e-150, 1e150]: the same status, the same relative error to the truth
//     (to 1e-9) where the solution is unique, the same certificate verdict.
// Negative control: the programs before their scale-free form fail every test here (their
// tolerances were relative to max(1, ||b||), max(1, f(x)) and max(1, tau): tiny data were
// `solved` at a meaningless point, huge data were not solved).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "flatmin/depth.hpp"
#include "flatmin/linalg.hpp"
#include "flatmin/programs.hpp"
#include "flatmin/rng.hpp"
#include "flatmin/rpca.hpp"
#include "flatmin/rpca_solver.hpp"
#include "flatmin/solver.hpp"
#include "cases.hpp"

using namespace flatmin;

namespace {

// exponents k with 2^k spread over [1e-150, 1e150] (2^498 ~ 1e150)
std::vector<int> exponents(Rng& rng, int n) {
  std::vector<int> k;
  for (int i = 0; i < n; ++i) k.push_back(int(std::floor(rng.uniform() * 997.0)) - 498);
  return k;
}
double log_uniform_factor(Rng& rng) { return std::pow(10.0, 300.0 * rng.uniform() - 150.0); }

// ---- noisy nuclear norm ----------------------------------------------------------------------

struct NoisyCase {
  SensingMap<double> A = SensingMap<double>::identity(1, 1);
  Mat<double> M;
  Vec<double> b;
  double eps = 0;
};

// b = A(M) + a perturbation of norm eps exactly (as the A-noise figure draws it)
NoisyCase make_noisy(const std::string& family, Index d, Index m, double eps, std::uint64_t seed) {
  Rng rng(seed);
  NoisyCase c;
  c.M = assemble<double>(random_low_rank(rng, d, d, 1));
  if (family == "gaussian") c.A = gaussian_map(rng, d, d, m);
  if (family == "bilinear") c.A = bilinear_map(rng, d, d, m);
  if (family == "completion") c.A = completion_map(rng, d, d, double(m) / double(d * d));
  const Vec<double> z = rng.normal_vector(c.A.m());
  c.b = c.A.apply(c.M) + eps * z / z.norm();
  c.eps = eps;
  return c;
}

using test_cases::scaled;

struct NoisyFamily {
  std::string name;
  Index d, m;
  double eps;
};
const std::vector<NoisyFamily> kNoisy = {{"gaussian", 6, 40, 1e-3}, {"gaussian", 6, 40, 1e-6},
                                         {"bilinear", 6, 40, 1e-3}, {"completion", 6, 30, 1e-3}};

std::string trace(const std::string& what, const std::string& message) { return what + ": " + message; }

// ---- weighted l_q ----------------------------------------------------------------------------

using test_cases::LqCase;
using test_cases::make_lq;
// (m, n, s): recovered and not
const std::vector<std::vector<Index>> kLq = {{20, 40, 3}, {8, 40, 6}};

double lq_rel_error(const LqResult<double>& r, const Vec<double>& x0) {
  return r.x.size() ? (r.x - x0).norm() / x0.norm() : -1;
}

// ---- robust PCA ------------------------------------------------------------------------------

struct RpcaCase {
  Mat<double> M, Sn, Y;
  double tau = 0;
};
RpcaCase make_rpca(Index d, Index r, Index per_line, double p, std::uint64_t seed) {
  Rng rng(seed);
  RpcaCase c;
  c.M = assemble<double>(random_low_rank(rng, d, d, r));
  c.Sn = sparse_corruption(rng, d, d, per_line, p, 1.0);
  c.Y = c.M + c.Sn;
  c.tau = l1_norm<double>(c.Sn);
  return c;
}
// (d, r, per line, p): recovered and not
const std::vector<std::pair<std::vector<Index>, double>> kRpca = {{{10, 1, 10}, 0.08},
                                                                   {{10, 3, 10}, 0.24}};

}  // namespace

TEST(ProgramsScale, NoisyPowersOfTwoChangeNoBit) {
  Rng rng(1207);
  for (const NoisyFamily& f : kNoisy)
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
      const NoisyCase c = make_noisy(f.name, f.d, f.m, f.eps, seed);
      const SolveResult<double> base = solve_noisy<double>(c.A, c.b, c.eps);
      for (const int k : exponents(rng, 3)) {
        SCOPED_TRACE(trace(f.name + " eps=" + std::to_string(f.eps) + " seed " +
                               std::to_string(seed) + " k=" + std::to_string(k), base.message));
        const double s = std::ldexp(1.0, k);
        // A, b and eps times 2^k: the same X, y times 2^-k
        const SolveResult<double> ra = solve_noisy<double>(scaled(c.A, s), Vec<double>(c.b * s), c.eps * s);
        EXPECT_EQ(ra.status, base.status) << ra.message;
        EXPECT_EQ(ra.rank, base.rank);
        EXPECT_TRUE(ra.X == base.X);
        EXPECT_TRUE(ra.y == Vec<double>(base.y / s));
        // M, b and eps times 2^k: X times 2^k, the same y
        const SolveResult<double> rb = solve_noisy<double>(c.A, Vec<double>(c.b * s), c.eps * s);
        EXPECT_EQ(rb.status, base.status) << rb.message;
        EXPECT_TRUE(rb.X == Mat<double>(base.X * s));
        EXPECT_TRUE(rb.y == base.y);
      }
    }
}

TEST(ProgramsScale, NoisyAnyFactorKeepsStatusAndValue) {
  Rng rng(8);
  for (const NoisyFamily& f : kNoisy)
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
      const NoisyCase c = make_noisy(f.name, f.d, f.m, f.eps, seed);
      const SolveResult<double> base = solve_noisy<double>(c.A, c.b, c.eps);
      ASSERT_EQ(base.status, SolveStatus::solved) << base.message;
      const double v0 = nuclear_norm<double>(base.X);
      for (int t = 0; t < 3; ++t) {
        const double alpha = log_uniform_factor(rng), beta = log_uniform_factor(rng);
        SCOPED_TRACE(trace(f.name + " seed " + std::to_string(seed) + " log10 alpha=" +
                               std::to_string(std::log10(alpha)) + " log10 beta=" +
                               std::to_string(std::log10(beta)), base.message));
        // the same feasible set: the same optimal value
        const SolveResult<double> ra =
            solve_noisy<double>(scaled(c.A, alpha), Vec<double>(c.b * alpha), c.eps * alpha);
        EXPECT_EQ(ra.status, SolveStatus::solved) << ra.message;
        if (ra.status == SolveStatus::solved) {
          EXPECT_NEAR(nuclear_norm<double>(ra.X) / v0, 1.0, 1e-9);
        }
        // b and eps times beta: the optimal value times beta
        const SolveResult<double> rb = solve_noisy<double>(c.A, Vec<double>(c.b * beta), c.eps * beta);
        EXPECT_EQ(rb.status, SolveStatus::solved) << rb.message;
        if (rb.status == SolveStatus::solved) {
          EXPECT_NEAR(nuclear_norm<double>(rb.X) / beta / v0, 1.0, 1e-9);
        }
      }
    }
}

TEST(ProgramsScale, WeightedLqPowersOfTwoChangeNoBit) {
  Rng rng(1208);
  for (const std::vector<Index>& sz : kLq)
    for (const int k_depth : {2, 3}) {  // q = 1 and q = 4/3
      const double q = depth_exponent<double>(k_depth);
      for (std::uint64_t seed = 1; seed <= 2; ++seed) {
        const LqCase c = make_lq(sz[0], sz[1], sz[2], seed);
        const LqResult<double> base = solve_weighted_lq<double>(c.A, c.b, c.w, q);
        for (const int k : exponents(rng, 3)) {
          SCOPED_TRACE(trace("m=" + std::to_string(sz[0]) + " q=" + std::to_string(q) + " seed " +
                                 std::to_string(seed) + " k=" + std::to_string(k), base.message));
          const double s = std::ldexp(1.0, k);
          // A and b times 2^k: the same x, y times 2^-k
          const LqResult<double> ra = solve_weighted_lq<double>(Mat<double>(c.A * s), Vec<double>(c.b * s), c.w, q);
          EXPECT_EQ(ra.status, base.status) << ra.message;
          EXPECT_TRUE(ra.x == base.x);
          EXPECT_TRUE(ra.y == Vec<double>(base.y / s));
          // the weights times 2^k: the same x, y times 2^k
          const LqResult<double> rw = solve_weighted_lq<double>(c.A, c.b, Vec<double>(c.w * s), q);
          EXPECT_EQ(rw.status, base.status) << rw.message;
          EXPECT_TRUE(rw.x == base.x);
          EXPECT_TRUE(rw.y == Vec<double>(base.y * s));
          // b times 2^k: x times 2^k; y times 2^((q-1) k) (exactly for q = 1)
          const LqResult<double> rb = solve_weighted_lq<double>(c.A, Vec<double>(c.b * s), c.w, q);
          EXPECT_EQ(rb.status, base.status) << rb.message;
          EXPECT_TRUE(rb.x == Vec<double>(base.x * s));
          if (q == 1.0) {
            EXPECT_TRUE(rb.y == base.y);
          } else {
            const double f = std::pow(2.0, (q - 1) * k);
            EXPECT_LE((rb.y - base.y * f).norm(), 1e-14 * (base.y * f).norm());
          }
        }
      }
    }
}

TEST(ProgramsScale, WeightedLqAnyFactorKeepsStatusAndError) {
  Rng rng(9);
  for (const std::vector<Index>& sz : kLq)
    for (const int k_depth : {2, 3}) {
      const double q = depth_exponent<double>(k_depth);
      for (std::uint64_t seed = 1; seed <= 2; ++seed) {
        const LqCase c = make_lq(sz[0], sz[1], sz[2], seed);
        const LqResult<double> base = solve_weighted_lq<double>(c.A, c.b, c.w, q);
        const bool solved = base.status == SolveStatus::solved;
        // q > 1: f strictly convex, the minimiser unique; q = 1: unique where recovered
        const double e0 = lq_rel_error(base, c.x0);
        const bool unique = solved && (q > 1 || e0 < 1e-9);
        for (int t = 0; t < 3; ++t) {
          // A and b times alpha, the truth (and b) times beta, the weights times gamma, one at a
          // time (together their product could leave the range of f)
          const double alpha = log_uniform_factor(rng), beta = log_uniform_factor(rng),
                       gamma = log_uniform_factor(rng);
          SCOPED_TRACE(trace("m=" + std::to_string(sz[0]) + " q=" + std::to_string(q) + " seed " +
                                 std::to_string(seed) + " log10 alpha, beta, gamma = " +
                                 std::to_string(std::log10(alpha)) + ", " +
                                 std::to_string(std::log10(beta)) + ", " +
                                 std::to_string(std::log10(gamma)), base.message));
          const Vec<double> xb = c.x0 * beta;
          const LqResult<double> ra =
              solve_weighted_lq<double>(Mat<double>(c.A * alpha), Vec<double>(c.A * c.x0 * alpha), c.w, q);
          const LqResult<double> rb = solve_weighted_lq<double>(c.A, Vec<double>(c.A * xb), c.w, q);
          const LqResult<double> rg = solve_weighted_lq<double>(c.A, c.b, Vec<double>(c.w * gamma), q);
          EXPECT_EQ(ra.status, base.status) << ra.message;
          EXPECT_EQ(rb.status, base.status) << rb.message;
          EXPECT_EQ(rg.status, base.status) << rg.message;
          if (unique) {
            EXPECT_NEAR(lq_rel_error(ra, c.x0), e0, 1e-9) << ra.message;
            EXPECT_NEAR(lq_rel_error(rb, xb), e0, 1e-9) << rb.message;
            EXPECT_NEAR(lq_rel_error(rg, c.x0), e0, 1e-9) << rg.message;
          }
          // the optimal value: f unchanged by alpha, times beta^q, times gamma
          if (solved && ra.status == SolveStatus::solved) {
            EXPECT_NEAR(ra.objective / base.objective, 1.0, 1e-9);
          }
          if (solved && rb.status == SolveStatus::solved) {
            EXPECT_NEAR(rb.objective / std::pow(beta, q) / base.objective, 1.0, 1e-9);
          }
          if (solved && rg.status == SolveStatus::solved) {
            EXPECT_NEAR(rg.objective / gamma / base.objective, 1.0, 1e-9);
          }
        }
      }
    }
}

TEST(ProgramsScale, RpcaPowersOfTwoChangeNoBit) {
  Rng rng(1209);
  for (const auto& [sz, p] : kRpca)
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
      const RpcaCase c = make_rpca(sz[0], sz[1], sz[2], p, seed);
      const RpcaResult<double> base = solve_rpca<double>(c.Y, c.tau);
      for (const int k : exponents(rng, 3)) {
        SCOPED_TRACE(trace("rank " + std::to_string(sz[1]) + " p=" + std::to_string(p) + " seed " +
                               std::to_string(seed) + " k=" + std::to_string(k), base.message));
        const double s = std::ldexp(1.0, k);
        // Y and tau times 2^k: X times 2^k, the same W
        const RpcaResult<double> r = solve_rpca<double>(Mat<double>(c.Y * s), c.tau * s);
        EXPECT_EQ(r.status, base.status) << r.message;
        EXPECT_EQ(r.rank, base.rank);
        EXPECT_TRUE(r.X == Mat<double>(base.X * s));
        EXPECT_TRUE(r.W == base.W);
      }
    }
}

TEST(ProgramsScale, RpcaAnyFactorKeepsStatusErrorAndVerdict) {
  Rng rng(10);
  for (const auto& [sz, p] : kRpca)
    for (std::uint64_t seed = 1; seed <= 2; ++seed) {
      const RpcaCase c = make_rpca(sz[0], sz[1], sz[2], p, seed);
      const RpcaResult<double> base = solve_rpca<double>(c.Y, c.tau);
      const RpcaCertificate cert0 = certify_rpca<double>(c.M, c.Sn);
      const double e0 = base.X.size() ? (base.X - c.M).norm() / c.M.norm() : -1;
      for (int t = 0; t < 3; ++t) {
        const double beta = log_uniform_factor(rng);
        SCOPED_TRACE(trace("rank " + std::to_string(sz[1]) + " p=" + std::to_string(p) + " seed " +
                               std::to_string(seed) + " log10 beta=" + std::to_string(std::log10(beta)),
                           base.message));
        const Mat<double> Mb = c.M * beta, Sb = c.Sn * beta;
        const RpcaResult<double> r = solve_rpca<double>(Mat<double>(Mb + Sb), l1_norm<double>(Sb));
        EXPECT_EQ(r.status, base.status) << r.message;
        if (cert0.verdict == Verdict::certified && r.X.size()) {
          EXPECT_NEAR((r.X - Mb).norm() / Mb.norm(), e0, 1e-9) << r.message;
        }
        const RpcaCertificate cb = certify_rpca<double>(Mb, Sb);
        EXPECT_EQ(cb.verdict, cert0.verdict);
        EXPECT_NEAR(cb.margin_op, cert0.margin_op, 1e-6);
        EXPECT_NEAR(cb.margin_inf, cert0.margin_inf, 1e-6);
      }
    }
}

// A tiny noisy instance (A and b times 1e-100, the truth of unit size): before the scale-free
// form its tolerances were absolute there (max(1, ||b||) = 1).
TEST(ProgramsScale, TinyNoisyDataAreSolvedToTheirOwnScale) {
  const NoisyCase c = make_noisy("gaussian", 6, 40, 1e-3, 3);
  const SolveResult<double> base = solve_noisy<double>(c.A, c.b, c.eps);
  ASSERT_EQ(base.status, SolveStatus::solved) << base.message;
  const SolveResult<double> r = solve_noisy<double>(c.A, Vec<double>(c.b * 1e-100), c.eps * 1e-100);
  ASSERT_EQ(r.status, SolveStatus::solved) << r.message;
  EXPECT_NEAR((r.X * 1e100 - base.X).norm() / base.X.norm(), 0.0, 1e-9);
}

// Beyond 1e150: b (and eps, tau) times 2^-700 and 2^700, where ||b||^2 under- or overflows in
// double. Before the norms of the scale-free form were computed without scaling, b ~ 1e-211 had
// "norm" 0 (the noisy program returned X = 0 as `solved`) and b ~ 1e211 an infinite one.
TEST(ProgramsScale, NormsOfExtremeDataDoNotUnderOrOverflow) {
  for (const int k : {-700, 700}) {
    SCOPED_TRACE("k=" + std::to_string(k));
    const double s = std::ldexp(1.0, k);
    const NoisyCase c = make_noisy("gaussian", 6, 40, 1e-3, 3);
    for (const Method method : {Method::nuclear, Method::flat}) {
      const Vec<double> b = c.A.apply(c.M);
      const SolveResult<double> base = solve<double>(method, c.A, b);
      const SolveResult<double> r = solve<double>(method, c.A, Vec<double>(b * s));
      EXPECT_EQ(r.status, base.status) << r.message;
      EXPECT_TRUE(r.X == Mat<double>(base.X * s)) << method_name(method);
    }
    const SolveResult<double> nb = solve_noisy<double>(c.A, c.b, c.eps);
    const SolveResult<double> nr = solve_noisy<double>(c.A, Vec<double>(c.b * s), c.eps * s);
    EXPECT_EQ(nr.status, nb.status) << nr.message;
    EXPECT_TRUE(nr.X == Mat<double>(nb.X * s));
    const LqCase l = make_lq(20, 40, 3, 1);
    const LqResult<double> lb = solve_weighted_lq<double>(l.A, l.b, l.w, 1.0);
    const LqResult<double> lr = solve_weighted_lq<double>(l.A, Vec<double>(l.b * s), l.w, 1.0);
    EXPECT_EQ(lr.status, lb.status) << lr.message;
    EXPECT_TRUE(lr.x == Vec<double>(lb.x * s));
    const RpcaCase p = make_rpca(10, 1, 10, 0.08, 1);
    const RpcaResult<double> pb = solve_rpca<double>(p.Y, p.tau);
    const RpcaResult<double> pr = solve_rpca<double>(Mat<double>(p.Y * s), p.tau * s);
    EXPECT_EQ(pr.status, pb.status) << pr.message;
    EXPECT_TRUE(pr.X == Mat<double>(pb.X * s));
  }
}
