// flatmin/train.hpp — training a deep matrix factorization E(W) = W_L ... W_1 (paper B (1)) on
// the MSE loss L(W) = (1/n) sum_i (<A_i, E(W)> - b_i)^2 (B (2)), with the optimizers whose
// implicit biases paper B compares, and the quantities of the lemmas logged along the way.
//
// Optimizers (one step from W, batch I of size B drawn with replacement, labels y_i):
//   gd               I = all n measurements (no sampling), y = b
//   sgd              y = b
//   label-noise-sgd  y_i = b_i + delta s_i with fresh signs s_i = +-1 each step (B section 4:
//                    its stationary dynamics minimise the Hessian trace)
//   sam              y = b; the gradient is taken at W + rho g / ||g||, g the batch gradient at W
//                    (Foret et al.; with B = 1 this is 1-SAM, Andriushchenko & Flammarion)
// and then W_j <- W_j - eta * grad_j of (1/B) sum_{i in I} (<A_i, E(W)> - y_i)^2 for every j
// (all layers from the same W). Deterministic given the seed: the batch indices and the signs
// come from Rng(seed) in a fixed order (StepSampler below), and the arithmetic is Eigen's
// coefficient-based products (no blocking that depends on cache sizes).
//
// Training runs in double: it is an experiment on the dynamics, whose quantities are then
// checked in any precision by the templated functions of deep.hpp (the logged trace is verified
// against deep_trace_closed and deep_trace_definition in lib/tests/test_train.cpp).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "flatmin/deep.hpp"
#include "flatmin/rng.hpp"
#include "flatmin/sensing.hpp"

namespace flatmin {

enum class Optimizer { gd, sgd, label_noise_sgd, sam };
// "gd", "sgd", "label-noise-sgd" (also "lnsgd"), "sam"; throws InvalidArgument naming the
// accepted names otherwise.
Optimizer parse_optimizer(const std::string& name);
const char* optimizer_name(Optimizer o);

struct TrainOptions {
  Optimizer optimizer = Optimizer::label_noise_sgd;
  double step_size = 1e-3;    // eta > 0
  Index batch = 1;            // B in [1, n]; gd uses all n
  double label_noise = 0.1;   // delta >= 0 (label-noise-sgd)
  double sam_radius = 0.05;   // rho > 0 (sam)
  long steps = 1000;          // number of updates, >= 0
  // The states recorded: after t updates for each t listed (0 = the initialisation). Must be
  // strictly increasing and within [0, steps].
  std::vector<long> log_steps;
  // If false, the records carry only step, train and test loss and balance (the sharpness
  // columns are NaN): the benchmark's baseline for the cost of tracking.
  bool track_sharpness = true;
  // If set, called at every log step with the step and the layers (after the record is made).
  std::function<void(long, const Layers<double>&)> on_log;
  std::uint64_t seed = 1;
};

struct TrainRecord {
  long step = 0;
  double train_loss = 0;  // L(W) with the clean labels b
  double test_loss = 0;   // ||E(W) - M*||_F^2 (the population loss for Gaussian A_i)
  double trace = 0;       // exact trace of the Hessian of L at W (every W; see below): the
                          // whole trace, twice paper B's (1/n) sum_i ||grad f_i||^2
  double nuclear = 0;     // ||E(W)||_*
  double R = 0;           // paper B's R(W) of (10)  (regularizer_R)
  double induced = 0;     // L (d_0 d_L)^{1/L} ||E(W)||_*^{2(L-1)/L}  (induced_rip_value, B Lemma
                          // 4): on paper B's half-trace scale, a bound for trace / 2
  double balance = 0;     // max_j ||W_{j+1}^T W_{j+1} - W_j W_j^T||_F
};

struct TrainResult {
  Layers<double> W;                // the layers after the last completed update
  std::vector<TrainRecord> log;    // one record per log step reached
  long steps_done = 0;             // updates applied
  bool diverged = false;           // a loss or a layer became non-finite
  long diverged_at = -1;           // the update at which it happened (1-based; 0: the initial
                                   // layers' product overflows), if diverged
  std::string message;             // what happened, in words
};

// Validates everything (InvalidArgument naming what is wrong): depth L >= 2, layers chaining
// with d_L x d_0 end-to-end matrix matching the map, every intermediate width d_1..d_{L-1} at
// least min(d_0, d_L) (narrower layers cap the rank of E(W) below what the problem allows),
// b of length n, M* of shape d_L x d_0, finite data, and the options' ranges. Divergence is not
// an exception: training stops at the first update whose loss or layers are non-finite and the
// result says at which update (the layers returned are the last finite ones).
TrainResult train(const SensingMap<double>& A, const Vec<double>& b, const Mat<double>& M_star,
                  Layers<double> W0, const TrainOptions& opt);

// Layers of widths (d_0, d_1, ..., d_L) with iid N(0, scale^2) entries, drawn W_1 first, each
// row by row (Rng::normal_matrix).
Layers<double> gaussian_layers(Rng& rng, const std::vector<Index>& widths, double scale);

// The batch indices and label signs of each step, in the order train() consumes them: for each
// update, B indices below(n) from Rng::derive(seed, {1}) and (label-noise-sgd only) B signs from
// the top bit of next() of Rng::derive(seed, {2}) (1 -> +1). gd draws nothing. The two streams
// are separate, so SGD and label-noise SGD with the same seed visit the same batches (a paired
// comparison), and label-noise SGD with delta = 0 is SGD bit for bit. Exposed so that other implementations (bench/train_vs_torch.py)
// can replay exactly the same run.
class StepSampler {
 public:
  StepSampler(Index n, const TrainOptions& opt);
  // Fills idx (size B) and sign (size B; all +1 unless label-noise-sgd) for the next update.
  void next(std::vector<Index>& idx, std::vector<double>& sign);

 private:
  Rng index_rng_, sign_rng_;
  Index n_, batch_;
  bool noise_;
};

// The exact Hessian trace of L at any W (not only at interpolation): the loss is a sum of
// squares of multilinear residuals r_i, whose second derivative along one coordinate vanishes,
// so tr Hess L = (2/n) sum_i ||grad r_i||^2 = deep_trace_closed(A, W). Evaluated here through the
// Gram matrix K = sum_i vec(A_i) vec(A_i)^T (built once):
//   tr = (2/n) sum_j < K, Q_j (x) R_j >,  Q_j = S_{j+1} S_{j+1}^T,  R_j = P_{j-1}^T P_{j-1},
// with P_{j-1} = W_{j-1}...W_1 and S_{j+1} = W_L...W_{j+1}: O(L (d_0 d_L)^2) per evaluation
// instead of O(n L d^3) (used when d_0 d_L <= 1024 and cheaper; otherwise the direct sum).
class TraceTracker {
 public:
  explicit TraceTracker(const SensingMap<double>& A);
  double operator()(const Layers<double>& W) const;

 private:
  Index n_, d1_, d2_;
  bool gram_;
  Mat<double> K_;                 // (d1 d2) x (d1 d2), row-major vec index a d2 + b
  std::vector<Mat<double>> At_;   // A_i^T (direct method)
};

}  // namespace flatmin
