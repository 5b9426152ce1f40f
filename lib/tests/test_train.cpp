// The training library (flatmin/train.hpp): the logged Hessian trace against the closed form and
// the brute-force definition of deep.hpp, the gradients against finite differences of deep_loss,
// the optimizers' definitions against each other, determinism, divergence and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "flatmin/deep.hpp"
#include "flatmin/determinism.hpp"
#include "flatmin/train.hpp"

using namespace flatmin;

namespace {

struct Problem {
  SensingMap<double> A;
  Vec<double> b;
  Mat<double> M;
};

Problem gaussian_problem(std::uint64_t seed, Index d, Index n) {
  Rng rng = Rng::derive(seed, {1});
  const Mat<double> M = assemble<double>(random_low_rank(rng, d, d, 1));
  SensingMap<double> A = gaussian_map(rng, d, d, n);
  Vec<double> b = A.apply(M);
  return {std::move(A), std::move(b), M};
}

Layers<double> layers(std::uint64_t seed, Index d, int L, double scale) {
  Rng rng = Rng::derive(seed, {2});
  return gaussian_layers(rng, std::vector<Index>(std::size_t(L + 1), d), scale);
}

double rel(double a, double b) { return std::fabs(a - b) / std::max(std::fabs(b), 1e-300); }

}  // namespace

// Both evaluation paths of TraceTracker (the Gram path for n >= d^2/(4d) measurements, the
// direct sum for n = 1) agree with deep_trace_closed and with the definition (the sum of the
// exact second derivatives along every coordinate), away from interpolation as well.
TEST(Train, TraceTrackerIsTheExactHessianTrace) {
  pin_eigen();
  for (int L : {2, 3, 4}) {
    for (Index n : {1, 3, 20}) {
      const Problem p = gaussian_problem(100 + n, 5, n);
      const Layers<double> W = layers(200 + L, 5, L, 0.7);
      const TraceTracker tr(p.A);
      const double fast = tr(W), closed = deep_trace_closed(p.A, W),
                   brute = deep_trace_definition(p.A, p.b, W);
      EXPECT_LT(rel(fast, closed), 1e-12) << "L=" << L << " n=" << n;
      EXPECT_LT(rel(fast, brute), 1e-9) << "L=" << L << " n=" << n;
      // negative control: the same comparison detects a changed point
      Layers<double> W2 = W;
      W2[0](0, 0) += 0.1;
      EXPECT_GT(rel(tr(W2), brute), 1e-7) << "L=" << L << " n=" << n;
    }
  }
}

// One full-batch GD update with step h is W - h grad: the gradient it used matches central
// differences of deep_loss, entry by entry.
TEST(Train, GradientMatchesFiniteDifferences) {
  pin_eigen();
  for (int L : {2, 3}) {
    const Problem p = gaussian_problem(7, 4, 9);
    const Layers<double> W0 = layers(8 + L, 4, L, 0.6);
    TrainOptions o;
    o.optimizer = Optimizer::gd;
    o.step_size = 1.0;  // one update: W1 = W0 - grad
    o.steps = 1;
    const TrainResult r = train(p.A, p.b, p.M, W0, o);
    ASSERT_FALSE(r.diverged);
    double worst = 0;
    for (std::size_t j = 0; j < W0.size(); ++j)
      for (Index a = 0; a < W0[j].rows(); ++a)
        for (Index c = 0; c < W0[j].cols(); ++c) {
          const double h = 1e-5;
          Layers<double> Wp = W0, Wm = W0;
          Wp[j](a, c) += h;
          Wm[j](a, c) -= h;
          const double fd = (deep_loss(p.A, p.b, Wp) - deep_loss(p.A, p.b, Wm)) / (2 * h);
          const double used = W0[j](a, c) - r.W[j](a, c);
          worst = std::max(worst, std::fabs(fd - used) / std::max(1.0, std::fabs(fd)));
        }
    EXPECT_LT(worst, 1e-7) << "L=" << L;
  }
}

// The optimizers are what the header says: label-noise SGD with delta = 0 is SGD bit for bit, SAM
// with a vanishing radius approaches SGD, and each noise or radius does change the run.
TEST(Train, OptimizersReduceToEachOther) {
  pin_eigen();
  const Problem p = gaussian_problem(3, 5, 15);
  const Layers<double> W0 = layers(4, 5, 3, 0.4);
  TrainOptions o;
  o.step_size = 0.01;
  o.steps = 300;
  o.batch = 2;
  o.seed = 11;
  o.optimizer = Optimizer::sgd;
  const TrainResult sgd = train(p.A, p.b, p.M, W0, o);
  o.optimizer = Optimizer::label_noise_sgd;
  o.label_noise = 0.0;
  const TrainResult ln0 = train(p.A, p.b, p.M, W0, o);
  o.label_noise = 0.1;
  const TrainResult ln = train(p.A, p.b, p.M, W0, o);
  o.optimizer = Optimizer::sam;
  o.sam_radius = 1e-9;
  const TrainResult sam0 = train(p.A, p.b, p.M, W0, o);
  o.sam_radius = 0.1;
  const TrainResult sam = train(p.A, p.b, p.M, W0, o);
  double d_ln0 = 0, d_ln = 0, d_sam0 = 0, d_sam = 0;
  for (std::size_t j = 0; j < W0.size(); ++j) {
    d_ln0 = std::max(d_ln0, (ln0.W[j] - sgd.W[j]).norm());
    d_ln = std::max(d_ln, (ln.W[j] - sgd.W[j]).norm());
    d_sam0 = std::max(d_sam0, (sam0.W[j] - sgd.W[j]).norm());
    d_sam = std::max(d_sam, (sam.W[j] - sgd.W[j]).norm());
  }
  EXPECT_EQ(d_ln0, 0.0);
  EXPECT_GT(d_ln, 1e-3);
  EXPECT_LT(d_sam0, 1e-6);
  EXPECT_GT(d_sam, 1e-3);
}

// The published sampler contract: a hand-written loop consuming StepSampler reproduces train()'s
// label-noise SGD run bit for bit (what bench/train_vs_torch.py relies on).
TEST(Train, StepSamplerReplaysTheRun) {
  pin_eigen();
  const Problem p = gaussian_problem(5, 4, 10);
  const Layers<double> W0 = layers(6, 4, 2, 0.5);
  TrainOptions o;
  o.optimizer = Optimizer::label_noise_sgd;
  o.step_size = 0.01;
  o.label_noise = 0.2;
  o.steps = 200;
  o.seed = 99;
  const TrainResult r = train(p.A, p.b, p.M, W0, o);
  StepSampler s(p.A.m(), o);
  std::vector<Index> idx;
  std::vector<double> sign;
  Mat<double> W1 = W0[0], W2 = W0[1];
  for (long t = 0; t < o.steps; ++t) {
    s.next(idx, sign);
    const Mat<double> Ai = p.A.matrix(idx[0]);
    const Mat<double> E = W2.lazyProduct(W1);
    const double res = (Ai.array() * E.array()).sum() -
                       (p.b(idx[0]) + o.label_noise * sign[0]);
    const Mat<double> G = 2.0 * res * Ai;
    const Mat<double> g1 = W2.transpose().lazyProduct(G), g2 = G.lazyProduct(W1.transpose());
    W1 = W1 - o.step_size * g1;
    W2 = W2 - o.step_size * g2;
  }
  EXPECT_EQ((W1 - r.W[0]).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ((W2 - r.W[1]).cwiseAbs().maxCoeff(), 0.0);
}

TEST(Train, SameSeedSameBytesOtherSeedOtherRun) {
  pin_eigen();
  const Problem p = gaussian_problem(9, 5, 12);
  const Layers<double> W0 = layers(10, 5, 2, 0.3);
  TrainOptions o;
  o.step_size = 0.005;
  o.steps = 500;
  o.log_steps = {0, 250, 500};
  const TrainResult a = train(p.A, p.b, p.M, W0, o), b = train(p.A, p.b, p.M, W0, o);
  ASSERT_EQ(a.log.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(a.log[k].train_loss, b.log[k].train_loss);
    EXPECT_EQ(a.log[k].trace, b.log[k].trace);
  }
  o.seed = 2;
  const TrainResult c = train(p.A, p.b, p.M, W0, o);
  EXPECT_NE(a.log[2].train_loss, c.log[2].train_loss);
}

// Full-batch GD on an overparametrized instance (n = 12 < d^2 = 25) reaches interpolation, and
// the log's train loss is deep_loss at the recorded state.
TEST(Train, GradientDescentInterpolates) {
  pin_eigen();
  const Problem p = gaussian_problem(12, 5, 12);
  const Layers<double> W0 = layers(13, 5, 2, 0.3);
  TrainOptions o;
  o.optimizer = Optimizer::gd;
  o.step_size = 0.01;
  o.steps = 20000;
  o.log_steps = {0, 20000};
  const TrainResult r = train(p.A, p.b, p.M, W0, o);
  ASSERT_FALSE(r.diverged) << r.message;
  EXPECT_LT(rel(r.log[0].train_loss, deep_loss(p.A, p.b, W0)), 1e-12);
  EXPECT_GT(r.log[0].train_loss, 1e-2);
  EXPECT_LT(r.log[1].train_loss, 1e-12);
  EXPECT_EQ(r.log[1].induced, induced_rip_value(end_to_end(r.W), 2));  // the same formula
  EXPECT_LT(rel(r.log[1].R, regularizer_R(r.W)), 1e-12);
}

TEST(Train, DivergenceIsReportedWithItsStep) {
  pin_eigen();
  const Problem p = gaussian_problem(14, 5, 12);
  const Layers<double> W0 = layers(15, 5, 3, 0.5);
  TrainOptions o;
  o.optimizer = Optimizer::sgd;
  o.step_size = 10.0;
  o.steps = 10000;
  const TrainResult r = train(p.A, p.b, p.M, W0, o);
  ASSERT_TRUE(r.diverged);
  EXPECT_GE(r.diverged_at, 1);
  EXPECT_LT(r.diverged_at, 10000);
  EXPECT_EQ(r.steps_done, r.diverged_at - 1);
  for (const auto& w : r.W) EXPECT_TRUE(w.allFinite());
  EXPECT_NE(r.message.find("update " + std::to_string(r.diverged_at)), std::string::npos);
  // negative control: a stable step size on the same run does not diverge
  o.step_size = 1e-3;
  EXPECT_FALSE(train(p.A, p.b, p.M, W0, o).diverged);
}

TEST(Train, BadInputIsNamed) {
  const Problem p = gaussian_problem(16, 4, 6);
  TrainOptions o;
  auto message = [&](const Layers<double>& W, const TrainOptions& opt) {
    try {
      train(p.A, p.b, p.M, W, opt);
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message(layers(1, 4, 1, 0.5), o).find("L >= 2"), std::string::npos);
  Rng rng(1);
  EXPECT_NE(message(gaussian_layers(rng, {4, 2, 4}, 0.5), o).find("smaller than min(d_0, d_L)"),
            std::string::npos);
  TrainOptions bad = o;
  bad.step_size = -1;
  EXPECT_NE(message(layers(1, 4, 2, 0.5), bad).find("step size"), std::string::npos);
  bad = o;
  bad.batch = 7;
  EXPECT_NE(message(layers(1, 4, 2, 0.5), bad).find("batch size"), std::string::npos);
  bad = o;
  bad.log_steps = {5, 3};
  EXPECT_NE(message(layers(1, 4, 2, 0.5), bad).find("strictly increasing"), std::string::npos);
  EXPECT_NE(message(layers(1, 3, 2, 0.5), o).find("measurement matrices"), std::string::npos);
  EXPECT_THROW(parse_optimizer("adam"), InvalidArgument);
  EXPECT_EQ(parse_optimizer("lnsgd"), Optimizer::label_noise_sgd);
  // negative control: valid input trains
  EXPECT_EQ(message(layers(1, 4, 2, 0.5), o), "no error");
}
