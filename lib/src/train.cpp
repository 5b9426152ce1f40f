// Definitions of flatmin/train.hpp: the training loop of paper B's experiments.
//
// Index convention as in deep_impl.hpp: layers 1..L, W_j = W[j-1] (d_j x d_{j-1}), P_j = W_j ... W_1
// (P_0 = I), E = P_L. One update with residuals r_i = <A_i, E> - y_i over the batch I:
//   G = (2/B) sum_{i in I} r_i A_i                         (d_L x d_0, dLoss/dE)
//   grad_j = S_{j+1}^T G P_{j-1}^T,  S_{j+1} = W_L ... W_{j+1}
// computed backwards as B_L = G, B_{j-1} = W_j^T B_j, grad_j = B_j P_{j-1}^T (grad_1 = B_1).
// All products are lazyProduct (coefficient-based): at these sizes (d ~ 10) Eigen's blocked GEMM
// costs more than the arithmetic, and the coefficient path does not depend on cache sizes.
#include "flatmin/train.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "flatmin/linalg.hpp"

namespace flatmin {

Optimizer parse_optimizer(const std::string& name) {
  if (name == "gd") return Optimizer::gd;
  if (name == "sgd") return Optimizer::sgd;
  if (name == "label-noise-sgd" || name == "lnsgd") return Optimizer::label_noise_sgd;
  if (name == "sam") return Optimizer::sam;
  throw InvalidArgument("unknown optimizer '" + name +
                        "' (gd, sgd, label-noise-sgd (or lnsgd), sam)");
}

const char* optimizer_name(Optimizer o) {
  switch (o) {
    case Optimizer::gd: return "gd";
    case Optimizer::sgd: return "sgd";
    case Optimizer::label_noise_sgd: return "label-noise-sgd";
    case Optimizer::sam: return "sam";
  }
  return "?";
}

Layers<double> gaussian_layers(Rng& rng, const std::vector<Index>& widths, double scale) {
  if (widths.size() < 2) throw InvalidArgument("gaussian_layers: need widths d_0, ..., d_L (L >= 1)");
  if (!(scale >= 0) || !std::isfinite(scale))
    throw InvalidArgument("gaussian_layers: scale must be finite and >= 0");
  Layers<double> W;
  for (std::size_t j = 1; j < widths.size(); ++j) {
    if (widths[j] < 1 || widths[j - 1] < 1)
      throw InvalidArgument("gaussian_layers: widths must be positive");
    W.push_back(scale * rng.normal_matrix(widths[j], widths[j - 1]));
  }
  return W;
}

// ---- StepSampler ------------------------------------------------------------------------------
StepSampler::StepSampler(Index n, const TrainOptions& opt)
    : index_rng_(Rng::derive(opt.seed, {1})),
      sign_rng_(Rng::derive(opt.seed, {2})),
      n_(n),
      batch_(opt.optimizer == Optimizer::gd ? 0 : opt.batch),
      noise_(opt.optimizer == Optimizer::label_noise_sgd) {}

void StepSampler::next(std::vector<Index>& idx, std::vector<double>& sign) {
  idx.resize(std::size_t(batch_));
  sign.assign(std::size_t(batch_), 1.0);
  for (auto& i : idx) i = Index(index_rng_.below(std::uint64_t(n_)));
  if (noise_)
    for (auto& s : sign) s = (sign_rng_.next() >> 63) ? 1.0 : -1.0;
}

// ---- TraceTracker -----------------------------------------------------------------------------
TraceTracker::TraceTracker(const SensingMap<double>& A)
    : n_(A.m()), d1_(A.d1()), d2_(A.d2()) {
  if (n_ < 1) throw InvalidArgument("TraceTracker: no measurements");
  const Index p = d1_ * d2_;
  // Cost of one evaluation per layer: Gram p^2 against direct ~ 2 n d1 d2 (d1 + d2).
  gram_ = p <= 1024 && double(p) * double(p) <= 2.0 * double(n_) * double(p) * double(d1_ + d2_);
  if (gram_) {
    Mat<double> V(p, n_);  // column i = row-major vec(A_i)
    for (Index i = 0; i < n_; ++i) {
      const Mat<double> Ai = A.matrix(i);
      for (Index a = 0; a < d1_; ++a)
        for (Index c = 0; c < d2_; ++c) V(a * d2_ + c, i) = Ai(a, c);
    }
    K_ = V.lazyProduct(V.transpose());
  } else {
    At_.reserve(std::size_t(n_));
    for (Index i = 0; i < n_; ++i) At_.push_back(A.matrix(i).transpose());
  }
}

double TraceTracker::operator()(const Layers<double>& W) const {
  const std::size_t L = W.size();
  if (L < 1 || W.back().rows() != d1_ || W.front().cols() != d2_)
    throw InvalidArgument("TraceTracker: the layers' end-to-end shape does not match the map");
  // P[m] = W_m...W_1 (P[0] = I_{d0}),  Sx[m] = W_L...W_m (Sx[L+1] = I_{dL}).
  std::vector<Mat<double>> P(L + 1), Sx(L + 2);
  P[0] = Mat<double>::Identity(d2_, d2_);
  for (std::size_t m = 1; m <= L; ++m) P[m] = W[m - 1].lazyProduct(P[m - 1]);
  Sx[L + 1] = Mat<double>::Identity(d1_, d1_);
  for (std::size_t m = L; m >= 1; --m) Sx[m] = Sx[m + 1].lazyProduct(W[m - 1]);
  double total = 0;
  for (std::size_t j = 1; j <= L; ++j) {
    const Mat<double>& Pj = P[j - 1];     // d_{j-1} x d_0
    const Mat<double>& Sj = Sx[j + 1];    // d_L x d_j
    if (gram_) {
      const Mat<double> R = Pj.transpose().lazyProduct(Pj);  // d0 x d0
      const Mat<double> Q = Sj.lazyProduct(Sj.transpose());  // dL x dL
      for (Index a = 0; a < d1_; ++a)
        for (Index e = 0; e < d1_; ++e)
          total += Q(e, a) * (K_.block(a * d2_, e * d2_, d2_, d2_).array() * R.array()).sum();
    } else {
      for (const Mat<double>& At : At_) total += Pj.lazyProduct(At).lazyProduct(Sj).squaredNorm();
    }
  }
  return 2.0 * total / double(n_);
}

// ---- train ------------------------------------------------------------------------------------
namespace {

std::string dims(Index r, Index c) { return std::to_string(r) + " x " + std::to_string(c); }

void validate(const SensingMap<double>& A, const Vec<double>& b, const Mat<double>& M_star,
              const Layers<double>& W, const TrainOptions& o) {
  const std::string fn = "train";
  if (W.size() < 2)
    throw InvalidArgument(fn + ": depth L = " + std::to_string(W.size()) +
                          " (a deep factorization needs L >= 2 layers)");
  for (std::size_t j = 1; j < W.size(); ++j)
    if (W[j].cols() != W[j - 1].rows())
      throw InvalidArgument(fn + ": layer shapes do not chain: W_" + std::to_string(j + 1) +
                            " is " + dims(W[j].rows(), W[j].cols()) + " but W_" +
                            std::to_string(j) + " is " + dims(W[j - 1].rows(), W[j - 1].cols()));
  const Index d0 = W.front().cols(), dL = W.back().rows();
  for (std::size_t j = 0; j + 1 < W.size(); ++j)
    if (W[j].rows() < std::min(d0, dL))
      throw InvalidArgument(fn + ": intermediate width d_" + std::to_string(j + 1) + " = " +
                            std::to_string(W[j].rows()) + " is smaller than min(d_0, d_L) = " +
                            std::to_string(std::min(d0, dL)));
  for (std::size_t j = 0; j < W.size(); ++j)
    require_finite(W[j], ("train: W_" + std::to_string(j + 1)).c_str());
  if (A.d1() != dL || A.d2() != d0)
    throw InvalidArgument(fn + ": measurement matrices are " + dims(A.d1(), A.d2()) +
                          " but the end-to-end matrix W_L...W_1 is d_L x d_0 = " + dims(dL, d0));
  if (A.m() < 1) throw InvalidArgument(fn + ": no measurements (n = 0)");
  if (b.size() != A.m())
    throw InvalidArgument(fn + ": " + std::to_string(b.size()) + " labels for " +
                          std::to_string(A.m()) + " measurements");
  require_finite(b, "train: labels b");
  if (M_star.rows() != dL || M_star.cols() != d0)
    throw InvalidArgument(fn + ": ground truth M* is " + dims(M_star.rows(), M_star.cols()) +
                          ", expected d_L x d_0 = " + dims(dL, d0));
  require_finite(M_star, "train: ground truth M*");
  if (!(o.step_size > 0) || !std::isfinite(o.step_size))
    throw InvalidArgument(fn + ": step size must be finite and > 0, got " + std::to_string(o.step_size));
  if (o.optimizer != Optimizer::gd && (o.batch < 1 || o.batch > A.m()))
    throw InvalidArgument(fn + ": batch size " + std::to_string(o.batch) + " not in [1, n = " +
                          std::to_string(A.m()) + "]");
  if (!(o.label_noise >= 0) || !std::isfinite(o.label_noise))
    throw InvalidArgument(fn + ": label noise delta must be finite and >= 0");
  if (o.optimizer == Optimizer::sam && (!(o.sam_radius > 0) || !std::isfinite(o.sam_radius)))
    throw InvalidArgument(fn + ": SAM radius rho must be finite and > 0");
  if (o.steps < 0) throw InvalidArgument(fn + ": steps must be >= 0");
  for (std::size_t k = 0; k < o.log_steps.size(); ++k) {
    if (o.log_steps[k] < 0 || o.log_steps[k] > o.steps)
      throw InvalidArgument(fn + ": log step " + std::to_string(o.log_steps[k]) +
                            " outside [0, steps = " + std::to_string(o.steps) + "]");
    if (k > 0 && o.log_steps[k] <= o.log_steps[k - 1])
      throw InvalidArgument(fn + ": log steps must be strictly increasing");
  }
}

// The working state of one update: prefix products, backward products and gradients, allocated
// once.
struct Workspace {
  std::vector<Mat<double>> P, B, grad;
  Mat<double> G;
  explicit Workspace(const Layers<double>& W) : P(W.size() + 1), B(W.size() + 1), grad(W.size()) {
    P[0] = Mat<double>::Identity(W.front().cols(), W.front().cols());
    for (std::size_t j = 0; j < W.size(); ++j) {
      P[j + 1].resize(W[j].rows(), W.front().cols());
      B[j + 1].resize(W[j].rows(), W.front().cols());
      grad[j].resize(W[j].rows(), W[j].cols());
    }
    G.resize(W.back().rows(), W.front().cols());
  }
  void forward(const Layers<double>& W) {
    P[1] = W[0];
    for (std::size_t j = 2; j <= W.size(); ++j) P[j].noalias() = W[j - 1].lazyProduct(P[j - 1]);
  }
  const Mat<double>& E(const Layers<double>& W) const { return P[W.size()]; }
  // Gradients of the batch loss given dLoss/dE in G (forward() done).
  void backward(const Layers<double>& W) {
    const std::size_t L = W.size();
    B[L] = G;
    for (std::size_t j = L; j >= 2; --j) B[j - 1].noalias() = W[j - 1].transpose().lazyProduct(B[j]);
    grad[0] = B[1];
    for (std::size_t j = 2; j <= L; ++j) grad[j - 1].noalias() = B[j].lazyProduct(P[j - 1].transpose());
  }
};

}  // namespace

TrainResult train(const SensingMap<double>& A, const Vec<double>& b, const Mat<double>& M_star,
                  Layers<double> W0, const TrainOptions& opt) {
  validate(A, b, M_star, W0, opt);
  const Index n = A.m();
  const std::size_t L = W0.size();
  std::vector<Mat<double>> Ai;  // the sensing matrices, dense (n d_L d_0 doubles)
  Ai.reserve(std::size_t(n));
  for (Index i = 0; i < n; ++i) Ai.push_back(A.matrix(i));
  std::optional<TraceTracker> tracker;  // its Gram matrix only when the trace is logged
  if (opt.track_sharpness && !opt.log_steps.empty()) tracker.emplace(A);

  TrainResult res;
  res.W = std::move(W0);
  Workspace ws(res.W), wsam(res.W);
  Layers<double> Wp = res.W, Wnext = res.W;  // SAM's perturbed point, the next iterate
  StepSampler sampler(n, opt);
  std::vector<Index> idx;
  std::vector<double> sign;
  std::size_t next_log = 0;
  const bool sam = opt.optimizer == Optimizer::sam, full = opt.optimizer == Optimizer::gd;
  const double delta = opt.optimizer == Optimizer::label_noise_sgd ? opt.label_noise : 0.0;

  auto record = [&](long t) {
    ws.forward(res.W);
    const Mat<double>& E = ws.E(res.W);
    if (!E.allFinite()) {
      // The layers are finite (updates are kept only if finite) but their product overflows
      // (e.g. a huge initial scale): no measure is defined; the run diverges here.
      res.diverged = true;
      res.diverged_at = t;
      res.message = "diverged: the end-to-end matrix E(W) overflows (entries beyond double's "
                    "range) after update " + std::to_string(t) +
                    (t == 0 ? " (at the initial layers: initial scale too large?)" : "");
      return;
    }
    TrainRecord r;
    r.step = t;
    double s = 0;
    for (Index i = 0; i < n; ++i) {
      const double ri = (Ai[std::size_t(i)].array() * E.array()).sum() - b(i);
      s += ri * ri;
    }
    r.train_loss = s / double(n);
    r.test_loss = (E - M_star).squaredNorm();
    const double nan = std::numeric_limits<double>::quiet_NaN();
    r.trace = r.nuclear = r.R = r.induced = nan;
    if (opt.track_sharpness) {
      r.trace = (*tracker)(res.W);
      r.nuclear = nuclear_norm<double>(E);
      r.R = regularizer_R<double>(res.W);
      // B Lemma 4's value, by the function row B.L4 checks (on the half-trace scale: compare
      // with trace / 2, not with trace)
      r.induced = induced_rip_value<double>(E, Index(L));
    }
    r.balance = 0;
    for (std::size_t j = 0; j + 1 < L; ++j)
      r.balance = std::max(r.balance, (res.W[j + 1].transpose().lazyProduct(res.W[j + 1]) -
                                       res.W[j].lazyProduct(res.W[j].transpose())).norm());
    res.log.push_back(r);
    if (opt.on_log) opt.on_log(t, res.W);
  };

  // dLoss/dE of the batch at the point whose products are in w (forward() done) into w.G;
  // returns false if a residual is not finite.
  auto batch_gradient = [&](Workspace& w, const Layers<double>& W) {
    w.forward(W);
    const Mat<double>& E = w.E(W);
    w.G.setZero();
    bool finite = true;
    if (full) {
      for (Index i = 0; i < n; ++i) {
        const double ri = (Ai[std::size_t(i)].array() * E.array()).sum() - b(i);
        finite = finite && std::isfinite(ri);
        w.G += (2.0 * ri / double(n)) * Ai[std::size_t(i)];
      }
    } else {
      const double scale = 2.0 / double(idx.size());
      for (std::size_t k = 0; k < idx.size(); ++k) {
        const Mat<double>& Ak = Ai[std::size_t(idx[k])];
        const double ri = (Ak.array() * E.array()).sum() - (b(idx[k]) + delta * sign[k]);
        finite = finite && std::isfinite(ri);
        w.G += (scale * ri) * Ak;
      }
    }
    w.backward(W);
    return finite;
  };

  for (long t = 0;; ++t) {
    if (next_log < opt.log_steps.size() && opt.log_steps[next_log] == t) {
      record(t);
      ++next_log;
      if (res.diverged) break;
    }
    if (t == opt.steps) break;
    sampler.next(idx, sign);
    bool finite = batch_gradient(ws, res.W);
    const std::vector<Mat<double>>* grad = &ws.grad;
    if (sam && finite) {
      double g2 = 0;
      for (const auto& g : ws.grad) g2 += g.squaredNorm();
      const double gn = std::sqrt(g2);
      finite = std::isfinite(gn);
      if (finite && gn > 0) {
        for (std::size_t j = 0; j < L; ++j) Wp[j] = res.W[j] + (opt.sam_radius / gn) * ws.grad[j];
        finite = batch_gradient(wsam, Wp);
        grad = &wsam.grad;
      }
    }
    // The update is formed aside and kept only if finite: a diverging run returns the last
    // finite layers.
    for (std::size_t j = 0; finite && j < L; ++j) {
      Wnext[j] = res.W[j] - opt.step_size * (*grad)[j];
      finite = Wnext[j].allFinite();
    }
    if (!finite) {
      res.diverged = true;
      res.diverged_at = t + 1;
      res.message = "diverged: the loss or the layers became non-finite at update " +
                    std::to_string(t + 1) + " (step size " + std::to_string(opt.step_size) +
                    " too large?); the layers returned are those after update " +
                    std::to_string(t);
      break;
    }
    std::swap(res.W, Wnext);
    res.steps_done = t + 1;
  }
  if (!res.diverged)
    res.message = "completed " + std::to_string(res.steps_done) + " updates";
  return res;
}

}  // namespace flatmin
