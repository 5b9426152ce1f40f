// Google Benchmark: the instance text format (docs/instance-format.md), on a gaussian instance
// with d = 40, m = 480 (1600 + 480 * 1600 + 480 = 770,080 numbers at 17 digits, ~15 MB).
//   BM_ParseInstance_gaussian_d40_m480    parse_instance: tokens, strict numbers, every rule
//   BM_StrtodScan_gaussian_d40_m480       reference: the same text through strtod, no checks
//   BM_FormatInstance_gaussian_d40_m480   format_instance ("%.17g" by std::to_chars)
// Bytes/second are the file's bytes.
#include <benchmark/benchmark.h>

#include <cstdlib>

#include "flatmin/instance.hpp"

using namespace flatmin;

namespace {
const RecoveryInstance& gaussian_d40() {
  static const RecoveryInstance inst = generate_instance("gaussian", 40, 480, 0.0, 2, 1);
  return inst;
}
const std::string& gaussian_d40_text() {
  static const std::string text = format_instance(gaussian_d40());
  return text;
}
}  // namespace

static void BM_ParseInstance_gaussian_d40_m480(benchmark::State& st) {
  const std::string& text = gaussian_d40_text();
  for (auto _ : st) benchmark::DoNotOptimize(parse_instance(text, "bench"));
  st.SetBytesProcessed(std::int64_t(st.iterations()) * std::int64_t(text.size()));
  st.counters["file_MB"] = double(text.size()) / 1e6;
}
BENCHMARK(BM_ParseInstance_gaussian_d40_m480)->Unit(benchmark::kMillisecond);

static void BM_StrtodScan_gaussian_d40_m480(benchmark::State& st) {
  const std::string& text = gaussian_d40_text();
  const char* body = text.c_str() + text.find('\n');  // after the header
  for (auto _ : st) {
    double sum = 0;
    const char* p = body;
    for (char* end;; p = end) {
      const double x = std::strtod(p, &end);
      if (end == p) break;
      sum += x;
    }
    benchmark::DoNotOptimize(sum);
  }
  st.SetBytesProcessed(std::int64_t(st.iterations()) * std::int64_t(text.size()));
}
BENCHMARK(BM_StrtodScan_gaussian_d40_m480)->Unit(benchmark::kMillisecond);

static void BM_FormatInstance_gaussian_d40_m480(benchmark::State& st) {
  const RecoveryInstance& inst = gaussian_d40();
  std::size_t bytes = 0;
  for (auto _ : st) {
    const std::string text = format_instance(inst);
    bytes = text.size();
    benchmark::DoNotOptimize(text.data());
  }
  st.SetBytesProcessed(std::int64_t(st.iterations()) * std::int64_t(bytes));
}
BENCHMARK(BM_FormatInstance_gaussian_d40_m480)->Unit(benchmark::kMillisecond);
