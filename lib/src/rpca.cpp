// Definitions of flatmin/rpca.hpp.
#include "flatmin/rpca.hpp"

#include "flatmin/abs.hpp"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

namespace flatmin {

namespace {
template <class S> void check_tau(const S& tau, const char* fn) {
  if (!is_finite(tau)) throw InvalidArgument(std::string(fn) + ": tau is not finite");
  if (tau < S(0))
    throw InvalidArgument(std::string(fn) + ": tau must be non-negative, got " + to_string(tau, 6));
}

template <class S> void check_pair(const Mat<S>& Y, const Mat<S>& L, const Mat<S>& R,
                                   const char* fn) {
  const std::string f(fn);
  if (L.rows() != Y.rows() || R.rows() != Y.cols() || L.cols() != R.cols())
    throw InvalidArgument(f + ": L must be d1 x k and R d2 x k with Y d1 x d2 = " +
                          std::to_string(Y.rows()) + " x " + std::to_string(Y.cols()) +
                          "; got L " + std::to_string(L.rows()) + " x " +
                          std::to_string(L.cols()) + ", R " + std::to_string(R.rows()) + " x " +
                          std::to_string(R.cols()));
  require_finite(Y, (f + ": Y").c_str());
  require_finite(L, (f + ": L").c_str());
  require_finite(R, (f + ": R").c_str());
}
}  // namespace

template <class S> S l1_norm(const Mat<S>& Z) {
  S acc(0);
  for (Index j = 0; j < Z.cols(); ++j)
    for (Index i = 0; i < Z.rows(); ++i) acc += abs_of(Z(i, j));
  return acc;
}

template <class S> S l1_projection_threshold(const Mat<S>& Z, const S& tau) {
  check_tau(tau, "l1_projection_threshold");
  require_finite(Z, "l1_projection_threshold: Z");
  const Index n = Z.size();
  std::vector<S> u(static_cast<std::size_t>(n));
  for (Index j = 0; j < Z.cols(); ++j)
    for (Index i = 0; i < Z.rows(); ++i) u[std::size_t(j * Z.rows() + i)] = abs_of(Z(i, j));
  S total(0);
  for (const S& x : u) total += x;
  if (total <= tau) return S(0);  // already inside the ball (includes Z = 0)
  std::sort(u.begin(), u.end(), std::greater<S>());
  if (tau == S(0)) return u.front();  // everything is thresholded away
  // rho = the largest j (1-based) with j u_j > (u_1 + ... + u_j) - tau. The condition holds for
  // j = 1 in exact arithmetic (tau > 0) and holds on an initial segment of j (Duchi et al.,
  // Lemma 2), so the scan keeps the last j where it holds; rho >= 1 even if rounding in the first
  // comparison (u_1 >> tau) were to reject j = 1.
  S cum(0), cum_rho = u.front();
  Index rho = 1;
  for (Index j = 1; j <= n; ++j) {
    cum += u[std::size_t(j - 1)];
    if (S(j) * u[std::size_t(j - 1)] > cum - tau) {
      rho = j;
      cum_rho = cum;
    }
  }
  S theta = (cum_rho - tau) / S(rho);
  if (theta < S(0)) theta = S(0);  // cannot happen in exact arithmetic (||Z||_1 > tau)
  return theta;
}

template <class S> Mat<S> project_l1_ball(const Mat<S>& Z, const S& tau) {
  const S theta = l1_projection_threshold(Z, tau);  // validates Z and tau
  if (theta == S(0)) return Z;
  Mat<S> P(Z.rows(), Z.cols());
  for (Index j = 0; j < Z.cols(); ++j)
    for (Index i = 0; i < Z.rows(); ++i) {
      const S a = abs_of(Z(i, j)) - theta;
      P(i, j) = a > S(0) ? (Z(i, j) < S(0) ? S(-a) : a) : S(0);
    }
  return P;
}

template <class S> S dist2_l1_ball(const Mat<S>& Z, const S& tau) {
  return (Z - project_l1_ball(Z, tau)).squaredNorm();
}

template <class S> S rpca_loss(const Mat<S>& Y, const S& tau, const Mat<S>& L, const Mat<S>& R) {
  check_pair(Y, L, R, "rpca_loss");
  return dist2_l1_ball<S>(Y - L * R.transpose(), tau);
}

template <class S>
Factors<S> rpca_gradient(const Mat<S>& Y, const S& tau, const Mat<S>& L, const Mat<S>& R) {
  check_pair(Y, L, R, "rpca_gradient");
  const Mat<S> Z = Y - L * R.transpose();
  const Mat<S> G = S(2) * (Z - project_l1_ball(Z, tau));
  return {-(G * R), -(G.transpose() * L)};
}

template <class S>
Mat<S> rpca_local_target(const Mat<S>& Y, const S& tau, const Mat<S>& Lt, const Mat<S>& Rt) {
  check_pair(Y, Lt, Rt, "rpca_local_target");
  return Y - project_l1_ball<S>(Y - Lt * Rt.transpose(), tau);
}

template <class S>
S rpca_local_model(const Mat<S>& Y, const S& tau, const Mat<S>& Lt, const Mat<S>& Rt,
                   const Mat<S>& L, const Mat<S>& R) {
  check_pair(Y, L, R, "rpca_local_model");
  const Mat<S> W = rpca_local_target(Y, tau, Lt, Rt);
  return (W - L * R.transpose()).squaredNorm();
}

Mat<double> sparse_corruption(Rng& rng, Index d1, Index d2, Index per_line, double p,
                              double scale) {
  if (d1 < 1 || d2 < 1) throw InvalidArgument("sparse_corruption: d1 and d2 must be positive");
  if (per_line < 0) throw InvalidArgument("sparse_corruption: per_line must be non-negative");
  if (!(p >= 0.0 && p <= 1.0)) throw InvalidArgument("sparse_corruption: p must lie in [0, 1]");
  if (!is_finite(scale)) throw InvalidArgument("sparse_corruption: scale is not finite");
  const Index n = d1 * d2;
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (Index c = 0; c < n; ++c) order[std::size_t(c)] = c;
  for (Index c = n - 1; c >= 1; --c) {
    const Index j = Index(rng.below(std::uint64_t(c + 1)));
    std::swap(order[std::size_t(c)], order[std::size_t(j)]);
  }
  Mat<double> C = Mat<double>::Zero(d1, d2);
  std::vector<Index> row_count(std::size_t(d1), 0), col_count(std::size_t(d2), 0);
  for (Index c : order) {
    const Index i = c / d2, j = c % d2;  // cell number c is row-major
    const bool hit = rng.bernoulli(p);
    if (!hit || row_count[std::size_t(i)] >= per_line || col_count[std::size_t(j)] >= per_line)
      continue;
    C(i, j) = rng.normal() * scale;
    ++row_count[std::size_t(i)];
    ++col_count[std::size_t(j)];
  }
  return C;
}

#define FLATMIN_INSTANTIATE_RPCA(S)                                                            \
  template S l1_norm<S>(const Mat<S>&);                                                        \
  template Mat<S> project_l1_ball<S>(const Mat<S>&, const S&);                                 \
  template S l1_projection_threshold<S>(const Mat<S>&, const S&);                              \
  template S dist2_l1_ball<S>(const Mat<S>&, const S&);                                        \
  template S rpca_loss<S>(const Mat<S>&, const S&, const Mat<S>&, const Mat<S>&);              \
  template Factors<S> rpca_gradient<S>(const Mat<S>&, const S&, const Mat<S>&, const Mat<S>&); \
  template Mat<S> rpca_local_target<S>(const Mat<S>&, const S&, const Mat<S>&, const Mat<S>&); \
  template S rpca_local_model<S>(const Mat<S>&, const S&, const Mat<S>&, const Mat<S>&,        \
                                 const Mat<S>&, const Mat<S>&);
FLATMIN_FOR_EACH_SCALAR(FLATMIN_INSTANTIATE_RPCA)

}  // namespace flatmin
