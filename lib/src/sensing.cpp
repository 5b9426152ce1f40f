#include "flatmin/sensing.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "flatmin/linalg.hpp"

namespace flatmin {

namespace {
std::string dims(Index r, Index c) { return std::to_string(r) + " x " + std::to_string(c); }
void require_positive_dims(Index d1, Index d2, const char* what) {
  if (d1 <= 0 || d2 <= 0)
    throw InvalidArgument(std::string(what) + ": dimensions must be positive, got " + dims(d1, d2));
}
template <class S> bool is_diagonal(const Mat<S>& Q) {
  for (Index j = 0; j < Q.cols(); ++j)
    for (Index i = 0; i < Q.rows(); ++i)
      if (i != j && Q(i, j) != S(0)) return false;
  return true;
}
}  // namespace

template <class S> Vec<S> SensingMap<S>::apply(const Mat<S>& X) const {
  require_shape(X.rows(), X.cols(), d1_, d2_, "SensingMap::apply: X");
  Vec<S> y(m_);
  switch (structure_) {
    case Structure::dense: {
      Vec<S> x(d1_ * d2_);
      for (Index j = 0; j < d1_; ++j)
        for (Index k = 0; k < d2_; ++k) x(j * d2_ + k) = X(j, k);
      y = dense_ * x;
      break;
    }
    case Structure::rank_one:
      // a_i^T X b_i for every i at once: rowwise sum of (a X) .* b
      y = ((a_ * X).cwiseProduct(b_)).rowwise().sum().cwiseProduct(w_);
      break;
    case Structure::quadratic:
      y = ((a_ * X).cwiseProduct(a_)).rowwise().sum();
      break;
    case Structure::entries:
      for (Index i = 0; i < m_; ++i) y(i) = w_(i) * X(idx_[i].first, idx_[i].second);
      break;
    case Structure::identity:
      for (Index j = 0; j < d1_; ++j)
        for (Index k = 0; k < d2_; ++k) y(j * d2_ + k) = X(j, k);
      break;
  }
  return y;
}

template <class S> Mat<S> SensingMap<S>::adjoint(const Vec<S>& y) const {
  if (y.size() != m_)
    throw InvalidArgument("SensingMap::adjoint: y has length " + std::to_string(y.size()) +
                          ", expected m = " + std::to_string(m_));
  Mat<S> X = Mat<S>::Zero(d1_, d2_);
  switch (structure_) {
    case Structure::dense: {
      Vec<S> x = dense_.transpose() * y;
      for (Index j = 0; j < d1_; ++j)
        for (Index k = 0; k < d2_; ++k) X(j, k) = x(j * d2_ + k);
      break;
    }
    case Structure::rank_one:
      X = a_.transpose() * y.cwiseProduct(w_).asDiagonal() * b_;
      break;
    case Structure::quadratic:
      X = a_.transpose() * y.asDiagonal() * a_;
      break;
    case Structure::entries:
      for (Index i = 0; i < m_; ++i) X(idx_[i].first, idx_[i].second) += w_(i) * y(i);
      break;
    case Structure::identity:
      for (Index j = 0; j < d1_; ++j)
        for (Index k = 0; k < d2_; ++k) X(j, k) = y(j * d2_ + k);
      break;
  }
  return X;
}

template <class S> Mat<S> SensingMap<S>::matrix(Index i) const {
  if (i < 0 || i >= m_)
    throw InvalidArgument("SensingMap::matrix: index " + std::to_string(i) + " out of range");
  Mat<S> Ai = Mat<S>::Zero(d1_, d2_);
  switch (structure_) {
    case Structure::dense:
      for (Index j = 0; j < d1_; ++j)
        for (Index k = 0; k < d2_; ++k) Ai(j, k) = dense_(i, j * d2_ + k);
      break;
    case Structure::rank_one:
      Ai = w_(i) * a_.row(i).transpose() * b_.row(i);
      break;
    case Structure::quadratic:
      Ai = a_.row(i).transpose() * a_.row(i);
      break;
    case Structure::entries:
      Ai(idx_[i].first, idx_[i].second) = w_(i);
      break;
    case Structure::identity:
      Ai(i / d2_, i % d2_) = S(1);
      break;
  }
  return Ai;
}

template <class S> Mat<S> SensingMap<S>::dense() const {
  if (structure_ == Structure::dense) return dense_;
  Mat<S> D(m_, d1_ * d2_);
  for (Index i = 0; i < m_; ++i) {
    Mat<S> Ai = matrix(i);
    for (Index j = 0; j < d1_; ++j)
      for (Index k = 0; k < d2_; ++k) D(i, j * d2_ + k) = Ai(j, k);
  }
  return D;
}

template <class S> Mat<S> SensingMap<S>::gram_left() const {
  Mat<S> G = Mat<S>::Zero(d1_, d1_);
  switch (structure_) {
    case Structure::rank_one: {
      // A_i A_i^T = w_i^2 ||b_i||^2 a_i a_i^T
      Vec<S> c = b_.rowwise().squaredNorm().cwiseProduct(w_.cwiseAbs2());
      G = a_.transpose() * c.asDiagonal() * a_;
      break;
    }
    case Structure::quadratic: {
      Vec<S> c = a_.rowwise().squaredNorm();
      G = a_.transpose() * c.asDiagonal() * a_;
      break;
    }
    case Structure::entries:
      for (Index i = 0; i < m_; ++i) G(idx_[i].first, idx_[i].first) += w_(i) * w_(i);
      break;
    case Structure::identity:
      G = S(d2_) * Mat<S>::Identity(d1_, d1_);
      break;
    case Structure::dense:
      // A_i(j, k) = dense_(i, j d2 + k). With B_k the m x d1 matrix B_k(i, j) = A_i(j, k)
      // (every d2-th column of dense_, starting at k): sum_i A_i A_i^T = sum_k B_k^T B_k.
      for (Index k = 0; k < d2_; ++k) {
        Eigen::Map<const Mat<S>, 0, Eigen::OuterStride<>> Bk(dense_.data() + k * m_, m_, d1_,
                                                             Eigen::OuterStride<>(d2_ * m_));
        G.noalias() += Bk.transpose() * Bk;
      }
      break;
  }
  return G;
}

template <class S> Mat<S> SensingMap<S>::gram_right() const {
  Mat<S> G = Mat<S>::Zero(d2_, d2_);
  switch (structure_) {
    case Structure::rank_one: {
      Vec<S> c = a_.rowwise().squaredNorm().cwiseProduct(w_.cwiseAbs2());
      G = b_.transpose() * c.asDiagonal() * b_;
      break;
    }
    case Structure::quadratic:
      return gram_left();
    case Structure::entries:
      for (Index i = 0; i < m_; ++i) G(idx_[i].second, idx_[i].second) += w_(i) * w_(i);
      break;
    case Structure::identity:
      G = S(d1_) * Mat<S>::Identity(d2_, d2_);
      break;
    case Structure::dense:
      // with C_j = dense_.middleCols(j d2, d2), C_j(i, k) = A_i(j, k): sum_i A_i^T A_i = sum_j C_j^T C_j
      for (Index j = 0; j < d1_; ++j) {
        const auto Cj = dense_.middleCols(j * d2_, d2_);
        G.noalias() += Cj.transpose() * Cj;
      }
      break;
  }
  return G;
}

template <class S>
SensingMap<S> SensingMap<S>::composed(const Mat<S>& Q1, const Mat<S>& Q2) const {
  require_shape(Q1.rows(), Q1.cols(), d1_, d1_, "SensingMap::composed: Q1");
  require_shape(Q2.rows(), Q2.cols(), d2_, d2_, "SensingMap::composed: Q2");
  require_finite(Q1, "SensingMap::composed: Q1");
  require_finite(Q2, "SensingMap::composed: Q2");
  const std::string fam = family_ + "(Q1.Q2)";
  // <A_i, Q1 X Q2> = <Q1^T A_i Q2^T, X>
  switch (structure_) {
    case Structure::rank_one:
      return from_rank_one(a_ * Q1, b_ * Q2.transpose(), w_, fam);
    case Structure::quadratic:
      if (Q1 == Q2.transpose()) return from_quadratic(a_ * Q1, fam);
      break;
    case Structure::entries:
      if (is_diagonal(Q1) && is_diagonal(Q2)) {
        Vec<S> w(m_);
        for (Index i = 0; i < m_; ++i)
          w(i) = w_(i) * Q1(idx_[i].first, idx_[i].first) * Q2(idx_[i].second, idx_[i].second);
        return from_entries(d1_, d2_, idx_, w, fam);
      }
      break;
    default:
      break;
  }
  Mat<S> rows(m_, d1_ * d2_);
  for (Index i = 0; i < m_; ++i) {
    Mat<S> Bi = Q1.transpose() * matrix(i) * Q2.transpose();
    for (Index j = 0; j < d1_; ++j)
      for (Index k = 0; k < d2_; ++k) rows(i, j * d2_ + k) = Bi(j, k);
  }
  return from_dense(d1_, d2_, std::move(rows), fam);
}

template <class S>
template <class T>
SensingMap<T> SensingMap<S>::cast() const {
  SensingMap<T> out;
  out.structure_ = structure_;
  out.family_ = family_;
  out.d1_ = d1_;
  out.d2_ = d2_;
  out.m_ = m_;
  out.dense_ = dense_.template cast<T>();
  out.a_ = a_.template cast<T>();
  out.b_ = b_.template cast<T>();
  out.w_ = w_.template cast<T>();
  out.idx_ = idx_;
  return out;
}

template <class S> std::vector<int> SensingMap<S>::row_exponents() const {
  // exponent_of(x) - 1 = e with |x| 2^-e in [1, 2)
  const auto ex = [](const S& x) { return exponent_of<S>(x) - 1; };
  std::vector<int> e(std::size_t(m_), 0);
  for (Index i = 0; i < m_; ++i) {
    int& ei = e[std::size_t(i)];
    switch (structure_) {
      case Structure::dense:
        if (dense_.row(i).cwiseAbs().maxCoeff() != S(0)) ei = ex(dense_.row(i).cwiseAbs().maxCoeff());
        break;
      case Structure::rank_one:
        // |w| max|a| max|b| = f 2^e with f in [1, 8): the exponents add, nothing is rounded
        if (w_(i) != S(0) && a_.row(i).cwiseAbs().maxCoeff() != S(0) &&
            b_.row(i).cwiseAbs().maxCoeff() != S(0))
          ei = ex(w_(i)) + ex(a_.row(i).cwiseAbs().maxCoeff()) + ex(b_.row(i).cwiseAbs().maxCoeff());
        break;
      case Structure::quadratic:
        if (a_.row(i).cwiseAbs().maxCoeff() != S(0)) ei = 2 * ex(a_.row(i).cwiseAbs().maxCoeff());
        break;
      case Structure::entries:
        if (w_(i) != S(0)) ei = ex(w_(i));
        break;
      case Structure::identity: break;
    }
  }
  return e;
}

template <class S> SensingMap<S> SensingMap<S>::rows_scaled(const std::vector<int>& e) const {
  if (Index(e.size()) != m_)
    throw InvalidArgument("SensingMap::rows_scaled: " + std::to_string(e.size()) +
                          " exponents for m = " + std::to_string(m_) + " rows");
  SensingMap out = *this;
  for (Index i = 0; i < m_; ++i) {
    const int ei = e[std::size_t(i)];
    if (ei == 0) continue;
    switch (structure_) {
      case Structure::dense:
        // (a product with a normal power of two is the same correctly rounded value as ldexp)
        if (ei >= -1000 && ei <= 1000)
          out.dense_.row(i) *= times_pow2<S>(S(1), ei);
        else
          for (Index j = 0; j < out.dense_.cols(); ++j) out.dense_(i, j) = times_pow2<S>(dense_(i, j), ei);
        break;
      case Structure::rank_one:
      case Structure::entries: out.w_(i) = times_pow2<S>(w_(i), ei); break;
      case Structure::quadratic:
        if (ei % 2 != 0)
          throw InvalidArgument("SensingMap::rows_scaled: a quadratic row scales by an even power of two");
        for (Index j = 0; j < a_.cols(); ++j) out.a_(i, j) = times_pow2<S>(a_(i, j), ei / 2);
        break;
      case Structure::identity:
        throw InvalidArgument("SensingMap::rows_scaled: the identity map has no rows to scale");
    }
  }
  return out;
}

template <class S>
SensingMap<S> SensingMap<S>::from_dense(Index d1, Index d2, Mat<S> rows, std::string family) {
  require_positive_dims(d1, d2, "SensingMap::from_dense");
  if (rows.cols() != d1 * d2)
    throw InvalidArgument("SensingMap::from_dense: rows must have d1*d2 = " +
                          std::to_string(d1 * d2) + " columns, got " + std::to_string(rows.cols()));
  require_finite(rows, "SensingMap::from_dense: rows");
  SensingMap A;
  A.structure_ = Structure::dense;
  A.family_ = std::move(family);
  A.d1_ = d1;
  A.d2_ = d2;
  A.m_ = rows.rows();
  A.dense_ = std::move(rows);
  return A;
}

template <class S>
SensingMap<S> SensingMap<S>::from_rank_one(Mat<S> a, Mat<S> b, Vec<S> w, std::string family) {
  if (a.rows() != b.rows() || a.rows() != w.size())
    throw InvalidArgument("SensingMap::from_rank_one: a, b and w must have m rows (" +
                          std::to_string(a.rows()) + ", " + std::to_string(b.rows()) + ", " +
                          std::to_string(w.size()) + ")");
  require_positive_dims(a.cols(), b.cols(), "SensingMap::from_rank_one");
  require_finite(a, "SensingMap::from_rank_one: a");
  require_finite(b, "SensingMap::from_rank_one: b");
  require_finite(w, "SensingMap::from_rank_one: w");
  SensingMap A;
  A.structure_ = Structure::rank_one;
  A.family_ = std::move(family);
  A.d1_ = a.cols();
  A.d2_ = b.cols();
  A.m_ = a.rows();
  A.a_ = std::move(a);
  A.b_ = std::move(b);
  A.w_ = std::move(w);
  return A;
}

template <class S> SensingMap<S> SensingMap<S>::from_quadratic(Mat<S> x, std::string family) {
  require_positive_dims(x.cols(), x.cols(), "SensingMap::from_quadratic");
  require_finite(x, "SensingMap::from_quadratic: x");
  SensingMap A;
  A.structure_ = Structure::quadratic;
  A.family_ = std::move(family);
  A.d1_ = A.d2_ = x.cols();
  A.m_ = x.rows();
  A.a_ = std::move(x);
  return A;
}

template <class S>
SensingMap<S> SensingMap<S>::from_entries(Index d1, Index d2,
                                          std::vector<std::pair<Index, Index>> idx, Vec<S> w,
                                          std::string family) {
  require_positive_dims(d1, d2, "SensingMap::from_entries");
  if (Index(idx.size()) != w.size())
    throw InvalidArgument("SensingMap::from_entries: idx and w lengths differ");
  std::set<std::pair<Index, Index>> seen;
  for (const auto& [j, k] : idx) {
    if (j < 0 || j >= d1 || k < 0 || k >= d2)
      throw InvalidArgument("SensingMap::from_entries: index (" + std::to_string(j) + ", " +
                            std::to_string(k) + ") outside " + dims(d1, d2));
    if (!seen.insert({j, k}).second)
      throw InvalidArgument("SensingMap::from_entries: duplicate index (" + std::to_string(j) +
                            ", " + std::to_string(k) + ")");
  }
  require_finite(w, "SensingMap::from_entries: w");
  SensingMap A;
  A.structure_ = Structure::entries;
  A.family_ = std::move(family);
  A.d1_ = d1;
  A.d2_ = d2;
  A.m_ = Index(idx.size());
  A.idx_ = std::move(idx);
  A.w_ = std::move(w);
  return A;
}

template <class S> SensingMap<S> SensingMap<S>::identity(Index d1, Index d2) {
  require_positive_dims(d1, d2, "SensingMap::identity");
  SensingMap A;
  A.structure_ = Structure::identity;
  A.family_ = "identity";
  A.d1_ = d1;
  A.d2_ = d2;
  A.m_ = d1 * d2;
  return A;
}

template <class S> Rescaling<S> rescaling(const SensingMap<S>& A) {
  if (A.m() == 0) throw InvalidArgument("rescaling: the map has no measurements (m = 0)");
  // D1, D2 are linear in A: formed for 2^-g A, whose largest entry is near 1 (so that the sums of
  // squares neither overflow nor underflow at any scale of the data), then scaled back by 2^g.
  // Both scalings are exact, and so is every step between them (Eigen's eigensolver works on
  // the matrix divided by its largest entry): the result is the same to the last bit as without.
  const std::vector<int> e = A.row_exponents();
  const int g = e.empty() ? 0 : *std::max_element(e.begin(), e.end());  // even for quadratic maps
  const SensingMap<S> As = g == 0 ? A : A.rows_scaled(std::vector<int>(e.size(), -g));
  Rescaling<S> R;
  const S m(A.m());
  R.D1 = times_pow2_each(psd_sqrt<S>(As.gram_left() / (m * S(A.d2()))), g);
  R.D2 = (A.structure() == Structure::quadratic)
             ? R.D1
             : times_pow2_each(psd_sqrt<S>(As.gram_right() / (m * S(A.d1()))), g);
  return R;
}

template <class S> SensingMap<S> paired_map(const SensingMap<S>& q) {
  if (q.structure() != Structure::quadratic)
    throw InvalidArgument("paired_map: needs a quadratic map (A_i = x_i x_i^T)");
  const Index h = q.m() / 2, d = q.d1();
  if (h == 0) throw InvalidArgument("paired_map: needs at least two measurements");
  using std::sqrt;
  const S inv_sqrt2 = S(1) / S(sqrt(S(2)));
  Mat<S> a(h, d), b(h, d);
  for (Index i = 0; i < h; ++i) {
    a.row(i) = (q.left().row(2 * i) + q.left().row(2 * i + 1)) * inv_sqrt2;
    b.row(i) = (q.left().row(2 * i) - q.left().row(2 * i + 1)) * inv_sqrt2;
  }
  return SensingMap<S>::from_rank_one(std::move(a), std::move(b), Vec<S>::Ones(h), "paired");
}

SensingMap<double> gaussian_map(Rng& rng, Index d1, Index d2, Index m) {
  require_positive_dims(d1, d2, "gaussian_map");
  if (m < 0) throw InvalidArgument("gaussian_map: m must be non-negative");
  return SensingMap<double>::from_dense(d1, d2, rng.normal_matrix(m, d1 * d2), "gaussian");
}

SensingMap<double> bilinear_map(Rng& rng, Index d1, Index d2, Index m) {
  require_positive_dims(d1, d2, "bilinear_map");
  if (m < 0) throw InvalidArgument("bilinear_map: m must be non-negative");
  Mat<double> a(m, d1), b(m, d2);
  for (Index i = 0; i < m; ++i) {
    a.row(i) = rng.normal_vector(d1).transpose();
    b.row(i) = rng.normal_vector(d2).transpose();
  }
  return SensingMap<double>::from_rank_one(std::move(a), std::move(b), Vec<double>::Ones(m),
                                           "bilinear");
}

SensingMap<double> completion_map(Rng& rng, Index d1, Index d2, double p) {
  require_positive_dims(d1, d2, "completion_map");
  if (!(p >= 0.0 && p <= 1.0)) throw InvalidArgument("completion_map: p must lie in [0, 1]");
  std::vector<std::pair<Index, Index>> idx;
  for (Index j = 0; j < d1; ++j)
    for (Index k = 0; k < d2; ++k)
      if (rng.bernoulli(p)) idx.emplace_back(j, k);
  const Index m = Index(idx.size());
  return SensingMap<double>::from_entries(d1, d2, std::move(idx), Vec<double>::Ones(m),
                                          "completion");
}

SensingMap<double> quadratic_map(Rng& rng, Index d, Index m) {
  require_positive_dims(d, d, "quadratic_map");
  if (m < 0) throw InvalidArgument("quadratic_map: m must be non-negative");
  return SensingMap<double>::from_quadratic(rng.normal_matrix(m, d), "quadnn");
}

LowRankFactors random_low_rank(Rng& rng, Index d1, Index d2, Index r) {
  require_positive_dims(d1, d2, "random_low_rank");
  if (r < 1 || r > std::min(d1, d2))
    throw InvalidArgument("random_low_rank: rank must lie in [1, min(d1, d2)]");
  LowRankFactors f;
  f.G1 = rng.normal_matrix(d1, r);
  f.G2 = rng.normal_matrix(d2, r);
  f.signs = Vec<double>::Ones(r);
  return f;
}

LowRankFactors random_symmetric_low_rank(Rng& rng, Index d, Index r_pos, Index r_neg) {
  require_positive_dims(d, d, "random_symmetric_low_rank");
  if (r_pos < 0 || r_neg < 0 || r_pos + r_neg < 1 || r_pos + r_neg > d)
    throw InvalidArgument("random_symmetric_low_rank: need 1 <= r_pos + r_neg <= d");
  LowRankFactors f;
  f.G1 = rng.normal_matrix(d, r_pos + r_neg);
  f.G2 = f.G1;
  f.signs.resize(r_pos + r_neg);
  for (Index i = 0; i < f.signs.size(); ++i) f.signs(i) = i < r_pos ? 1.0 : -1.0;
  return f;
}

template <class S> Mat<S> assemble(const LowRankFactors& f) {
  const Mat<S> G1 = cast_matrix<S>(f.G1), G2 = cast_matrix<S>(f.G2);
  Mat<S> M = G1 * cast_vector<S>(f.signs).asDiagonal() * G2.transpose();
  const S n = M.norm();
  if (!(n > S(0))) throw InvalidArgument("assemble: the drawn ground truth is zero");
  return M / n;
}

#ifdef FLATMIN_DOUBLE_ONLY
#define FLATMIN_INSTANTIATE_CASTS(S) template SensingMap<double> SensingMap<S>::cast<double>() const;
#else
#define FLATMIN_INSTANTIATE_CASTS(S)                                        \
  template SensingMap<double> SensingMap<S>::cast<double>() const;          \
  template SensingMap<quad> SensingMap<S>::cast<quad>() const;              \
  template SensingMap<mp50> SensingMap<S>::cast<mp50>() const;
#endif
#define FLATMIN_INSTANTIATE_SENSING(S)                                      \
  template class SensingMap<S>;                                             \
  FLATMIN_INSTANTIATE_CASTS(S)                                              \
  template Rescaling<S> rescaling<S>(const SensingMap<S>&);                 \
  template SensingMap<S> paired_map<S>(const SensingMap<S>&);              \
  template Mat<S> assemble<S>(const LowRankFactors&);
FLATMIN_FOR_EACH_SCALAR(FLATMIN_INSTANTIATE_SENSING)

}  // namespace flatmin
