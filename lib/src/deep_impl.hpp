// Definitions of flatmin/deep.hpp: deep matrix factorization of paper B, included only by
// deep_<type>.cpp (one translation unit per scalar type: a single one for all three needed 2.3 GB).
//
// Index convention inside this file: layers are numbered 1..L as in the paper, W_j = W[j-1] is
// d_j x d_{j-1}; P[m] = W_m ... W_1 (P[0] = I_{d_0}) and Sx[m] = W_L ... W_m (Sx[L+1] = I_{d_L}).
#pragma once

#include "flatmin/deep.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <utility>

#include "flatmin/abs.hpp"
#include "flatmin/linalg.hpp"
#include "flatmin/objective.hpp"
#include "search1d.hpp"

namespace flatmin {

namespace {

template <class S> S sqrt_s(const S& x) {
  using std::sqrt;
  return S(sqrt(x));
}
template <class S> S pow_s(const S& x, const S& p) {
  using std::pow;
  return S(pow(x, p));
}

std::string dims(Index r, Index c) { return std::to_string(r) + " x " + std::to_string(c); }

// Layers non-empty, shapes chaining, entries finite.
template <class S> void check_layers(const Layers<S>& W, const std::string& fn) {
  if (W.empty()) throw InvalidArgument(fn + ": no layers (L must be at least 1)");
  for (std::size_t j = 0; j < W.size(); ++j) {
    if (W[j].rows() < 1 || W[j].cols() < 1)
      throw InvalidArgument(fn + ": layer W_" + std::to_string(j + 1) + " is empty (" +
                            dims(W[j].rows(), W[j].cols()) + ")");
    if (j > 0 && W[j].cols() != W[j - 1].rows())
      throw InvalidArgument(fn + ": layer shapes do not chain: W_" + std::to_string(j + 1) +
                            " is " + dims(W[j].rows(), W[j].cols()) + " but W_" +
                            std::to_string(j) + " is " + dims(W[j - 1].rows(), W[j - 1].cols()) +
                            " (need W_" + std::to_string(j + 1) + ".cols() = W_" +
                            std::to_string(j) + ".rows())");
    require_finite(W[j], (fn + ": W_" + std::to_string(j + 1)).c_str());
  }
}

// The map's matrices must be d_L x d_0 and there must be measurements.
template <class S> void check_map(const SensingMap<S>& A, const Layers<S>& W, const std::string& fn) {
  const Index dL = W.back().rows(), d0 = W.front().cols();
  if (A.d1() != dL || A.d2() != d0)
    throw InvalidArgument(fn + ": measurement matrices are " + dims(A.d1(), A.d2()) +
                          " but the end-to-end matrix W_L...W_1 is d_L x d_0 = " + dims(dL, d0));
  if (A.m() < 1) throw InvalidArgument(fn + ": no measurements (n = 0)");
}

template <class S> void check_labels(const SensingMap<S>& A, const Vec<S>& b, const std::string& fn) {
  if (b.size() != A.m())
    throw InvalidArgument(fn + ": b has length " + std::to_string(b.size()) + ", expected n = " +
                          std::to_string(A.m()));
  require_finite(b, (fn + ": b").c_str());
}

template <class S> Mat<S> product_unchecked(const Layers<S>& W) {
  Mat<S> E = W.front();
  for (std::size_t j = 1; j < W.size(); ++j) E = W[j] * E;
  return E;
}

template <class S> S loss_unchecked(const SensingMap<S>& A, const Vec<S>& b, const Layers<S>& W) {
  return (A.apply(product_unchecked(W)) - b).squaredNorm() / S(A.m());
}

// widths d_0..d_L of a layer list
template <class S> std::vector<Index> widths_of(const Layers<S>& W) {
  std::vector<Index> d(W.size() + 1);
  d[0] = W.front().cols();
  for (std::size_t j = 0; j < W.size(); ++j) d[j + 1] = W[j].rows();
  return d;
}

// Prefix and suffix products (see the file comment).
template <class S> struct Products {
  std::vector<Mat<S>> P, Sx;
};
template <class S> Products<S> products(const Layers<S>& W) {
  const std::size_t L = W.size();
  const std::vector<Index> d = widths_of(W);
  Products<S> pr;
  pr.P.resize(L + 1);
  pr.Sx.resize(L + 2);
  pr.P[0] = Mat<S>::Identity(d[0], d[0]);
  for (std::size_t m = 1; m <= L; ++m) pr.P[m] = W[m - 1] * pr.P[m - 1];
  pr.Sx[L + 1] = Mat<S>::Identity(d[L], d[L]);
  for (std::size_t m = L; m >= 1; --m) pr.Sx[m] = pr.Sx[m + 1] * W[m - 1];
  return pr;
}

// W_b ... W_a (1-based), the identity of size d_b when a = b + 1.
template <class S> Mat<S> mid(const Layers<S>& W, std::size_t a, std::size_t b) {
  if (a > b) {
    const Index n = b == 0 ? W.front().cols() : W[b - 1].rows();
    return Mat<S>::Identity(n, n);
  }
  Mat<S> X = W[a - 1];
  for (std::size_t j = a + 1; j <= b; ++j) X = W[j - 1] * X;
  return X;
}

// A_i^T for every i, from the dense m x (d1 d2) matrix (row-major vec of A_i).
template <class S> std::vector<Mat<S>> transposed_matrices(const SensingMap<S>& A) {
  const Mat<S> D = A.dense();
  std::vector<Mat<S>> out(A.m());
  for (Index i = 0; i < A.m(); ++i) {
    Mat<S> AiT(A.d2(), A.d1());
    for (Index r = 0; r < A.d1(); ++r)
      for (Index c = 0; c < A.d2(); ++c) AiT(c, r) = D(i, r * A.d2() + c);
    out[i] = std::move(AiT);
  }
  return out;
}

template <class S> S rank_tol(const Vec<S>& s) {
  S smax(0);
  for (Index i = 0; i < s.size(); ++i) smax = std::max<S>(smax, abs_of(s(i)));
  return S(kRankTolEps) * ScalarTraits<S>::epsilon() * smax;
}
template <class S> Index num_rank(const Vec<S>& s) {
  const S tol = rank_tol(s);
  Index r = 0;
  for (Index i = 0; i < s.size(); ++i)
    if (s(i) > tol) ++r;
  return r;
}

// Moore-Penrose inverse of the PSD square root of a Gram matrix G (eigenvalues below the rank
// tolerance are treated as zero).
template <class S> Mat<S> psd_sqrt_pinv(const Mat<S>& G) {
  const SymEig<S> e = sym_eig<S>(G);
  const S tol = rank_tol<S>(e.lambda);
  Vec<S> r(e.lambda.size());
  for (Index i = 0; i < r.size(); ++i)
    r(i) = e.lambda(i) > tol ? S(S(1) / sqrt_s<S>(e.lambda(i))) : S(0);
  return e.P * r.asDiagonal() * e.P.transpose();
}

void check_widths(const std::vector<Index>& widths, Index d0, Index dL, Index need,
                  const std::string& fn) {
  if (widths.size() < 3)
    throw InvalidArgument(fn + ": widths must list d_0, ..., d_L with L >= 2, got " +
                          std::to_string(widths.size()) + " entries");
  if (widths.front() != d0 || widths.back() != dL)
    throw InvalidArgument(fn + ": widths must start with d_0 = " + std::to_string(d0) +
                          " and end with d_L = " + std::to_string(dL) + " (M is d_L x d_0)");
  for (std::size_t i = 1; i + 1 < widths.size(); ++i)
    if (widths[i] < need)
      throw InvalidArgument(fn + ": width d_" + std::to_string(i) + " = " +
                            std::to_string(widths[i]) + " is below the required " +
                            std::to_string(need));
}

// Embed layers of intermediate width rho into widths k_j >= rho: W_j -> E_j W_j E_{j-1}^T with
// E_j the first rho columns of I_{k_j} (zero rows / columns appended). Products and every C_j's
// Frobenius norm are unchanged.
template <class S> Layers<S> embed(const Layers<S>& W, const std::vector<Index>& widths) {
  const std::size_t L = W.size();
  Layers<S> out(L);
  for (std::size_t j = 1; j <= L; ++j) {
    out[j - 1] = Mat<S>::Zero(widths[j], widths[j - 1]);
    out[j - 1].topLeftCorner(W[j - 1].rows(), W[j - 1].cols()) = W[j - 1];
  }
  return out;
}

}  // namespace

// ---- the model -----------------------------------------------------------------------------

template <class S> Mat<S> end_to_end(const Layers<S>& W) {
  check_layers(W, "end_to_end");
  return product_unchecked(W);
}

template <class S> S deep_loss(const SensingMap<S>& A, const Vec<S>& b, const Layers<S>& W) {
  check_layers(W, "deep_loss");
  check_map(A, W, "deep_loss");
  check_labels(A, b, "deep_loss");
  return loss_unchecked(A, b, W);
}

// The step along coordinate lines of layer j: its largest entry (scale-invariant), or 1 for a
// zero layer. The five-point rule is exact for the quadratic t -> L(W + t e) for any step.
template <class S> static S coordinate_step(const Mat<S>& Wj) {
  S h(0);
  for (Index c = 0; c < Wj.cols(); ++c)
    for (Index r = 0; r < Wj.rows(); ++r) h = std::max<S>(h, abs_of(Wj(r, c)));
  return h > S(0) ? h : S(1);
}

// Visits every entry of every layer of V, a working copy of W, layer by layer and column by column:
// visit(entry, base, h) with base the entry's value and h = coordinate_step(W[j]) its layer's
// step; the entry is restored to base afterwards.
template <class S, class Visit> static void for_each_entry(Layers<S>& V, const Layers<S>& W,
                                                           Visit&& visit) {
  for (std::size_t j = 0; j < V.size(); ++j) {
    const S h = coordinate_step(W[j]);
    for (Index c = 0; c < V[j].cols(); ++c)
      for (Index r = 0; r < V[j].rows(); ++r) {
        const S base = V[j](r, c);
        visit(V[j](r, c), base, h);
        V[j](r, c) = base;
      }
  }
}

template <class S>
S deep_trace_definition(const SensingMap<S>& A, const Vec<S>& b, const Layers<S>& W) {
  check_layers(W, "deep_trace_definition");
  check_map(A, W, "deep_trace_definition");
  check_labels(A, b, "deep_trace_definition");
  Layers<S> V = W;
  S sum(0);
  for_each_entry<S>(V, W, [&](S& entry, const S& base, const S& h) {
    std::function<S(const S&)> p = [&](const S& t) {
      entry = base + t;
      return loss_unchecked(A, b, V);
    };
    sum += second_derivative_along<S>(p, h);
  });
  return sum;
}

template <class S> S deep_output_gradients_sq_definition(const SensingMap<S>& A, const Layers<S>& W) {
  check_layers(W, "deep_output_gradients_sq_definition");
  check_map(A, W, "deep_output_gradients_sq_definition");
  Layers<S> V = W;
  S sum(0);
  for_each_entry<S>(V, W, [&](S& entry, const S& base, const S& h) {
    // (t, (f_1, ..., f_n)(W + t e)) for the points the rule asks for: one product per point,
    // shared by the n outputs.
    std::vector<std::pair<S, Vec<S>>> cache;
    auto outputs = [&](const S& t) -> const Vec<S>& {
      for (const auto& kv : cache)
        if (kv.first == t) return kv.second;
      entry = base + t;
      cache.emplace_back(t, A.apply(product_unchecked(V)));
      entry = base;
      return cache.back().second;
    };
    for (Index i = 0; i < A.m(); ++i) {
      std::function<S(const S&)> f = [&](const S& t) { return outputs(t)(i); };
      const S g = first_derivative_along<S>(f, h);
      sum += g * g;
    }
  });
  return sum;
}

template <class S> S deep_trace_closed(const SensingMap<S>& A, const Layers<S>& W) {
  check_layers(W, "deep_trace_closed");
  check_map(A, W, "deep_trace_closed");
  const std::size_t L = W.size();
  const Products<S> pr = products(W);
  const std::vector<Mat<S>> AT = transposed_matrices(A);
  S sum(0);
  for (Index i = 0; i < A.m(); ++i)
    for (std::size_t j = 1; j <= L; ++j)
      sum += (pr.P[j - 1] * AT[i] * pr.Sx[j + 1]).squaredNorm();
  return S(2) * sum / S(A.m());
}

template <class S> Layers<S> deep_trace_closed_gradient(const SensingMap<S>& A, const Layers<S>& W) {
  check_layers(W, "deep_trace_closed_gradient");
  check_map(A, W, "deep_trace_closed_gradient");
  const std::size_t L = W.size();
  const Products<S> pr = products(W);
  const std::vector<Mat<S>> AT = transposed_matrices(A);
  // mids[a][b] = W_b ... W_a
  std::vector<std::vector<Mat<S>>> mids(L + 2, std::vector<Mat<S>>(L + 1));
  for (std::size_t a = 1; a <= L + 1; ++a)
    for (std::size_t b = a - 1; b <= L; ++b) mids[a][b] = mid(W, a, b);
  Layers<S> grad(L);
  for (std::size_t j = 1; j <= L; ++j) grad[j - 1] = Mat<S>::Zero(W[j - 1].rows(), W[j - 1].cols());
  const S c = S(4) / S(A.m());
  for (Index i = 0; i < A.m(); ++i)
    for (std::size_t k = 1; k <= L; ++k) {
      const Mat<S> C = pr.P[k - 1] * AT[i] * pr.Sx[k + 1];  // d_{k-1} x d_k
      for (std::size_t j = 1; j < k; ++j) {               // W_j inside P[k-1]
        const Mat<S>& X = mids[j + 1][k - 1];
        const Mat<S> Y = pr.P[j - 1] * AT[i] * pr.Sx[k + 1];
        grad[j - 1] += c * X.transpose() * C * Y.transpose();
      }
      for (std::size_t j = k + 1; j <= L; ++j) {          // W_j inside Sx[k+1]
        const Mat<S> X = pr.P[k - 1] * AT[i] * pr.Sx[j + 1];
        const Mat<S>& Y = mids[k + 1][j - 1];
        grad[j - 1] += c * X.transpose() * C * Y.transpose();
      }
    }
  return grad;
}

template <class S> S regularizer_R(const Layers<S>& W) {
  check_layers(W, "regularizer_R");
  const std::size_t L = W.size();
  if (L < 2) throw InvalidArgument("regularizer_R: needs depth L >= 2, got " + std::to_string(L));
  const std::vector<Index> d = widths_of(W);
  const Products<S> pr = products(W);
  S R = S(d[0]) * pr.Sx[2].squaredNorm() + S(d[L]) * pr.P[L - 1].squaredNorm();
  for (std::size_t j = 2; j + 1 <= L; ++j)
    R += pr.Sx[j + 1].squaredNorm() * pr.P[j - 1].squaredNorm();
  return R;
}

template <class S> S induced_rip_value(const Mat<S>& M, Index L) {
  if (L < 2) throw InvalidArgument("induced_rip_value: depth L must be at least 2, got " + std::to_string(L));
  if (M.rows() < 1 || M.cols() < 1) throw InvalidArgument("induced_rip_value: M is empty");
  require_finite(M, "induced_rip_value: M");
  const S nuc = nuclear_norm<S>(M);
  const S l(static_cast<double>(L));
  const S d0dL = S(M.cols()) * S(M.rows());
  if (!(nuc > S(0))) return S(0);
  return l * pow_s<S>(d0dL, S(1) / l) * pow_s<S>(nuc, S(2) * (l - S(1)) / l);
}

// ---- B Lemma 4 ------------------------------------------------------------------------------

template <class S> S lemma4_alpha(const Mat<S>& M, Index L, bool as_printed) {
  if (L < 2) throw InvalidArgument("lemma4_alpha: depth L must be at least 2");
  require_finite(M, "lemma4_alpha: M");
  const S nuc = nuclear_norm<S>(M);
  const S d0dL = S(M.cols()) * S(M.rows());
  const S denom = as_printed ? d0dL : sqrt_s<S>(d0dL);
  return pow_s<S>(nuc / denom, S(1) / S(static_cast<double>(L)));
}

template <class S> S lemma4_alpha_prime(Index d0, Index dL, bool as_printed) {
  if (d0 < 1 || dL < 1) throw InvalidArgument("lemma4_alpha_prime: d_0 and d_L must be positive");
  const S ratio = S(dL) / S(d0);
  return as_printed ? sqrt_s<S>(ratio) : sqrt_s<S>(sqrt_s<S>(ratio));
}

template <class S>
Layers<S> lemma4_construction(const Mat<S>& M, const std::vector<Index>& widths, const S& alpha,
                              const S& alpha_prime) {
  const std::string fn = "lemma4_construction";
  if (M.rows() < 1 || M.cols() < 1) throw InvalidArgument(fn + ": M is empty");
  require_finite(M, (fn + ": M").c_str());
  const Svd<S> d = svd<S>(M);
  const Index r = num_rank<S>(d.s);
  check_widths(widths, M.cols(), M.rows(), r, fn);
  const std::size_t L = widths.size() - 1;
  Layers<S> W(L);
  if (r == 0) {
    for (std::size_t j = 1; j <= L; ++j) W[j - 1] = Mat<S>::Zero(widths[j], widths[j - 1]);
    return W;
  }
  if (!(alpha > S(0)) || !(alpha_prime > S(0)) || !is_finite(alpha) || !is_finite(alpha_prime))
    throw InvalidArgument(fn + ": alpha and alpha' must be positive and finite");
  Vec<S> root(r);
  for (Index i = 0; i < r; ++i) root(i) = sqrt_s<S>(d.s(i));
  auto Q = [&](std::size_t i) { return Mat<S>(Mat<S>::Identity(widths[i], r)); };
  const S a_half = pow_s<S>(alpha, -S(static_cast<double>(L) - 2) / S(2));  // alpha^{-(L-2)/2}
  W[L - 1] = alpha_prime * a_half * d.U.leftCols(r) * root.asDiagonal() * Q(L - 1).transpose();
  for (std::size_t i = 2; i + 1 <= L; ++i) W[i - 1] = alpha * Q(i) * Q(i - 1).transpose();
  W[0] = (a_half / alpha_prime) * Q(1) * root.asDiagonal() * d.V.leftCols(r).transpose();
  return W;
}

template <class S> Layers<S> lemma4_factors(const Mat<S>& M, const std::vector<Index>& widths) {
  if (M.rows() < 1 || M.cols() < 1) throw InvalidArgument("lemma4_factors: M is empty");
  require_finite(M, "lemma4_factors: M");
  if (widths.size() < 3)
    throw InvalidArgument("lemma4_factors: widths must list d_0, ..., d_L with L >= 2");
  const Index L = Index(widths.size()) - 1;
  const S nuc = nuclear_norm<S>(M);
  const S alpha = nuc > S(0) ? lemma4_alpha<S>(M, L) : S(1);
  return lemma4_construction<S>(M, widths, alpha, lemma4_alpha_prime<S>(M.cols(), M.rows()));
}

template <class S> Layers<S> gauge_transform(const Layers<S>& W, const std::vector<Mat<S>>& G) {
  check_layers(W, "gauge_transform");
  const std::size_t L = W.size();
  if (G.size() + 1 != L)
    throw InvalidArgument("gauge_transform: need L - 1 = " + std::to_string(L - 1) +
                          " gauge matrices, got " + std::to_string(G.size()));
  std::vector<Mat<S>> Ginv(G.size());
  for (std::size_t j = 1; j < L; ++j) {
    const Index dj = W[j - 1].rows();
    require_shape(G[j - 1].rows(), G[j - 1].cols(), dj, dj,
                  ("gauge_transform: G_" + std::to_string(j)).c_str());
    require_finite(G[j - 1], ("gauge_transform: G_" + std::to_string(j)).c_str());
    Ginv[j - 1] = inverse<S>(G[j - 1], "gauge_transform: G_j");
  }
  Layers<S> out(L);
  for (std::size_t j = 1; j <= L; ++j) {
    Mat<S> X = W[j - 1];
    if (j < L) X = G[j - 1] * X;
    if (j > 1) X = X * Ginv[j - 2];
    out[j - 1] = std::move(X);
  }
  return out;
}

// ---- B Theorem 5 ----------------------------------------------------------------------------

template <class S> S paper_b_two_layer_value(const SensingMap<S>& A, const Mat<S>& M) {
  require_shape(M.rows(), M.cols(), A.d1(), A.d2(), "paper_b_two_layer_value: M");
  require_finite(M, "paper_b_two_layer_value: M");
  if (A.m() < 1) throw InvalidArgument("paper_b_two_layer_value: no measurements (n = 0)");
  const S n(static_cast<double>(A.m()));
  const Mat<S> C1 = psd_sqrt<S>(Mat<S>(A.gram_left() / n));
  const Mat<S> C2 = psd_sqrt<S>(Mat<S>(A.gram_right() / n));
  return S(2) * nuclear_norm<S>(Mat<S>(C1 * M * C2));
}

template <class S> Layers<S> theorem5_factors(const SensingMap<S>& A, const Mat<S>& M, Index k) {
  const std::string fn = "theorem5_factors";
  require_shape(M.rows(), M.cols(), A.d1(), A.d2(), (fn + ": M").c_str());
  require_finite(M, (fn + ": M").c_str());
  if (A.m() < 1) throw InvalidArgument(fn + ": no measurements (n = 0)");
  if (k < 1) throw InvalidArgument(fn + ": width k must be positive, got " + std::to_string(k));
  const Mat<S> GL = A.gram_left(), GR = A.gram_right();
  const Mat<S> B1 = psd_sqrt<S>(GL), B2 = psd_sqrt<S>(GR);
  const Svd<S> d = svd<S>(Mat<S>(B1 * M * B2));
  const Index rho = num_rank<S>(d.s);
  if (rho > k)
    throw InvalidArgument(fn + ": rank(B1 M B2) = " + std::to_string(rho) + " exceeds k = " +
                          std::to_string(k));
  Vec<S> root(rho);
  for (Index i = 0; i < rho; ++i) root(i) = sqrt_s<S>(d.s(i));
  Layers<S> W(2);
  W[1] = Mat<S>::Zero(A.d1(), k);
  W[0] = Mat<S>::Zero(k, A.d2());
  W[1].leftCols(rho) = psd_sqrt_pinv<S>(GL) * d.U.leftCols(rho) * root.asDiagonal();
  W[0].topRows(rho) = root.asDiagonal() * d.V.leftCols(rho).transpose() * psd_sqrt_pinv<S>(GR);
  return W;
}

// ---- B Theorem 7 ----------------------------------------------------------------------------

template <class S> S paper_b_single_value(const Mat<S>& A, const Mat<S>& M, Index L) {
  if (L < 1) throw InvalidArgument("paper_b_single_value: depth L must be positive");
  require_shape(M.rows(), M.cols(), A.rows(), A.cols(), "paper_b_single_value: M (same shape as A)");
  require_finite(A, "paper_b_single_value: A");
  require_finite(M, "paper_b_single_value: M");
  // X = (A^T M)^{L-1} A^T = A^T (M A^T)^{L-1}: the power is taken of the smaller square matrix
  // (for d_L = 1 the second form keeps X exactly parallel to A^T).
  Mat<S> X = A.transpose();
  if (A.rows() <= A.cols()) {
    const Mat<S> Y = M * A.transpose();
    for (Index j = 1; j < L; ++j) X = X * Y;
  } else {
    const Mat<S> Z = A.transpose() * M;
    for (Index j = 1; j < L; ++j) X = Z * X;
  }
  const Vec<S> s = singular_values<S>(X);
  const S l(static_cast<double>(L));
  S sum(0);  // ||X||_{S_{2/L}}^{2/L} = sum_i s_i^{2/L}
  for (Index i = 0; i < s.size(); ++i)
    if (s(i) > S(0)) sum += pow_s<S>(s(i), S(2) / l);
  return l * sum;
}

namespace {
// The attaining factorisation for d_L <= d_0 with intermediate widths rho = d_L (see header).
// Derivation: with C_j = W_{j-1}..W_1 A^T W_L..W_{j+1}, C_1 C_2 ... C_L = (A^T M)^{L-1} A^T = X,
// so by AM-GM and Hoelder (1/(2/L) = sum_j 1/2) sum ||C_j||_F^2 >= L (prod ||C_j||_F)^{2/L}
// >= L ||X||_{S_{2/L}}^{2/L}, with equality iff C_j = U_{j-1} S U_j^T (U_0 = P, U_L = Q). Solving
// for W_j = U_j T_j U_{j-1}^T (U_j = I for 0 < j < L) gives T_j = S^{-j} N S^{j-1}, and then
// W_L...W_1 = Q Sigma^{-1} P^T (A^T M)^L = X^+ X M = Q Q^T M = M (Q is square orthogonal).
template <class S> Layers<S> theorem7_core(const Mat<S>& A, const Mat<S>& M, std::size_t L) {
  const Index dL = M.rows();
  // X = (A^T M)^{L-1} A^T formed as A^T (M A^T)^{L-1}: its columns are combinations of the
  // columns of A^T, so range(X) = range(Z) holds to rounding relative to A alone (forming Z^{L-1}
  // first would tilt the computed range by eps kappa and make N = P^T Z P lose eps kappa^2).
  const Mat<S> Y = M * A.transpose();  // d_L x d_L
  Mat<S> X = A.transpose();
  for (std::size_t j = 1; j < L; ++j) X = X * Y;
  const Svd<S> d = svd<S>(X);  // P: d0 x dL, s: dL, Q: dL x dL
  const S tol = rank_tol<S>(d.s);
  for (Index i = 0; i < d.s.size(); ++i)
    if (!(d.s(i) > tol))
      throw InvalidArgument(
          "theorem7_factors: (A^T M)^{L-1} A^T has rank below min(d_0, d_L); the infimum (24) "
          "need not be attained");
  const S l(static_cast<double>(L));
  auto Spow = [&](int e) {  // diagonal of S^e = Sigma^{e/L}
    Vec<S> v(dL);
    for (Index i = 0; i < dL; ++i) v(i) = pow_s<S>(d.s(i), S(e) / l);
    return v;
  };
  const Mat<S> PtAt = d.U.transpose() * A.transpose();  // rho x d_L
  const Mat<S> N = PtAt * (M * d.U);                    // P^T Z P, rho x rho
  Layers<S> W(L);
  W[0] = Spow(-1).asDiagonal() * (PtAt * M);            // S^{-1} P^T Z
  for (std::size_t j = 2; j + 1 <= L; ++j)
    W[j - 1] = Spow(-int(j)).asDiagonal() * N * Spow(int(j) - 1).asDiagonal();
  W[L - 1] = d.V * (Spow(-int(L)).asDiagonal() * N * Spow(int(L) - 1).asDiagonal());
  return W;
}
}  // namespace

template <class S>
Layers<S> theorem7_factors(const Mat<S>& A, const Mat<S>& M, const std::vector<Index>& widths) {
  const std::string fn = "theorem7_factors";
  require_shape(M.rows(), M.cols(), A.rows(), A.cols(), (fn + ": M (same shape as A)").c_str());
  if (M.rows() < 1 || M.cols() < 1) throw InvalidArgument(fn + ": M is empty");
  require_finite(A, (fn + ": A").c_str());
  require_finite(M, (fn + ": M").c_str());
  const Index d0 = M.cols(), dL = M.rows(), rho = std::min(d0, dL);
  if (widths.size() < 2) throw InvalidArgument(fn + ": widths must list d_0, ..., d_L");
  const std::size_t L = widths.size() - 1;
  if (L == 1) {
    if (widths[0] != d0 || widths[1] != dL) throw InvalidArgument(fn + ": widths must be (d_0, d_L)");
    return Layers<S>{M};
  }
  check_widths(widths, d0, dL, rho, fn);
  Layers<S> core;
  if (dL <= d0) {
    core = theorem7_core<S>(A, M, L);
  } else {  // the transposed problem: layers W'_k = W_{L+1-k}^T, A' = A^T, M' = M^T
    const Layers<S> t = theorem7_core<S>(Mat<S>(A.transpose()), Mat<S>(M.transpose()), L);
    core.resize(L);
    for (std::size_t j = 1; j <= L; ++j) core[j - 1] = t[L - j].transpose();
  }
  return embed<S>(core, widths);
}

// ---- numerical minimiser --------------------------------------------------------------------

template <class S>
TraceMinResult<S> minimise_trace_over_factorisations(const SensingMap<S>& A, const Layers<S>& W0,
                                                     const TraceMinOptions& opt) {
  const std::string fn = "minimise_trace_over_factorisations";
  check_layers(W0, fn);
  check_map(A, W0, fn);
  if (opt.max_iterations < 0 || opt.restart < 1 || !(opt.gradient_tolerance > 0))
    throw InvalidArgument(fn + ": options out of range");
  const std::size_t L = W0.size();
  TraceMinResult<S> res;
  res.W = W0;
  res.trace = deep_trace_closed(A, W0);
  if (L < 2) {
    res.converged = true;
    return res;
  }
  std::vector<Index> d = widths_of(W0);
  Index nvar = 0;
  for (std::size_t j = 1; j < L; ++j) nvar += d[j] * d[j];

  Layers<S> base = W0;
  auto unpack = [&](const Vec<S>& x) {
    std::vector<Mat<S>> G(L - 1);
    Index off = 0;
    for (std::size_t j = 1; j < L; ++j) {
      G[j - 1] = Mat<S>::Identity(d[j], d[j]);
      for (Index c = 0; c < d[j]; ++c)
        for (Index r = 0; r < d[j]; ++r) G[j - 1](r, c) += x(off++);
    }
    return G;
  };
  struct Eval {
    bool ok = false;
    S value;
    Vec<S> grad;       // dT/dG (flattened)
    double rel_gauge = 0;  // relative gauge gradient
    Layers<S> W;
  };
  auto evaluate = [&](const Vec<S>& x) {
    Eval e;
    const std::vector<Mat<S>> G = unpack(x);
    try {
      e.W = gauge_transform<S>(base, G);
    } catch (const InvalidArgument&) {
      return e;  // singular gauge: outside the domain
    }
    e.value = deep_trace_closed(A, e.W);
    if (!is_finite(e.value)) return e;
    const Layers<S> g = deep_trace_closed_gradient(A, e.W);
    e.grad = Vec<S>(nvar);
    Index off = 0;
    S gauge_sq(0);
    for (std::size_t j = 1; j < L; ++j) {
      // dT along W_j -> (I + D) W_j, W_{j+1} -> W_{j+1} (I + D)^{-1}
      const Mat<S> Dj = g[j - 1] * e.W[j - 1].transpose() - e.W[j].transpose() * g[j];
      gauge_sq += Dj.squaredNorm();
      const Mat<S> Gj = Dj * inverse<S>(G[j - 1], "gauge").transpose();
      for (Index c = 0; c < d[j]; ++c)
        for (Index r = 0; r < d[j]; ++r) e.grad(off++) = Gj(r, c);
    }
    e.rel_gauge = e.value > S(0) ? to_double(S(sqrt_s<S>(gauge_sq) / e.value)) : 0.0;
    e.ok = true;
    return e;
  };

  Vec<S> x = Vec<S>::Zero(nvar);
  Eval cur = evaluate(x);
  if (!cur.ok) throw InvalidArgument(fn + ": the trace is not finite at W0");
  Mat<S> H = Mat<S>::Identity(nvar, nvar);
  int since_restart = 0;
  bool fresh = true;
  int it = 0;
  for (; it < opt.max_iterations && cur.rel_gauge > opt.gradient_tolerance; ++it) {
    if (since_restart >= opt.restart) {  // re-base at the current point
      base = cur.W;
      x.setZero();
      cur = evaluate(x);
      H.setIdentity();
      since_restart = 0;
      fresh = true;
    }
    Vec<S> p = -(H * cur.grad);
    S slope = p.dot(cur.grad);
    if (!(slope < S(0))) {
      p = -cur.grad;
      slope = p.dot(cur.grad);
      H.setIdentity();
    }
    S step(1);
    if (fresh) {  // first step of a run: limit the change of G to about 10%
      const S pn = p.norm();
      if (pn > S(0.1)) step = S(0.1) / pn;
    }
    Eval next;
    const bool accepted = search1d::backtrack<S>(step, 79, [&](const S& t) {
      next = evaluate(Vec<S>(x + t * p));
      return next.ok && next.value <= cur.value + S(1e-4) * t * slope;
    });
    if (!accepted) {
      if (fresh) break;  // no descent even along the gradient: at rounding level
      since_restart = opt.restart;  // restart from here
      continue;
    }
    const Vec<S> s_vec = step * p;
    const Vec<S> y = next.grad - cur.grad;
    const S sy = s_vec.dot(y);
    if (sy > S(1e-12) * s_vec.norm() * y.norm()) {
      if (fresh) H *= sy / y.squaredNorm();
      const Vec<S> Hy = H * y;
      const S rho = S(1) / sy;
      H += (rho * rho * y.dot(Hy) + rho) * s_vec * s_vec.transpose() -
           rho * (Hy * s_vec.transpose() + s_vec * Hy.transpose());
      fresh = false;
    }
    x += s_vec;
    cur = std::move(next);
    ++since_restart;
  }
  res.W = cur.W;
  res.trace = cur.value;
  res.iterations = it;
  res.gradient_norm = cur.rel_gauge;
  res.converged = cur.rel_gauge <= opt.gradient_tolerance;
  return res;
}

// ---- B Theorem 4 ----------------------------------------------------------------------------

template <class S> Mat<S> min_frobenius_interpolant(const SensingMap<S>& A, const Vec<S>& b) {
  const std::string fn = "min_frobenius_interpolant";
  if (A.m() < 1) throw InvalidArgument(fn + ": no measurements (n = 0)");
  check_labels(A, b, fn);
  const Mat<S> D = A.dense();  // n x (d1 d2), row-major vec
  const bool wide = D.rows() <= D.cols();
  const Mat<S> G = wide ? Mat<S>(D * D.transpose()) : Mat<S>(D.transpose() * D);
  // The Gram matrix must be numerically nonsingular (its condition is the square of the sensing
  // matrix's): refuse it beyond 1 / (kRankTolEps eps).
  if (!(spd_condition<S>(G) < S(1) / (S(kRankTolEps) * ScalarTraits<S>::epsilon())))
    throw InvalidArgument(fn + ": the " + std::to_string(D.rows()) + " x " +
                          std::to_string(D.cols()) +
                          " sensing matrix does not have full rank (singular Gram matrix)");
  const Mat<S> Ginv = spd_inverse<S>(G, "min_frobenius_interpolant: Gram matrix");
  const Vec<S> x = wide ? Vec<S>(D.transpose() * (Ginv * b)) : Vec<S>(Ginv * (D.transpose() * b));
  Mat<S> X(A.d1(), A.d2());
  for (Index r = 0; r < A.d1(); ++r)
    for (Index c = 0; c < A.d2(); ++c) X(r, c) = x(r * A.d2() + c);
  return X;
}

#define FLATMIN_INSTANTIATE_DEEP(S)                                                             \
  template Mat<S> end_to_end<S>(const Layers<S>&);                                              \
  template S deep_loss<S>(const SensingMap<S>&, const Vec<S>&, const Layers<S>&);               \
  template S deep_trace_definition<S>(const SensingMap<S>&, const Vec<S>&, const Layers<S>&);   \
  template S deep_trace_closed<S>(const SensingMap<S>&, const Layers<S>&);                      \
  template S regularizer_R<S>(const Layers<S>&);                                                \
  template S induced_rip_value<S>(const Mat<S>&, Index);                                        \
  template Layers<S> lemma4_factors<S>(const Mat<S>&, const std::vector<Index>&);               \
  template S deep_output_gradients_sq_definition<S>(const SensingMap<S>&, const Layers<S>&);    \
  template Layers<S> deep_trace_closed_gradient<S>(const SensingMap<S>&, const Layers<S>&);     \
  template Layers<S> lemma4_construction<S>(const Mat<S>&, const std::vector<Index>&, const S&, \
                                            const S&);                                          \
  template S lemma4_alpha<S>(const Mat<S>&, Index, bool);                                       \
  template S lemma4_alpha_prime<S>(Index, Index, bool);                                         \
  template Layers<S> gauge_transform<S>(const Layers<S>&, const std::vector<Mat<S>>&);          \
  template S paper_b_two_layer_value<S>(const SensingMap<S>&, const Mat<S>&);                   \
  template Layers<S> theorem5_factors<S>(const SensingMap<S>&, const Mat<S>&, Index);           \
  template S paper_b_single_value<S>(const Mat<S>&, const Mat<S>&, Index);                      \
  template Layers<S> theorem7_factors<S>(const Mat<S>&, const Mat<S>&,                          \
                                         const std::vector<Index>&);                            \
  template TraceMinResult<S> minimise_trace_over_factorisations<S>(                             \
      const SensingMap<S>&, const Layers<S>&, const TraceMinOptions&);                          \
  template Mat<S> min_frobenius_interpolant<S>(const SensingMap<S>&, const Vec<S>&);

}  // namespace flatmin
