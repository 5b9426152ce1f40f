// Definitions of the weighted l_q program of flatmin/programs.hpp (min sum_i w_i |x_i|^q s.t.
// A x = b), included only by programs_lq_<type>.cpp. The formulas and the method are stated in
// the header.
#pragma once

#include "programs_common.hpp"
#include "search1d.hpp"

namespace flatmin {
namespace programs_detail {

// ---------------------------------------------------------------------------------------------
// Weighted l_q

// The system A x = b made full row rank (see the header): kept when A A^T passes
// AffineProjector's Cholesky test, otherwise (P^T A, P^T b) with P the eigenvectors of A A^T
// with eigenvalue > 1e3 m eps lambda_max. Also the minimum-norm least-squares solution.
template <class S> struct DenseSystem {
  Mat<S> A;                 // k x n, full row rank (k = m when kept)
  Vec<S> b;                 // k
  Mat<S> P;                 // m x k basis of range A (empty when kept)
  Eigen::LLT<Mat<S>> llt;   // of A A^T
  Vec<S> x_ls;              // minimum-norm least-squares solution of the original system
  S ls_residual = S(0);     // ||A0 x_ls - b0||

  DenseSystem(const Mat<S>& A0, const Vec<S>& b0) {
    const Index m = A0.rows(), n = A0.cols();
    Mat<S> G = Mat<S>::Zero(m, m);
    G.template selfadjointView<Eigen::Lower>().rankUpdate(A0);
    G = G.template selfadjointView<Eigen::Lower>();
    llt.compute(G);
    const S eps = ScalarTraits<S>::epsilon();
    bool keep = llt.info() == Eigen::Success;
    if (keep) {
      const Vec<S> d = Mat<S>(llt.matrixL()).diagonal();
      keep = d.minCoeff() * d.minCoeff() > S(1e3) * S(double(m)) * eps * d.maxCoeff() * d.maxCoeff();
    }
    if (keep) {
      A = A0;
      b = b0;
    } else {
      const SymEig<S> e = sym_eig<S>(G);
      const S top = abs_of<S>(e.lambda(m - 1));
      std::vector<Index> kept;
      for (Index i = m - 1; i >= 0; --i)
        if (e.lambda(i) > S(1e3) * S(double(m)) * eps * top && top > S(0)) kept.push_back(i);
      P.resize(m, Index(kept.size()));
      for (std::size_t c = 0; c < kept.size(); ++c) P.col(Index(c)) = e.P.col(kept[c]);
      A = P.transpose() * A0;
      b = P.transpose() * b0;
      Mat<S> Gr = Mat<S>::Zero(A.rows(), A.rows());
      Gr.template selfadjointView<Eigen::Lower>().rankUpdate(A);
      llt.compute(Mat<S>(Gr.template selfadjointView<Eigen::Lower>()));
    }
    x_ls = A.rows() ? Vec<S>(A.transpose() * solve_gram(b)) : Vec<S>(Vec<S>::Zero(n));
    ls_residual = (A0 * x_ls - b0).norm();
  }
  Vec<S> solve_gram(const Vec<S>& r) const { return llt.solve(r); }
  // projection onto {A x = b}: v + A^T (A A^T)^{-1} (b - A v)
  Vec<S> project(const Vec<S>& v) const {
    if (A.rows() == 0) return v;
    return v + A.transpose() * solve_gram(Vec<S>(b - A * v));
  }
  // a dual vector of the reduced system as one of the original (A^T lift(y) = A_r^T y)
  Vec<S> lift(const Vec<S>& y) const { return P.size() ? Vec<S>(P * y) : y; }
  Vec<S> reduce(const Vec<S>& y) const { return P.size() ? Vec<S>(P.transpose() * y) : y; }
};

template <class S> S lq_objective(const Vec<S>& w, const Vec<S>& x, const S& q, bool l1) {
  S f(0);
  for (Index j = 0; j < x.size(); ++j)
    if (x(j) != S(0)) f += w(j) * (l1 ? abs_of<S>(x(j)) : pow_s<S>(abs_of<S>(x(j)), q));
  return f;
}

// q = 1: the KKT residuals of (x, y) on the original system (see the header); true when all
// are <= tol.
template <class S>
bool l1_kkt(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w, const Vec<S>& x, const Vec<S>& y,
            double tol, LqResult<S>& res) {
  const Vec<S> s = A.transpose() * y;
  S dual(0);
  Index nnz = 0;
  for (Index j = 0; j < x.size(); ++j) {
    const S u = s(j) / w(j);
    S dj;
    if (x(j) != S(0)) {
      ++nnz;
      dj = abs_of<S>(S(u - sign_of<S>(x(j))));
    } else {
      dj = std::max<S>(S(0), S(abs_of<S>(u) - S(1)));
    }
    dual = std::max<S>(dual, dj);
  }
  const S f = lq_objective<S>(w, x, S(1), true);
  res.primal_residual = dbl(rel<S>(S((A * x - b).norm()), S(b.norm())));
  res.dual_residual = dbl(dual);
  res.gap = dbl(rel<S>(S(f - b.dot(y)), f));
  res.objective = dbl(f);
  res.support = nnz;
  return res.primal_residual <= tol && res.dual_residual <= tol && std::abs(res.gap) <= tol;
}

// The polish of q = 1 on the support `supp` (see the header); on success fills res (x, y,
// residuals) and returns true. y_hint: a dual estimate of the original system, or null.
template <class S>
bool l1_polish(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w, std::vector<Index> supp,
               const Vec<S>* y_hint, double tol, LqResult<S>& res) {
  const Index n = A.cols(), m = A.rows();
  if (supp.empty()) return false;
  Vec<S> xs;
  Mat<S> AS;
  // least squares on the support; entries at rounding level (an over-estimated support) are
  // dropped and the system re-solved once. After the second solve supp is left alone: AS, xs
  // and supp must describe the same columns below (shrinking supp there once made c shorter
  // than A_S^T's rows, an out-of-bounds solve).
  for (int pass = 0; pass < 2; ++pass) {
    AS.resize(m, Index(supp.size()));
    for (std::size_t c = 0; c < supp.size(); ++c) AS.col(Index(c)) = A.col(supp[c]);
    xs = Eigen::CompleteOrthogonalDecomposition<Mat<S>>(AS).solve(b);
    const S big = xs.cwiseAbs().maxCoeff();
    std::vector<Index> keep;
    for (std::size_t c = 0; c < supp.size(); ++c)
      if (abs_of<S>(xs(Index(c))) > S(1e3) * ScalarTraits<S>::epsilon() * big) keep.push_back(supp[c]);
    if (keep.size() == supp.size() || keep.empty() || pass == 1) break;
    supp = keep;
  }
  Vec<S> x = Vec<S>::Zero(n);
  Vec<S> c(Index(supp.size()));
  for (std::size_t k = 0; k < supp.size(); ++k) {
    x(supp[k]) = xs(Index(k));
    c(Index(k)) = w(supp[k]) * sign_of<S>(xs(Index(k)));
  }
  const Eigen::CompleteOrthogonalDecomposition<Mat<S>> codT(Mat<S>(AS.transpose()));
  LqResult<S> trial = res;
  Vec<S> y = codT.solve(c);  // minimum-norm y with A_S^T y = w_S sign(x_S)
  bool ok = l1_kkt<S>(A, b, w, x, y, tol, trial);
  if (!ok && y_hint) {  // the dual estimate, corrected by the least change onto A_S^T y = c
    y = *y_hint + codT.solve(Vec<S>(c - AS.transpose() * *y_hint));
    ok = l1_kkt<S>(A, b, w, x, y, tol, trial);
  }
  if (ok) {
    trial.x = x;
    trial.y = y;
    res = trial;
  }
  return ok;
}

// q = 1 in double: ADMM with polish (see the header), as the steps of run_admm
// (solver_common.hpp).
//   x^{k+1} = Proj_{Ax=b}(z^k - u^k)
//   z^{k+1} = soft(x^{k+1} + u^k, w / rho)          (weighted soft threshold)
//   u^{k+1} = u^k + x^{k+1} - z^{k+1}
// rho u is a subgradient of f at z; its projection onto range A^T, y = (AA^T)^{-1} A (rho u),
// scaled to max_j |a_j^T y| / w_j <= 1, is a dual-feasible estimate (hence a true gap).
template <class S> class L1Admm {
 public:
  L1Admm(const DenseSystem<S>& sys, const Mat<S>& A0, const Vec<S>& b0, const Vec<S>& w,
         const SolveOptions& o, double tol)
      : sys_(sys), A0_(A0), b0_(b0), w_(w), tol_(tol), polish_(o.polish), n_(A0.cols()),
        rho_(w.mean() / (S(0.1) * sys.x_ls.cwiseAbs().maxCoeff())), x_(sys.x_ls),
        z_(Vec<S>::Zero(n_)), u_(Vec<S>::Zero(n_)), pattern_(std::size_t(n_), 0) {}

  LqResult<S> run(int max_iterations) {
    solver_detail::run_admm(*this, res_, max_iterations);
    return res_;
  }

  // ---- the steps of the loop
  bool iterate(int) {
    x_ = sys_.project(Vec<S>(z_ - u_));
    const Vec<S> zold = z_;
    const Vec<S> v = x_ + u_;
    for (Index j = 0; j < n_; ++j) {
      const S t = w_(j) / rho_;
      z_(j) = v(j) > t ? S(v(j) - t) : (v(j) < -t ? S(v(j) + t) : S(0));
    }
    u_ += x_ - z_;
    rp_ = (x_ - z_).norm();
    dz_ = (z_ - zold).norm();
    rd_ = rho_ * dz_;
    bool same = true;
    for (Index j = 0; j < n_; ++j) {
      const signed char sj = z_(j) > S(0) ? 1 : (z_(j) < S(0) ? -1 : 0);
      if (sj != pattern_[std::size_t(j)]) same = false;
      pattern_[std::size_t(j)] = sj;
    }
    stable_ = same ? stable_ + 1 : 0;
    ++since_polish_;
    return false;
  }
  // Residual balancing on the relative residuals (as OSQP's): ||x - z|| / max(||x||, ||z||)
  // against ||rho dz|| / ||rho u||, both invariant under x, z, u -> c x, c z, c u and rho ->
  // rho / c, so that the iteration does not depend on the scale of b or w; then weak duality.
  bool balance_and_test() {
    const S xz = std::max<S>(S(x_.norm()), S(z_.norm())), un = u_.norm();
    const S rp_rel = xz > S(0) ? S(rp_ / xz) : rp_, rd_rel = un > S(0) ? S(dz_ / un) : rd_;
    solver_detail::balance_penalty(rp_rel, rd_rel, rho_, u_);
    measure();
    if (res_.primal_residual <= tol_ && std::abs(res_.gap) <= tol_) {
      res_.status = SolveStatus::solved;
      res_.message = "ADMM met the tolerance (feasibility and gap with a dual-feasible y)";
      return true;
    }
    return false;
  }
  // The polish on the sign pattern of z once stable for 8 iterations (and new), or every 60.
  bool exact_stages(int&) {
    if (!(polish_ && ((stable_ >= 8 && pattern_ != polished_) || since_polish_ >= 60)))
      return false;
    polished_ = pattern_;
    since_polish_ = 0;
    std::vector<Index> supp;
    for (Index j = 0; j < n_; ++j)
      if (pattern_[std::size_t(j)] != 0) supp.push_back(j);
    const Vec<S> y_hint = dual_estimate();
    // The pattern's support, else a basis: the k = rank A entries largest in |x_j| + |z_j|
    // (a solution of the LP at a vertex has at most k non-zeros; ADMM's pattern reaches it
    // slowly on degenerate instances, where its order is already right)
    bool ok = l1_polish<S>(A0_, b0_, w_, supp, &y_hint, tol_, res_);
    const Index k_basis = sys_.A.rows();
    if (!ok && Index(supp.size()) != k_basis && k_basis > 0 && k_basis < n_) {
      std::vector<Index> order(static_cast<std::size_t>(n_));
      for (Index j = 0; j < n_; ++j) order[std::size_t(j)] = j;
      std::stable_sort(order.begin(), order.end(), [&](Index i, Index j) {
        return abs_of<S>(x_(i)) + abs_of<S>(z_(i)) > abs_of<S>(x_(j)) + abs_of<S>(z_(j));
      });
      std::vector<Index> basis(order.begin(), order.begin() + k_basis);
      std::sort(basis.begin(), basis.end());
      ok = l1_polish<S>(A0_, b0_, w_, basis, &y_hint, tol_, res_);
    }
    if (!ok) return false;
    res_.status = SolveStatus::solved;
    res_.message = "KKT conditions verified after the polish on a support of size " +
                   std::to_string(res_.support);
    return true;
  }
  bool finite() const { return std::isfinite(dbl(rp_)) && std::isfinite(dbl(rd_)); }
  void not_finite() {}
  void budget_spent() { measure(); }

 private:
  Vec<S> dual_estimate() const {
    return sys_.lift(sys_.solve_gram(Vec<S>(sys_.A * Vec<S>(rho_ * u_))));
  }
  void measure() {
    Vec<S> y = dual_estimate();
    const Vec<S> s = A0_.transpose() * y;
    S scale(1);
    for (Index j = 0; j < n_; ++j) scale = std::max<S>(scale, S(abs_of<S>(s(j)) / w_(j)));
    y /= scale;
    const S f = lq_objective<S>(w_, x_, S(1), true);
    res_.x = x_;
    res_.y = y;
    res_.objective = dbl(f);
    res_.primal_residual = dbl(rel<S>(S((A0_ * x_ - b0_).norm()), S(b0_.norm())));
    res_.dual_residual = dbl(rel<S>(rd_, S(x_.norm())));
    res_.gap = dbl(rel<S>(S(f - b0_.dot(y)), f));
    res_.support = 0;
    for (Index j = 0; j < n_; ++j) res_.support += x_(j) != S(0);
  }

  const DenseSystem<S>& sys_;
  const Mat<S>& A0_;
  const Vec<S>& b0_;
  const Vec<S>& w_;
  const double tol_;
  const bool polish_;
  const Index n_;
  S rho_;
  Vec<S> x_, z_, u_;
  std::vector<signed char> pattern_, polished_;
  int stable_ = 0, since_polish_ = 0;
  S rp_ = S(0), rd_ = S(0), dz_ = S(0);
  LqResult<S> res_;
};

template <class S>
LqResult<S> l1_admm(const DenseSystem<S>& sys, const Mat<S>& A0, const Vec<S>& b0, const Vec<S>& w,
                    const SolveOptions& o, double tol) {
  return L1Admm<S>(sys, A0, b0, w, o, tol).run(o.max_iterations);
}

// q in (1, 2): F(y) = -d(y) at a dual vector of `A` (x(y) and the Hessian weights h too).
template <class S> struct LqDual {
  S F;
  Vec<S> x, h;
};
template <class S>
LqDual<S> lq_dual_eval(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w, const S& q,
                       const Vec<S>& y) {
  const Vec<S> s = A.transpose() * y;
  const Index n = A.cols();
  LqDual<S> e{S(0), Vec<S>(n), Vec<S>(n)};
  const S e1 = S(1) / S(q - S(1));
  for (Index j = 0; j < n; ++j) {
    const S as = abs_of<S>(s(j));
    if (as == S(0)) {
      e.x(j) = S(0);
      e.h(j) = S(0);
      continue;
    }
    const S t = as / (q * w(j));
    const S ax = pow_s<S>(t, e1);  // |x_j| = t^{1/(q-1)}
    e.x(j) = s(j) > S(0) ? ax : S(-ax);
    e.F += (q - S(1)) * w(j) * t * ax;  // w_j (q-1) t^p, p = 1 + 1/(q-1)
    e.h(j) = ax / ((q - S(1)) * as);
  }
  e.F -= b.dot(y);
  return e;
}

// Newton with backtracking on F over the reduced system, from y (reduced coordinates), at most
// `budget` steps. Verifies (primal, gap) on the original system whenever the residual is <= tol;
// fills res (x, y lifted, residuals, status, message); returns the steps taken.
template <class S>
int lq_newton(const DenseSystem<S>& sys, const Mat<S>& A0, const Vec<S>& b0, const Vec<S>& w,
              const S& q, Vec<S> y, int budget, double tol, LqResult<S>& res) {
  const Mat<S>& A = sys.A;
  const Vec<S>& b = sys.b;
  const Index k = A.rows();
  const S bscale = std::max<S>(S(1), S(b0.norm()));
  LqDual<S> e = lq_dual_eval<S>(A, b, w, q, y);
  const auto verify = [&](const LqDual<S>& ev, const Vec<S>& yy) {
    const Vec<S> x = sys.project(ev.x);
    const S f = lq_objective<S>(w, x, q, false);
    res.x = x;
    res.y = sys.lift(yy);
    res.objective = dbl(f);
    res.primal_residual = dbl(S((A0 * x - b0).norm() / bscale));
    res.dual_residual = 0;  // the dual is unconstrained
    res.gap = dbl(rel<S>(S(f + ev.F), f));  // f(x) - d(y), d = -F
    res.support = 0;
    for (Index j = 0; j < x.size(); ++j) res.support += x(j) != S(0);
    return res.primal_residual <= tol && std::abs(res.gap) <= tol;
  };
  int steps = 0;
  for (;;) {
    if (!is_finite(e.F) || !std::isfinite(dbl(S(e.x.cwiseAbs().maxCoeff())))) {
      res.status = SolveStatus::numerical_trouble;
      res.message = "x(y) or the dual value is not finite (q - 1 too small for the dual Newton "
                    "method in this precision?)";
      return steps;
    }
    const Vec<S> g = A * e.x - b;  // grad F
    if (dbl(S(g.norm() / bscale)) <= tol && verify(e, y)) {
      res.status = SolveStatus::solved;
      res.message = "primal residual and duality gap verified after " + std::to_string(steps) +
                    " Newton steps on the dual";
      return steps;
    }
    if (steps >= budget) {
      verify(e, y);
      res.status = SolveStatus::iteration_limit;
      res.message = "no verified optimum within " + std::to_string(budget) +
                    " Newton steps; residuals as reached";
      return steps;
    }
    ++steps;
    // H = A diag(h) A^T; a small multiple of its mean diagonal is added if not positive definite
    const Mat<S> Ah = A * e.h.cwiseSqrt().asDiagonal();
    Mat<S> H = Mat<S>::Zero(k, k);
    H.template selfadjointView<Eigen::Lower>().rankUpdate(Ah);
    H = H.template selfadjointView<Eigen::Lower>();
    const S mean_diag = H.trace() / S(double(std::max<Index>(k, 1)));
    Eigen::LLT<Mat<S>> llt(H);
    S shift = ScalarTraits<S>::epsilon() * S(1e2) * std::max<S>(mean_diag, S(1));
    for (int t = 0; t < 30 && llt.info() != Eigen::Success; ++t, shift *= S(10))
      llt.compute(Mat<S>(H + shift * Mat<S>::Identity(k, k)));
    if (llt.info() != Eigen::Success) {
      verify(e, y);
      res.status = SolveStatus::numerical_trouble;
      res.message = "the dual Hessian could not be factored";
      return steps;
    }
    const Vec<S> d = -llt.solve(g);
    const S slope = g.dot(d);
    // Step length. The full step is taken when it satisfies Armijo (F(y + d) <= F(y) + 1e-4 g^T d)
    // or, in the local regime, when it halves ||grad F|| without raising F beyond its rounding
    // level (there the decrease -g^T d ~ ||g||^2 is below what F can resolve, and Armijo would
    // accept shortened steps by rounding luck). Otherwise a is halved until Armijo holds (at
    // most 60 times), as long as the predicted decrease is above F's rounding level.
    const S f_round = S(100) * ScalarTraits<S>::epsilon() * (abs_of<S>(e.F) + S(1));
    S a(1);
    LqDual<S> en;
    const bool resolvable = -slope > f_round;
    const bool accepted = search1d::backtrack<S>(a, resolvable ? 60 : 0, [&](const S& t) {
      en = lq_dual_eval<S>(A, b, w, q, Vec<S>(y + t * d));
      if (!is_finite(en.F)) return false;
      const bool armijo = en.F <= e.F + S(1e-4) * t * slope;
      if (t < S(1)) return armijo;
      const S gn = (A * en.x - b).norm();
      return (armijo && resolvable) || (en.F <= e.F + f_round && gn < S(0.5) * g.norm());
    });
    if (!accepted) {
      verify(e, y);
      res.status = SolveStatus::numerical_trouble;
      res.message = "the line search stalled after " + std::to_string(steps) +
                    " Newton steps; residuals as reached";
      return steps;
    }
    y += a * d;
    e = en;
  }
}

template <class S>
void validate_lq(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w, const S& q, const SolveOptions& o) {
  const char* f = "solve_weighted_lq";
  if (A.rows() == 0) throw InvalidArgument(std::string(f) + ": A has no rows (m = 0)");
  if (A.cols() == 0) throw InvalidArgument(std::string(f) + ": A has no columns (n = 0)");
  if (b.size() != A.rows())
    throw InvalidArgument(std::string(f) + ": b has length " + std::to_string(b.size()) +
                          ", expected m = " + std::to_string(A.rows()));
  if (w.size() != A.cols())
    throw InvalidArgument(std::string(f) + ": w has length " + std::to_string(w.size()) +
                          ", expected n = " + std::to_string(A.cols()));
  require_finite(A, "solve_weighted_lq: A");
  require_finite(b, "solve_weighted_lq: b");
  require_finite(w, "solve_weighted_lq: w");
  for (Index j = 0; j < w.size(); ++j)
    if (!(w(j) > S(0)))
      throw InvalidArgument(std::string(f) + ": weight w_" + std::to_string(j) + " is not positive");
  if (!is_finite(q) || q < S(1) || !(q < S(2)))
    throw InvalidArgument(std::string(f) + ": q must be in [1, 2), got " + to_string(q));
  if (o.max_iterations < 1 || o.max_iterations > 10000000)
    throw InvalidArgument(std::string(f) + ": max_iterations must be in [1, 1e7]");
  if (!(o.tol >= 0) || !std::isfinite(o.tol))
    throw InvalidArgument(std::string(f) + ": tol must be >= 0");
}

// Infeasible / b = 0 handling shared by both exponents; true when res is final.
template <class S>
bool lq_trivial(const DenseSystem<S>& sys, const Vec<S>& b, Index n, double tol, LqResult<S>& res) {
  const double resid = dbl(rel<S>(sys.ls_residual, S(b.norm())));
  if (resid > feasibility_margin<S>(tol, b.size())) {
    res.x = sys.x_ls;
    res.y = Vec<S>::Zero(b.size());
    res.primal_residual = resid;
    res.status = SolveStatus::infeasible;
    res.message = "A x = b has no solution: the least-squares residual is " +
                  std::to_string(resid) + " relative to ||b||";
    return true;
  }
  if (b.norm() == S(0)) {
    res.x = Vec<S>::Zero(n);
    res.y = Vec<S>::Zero(b.size());
    res.status = SolveStatus::solved;
    res.message = "b = 0: x = 0";
    return true;
  }
  return false;
}

template <class S> std::vector<Index> support_of(const Vec<S>& x) {
  std::vector<Index> supp;
  for (Index j = 0; j < x.size(); ++j)
    if (x(j) != S(0)) supp.push_back(j);
  return supp;
}

template <class S>
LqResult<S> lq_double_phase(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w, const S& q,
                            const SolveOptions& o, double tol) {
  static_assert(std::is_same_v<S, double>, "the first phase runs in double");
  const DenseSystem<S> sys(A, b);
  LqResult<S> res;
  if (lq_trivial<S>(sys, b, A.cols(), tol, res)) return res;
  if (q == S(1)) return l1_admm<S>(sys, A, b, w, o, tol);
  // y0: the least-squares fit of A^T y to the gradient of f at the minimum-norm solution
  Vec<S> gr(A.cols());
  for (Index j = 0; j < A.cols(); ++j)
    gr(j) = q * w(j) * pow_s<S>(abs_of<S>(sys.x_ls(j)), S(q - S(1))) * sign_of<S>(sys.x_ls(j));
  const Vec<S> y0 = sys.A.rows() ? Vec<S>(sys.solve_gram(Vec<S>(sys.A * gr))) : Vec<S>(Vec<S>::Zero(0));
  res.iterations = lq_newton<S>(sys, A, b, w, q, y0, o.max_iterations, tol, res);
  return res;
}

}  // namespace programs_detail

template <class S> S lq_conjugate(const S& u, const S& q) {
  return (q - S(1)) * programs_detail::pow_s<S>(abs_of<S>(S(u / q)), S(q / (q - S(1))));
}

template <class S>
S lq_dual_value(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w, const S& q, const Vec<S>& y) {
  if (b.size() != A.rows() || w.size() != A.cols() || y.size() != A.rows())
    throw InvalidArgument("lq_dual_value: sizes do not match A");
  return S(-programs_detail::lq_dual_eval<S>(A, b, w, q, y).F);
}

template <class S>
Vec<S> lq_primal_from_dual(const Mat<S>& A, const Vec<S>& w, const S& q, const Vec<S>& y) {
  if (w.size() != A.cols() || y.size() != A.rows())
    throw InvalidArgument("lq_primal_from_dual: sizes do not match A");
  return programs_detail::lq_dual_eval<S>(A, Vec<S>::Zero(A.rows()), w, q, y).x;
}

namespace programs_detail {

// The scale-free form of the weighted l_q program (solver_common.hpp, "Scale"): row i of A and b
// times 2^-e_i (the row's largest |entry| to [1, 2)), the weights times 2^-ew (the largest to
// [1, 2)) and b times 2^-ex (the size of x to [1, 2)):
//   A' x' = b',  x = 2^ex x',  f(x) = 2^(ew + q ex) f'(x'),  y_i = 2^(ew + (q-1) ex - e_i) y'_i
// (from grad f(x) = A^T y); exact but for the factor 2^((q-1) ex) when q is not an integer.
template <class S> struct LqScaleFree {
  Mat<S> A;
  Vec<S> b, w;
  std::vector<int> e;  // row exponents
  int ew = 0, ex = 0;
};

template <class S> LqScaleFree<S> lq_scale_free(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w) {
  LqScaleFree<S> s;
  s.A = A;
  s.b = b;
  s.e.assign(std::size_t(A.rows()), 0);
  for (Index i = 0; i < A.rows(); ++i) {
    const int e = unit_exponent<S>(S(A.row(i).cwiseAbs().maxCoeff()));
    s.e[std::size_t(i)] = e;
    s.A.row(i) = times_pow2_each(A.row(i), -e);
    s.b(i) = times_pow2<S>(b(i), -e);
  }
  s.ew = unit_exponent<S>(S(w.maxCoeff()));
  s.w = times_pow2_each(w, -s.ew);
  for (Index j = 0; j < w.size(); ++j)
    if (!(s.w(j) > S(0)))
      throw InvalidArgument("solve_weighted_lq: weight w_" + std::to_string(j) +
                            " is out of all proportion to the largest weight (w_j / max w "
                            "underflows)");
  s.ex = unit_exponent<S>(solver_detail::size_estimate<S>(solver_detail::safe_norm<S>(s.b), S(s.A.squaredNorm()),
                                                          S(double(A.cols()))));
  s.b = times_pow2_each(s.b, -s.ex);
  for (Index i = 0; i < b.size(); ++i)
    if (!is_finite(s.b(i)))
      throw InvalidArgument("solve_weighted_lq: row " + std::to_string(i + 1) +
                            ": b_i is out of all proportion to A's row (not representable)");
  return s;
}

template <class S> void lq_scale_back(LqResult<S>& r, const LqScaleFree<S>& s, const S& q) {
  using std::pow;
  if (r.x.size()) r.x = times_pow2_each(r.x, s.ex);
  // 2^((q-1) ex) and 2^(q ex): powers of two when q = 1
  const S fy = q == S(1) ? S(1) : S(pow(S(2), S((q - S(1)) * S(double(s.ex)))));
  if (r.y.size() == Index(s.e.size()))
    for (Index i = 0; i < r.y.size(); ++i)
      r.y(i) = times_pow2<S>(S(r.y(i) * fy), s.ew - s.e[std::size_t(i)]);
  r.objective = times_pow2<double>(r.objective * dbl(S(fy)), s.ew + s.ex);
}

template <class S>
LqResult<S> lq_scale_free_solve(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w, const S& q,
                                const SolveOptions& o);

}  // namespace programs_detail

template <class S>
LqResult<S> solve_weighted_lq(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w, const S& q,
                              const SolveOptions& o) {
  using namespace programs_detail;
  validate_lq<S>(A, b, w, q, o);
  const auto start = Clock::now();
  const LqScaleFree<S> s = lq_scale_free<S>(A, b, w);
  LqResult<S> res = lq_scale_free_solve<S>(s.A, s.b, s.w, q, o);
  lq_scale_back<S>(res, s, q);
  res.seconds = seconds_since<S>(start);
  return res;
}

template <class S>
LqResult<S> programs_detail::lq_scale_free_solve(const Mat<S>& A, const Vec<S>& b, const Vec<S>& w,
                                                 const S& q, const SolveOptions& o) {
  const auto start = Clock::now();
  const double tol = default_tol<S>(o.tol);
  if constexpr (std::is_same_v<S, double>) {
    LqResult<S> res = lq_double_phase<S>(A, b, w, q, o, tol);
    res.seconds = seconds_since<S>(start);
    return res;
  } else {
    // extended precision: the first phase in double, then the polish / Newton steps in S
    const DenseSystem<S> sys(A, b);
    LqResult<S> res;
    if (lq_trivial<S>(sys, b, A.cols(), tol, res)) {
      res.seconds = seconds_since<S>(start);
      return res;
    }
    SolveOptions od = o;
    od.tol = 1e-12;
    const auto dd = [](const S& x) { return to_double(x); };
    const Mat<double> Ad = A.unaryExpr(dd);
    const Vec<double> bd = b.unaryExpr(dd), wd = w.unaryExpr(dd);
    const LqResult<double> rd = lq_double_phase<double>(Ad, bd, wd, to_double(q), od, od.tol);
    if (q == S(1)) {
      solver_detail::polish_in_extended_precision<S>(
          rd, o.polish, res,
          [&](LqResult<S>& rs) {
            const std::vector<Index> supp = support_of<S>(rs.x);
            const Vec<S> hint = rs.y;
            return l1_polish<S>(A, b, w, supp, &hint, tol, rs);
          },
          [](const LqResult<S>& rs) {
            return "KKT conditions verified in extended precision after the polish on a "
                   "support of size " + std::to_string(rs.support);
          });
    } else {
      solver_detail::carry_double_phase<S>(rd, res);
      if (rd.status != SolveStatus::infeasible) {
        const int left = std::max(0, o.max_iterations - rd.iterations);
        const Vec<S> y0 = sys.reduce(res.y);
        const std::string first = res.message;
        res.iterations += lq_newton<S>(sys, A, b, w, q, y0, left, tol, res);
        res.message = first + "; extended precision: " + res.message;
      }
    }
    res.seconds = seconds_since<S>(start);
    return res;
  }
}

#define FLATMIN_INSTANTIATE_LQ(S)                                                                \
  template LqResult<S> solve_weighted_lq<S>(const Mat<S>&, const Vec<S>&, const Vec<S>&, const S&, \
                                            const SolveOptions&);                                \
  template S lq_conjugate<S>(const S&, const S&);                                                \
  template S lq_dual_value<S>(const Mat<S>&, const Vec<S>&, const Vec<S>&, const S&, const Vec<S>&); \
  template Vec<S> lq_primal_from_dual<S>(const Mat<S>&, const Vec<S>&, const S&, const Vec<S>&);

}  // namespace flatmin
