// flatmin train: one training run of paper B's deep matrix factorization (flatmin/train.hpp),
// its log as CSV, and optionally the files another implementation needs to replay it exactly.
#include <cmath>
#include <iomanip>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>

#include "args.hpp"
#include "commands.hpp"
#include "flatmin/atomic_file.hpp"
#include "flatmin/instance.hpp"
#include "flatmin/linalg.hpp"
#include "flatmin/solver.hpp"
#include "flatmin/train.hpp"
#include "reproduce.hpp"

namespace flatmin::cli {

namespace {

struct TrainCliOptions {
  std::string instance;  // FILE (instance format); else a generated Gaussian instance
  long long d = 10, n = 60, rank = 1;
  std::uint64_t instance_seed = 1;
  long long depth = 2, width = 0;  // width 0: d (every layer d x d)
  std::string optimizer = "label-noise-sgd";
  double step_size = 0.0;          // 0: not given
  long long steps = 10000, batch = 1, log_every = 0;
  double label_noise = 0.1, sam_radius = 0.05, init_scale = 0.3;
  std::uint64_t seed = 1;
  std::string out, export_dir;
  bool flat = false;
  std::uint64_t memory_limit = 0;  // 0: the available memory
};

int usage_error(const std::string& msg) {
  std::cerr << "flatmin: train: " << msg << "\n";
  return 2;
}

std::string real(double x) {
  std::ostringstream s;
  s << std::setprecision(17) << x;
  return s.str();
}

std::string matrix_text(const Mat<double>& X) {
  std::string t;
  for (Index i = 0; i < X.rows(); ++i) {
    for (Index j = 0; j < X.cols(); ++j) t += (j ? " " : "") + real(X(i, j));
    t += "\n";
  }
  return t;
}

std::string log_csv(const TrainResult& r) {
  std::string s = "step,train_loss,test_loss,trace,nuclear,R,induced,balance\n";
  for (const TrainRecord& x : r.log)
    s += std::to_string(x.step) + "," + real(x.train_loss) + "," + real(x.test_loss) + "," +
         real(x.trace) + "," + real(x.nuclear) + "," + real(x.R) + "," + real(x.induced) + "," +
         real(x.balance) + "\n";
  return s;
}

int run_train(const TrainCliOptions& c) {
  TrainOptions o;
  try {
    o.optimizer = parse_optimizer(c.optimizer);
  } catch (const InvalidArgument& e) {
    return usage_error(e.what());
  }
  if (c.step_size == 0.0) return usage_error("--step-size ETA is required");
  if (c.depth < 2 || c.depth > 64)
    return usage_error("--depth must be an integer in [2, 64] (a deep factorization has L >= 2 "
                       "layers), got " + std::to_string(c.depth));
  if (c.flat && c.depth != 2)  // before hours of training, not after
    return usage_error("--flat compares with paper A's flat solution: depth 2 only, got --depth " +
                       std::to_string(c.depth));

  RecoveryInstance inst;
  try {
    if (!c.instance.empty()) {
      inst = read_instance(c.instance);
      if (!inst.has_truth)
        return usage_error("instance '" + c.instance + "' has no ground truth (test loss needs M*)");
    } else {
      if (c.rank < 1 || c.rank > c.d) return usage_error("--rank must be in [1, d]");
      inst = generate_instance("gaussian", Index(c.d), Index(c.n), 0.0, Index(c.rank),
                               c.instance_seed);
    }
  } catch (const InvalidArgument& e) {
    return usage_error(e.what());
  }
  const Index d0 = inst.A.d2(), dL = inst.A.d1();
  const Index width = c.width == 0 ? std::max(d0, dL) : Index(c.width);
  if (width < 1) return usage_error("--width must be positive");
  std::vector<Index> widths{d0};
  for (long long j = 1; j < c.depth; ++j) widths.push_back(width);
  widths.push_back(dL);

  o.step_size = c.step_size;
  o.steps = long(c.steps);
  o.batch = Index(c.batch);
  o.label_noise = c.label_noise;
  o.sam_radius = c.sam_radius;
  o.seed = c.seed;
  // Default cadence: every 1000 updates, or steps / 100 for longer runs (a record with the
  // sharpness columns costs ~40 updates of d = 10 training; bench/bench_train.cpp).
  const long every = c.log_every > 0 ? long(c.log_every) : std::max(1000L, o.steps / 100);
  const std::uint64_t records = std::uint64_t(o.steps / every) + 2;  // 0, every, ..., steps
  if (!memory_fits("train",
                   "training depth " + std::to_string(c.depth) + ", width " +
                       std::to_string(width) + ", " + std::to_string(records) + " log records",
                   memory::train_bytes(widths, inst.A.m(), records,
                                       c.export_dir.empty() ? 0 : std::uint64_t(o.steps), o.batch),
                   c.memory_limit))
    return 2;
  for (long t = 0; t <= o.steps; t += every) o.log_steps.push_back(t);
  if (o.log_steps.back() != o.steps) o.log_steps.push_back(o.steps);

  Rng init = Rng::derive(c.seed, {3});
  TrainResult r;
  Layers<double> W0;
  try {
    W0 = gaussian_layers(init, widths, c.init_scale / std::sqrt(double(width)));
    if (!c.out.empty()) require_writable(c.out);  // refuse before the training, not after it
    r = train(inst.A, inst.b, inst.M, W0, o);
  } catch (const InvalidArgument& e) {
    return usage_error(e.what());
  }

  std::vector<repro::OutFile> files;
  if (!c.export_dir.empty()) {
    // What bench/train_vs_torch.py needs to replay the run: the map (row i = row-major vec(A_i)),
    // labels, truth, initial layers, the batch indices and signs of every update, the log.
    std::string sched;
    StepSampler sampler(inst.A.m(), o);
    std::vector<Index> idx;
    std::vector<double> sign;
    for (long t = 0; t < r.steps_done; ++t) {
      sampler.next(idx, sign);
      for (std::size_t k = 0; k < idx.size(); ++k) sched += (k ? " " : "") + std::to_string(idx[k]);
      for (double s : sign) sched += s > 0 ? " 1" : " -1";
      sched += "\n";
    }
    std::ostringstream meta;
    meta << "{\"optimizer\": \"" << optimizer_name(o.optimizer) << "\", \"step_size\": "
         << real(o.step_size) << ", \"batch\": " << o.batch << ", \"label_noise\": "
         << real(o.label_noise) << ", \"sam_radius\": " << real(o.sam_radius) << ", \"steps\": "
         << r.steps_done << ", \"depth\": " << c.depth << ", \"d1\": " << dL << ", \"d2\": " << d0
         << ", \"n\": " << inst.A.m() << "}\n";
    files = {{"run.json", meta.str()}, {"A.txt", matrix_text(inst.A.dense())},
             {"b.txt", matrix_text(inst.b)}, {"M.txt", matrix_text(inst.M)},
             {"schedule.txt", sched}, {"log.csv", log_csv(r)}};
    for (std::size_t j = 0; j < W0.size(); ++j)
      files.push_back({"W0_" + std::to_string(j + 1) + ".txt", matrix_text(W0[j])});
  }
  try {
    if (!c.export_dir.empty()) repro::write_files(c.export_dir, files);
    if (!c.out.empty())
      write_file_atomic(c.out, log_csv(r));
    else
      std::cout << log_csv(r);
  } catch (const InvalidArgument& e) {
    return usage_error(e.what());
  } catch (const IoError& e) {  // the write failed (a full disk); nothing was left behind
    std::cerr << "flatmin: train: " << e.what() << "\n";
    return 1;
  }

  // The summary, once (a diverged run's message included): the last record's trace is the true
  // trace tr Hess L; paper B's (1/n) sum_i ||grad f_i||^2 is half of it, and Lemma 4's induced
  // value is on that half-trace scale.
  const TrainRecord& last = r.log.empty() ? TrainRecord{} : r.log.back();
  std::cerr << "flatmin: train: " << optimizer_name(o.optimizer) << ", depth " << c.depth
            << ", " << r.message;
  if (!r.log.empty())
    std::cerr << "; at step " << last.step << ": train loss " << last.train_loss
              << ", test loss " << last.test_loss << ", trace (true, tr Hess L) " << last.trace
              << ", half trace (paper B) " << last.trace / 2
              << ", induced value (Lemma 4, half-trace scale) " << last.induced;
  std::cerr << "\n";
  if (c.flat && !r.diverged) {
    const SolveResult<double> f = solve_flat(inst.A, inst.b);
    if (f.status != SolveStatus::solved) {
      std::cerr << "flatmin: train: the flat relaxation was not solved (" << status_name(f.status)
                << "): " << f.message << "\n";
      return 1;
    }
    std::cerr << "flatmin: train: ||E(W) - X_flat||_F = " << (end_to_end(r.W) - f.X).norm()
              << " (X_flat = paper A's flat solution on the same instance, ||X_flat - M*||_F = "
              << (f.X - inst.M).norm() << ")\n";
  }
  return r.diverged ? 1 : 0;  // the message is in the summary above
}

}  // namespace

CLI::App* add_train_command(CLI::App& app, std::function<int()>& action) {
  auto* sub = app.add_subcommand("train", "train a deep matrix factorization (paper B) and log it");
  auto o = std::make_shared<TrainCliOptions>();
  sub->add_option("--instance", o->instance, "instance file (docs/instance-format.md); default: "
                                             "a generated Gaussian instance (--d, --n, --rank)")
      ->type_name("FILE");
  add_count(sub, "--d", o->d, 1, 200, "generated instance: d x d truth (default 10)");
  add_count(sub, "--n", o->n, 1, 1000000,
            "generated instance: number of Gaussian measurements (default 60)");
  add_count(sub, "--rank", o->rank, 1, 200, "generated instance: rank of the truth (default 1)");
  add_seed(sub, "--instance-seed", o->instance_seed, "generated instance: seed (default 1)");
  add_count(sub, "--depth", o->depth, 1, 64, "number of layers L >= 2 (default 2)");
  add_count(sub, "--width", o->width, 0, 1000000, "intermediate widths (default max(d_0, d_L))");
  sub->add_option("--optimizer", o->optimizer, "gd, sgd, label-noise-sgd (lnsgd) or sam")
      ->type_name("NAME");
  const double big = std::numeric_limits<double>::max();
  add_real(sub, "--step-size", o->step_size, -big, big, "a finite number",
           "step size eta (required)");
  add_count(sub, "--steps", o->steps, 0, 1000000000, "number of updates (default 10000)");
  add_count(sub, "--batch", o->batch, 1, 1000000, "mini-batch size (default 1; gd uses all)");
  add_real(sub, "--label-noise", o->label_noise, -big, big, "a finite number",
           "label noise delta (default 0.1)");
  add_real(sub, "--sam-radius", o->sam_radius, -big, big, "a finite number",
           "SAM radius rho (default 0.05)");
  add_real(sub, "--init-scale", o->init_scale, 0.0, big, "a finite number >= 0",
           "initial layers N(0, s^2 / width) entries (default s = 0.3)");
  add_seed(sub, "--seed", o->seed, "seed of the initialisation and the sampling (default 1)");
  add_count(sub, "--log-every", o->log_every, 0, 1000000000,
            "log every K updates (default max(1000, steps / 100))");
  sub->add_option("--out", o->out, "write the log CSV here (atomically) instead of stdout")
      ->type_name("FILE");
  sub->footer("Exit status: 0 completed; 1 diverged, --flat's solve failed, or writing --out or "
              "--export failed (e.g. no space left on device; nothing is left under a final "
              "name); 2 usage error (including --out or a file in --export naming a directory, "
              "FIFO, device, socket or symbolic link); 3 internal error.");
  sub->add_option("--export", o->export_dir, "also write the run's data for a replay to DIR")
      ->type_name("DIR");
  sub->add_flag("--flat", o->flat, "depth 2: distance of E(W) to paper A's flat solution");
  add_memory_limit(sub, o->memory_limit);
  action = [o] { return run_train(*o); };
  return sub;
}

}  // namespace flatmin::cli
