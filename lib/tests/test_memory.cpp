// The memory estimates of flatmin/memory.hpp: the byte-count syntax, saturation on absurd sizes,
// and each estimate against the peak resident size actually measured (in a forked child, by
// wait4's ru_maxrss) for a size where the estimated arrays dominate: the estimate must be a
// lower bound of the peak within a small factor (not above 1.5x the measured growth, not below
// a fifth of it).
#include <gtest/gtest.h>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <functional>
#include <limits>

#include "flatmin/instance.hpp"
#include "flatmin/memory.hpp"
#include "flatmin/solver.hpp"
#include "flatmin/train.hpp"

using namespace flatmin;

namespace {

constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();

// Peak resident bytes of a child process that runs f (ru_maxrss is in kB on Linux).
std::uint64_t peak_bytes(const std::function<void()>& f) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    f();
    ::_exit(0);
  }
  int status = 0;
  struct rusage ru {};
  EXPECT_EQ(::wait4(pid, &status, 0, &ru), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return std::uint64_t(ru.ru_maxrss) * 1024;
}

// The growth of the peak over an idle child (the test binary's own pages).
std::uint64_t growth(const std::function<void()>& f) {
  const std::uint64_t idle = peak_bytes([] {});
  const std::uint64_t peak = peak_bytes(f);
  return peak > idle ? peak - idle : 0;
}

void expect_order(std::uint64_t estimate, std::uint64_t measured, const char* what) {
  SCOPED_TRACE(what);
  EXPECT_GT(measured, 0u);
  EXPECT_LE(double(estimate), 1.5 * double(measured))
      << "estimate " << memory::human(estimate) << ", measured " << memory::human(measured);
  EXPECT_GE(double(estimate), double(measured) / 5)
      << "estimate " << memory::human(estimate) << ", measured " << memory::human(measured);
}

}  // namespace

TEST(Memory, ParseBytes) {
  EXPECT_EQ(memory::parse_bytes("100"), 100u);
  EXPECT_EQ(memory::parse_bytes("2K"), 2048u);
  EXPECT_EQ(memory::parse_bytes("3M"), 3u << 20);
  EXPECT_EQ(memory::parse_bytes("1G"), 1u << 30);
  EXPECT_EQ(memory::parse_bytes("1T"), std::uint64_t(1) << 40);
  for (const char* bad : {"", "0", "-1", "1Q", "1KB", " 1", "1 ", "0x10", "1e9", "auto",
                          "18446744073709551616", "99999999999T"})
    EXPECT_FALSE(memory::parse_bytes(bad).has_value()) << bad;
}

TEST(Memory, AvailableIsReadOnLinux) {
  const auto a = memory::available_bytes();
  ASSERT_TRUE(a.has_value());
  EXPECT_GT(*a, 0u);
}

TEST(Memory, AbsurdSizesSaturate) {
  EXPECT_EQ(memory::solve_bytes(Index(1) << 40, Index(1) << 40, 1, Structure::dense,
                                Method::flat, 16),
            kMax);
  EXPECT_EQ(memory::instance_bytes("gaussian", Index(1) << 40, Index(1) << 40, 0), kMax);
  EXPECT_EQ(memory::train_bytes({10, Index(1) << 40, Index(1) << 40, 10}, 60, 10, 0, 1), kMax);
  EXPECT_EQ(memory::train_bytes({10, 10}, 60, kMax / 2, 0, 1), kMax);
}

TEST(Memory, TheCrashCasesOfIssue29AreEstimatedAboveTenGigabytes) {
  const std::uint64_t ten_gb = std::uint64_t(10) << 30;
  // completion 4 x 100000 with 3 entries: D2 alone is 80 GB
  EXPECT_GT(memory::solve_bytes(4, 100000, 3, Structure::entries, Method::flat, 8), ten_gb);
  // ... which the nuclear method never forms: it needs a few MB
  EXPECT_LT(memory::solve_bytes(4, 100000, 3, Structure::entries, Method::nuclear, 8),
            std::uint64_t(100) << 20);
  EXPECT_GT(memory::train_bytes({10, 100000, 100000, 10}, 60, 12, 0, 1), ten_gb);  // depth 3
  EXPECT_GT(memory::train_bytes({10, 10, 10}, 60, 1000000002, 0, 1), ten_gb);   // --log-every 1
  EXPECT_GT(memory::instance_bytes("gaussian", 2000, 50, 0), std::uint64_t(6) << 30);
}

TEST(Memory, SolveEstimateMatchesTheMeasuredPeak) {
  // a wide completion instance: the flat method's d2 x d2 matrices dominate
  {
    const Index d1 = 4, d2 = 1500;
    std::vector<std::pair<Index, Index>> idx{{0, 0}, {0, 1}, {1, 2}, {2, 3}, {3, 4}};
    const auto A =
        SensingMap<double>::from_entries(d1, d2, idx, Vec<double>::Ones(5), "completion");
    const Vec<double> b = Vec<double>::Ones(5);
    const std::uint64_t measured = growth([&] { (void)solve<double>(Method::flat, A, b); });
    expect_order(memory::solve_bytes(d1, d2, 5, Structure::entries, Method::flat, 8), measured,
                 "flat, completion 4 x 1500");
  }
}

TEST(Memory, InstanceEstimateMatchesTheMeasuredPeak) {
  const std::uint64_t measured = growth([] {
    const RecoveryInstance inst = generate_instance("gaussian", 100, 300, 0, 1, 1);
    (void)format_instance(inst);
  });
  expect_order(memory::instance_bytes("gaussian", 100, 300, 0), measured, "gaussian d=100 m=300");
}

TEST(Memory, TrainEstimateMatchesTheMeasuredPeak) {
  const std::vector<Index> widths{5, 1000, 1000, 5};  // the width x width layer dominates
  const std::uint64_t measured = growth([&] {
    const RecoveryInstance inst = generate_instance("gaussian", 5, 20, 0, 1, 1);
    Rng rng(3);
    TrainOptions o;
    o.optimizer = Optimizer::gd;
    o.step_size = 1e-3;
    o.steps = 2;
    o.log_steps = {0, 2};
    (void)train(inst.A, inst.b, inst.M, gaussian_layers(rng, widths, 0.01), o);
  });
  expect_order(memory::train_bytes(widths, 20, 2, 0, 1), measured, "depth 3, width 1000");
}
