// Google Benchmark: training paper B's deep matrix factorization (flatmin/train.hpp).
//   BM_Train/L/log_every/track   label-noise SGD, d = 10 every layer, n = 60 Gaussian measurements
//                                of a rank-1 truth, batch 1, delta = 0.1, eta = 0.003, init
//                                N(0, 1/d) entries (`flatmin train --init-scale 1`); kSteps updates
//                                per iteration, items_per_second = updates per second.
//                                log_every 0: no logging (log_steps empty, the training loop
//                                alone); K > 0: a record every K updates (and at 0), with
//                                track = 1 the sharpness columns (Hessian trace, nuclear norm, R,
//                                induced value), track = 0 only losses and balance. The cadences:
//                                1000 (the CLI default, max(1000, steps / 100)), 200 and 100.
//                                Tracking overhead = time(track 1) / time(track 0) - 1 at the
//                                same cadence (bench/train_vs_torch.py prints it).
//   BM_TrainSetup/L              train() with 0 updates: validation, the dense copies of the A_i
//                                and (when a tracked record is asked for) the Gram matrix of the
//                                trace tracker, paid once per call (and so inside every BM_Train
//                                iteration).
//   BM_Track<Part>/L             the pieces of one tracked record (train.cpp's record()) at the
//                                layers after kSteps updates: Trace (TraceTracker), Nuclear
//                                (nuclear_norm of E, a JacobiSVD), R (regularizer_R), Induced
//                                (induced_rip_value, which takes E's SVD again; record() reuses
//                                the nuclear norm instead, so this part is not paid there).
// The instance and the initialisation are the CLI's for seed 1 (generate_instance("gaussian",
// d, n, 0, 1, 1) and gaussian_layers(Rng::derive(1, {3}), ..)), so BM_Train runs exactly the
// run `flatmin train --d 10 --n 60 --depth L --optimizer lnsgd --step-size 0.003
// --label-noise 0.1 --init-scale 1 --steps 20000` exports; the counter final_train_loss (the
// clean-label loss after the last update) lets bench/train_vs_torch.py check that against the
// last row of the exported log.csv.
#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "flatmin/deep.hpp"
#include "flatmin/linalg.hpp"
#include "flatmin/sensing.hpp"
#include "flatmin/train.hpp"

using namespace flatmin;

namespace {
constexpr Index kD = 10, kN = 60;
constexpr long kSteps = 20000;

struct TrainCase {
  SensingMap<double> A;
  Vec<double> b;
  Mat<double> M;
  Layers<double> W0;
};
// The draw order of generate_instance (truth first, then the map) and of cmd_train.cpp (layers
// from Rng::derive(seed, {3}), entries N(0, s^2 / width) with s = 1).
TrainCase train_case(int L) {
  Rng rng(1);
  const Mat<double> M = assemble<double>(random_low_rank(rng, kD, kD, 1));
  SensingMap<double> A = gaussian_map(rng, kD, kD, kN);
  Vec<double> b = A.apply(M);
  Rng init = Rng::derive(1, {3});
  Layers<double> W0 =
      gaussian_layers(init, std::vector<Index>(std::size_t(L + 1), kD), 1.0 / std::sqrt(double(kD)));
  return {std::move(A), std::move(b), M, std::move(W0)};
}

TrainOptions train_options(long steps, long log_every, bool track) {
  TrainOptions o;
  o.optimizer = Optimizer::label_noise_sgd;
  o.step_size = 0.003;
  o.batch = 1;
  o.label_noise = 0.1;
  o.steps = steps;
  o.seed = 1;
  o.track_sharpness = track;
  if (log_every > 0)  // the CLI's log steps: 0, K, 2K, ..., and the last update
    for (long t = 0; t <= steps; t += log_every) o.log_steps.push_back(t);
  if (!o.log_steps.empty() && o.log_steps.back() != steps) o.log_steps.push_back(steps);
  return o;
}
}  // namespace

static void BM_Train(benchmark::State& st) {
  const TrainCase c = train_case(int(st.range(0)));
  const TrainOptions o = train_options(kSteps, long(st.range(1)), st.range(2) != 0);
  TrainResult r;
  for (auto _ : st) {
    r = train(c.A, c.b, c.M, c.W0, o);
    benchmark::DoNotOptimize(r.W.data());
  }
  if (r.diverged) st.SkipWithError(r.message.c_str());
  st.SetItemsProcessed(st.iterations() * kSteps);
  st.counters["records"] = double(r.log.size());
  st.counters["final_train_loss"] = deep_loss(c.A, c.b, r.W);
}
// Arguments {L, log_every, track}: no logging, then each cadence without and with tracking.
static void train_args(benchmark::internal::Benchmark* b) {
  for (int L : {2, 3, 4}) {
    b->Args({L, 0, 0});
    for (long every : {1000, 200, 100})
      for (int track : {0, 1}) b->Args({L, every, track});
  }
}
BENCHMARK(BM_Train)->ArgNames({"L", "log_every", "track"})->Apply(train_args)->Unit(benchmark::kMillisecond);

static void BM_TrainSetup(benchmark::State& st) {
  const TrainCase c = train_case(int(st.range(0)));
  const TrainOptions o = train_options(0, 0, true);
  for (auto _ : st) benchmark::DoNotOptimize(train(c.A, c.b, c.M, c.W0, o).W.data());
}
BENCHMARK(BM_TrainSetup)->ArgName("L")->DenseRange(2, 4)->Unit(benchmark::kMicrosecond);

// The layers after kSteps updates (no logging), where the records of a run are mostly taken.
static Layers<double> trained_layers(const TrainCase& c) {
  return train(c.A, c.b, c.M, c.W0, train_options(kSteps, 0, false)).W;
}

static void BM_TrackTrace(benchmark::State& st) {
  const TrainCase c = train_case(int(st.range(0)));
  const Layers<double> W = trained_layers(c);
  const TraceTracker tracker(c.A);
  for (auto _ : st) benchmark::DoNotOptimize(tracker(W));
}
static void BM_TrackNuclear(benchmark::State& st) {
  const TrainCase c = train_case(int(st.range(0)));
  const Mat<double> E = end_to_end(trained_layers(c));
  for (auto _ : st) benchmark::DoNotOptimize(nuclear_norm<double>(E));
}
static void BM_TrackR(benchmark::State& st) {
  const TrainCase c = train_case(int(st.range(0)));
  const Layers<double> W = trained_layers(c);
  for (auto _ : st) benchmark::DoNotOptimize(regularizer_R<double>(W));
}
static void BM_TrackInduced(benchmark::State& st) {
  const TrainCase c = train_case(int(st.range(0)));
  const Mat<double> E = end_to_end(trained_layers(c));
  for (auto _ : st) benchmark::DoNotOptimize(induced_rip_value<double>(E, Index(st.range(0))));
}
BENCHMARK(BM_TrackTrace)->ArgName("L")->DenseRange(2, 4)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TrackNuclear)->ArgName("L")->DenseRange(2, 4)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TrackR)->ArgName("L")->DenseRange(2, 4)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TrackInduced)->ArgName("L")->DenseRange(2, 4)->Unit(benchmark::kMicrosecond);
