// The main() of every flatmin benchmark: Eigen's cache sizes pinned first (determinism.hpp), so
// the timings are of the same code paths the tests and reproductions run.
#include <benchmark/benchmark.h>

#include "flatmin/determinism.hpp"

int main(int argc, char** argv) {
  flatmin::pin_eigen();
  flatmin::retain_freed_memory();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
