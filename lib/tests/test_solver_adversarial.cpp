// Every verdict of the solver re-derived independently, in 50-digit arithmetic, on a generated
// adversarial set: duplicated and inconsistent rows, b = 0, m = 1, rank near d, near-singular
// D1 / D2, badly scaled rows, badly scaled entries, in every family and with both methods.
//   solved:     X is feasible and y, scaled to ||A^* y||_op <= 1 exactly, closes the duality gap,
//               each to twice the solver's tolerance (weak duality: then ||X||_* exceeds the
//               optimum by at most that much), in the scale-free program's norms (solver.hpp,
//               "Scale"); for the flat method on the rescaled program A(D1^-1 . D2^-1) with the
//               D1, D2 the solver formed, X_flat = D1 X D2.
//   infeasible: y is a Farkas vector re-checked in mp50 (<b, y> > 0, every solution is far out:
//               <b, y> / ||A^* y|| >= 1e6 ||X_ls||), the exact data are inconsistent, and the
//               instance is one built inconsistent.
// The checker shares nothing with the solver but the map's arithmetic and its documented row
// exponents; its own negative control feeds it doctored answers.
#include <gtest/gtest.h>

#include <Eigen/QR>

#include <cmath>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "flatmin/linalg.hpp"
#include "flatmin/rng.hpp"
#include "flatmin/solver.hpp"

using namespace flatmin;

namespace {

using P = mp50;

struct Instance {
  std::string cls;
  SensingMap<double> A;
  Vec<double> b;
  bool consistent = true;  // built with b = A(M) exactly (or b = 0)
};

// The scale-free form's row weights 2^-e_i and b's exponent, as solver.hpp defines them.
struct Weights {
  Vec<P> w;
  int ex = 0;
};
Weights weights(const SensingMap<double>& A, const Vec<double>& b) {
  const std::vector<int> e = A.row_exponents();
  Weights W;
  W.w = Vec<P>(A.m());
  double a2 = 0, b2 = 0;  // ||A'||_F^2, ||b'||^2 of the equilibrated rows
  for (Index i = 0; i < A.m(); ++i) {
    const double wi = std::ldexp(1.0, -e[std::size_t(i)]);
    W.w(i) = P(wi);
    a2 += (A.matrix(i) * wi).squaredNorm();
    b2 += (b(i) * wi) * (b(i) * wi);
  }
  // 2^ex: the estimate ||b'|| sqrt(d1 d2) / ||A'||_F of ||X|| brought to [1, 2)
  if (b2 > 0 && a2 > 0) {
    std::frexp(std::sqrt(b2) * std::sqrt(double(A.d1()) * double(A.d2()) / a2), &W.ex);
    W.ex -= 1;
  }
  return W;
}

struct Finding {
  bool ok = true;
  std::string why;
  void fail(const std::string& w) {
    ok = false;
    why += w + "; ";
  }
};

// Weak duality for min ||X||_* s.t. B(X) = b at (X, y) in mp50, in the scale-free norms.
Finding check_optimal(const SensingMap<double>& B, const Vec<double>& b, const Mat<P>& X,
                      const Vec<double>& y, double tol, double map_back_error) {
  Finding v;
  const Weights W = weights(B, b);
  const SensingMap<P> Bp = B.cast<P>();
  const Vec<P> bp = b.cast<P>();
  const P scale = P(std::ldexp(1.0, -W.ex));  // X' = 2^-ex X, b' = 2^-ex W b
  const Vec<P> wb = W.w.cwiseProduct(bp) * scale;
  const P primal = P(W.w.cwiseProduct(Vec<P>(Bp.apply(X) - bp)).norm()) * scale /
                   std::max<P>(P(1), P(wb.norm()));
  if (!(to_double(primal) <= 2 * tol + map_back_error))
    v.fail("primal residual " + std::to_string(to_double(primal)));
  const Mat<P> Y = Bp.adjoint(y.cast<P>());
  const P ynorm = operator_norm<P>(Y);
  const P yscale = std::max<P>(P(1), ynorm);
  // <b', y'> with y'_i = 2^e_i y_i: = 2^-ex <b, y>
  const P dual_value = P(bp.dot(y.cast<P>())) * scale / yscale;
  const P nuc = nuclear_norm<P>(Mat<P>(X * scale));
  const P gap = (nuc - dual_value) / std::max<P>(P(1), nuc);
  if (!(to_double(gap) <= 2 * tol + map_back_error) || !(to_double(gap) >= -2 * tol - map_back_error))
    v.fail("gap " + std::to_string(to_double(gap)) + " (||A^* y||_op = " +
           std::to_string(to_double(ynorm)) + ")");
  return v;
}

// Farkas, re-derived in mp50: <b, y> > 0, the exact data are inconsistent (the mp50 least-squares
// residual of the dense system is far from zero), and every solution is far out: <b, y> /
// ||A^* y||_F >= 1e6 ||X_ls||_F (the solver claims 1e8 from its double evaluation).
Finding check_farkas(const SensingMap<double>& A, const Vec<double>& b, const Vec<double>& y) {
  Finding v;
  const SensingMap<P> Ap = A.cast<P>();
  const Vec<P> yp = y.cast<P>(), bp = b.cast<P>();
  const P by = bp.dot(yp), aty = Ap.adjoint(yp).norm();
  if (!(by > P(0))) v.fail("<b, y> <= 0");
  const Mat<P> D = Ap.dense();
  const Vec<P> x = D.completeOrthogonalDecomposition().solve(bp);
  const P rel = P((D * x - bp).norm()) / P(bp.norm());
  if (!(rel > P(1e-10))) v.fail("the exact system is consistent (least-squares residual " +
                                 std::to_string(to_double(rel)) + ")");
  if (!(aty == P(0) || by / aty >= P(1e6) * P(x.norm())))
    v.fail("radius " + std::to_string(to_double(P(by / aty))) + " below 1e6 ||X_ls||_F = " +
           std::to_string(to_double(P(1e6) * P(x.norm()))));
  return v;
}

std::string fam_of(const Instance& in) { return in.cls.substr(0, in.cls.find('/')); }

Finding check(const Instance& in, Method method, const SolveResult<double>& r, double tol) {
  Finding v;
  if (r.status == SolveStatus::infeasible) {
    if (in.consistent) v.fail("infeasible on a consistent instance");
    const Finding f = check_farkas(in.A, in.b, r.y);
    if (!f.ok) v.fail("Farkas: " + f.why);
    return v;
  }
  if (r.status != SolveStatus::solved) return v;  // no claim made
  if (in.b.isZero()) {
    if (!r.X.isZero() || r.rank != 0) v.fail("b = 0 but X != 0 or rank != 0");
    return v;
  }
  if (method == Method::nuclear) return check_optimal(in.A, in.b, r.X.cast<P>(), r.y, tol, 0);
  const Rescaling<double> D = rescaling(in.A);
  const Mat<double> D1i = spd_inverse<double>(D.D1, "D1"), D2i = spd_inverse<double>(D.D2, "D2");
  const SensingMap<double> B = in.A.composed(D1i, D2i);
  const Mat<P> Xf = D.D1.cast<P>() * r.X.cast<P>() * D.D2.cast<P>();
  // X = D1^-1 X_flat D2^-1 was formed in double: X_flat is recovered to eps cond(D1) cond(D2)
  const double kappa = to_double(spd_condition<double>(D.D1)) * to_double(spd_condition<double>(D.D2));
  const double back = 10 * double(in.A.d1() + in.A.d2()) * std::numeric_limits<double>::epsilon() * kappa;
  return check_optimal(B, in.b, Xf, r.y, tol, back);
}

// ---- the adversarial set ----------------------------------------------------------------------
SensingMap<double> family_map(Rng& rng, const std::string& fam, Index d, Index m) {
  if (fam == "gaussian") return gaussian_map(rng, d, d, m);
  if (fam == "bilinear") return bilinear_map(rng, d, d, m);
  if (fam == "quadratic") return quadratic_map(rng, d, m);
  return completion_map(rng, d, d, std::min(1.0, double(m) / double(d * d)));
}

Mat<double> truth(Rng& rng, const std::string& fam, Index d, Index r) {
  return fam == "quadratic" ? assemble<double>(random_symmetric_low_rank(rng, d, r, 0))
                            : assemble<double>(random_low_rank(rng, d, d, r));
}

// rows i of A times s_i (quadratic: x_i times sqrt(s_i)); entries of dense rows times t_ij
SensingMap<double> rescale_rows(const SensingMap<double>& A, const Vec<double>& s) {
  switch (A.structure()) {
    case Structure::dense:
      return SensingMap<double>::from_dense(A.d1(), A.d2(), s.asDiagonal() * A.dense_rows(), A.family());
    case Structure::rank_one:
      return SensingMap<double>::from_rank_one(A.left(), A.right(), A.weights().cwiseProduct(s), A.family());
    case Structure::quadratic:
      return SensingMap<double>::from_quadratic(s.cwiseSqrt().asDiagonal() * A.left(), A.family());
    case Structure::entries:
      return SensingMap<double>::from_entries(A.d1(), A.d2(), A.entries(), A.weights().cwiseProduct(s), A.family());
    case Structure::identity: break;
  }
  throw std::logic_error("rescale_rows");
}

// the map with rows `idx` (repeats allowed, except for completion)
SensingMap<double> take_rows(const SensingMap<double>& A, const std::vector<Index>& idx) {
  const Index n = Index(idx.size());
  switch (A.structure()) {
    case Structure::dense: {
      Mat<double> R(n, A.dense_rows().cols());
      for (Index i = 0; i < n; ++i) R.row(i) = A.dense_rows().row(idx[std::size_t(i)]);
      return SensingMap<double>::from_dense(A.d1(), A.d2(), R, A.family());
    }
    case Structure::rank_one: {
      Mat<double> a(n, A.d1()), bb(n, A.d2());
      Vec<double> w(n);
      for (Index i = 0; i < n; ++i) {
        a.row(i) = A.left().row(idx[std::size_t(i)]);
        bb.row(i) = A.right().row(idx[std::size_t(i)]);
        w(i) = A.weights()(idx[std::size_t(i)]);
      }
      return SensingMap<double>::from_rank_one(a, bb, w, A.family());
    }
    case Structure::quadratic: {
      Mat<double> x(n, A.d1());
      for (Index i = 0; i < n; ++i) x.row(i) = A.left().row(idx[std::size_t(i)]);
      return SensingMap<double>::from_quadratic(x, A.family());
    }
    case Structure::entries: {
      std::vector<std::pair<Index, Index>> e;
      Vec<double> w(n);
      for (Index i = 0; i < n; ++i) {
        e.push_back(A.entries()[std::size_t(idx[std::size_t(i)])]);
        w(i) = A.weights()(idx[std::size_t(i)]);
      }
      return SensingMap<double>::from_entries(A.d1(), A.d2(), e, w, A.family());
    }
    case Structure::identity: break;
  }
  throw std::logic_error("take_rows");
}

std::vector<Instance> adversarial_set() {
  std::vector<Instance> set;
  const std::vector<std::string> fams = {"gaussian", "bilinear", "completion", "quadratic"};
  std::uint64_t seed = 1;
  for (const std::string& fam : fams) {
    const bool compl_ = fam == "completion";
    for (int rep = 0; rep < 2; ++rep) {
      Rng rng(seed++);
      const Index d = 5, r = 1;
      const Mat<double> M = truth(rng, fam, d, r);
      const Index m = compl_ ? 18 : (fam == "quadratic" ? 16 : 20);
      const SensingMap<double> A = family_map(rng, fam, d, m);
      const auto add = [&](const std::string& cls, const SensingMap<double>& B, const Vec<double>& b,
                           bool consistent) {
        set.push_back(Instance{fam + "/" + cls, B, b, consistent});
      };
      add("plain", A, A.apply(M), true);
      add("b=0", A, Vec<double>::Zero(A.m()), true);
      add("m=1", take_rows(A, {0}), take_rows(A, {0}).apply(M), true);
      if (!compl_) {
        // duplicated rows (consistent), and a duplicate whose b disagrees (inconsistent)
        std::vector<Index> idx;
        for (Index i = 0; i < A.m(); ++i) idx.push_back(i);
        idx.push_back(0);
        idx.push_back(1);
        const SensingMap<double> Dup = take_rows(A, idx);
        const Vec<double> bd = Dup.apply(M);
        add("duplicated", Dup, bd, true);
        Vec<double> bi = bd;
        bi(Dup.m() - 1) += 0.5 * std::max(1.0, std::abs(bi(Dup.m() - 1)));
        add("inconsistent", Dup, bi, false);
      }
      // badly scaled rows: one times 1e10, one times 1e-10, b alike (exactly A(M))
      Vec<double> s = Vec<double>::Ones(A.m());
      s(0) = 1e10;
      s(A.m() - 1) = 1e-10;
      const SensingMap<double> Bad = rescale_rows(A, s);
      add("scaled-rows", Bad, Bad.apply(M), true);
      // more measurements than unknowns (Gaussian m > d^2) with one badly scaled row
      if (fam == "gaussian") {
        Rng r2(seed++);
        const SensingMap<double> G = gaussian_map(r2, 4, 4, 20);
        const Mat<double> M4 = truth(r2, fam, 4, 1);
        Vec<double> s4 = Vec<double>::Ones(20);
        s4(3) = 1e-9;
        const SensingMap<double> G4 = rescale_rows(G, s4);
        add("overdetermined-scaled-row", G4, G4.apply(M4), true);
        s4(3) = 1e9;
        const SensingMap<double> G5 = rescale_rows(G, s4);
        add("overdetermined-large-row", G5, G5.apply(M4), true);
        // badly scaled entries: every entry of A times 10^U(-6, 6)
        Mat<double> R = A.dense_rows();
        for (Index i = 0; i < R.rows(); ++i)
          for (Index j = 0; j < R.cols(); ++j) R(i, j) *= std::pow(10.0, 12 * r2.uniform() - 6);
        const SensingMap<double> E = SensingMap<double>::from_dense(d, d, R, "gaussian");
        add("scaled-entries", E, E.apply(M), true);
        // near-singular D1: the first row of every A_i times 1e-5
        Mat<double> Q = A.dense_rows();
        Q.leftCols(d) *= 1e-5;
        const SensingMap<double> N = SensingMap<double>::from_dense(d, d, Q, "gaussian");
        add("near-singular-D", N, N.apply(M), true);
      }
      // rank near d: r = d - 1 with a dense-enough map
      Rng r3(seed++);
      const Mat<double> Mh = truth(r3, fam, d, d - 1);
      const SensingMap<double> H = family_map(r3, fam, d, compl_ ? d * d : 24);
      add("rank-near-d", H, H.apply(Mh), true);
    }
  }
  return set;
}

}  // namespace

TEST(SolverAdversarial, EveryClaimSurvivesAnIndependentCheck) {
  const double tol = 1e-12;
  std::map<std::string, std::map<std::string, int>> count;  // class -> status -> count
  int claims = 0;
  for (const Instance& in : adversarial_set()) {
    for (const Method method : {Method::nuclear, Method::flat}) {
      const SolveResult<double> r = solve<double>(method, in.A, in.b);
      const std::string cls = in.cls.substr(in.cls.find('/') + 1);
      ++count[cls][status_name(r.status)];
      const Finding v = check(in, method, r, tol);
      claims += r.status == SolveStatus::solved || r.status == SolveStatus::infeasible;
      EXPECT_TRUE(v.ok) << in.cls << " " << method_name(method) << " " << status_name(r.status)
                        << ": " << v.why << " (" << r.message << ")";
      // what each class must come to
      if (cls == "b=0") {
        EXPECT_EQ(r.status, SolveStatus::solved) << in.cls;
      }
      if (cls == "inconsistent") {
        EXPECT_EQ(r.status, SolveStatus::infeasible) << in.cls << ": " << r.message;
      }
      if (in.consistent) {
        EXPECT_NE(r.status, SolveStatus::infeasible) << in.cls << ": " << r.message;
      }
      // (the flat program's D1, D2 weigh rows by their size: one row 1e9 or 1e10 times the others
      // makes them numerically singular, a legitimate d_singular, or so ill-conditioned that the
      // rescaled program's feasibility cannot be decided in double: numerical_trouble, with the
      // Farkas test's numbers in the message)
      if (cls == "overdetermined-scaled-row" || cls == "overdetermined-large-row" ||
          cls == "scaled-rows" || cls == "duplicated") {
        // (completion excepted: its small instances near the transition can end at
        // iteration_limit, scaled or not, e.g. completion/plain here)
        if (fam_of(in) != "completion" &&
            (method == Method::nuclear || !(r.status == SolveStatus::d_singular ||
                                           (cls == "overdetermined-large-row" &&
                                            r.status == SolveStatus::numerical_trouble)))) {
          EXPECT_EQ(r.status, SolveStatus::solved) << in.cls << " " << method_name(method) << ": " << r.message;
        }
      }
    }
  }
  for (const auto& [cls, by] : count) {
    std::cout << "adversarial " << cls << ":";
    for (const auto& [st, n] : by) std::cout << " " << st << "=" << n;
    std::cout << "\n";
  }
  EXPECT_GT(claims, 60);
}

// The checker's negative control: doctored answers are rejected.
TEST(SolverAdversarial, CheckerRejectsDoctoredAnswers) {
  Rng rng(5);
  const Mat<double> M = truth(rng, "gaussian", 5, 1);
  const SensingMap<double> A = gaussian_map(rng, 5, 5, 20);
  const Instance in{"gaussian/plain", A, A.apply(M), true};
  SolveResult<double> r = solve<double>(Method::nuclear, A, in.b);
  ASSERT_EQ(r.status, SolveStatus::solved);
  ASSERT_TRUE(check(in, Method::nuclear, r, 1e-12).ok);
  SolveResult<double> moved = r;
  moved.X(0, 0) += 1e-9;  // infeasible by 1e-9
  EXPECT_FALSE(check(in, Method::nuclear, moved, 1e-12).ok);
  SolveResult<double> weak = r;
  weak.y *= 0.999;  // a dual point that leaves a gap
  EXPECT_FALSE(check(in, Method::nuclear, weak, 1e-12).ok);
  SolveResult<double> claim = r;  // `infeasible` on a consistent instance
  claim.status = SolveStatus::infeasible;
  EXPECT_FALSE(check(in, Method::nuclear, claim, 1e-12).ok);
  SolveResult<double> flat = solve<double>(Method::flat, A, in.b);
  ASSERT_EQ(flat.status, SolveStatus::solved);
  ASSERT_TRUE(check(in, Method::flat, flat, 1e-12).ok);
  flat.y *= 0.999;
  EXPECT_FALSE(check(in, Method::flat, flat, 1e-12).ok);
}
