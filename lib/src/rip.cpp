// Definitions of flatmin/rip.hpp.
//
// The search for the extreme values of rho_p(X) over rank <= r runs in double on X = U W^T and
// alternates between the two factors. With one factor held fixed and orthonormal, X is linear in
// the other one and ||X||_F equals its Frobenius norm, so each half step is a problem on a unit
// sphere: extremise ||B w||_p over ||w||_2 = 1 for the m x (n r) matrix B whose columns are the
// images of the basis matrices. For p = 2 it is an eigenproblem of B^T B (exact, so every half
// step is monotone); for p = 1 the maximum is approached by the sign-power iteration
// w <- B^T sign(B w) / ||.|| (monotone: ||B w||_1 is convex) and the minimum by iteratively
// reweighted least squares, w <- argmin_{||w||=1} sum_i (b_i^T w)^2 / max(|b_i^T w_old|, eta),
// keeping the best iterate. Whatever the search returns, the reported value is rho_p at the
// explicit rank-r matrix it found, evaluated in the working precision.
#include "flatmin/rip.hpp"

#include <Eigen/QR>
#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "flatmin/linalg.hpp"

namespace flatmin {

const char* rip_norm_name(RipNorm p) { return p == RipNorm::l2 ? "l2" : "l1"; }

namespace {

void check_arguments(Index m, Index r, const RipOptions& opt, const char* fn) {
  const std::string f(fn);
  if (r < 1) throw InvalidArgument(f + ": rank r must be at least 1, got " + std::to_string(r));
  if (m < 1) throw InvalidArgument(f + ": the map has no measurements (m = 0)");
  if (opt.restarts < 1 || opt.sweeps < 1 || opt.inner < 1)
    throw InvalidArgument(f + ": restarts, sweeps and inner must be at least 1");
  if (!(opt.rel_tol >= 0.0) || !std::isfinite(opt.rel_tol))
    throw InvalidArgument(f + ": rel_tol must be finite and non-negative");
}

template <class S> S norm_p(const Vec<S>& y, RipNorm p) {
  return p == RipNorm::l2 ? S(y.norm()) : S(y.cwiseAbs().sum());
}

// Orthonormal basis of the columns of F (n x r, n >= r) and the triangular factor: F = Q R.
void thin_qr(const Mat<double>& F, Mat<double>& Q, Mat<double>& R) {
  Eigen::HouseholderQR<Mat<double>> qr(F);
  Q = qr.householderQ() * Mat<double>::Identity(F.rows(), F.cols());
  R = qr.matrixQR().topRows(F.cols()).triangularView<Eigen::Upper>();
}

Vec<double> to_vec(const Mat<double>& W) {  // w(k r + j) = W(k, j)
  Vec<double> w(W.size());
  for (Index k = 0; k < W.rows(); ++k)
    for (Index j = 0; j < W.cols(); ++j) w(k * W.cols() + j) = W(k, j);
  return w;
}
Mat<double> to_mat(const Vec<double>& w, Index n, Index r) {
  Mat<double> W(n, r);
  for (Index k = 0; k < n; ++k)
    for (Index j = 0; j < r; ++j) W(k, j) = w(k * r + j);
  return W;
}

struct Candidate {
  Mat<double> U, W;  // X = U W^T with U orthonormal, ||W||_F = 1
  double value = 0;
  bool set = false;
};

class Search {
 public:
  Search(const SensingMap<double>& A, Index r, RipNorm p, bool maximise, const RipOptions& opt)
      : A_(A), d1_(A.d1()), d2_(A.d2()), r_(r), p_(p), max_(maximise), opt_(opt) {
    mpow_ = p == RipNorm::l2 ? std::sqrt(double(A.m())) : double(A.m());
  }

  // One start X0 = U0 W0^T from an orthonormal U0 (d1 x r) and W0 (d2 x r). Returns the number
  // of sweeps used.
  int run_from(const Mat<double>& U0, const Mat<double>& W0, Candidate& best) {
    Mat<double> U = U0, W;
    Vec<double> w = to_vec(W0);  // coefficients of the free factor: the first half step also
                                 // runs the local l1 iteration from here (not only from the
                                 // half step's l2 optimum, the same for every start if d1 = 1)
    double start_best = 0, prev = 0;
    bool have = false;
    int sweeps = 0;
    for (; sweeps < opt_.sweeps; ++sweeps) {
      // side 0: U fixed, free W (d2 x r); X = U W^T
      Mat<double> B = columns(U, 0);
      double v = solve(B, w);
      W = to_mat(w, d2_, r_);
      consider(U, W, v, best);
      // move to side 1: W = Q R, X = (U R^T) Q^T; V = Q fixed, free factor U R^T (d1 x r)
      Mat<double> Q, R;
      thin_qr(W, Q, R);
      Mat<double> Wu = U * R.transpose();
      w = to_vec(Wu);
      B = columns(Q, 1);
      v = solve(B, w);
      Wu = to_mat(w, d1_, r_);
      // back to the canonical form U orthonormal: Wu = Q' R', X = Q' (Q R'^T)^T
      Mat<double> Q2, R2;
      thin_qr(Wu, Q2, R2);
      U = Q2;
      W = Q * R2.transpose();
      w = to_vec(W);
      consider(U, W, v, best);
      const double now = v;
      if (have) {
        const bool improved = max_ ? now > start_best : now < start_best;
        const double change = std::abs(now - prev);
        if (improved) start_best = now;
        seen_max_ = std::max(seen_max_, std::abs(now));
        if (change <= opt_.rel_tol * std::max(std::abs(now), 1e-12 * seen_max_)) {
          ++sweeps;
          break;
        }
      } else {
        start_best = now;
        have = true;
        seen_max_ = std::max(seen_max_, std::abs(now));
      }
      prev = now;
    }
    return sweeps;
  }

 private:
  double value_of(const Vec<double>& y) const { return norm_p<double>(y, p_) / mpow_; }
  bool better(double a, double b) const { return max_ ? a > b : a < b; }

  void consider(const Mat<double>& U, const Mat<double>& W, double v, Candidate& best) const {
    if (!std::isfinite(v)) return;
    if (!best.set || better(v, best.value)) {
      best.U = U;
      best.W = W;
      best.value = v;
      best.set = true;
    }
  }

  // B (m x n r): side 0 (F = U, d1 x r): column k r + j = A(u_j e_k^T), n = d2;
  //              side 1 (F = V, d2 x r): column l r + j = A(e_l v_j^T), n = d1.
  Mat<double> columns(const Mat<double>& F, int side) const {
    const Index m = A_.m(), n = side == 0 ? d2_ : d1_;
    Mat<double> B(m, n * r_);
    switch (A_.structure()) {
      case Structure::dense: {
        const Mat<double>& D = A_.dense_rows();  // D(i, l d2 + k) = (A_i)(l, k)
        for (Index c = 0; c < n; ++c) {
          if (side == 0) {
            // the d1 columns l d2 + c of D, l = 0..d1-1
            Eigen::Map<const Mat<double>, 0, Eigen::OuterStride<>> Dc(
                D.data() + c * m, m, d1_, Eigen::OuterStride<>(d2_ * m));
            B.middleCols(c * r_, r_).noalias() = Dc * F;
          } else {
            B.middleCols(c * r_, r_).noalias() = D.middleCols(c * d2_, d2_) * F;
          }
        }
        return B;
      }
      case Structure::rank_one:
      case Structure::quadratic: {
        const bool quad = A_.structure() == Structure::quadratic;
        const Mat<double>& a = A_.left();
        const Mat<double>& b = quad ? A_.left() : A_.right();
        const Vec<double> wt = quad ? Vec<double>::Ones(m) : A_.weights();
        // <w a b^T, u e_k^T> = w (a.u) b_k ;  <w a b^T, e_l v^T> = w a_l (b.v)
        const Mat<double> P = side == 0 ? Mat<double>(a * F) : Mat<double>(b * F);  // m x r
        const Mat<double>& other = side == 0 ? b : a;
        for (Index c = 0; c < n; ++c)
          for (Index j = 0; j < r_; ++j)
            B.col(c * r_ + j) = wt.cwiseProduct(P.col(j)).cwiseProduct(other.col(c));
        return B;
      }
      default: {
        Mat<double> Z = Mat<double>::Zero(d1_, d2_);
        for (Index c = 0; c < n; ++c)
          for (Index j = 0; j < r_; ++j) {
            Z.setZero();
            if (side == 0)
              Z.col(c) = F.col(j);
            else
              Z.row(c) = F.col(j).transpose();
            B.col(c * r_ + j) = A_.apply(Z);
          }
        return B;
      }
    }
  }

  // Extremise ||B w||_p / m^{1/p} over ||w|| = 1, starting from w if it is non-empty; w is
  // replaced by the best point found and its value returned. p = 2: the extreme eigenvector of
  // B^T B (exact). p = 1: the local iteration (sign power / IRLS) is run from the current w and
  // from the l2 optimum of the half step, and the better end point is kept.
  double solve(const Mat<double>& B, Vec<double>& w) const {
    const Index nc = B.cols();
    auto eig_extreme = [&](const Mat<double>& G) {
      SymEig<double> e = sym_eig<double>(G);
      Vec<double> v = max_ ? Vec<double>(e.P.col(nc - 1)) : Vec<double>(e.P.col(0));
      return v;
    };
    auto eval = [&](const Vec<double>& v) { return value_of(B * v); };
    const Vec<double> v2 = eig_extreme(Mat<double>(B.transpose() * B));
    const double val2 = eval(v2);
    const bool has_start = w.size() == nc && w.norm() > 0;
    if (p_ == RipNorm::l2) {
      if (has_start) {
        const Vec<double> cur = w / w.norm();
        const double val = eval(cur);
        if (!better(val2, val)) {
          w = cur;
          return val;
        }
      }
      w = v2;
      return val2;
    }
    Vec<double> best_w = v2;
    double best = local_l1(B, best_w, val2);
    if (has_start) {
      Vec<double> cur = w / w.norm();
      const double val = local_l1(B, cur, eval(cur));
      if (better(val, best)) {
        best = val;
        best_w = cur;
      }
    }
    w = best_w;
    return best;
  }

  // The local l1 iteration from the unit vector cur (value val); returns the final value.
  double local_l1(const Mat<double>& B, Vec<double>& cur, double val) const {
    for (int it = 0; it < opt_.inner; ++it) {
      Vec<double> next;
      if (max_) {
        Vec<double> s = B * cur;
        for (Index i = 0; i < s.size(); ++i) s(i) = s(i) >= 0 ? 1.0 : -1.0;
        next = B.transpose() * s;
      } else {
        const Vec<double> t = (B * cur).cwiseAbs();
        const double eta = std::max(1e-10 * t.maxCoeff(), 1e-300);
        Vec<double> c(t.size());
        for (Index i = 0; i < t.size(); ++i) c(i) = 1.0 / std::max(t(i), eta);
        const SymEig<double> e = sym_eig<double>(Mat<double>(B.transpose() * c.asDiagonal() * B));
        next = e.P.col(0);
      }
      const double nn = next.norm();
      if (!(nn > 0) || !std::isfinite(nn)) break;
      next /= nn;
      const double vn = value_of(B * next);
      if (!better(vn, val)) break;
      const double change = std::abs(vn - val);
      cur = next;
      val = vn;
      if (change <= opt_.rel_tol * std::abs(val)) break;
    }
    return val;
  }

  const SensingMap<double>& A_;
  Index d1_, d2_, r_;
  RipNorm p_;
  bool max_;
  const RipOptions& opt_;
  double mpow_ = 1;
  double seen_max_ = 0;
};

// The m x d1d2 matrix of the map in double (row i = row-major vec(A_i)), cheaply for every
// structure (SensingMap::dense() goes through the adjoint, O(m^2 d1 d2) for rank-one maps).
Mat<double> dense_double(const SensingMap<double>& A) {
  if (A.structure() != Structure::rank_one && A.structure() != Structure::quadratic)
    return A.dense();
  const bool quad = A.structure() == Structure::quadratic;
  const Mat<double>& a = A.left();
  const Mat<double>& b = quad ? A.left() : A.right();
  Mat<double> D(A.m(), A.d1() * A.d2());
  for (Index i = 0; i < A.m(); ++i) {
    const double w = quad ? 1.0 : A.weights()(i);
    for (Index l = 0; l < A.d1(); ++l)
      for (Index k = 0; k < A.d2(); ++k) D(i, l * A.d2() + k) = w * a(i, l) * b(i, k);
  }
  return D;
}

struct Start {
  Mat<double> U, W;  // X0 = U W^T, U orthonormal (d1 x r), W (d2 x r)
};

// The start X0 = P_r(Z), the rank-r truncation of Z, in the factored form of Start.
Start truncated_start(const Mat<double>& Z, Index r) {
  const Svd<double> s = svd<double>(Z);
  Start out;
  Mat<double> R;
  thin_qr(s.U.leftCols(r), out.U, R);  // U_r = Q R (R = diag(+-1)): X0 = Q (V_r S_r R^T)^T
  out.W = s.V.leftCols(r) * s.s.head(r).asDiagonal() * R.transpose();
  return out;
}

// Starting points: the extreme right singular vector of the whole map (from the eigenpairs of
// its Gram matrix, if given), reshaped and truncated to rank r; then random ones, both factors
// random (a random U alone leaves no choice when d1 = 1: every start was the same point).
std::vector<Start> starts(const SensingMap<double>& A, Index r, bool maximise, RipNorm p,
                          const SymEig<double>* gram, const RipOptions& opt) {
  const Index d1 = A.d1(), d2 = A.d2();
  std::vector<Start> out;
  if (gram) {
    const Vec<double> v =
        maximise ? Vec<double>(gram->P.col(d1 * d2 - 1)) : Vec<double>(gram->P.col(0));
    Mat<double> Z(d1, d2);
    for (Index l = 0; l < d1; ++l)
      for (Index k = 0; k < d2; ++k) Z(l, k) = v(l * d2 + k);
    out.push_back(truncated_start(Z, r));
  }
  for (int s = 0; s < opt.restarts; ++s) {
    Rng rng = Rng::derive(opt.seed, {std::uint64_t(maximise ? 1 : 0), std::uint64_t(s)});
    if (maximise && p == RipNorm::l1) {
      // the l1 maximum is a fixed point of X <- P_r(A*(sign A(X))): start from P_r(A*(s)) for
      // random signs s (Gaussian starts miss narrow basins: 8 of them lost 5% on 2 x 3, m = 7)
      Vec<double> sg(A.m());
      for (Index i = 0; i < A.m(); ++i) sg(i) = rng.uniform() < 0.5 ? -1.0 : 1.0;
      out.push_back(truncated_start(A.adjoint(sg), r));
    } else {
      Start st;
      Mat<double> R;
      thin_qr(rng.normal_matrix(d1, r), st.U, R);
      st.W = rng.normal_matrix(d2, r);
      out.push_back(std::move(st));
    }
  }
  return out;
}

template <class S> Mat<S> assemble_candidate(const Candidate& c) {
  const Mat<S> X = cast_matrix<S>(c.U) * cast_matrix<S>(c.W).transpose();
  const S n = X.norm();
  if (!(n > S(0))) throw std::runtime_error("rip_constants: the search returned X = 0");
  return X / n;
}

}  // namespace

template <class S> S rip_ratio(const SensingMap<S>& A, const Mat<S>& X, RipNorm p) {
  require_shape(X.rows(), X.cols(), A.d1(), A.d2(), "rip_ratio: X");
  require_finite(X, "rip_ratio: X");
  if (A.m() < 1) throw InvalidArgument("rip_ratio: the map has no measurements (m = 0)");
  const S nx = X.norm();
  if (!(nx > S(0))) throw InvalidArgument("rip_ratio: X = 0");
  using std::sqrt;
  const S mp = p == RipNorm::l2 ? S(sqrt(S(A.m()))) : S(A.m());
  return norm_p<S>(A.apply(X), p) / (mp * nx);
}

template <class S> FullRankL2<S> full_rank_l2_constants(const SensingMap<S>& A) {
  if (A.m() < 1) throw InvalidArgument("full_rank_l2_constants: the map has no measurements");
  using std::sqrt;
  const S sm = sqrt(S(A.m()));
  const bool overdetermined = A.m() >= A.d1() * A.d2();
  FullRankL2<S> out{S(0), S(0)};
  switch (A.structure()) {
    case Structure::identity:
      out.upper = out.lower = S(1) / sm;
      return out;
    case Structure::entries: {
      // distinct coordinate matrices: the singular values are the |w_i| (and 0 if m < d1 d2)
      const Vec<S> w = A.weights().cwiseAbs();
      out.upper = w.maxCoeff() / sm;
      out.lower = overdetermined ? S(w.minCoeff() / sm) : S(0);
      return out;
    }
    default: {
      const Vec<S> sv = singular_values<S>(A.dense());
      out.upper = sv(0) / sm;
      out.lower = overdetermined ? S(sv(sv.size() - 1) / sm) : S(0);
      return out;
    }
  }
}

template <class S> Vec<S> measurement_kyfan_norms(const SensingMap<S>& A, Index r) {
  if (r < 1) throw InvalidArgument("measurement_kyfan_norms: r must be at least 1");
  const Index m = A.m();
  Vec<S> out(m);
  using std::abs;
  using std::sqrt;
  switch (A.structure()) {
    case Structure::identity:
      out.setOnes();
      break;
    case Structure::entries:
      out = A.weights().cwiseAbs();
      break;
    case Structure::rank_one:
      for (Index i = 0; i < m; ++i)
        out(i) = S(abs(A.weights()(i))) * A.left().row(i).norm() * A.right().row(i).norm();
      break;
    case Structure::quadratic:
      out = A.left().rowwise().squaredNorm();
      break;
    case Structure::dense: {
      const Index d1 = A.d1(), d2 = A.d2();
      Mat<S> Ai(d1, d2);
      for (Index i = 0; i < m; ++i) {
        for (Index l = 0; l < d1; ++l)
          for (Index k = 0; k < d2; ++k) Ai(l, k) = A.dense_rows()(i, l * d2 + k);
        const Vec<S> sv = singular_values<S>(Ai);
        const Index t = std::min<Index>(r, sv.size());
        out(i) = sqrt(S(sv.head(t).squaredNorm()));
      }
      break;
    }
  }
  return out;
}

template <class S>
RipBounds<S> rip_constants(const SensingMap<S>& A, Index r, RipNorm p, const RipOptions& opt) {
  check_arguments(A.m(), r, opt, "rip_constants");
  RipBounds<S> out;
  out.rank = std::min({r, A.d1(), A.d2()});
  out.norm = p;
  const SensingMap<double> Ad = A.template cast<double>();
  std::unique_ptr<SymEig<double>> gram;
  if (opt.spectral_start && A.d1() * A.d2() <= 256) {
    const Mat<double> D = dense_double(Ad);
    gram = std::make_unique<SymEig<double>>(sym_eig<double>(Mat<double>(D.transpose() * D)));
  }
  Candidate best_max, best_min;
  for (int side = 0; side < 2; ++side) {
    const bool maximise = side == 0;
    Candidate& best = maximise ? best_max : best_min;
    Search search(Ad, out.rank, p, maximise, opt);
    for (const Start& x0 : starts(Ad, out.rank, maximise, p, gram.get(), opt))
      out.sweeps_used += search.run_from(x0.U, x0.W, best);
    if (!best.set) throw std::runtime_error("rip_constants: the search found no finite value");
  }
  out.X_max = assemble_candidate<S>(best_max);
  out.X_min = assemble_candidate<S>(best_min);
  out.delta2_estimate = rip_ratio<S>(A, out.X_max, p);
  out.delta1_estimate = rip_ratio<S>(A, out.X_min, p);
  // Both witnesses are feasible (rank <= r), so each is a valid point for either side. The two
  // searches are local (l1 especially) and can cross: the maximising one may stop below the
  // minimising one's end point (1 x 2 Gaussian, m = 13, l1: 0.7409 vs 0.7529). Then the better
  // bound on each side is the other search's witness.
  if (out.delta2_estimate < out.delta1_estimate) {
    std::swap(out.X_max, out.X_min);
    std::swap(out.delta2_estimate, out.delta1_estimate);
  }
  if (!opt.certify) {
    out.delta1_certified = S(0);
    out.delta2_certified = std::numeric_limits<S>::infinity();
    return out;
  }
  using std::sqrt;
  const FullRankL2<S> full = full_rank_l2_constants<S>(A);
  const Vec<S> kf = measurement_kyfan_norms<S>(A, out.rank);
  const S m(A.m());
  const S c2_l2 = std::min<S>(full.upper, S(sqrt(S(kf.squaredNorm() / m))));
  const S c1_l2 = full.lower;
  if (p == RipNorm::l2) {
    out.delta2_certified = c2_l2;
    out.delta1_certified = c1_l2;
  } else {
    out.delta2_certified = std::min<S>(c2_l2, S(kf.sum() / m));
    const S kmax = kf.maxCoeff();
    S c1 = c1_l2 / S(sqrt(m));
    if (kmax > S(0)) c1 = std::max<S>(c1, S(c1_l2 * c1_l2 / kmax));
    out.delta1_certified = c1;
  }
  return out;
}

template <class S>
RipDeltaB<S> rip_delta_b(const SensingMap<S>& A, Index r, const RipOptions& opt) {
  RipDeltaB<S> out;
  out.l2 = rip_constants<S>(A, r, RipNorm::l2, opt);
  const RipBounds<S>& b = out.l2;
  const S lo = S(1) - b.delta1_estimate * b.delta1_estimate;
  const S hi = b.delta2_estimate * b.delta2_estimate - S(1);
  out.estimate = std::max<S>(lo, hi);
  out.X = lo >= hi ? b.X_min : b.X_max;
  if (!opt.certify) {
    out.certified = std::numeric_limits<S>::infinity();
  } else {
    out.certified = std::max<S>(S(1) - b.delta1_certified * b.delta1_certified,
                                S(b.delta2_certified * b.delta2_certified - S(1)));
  }
  return out;
}

#define FLATMIN_INSTANTIATE_RIP(S)                                                         \
  template S rip_ratio<S>(const SensingMap<S>&, const Mat<S>&, RipNorm);                   \
  template FullRankL2<S> full_rank_l2_constants<S>(const SensingMap<S>&);                  \
  template Vec<S> measurement_kyfan_norms<S>(const SensingMap<S>&, Index);                 \
  template RipBounds<S> rip_constants<S>(const SensingMap<S>&, Index, RipNorm,             \
                                         const RipOptions&);                               \
  template RipDeltaB<S> rip_delta_b<S>(const SensingMap<S>&, Index, const RipOptions&);
FLATMIN_FOR_EACH_SCALAR(FLATMIN_INSTANTIATE_RIP)

}  // namespace flatmin
