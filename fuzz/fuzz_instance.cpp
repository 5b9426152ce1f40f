// libFuzzer target: parse_instance (lib/src/instance.cpp) on arbitrary bytes.
// Built and run by ci/fuzz.sh (clang++ -fsanitize=fuzzer,address,undefined). The reader may
// accept a file or reject it with InvalidArgument; everything else is a finding:
//   * a crash, a sanitizer report, a leak, a timeout, running out of memory;
//   * any other exception (it escapes and terminates the process);
//   * a rejection whose message does not name the file;
//   * an accepted instance that is inconsistent (shapes) or does not survive
//     format -> parse -> format byte for byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "flatmin/instance.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace flatmin;
  const std::string text(reinterpret_cast<const char*>(data), size);
  RecoveryInstance inst;
  try {
    inst = parse_instance(text, "fuzz.txt");
  } catch (const InvalidArgument& e) {
    if (std::string(e.what()).rfind("fuzz.txt:", 0) != 0) std::abort();
    return 0;
  }
  if (inst.M.rows() != inst.d1 || inst.M.cols() != inst.d2 || inst.A.d1() != inst.d1 ||
      inst.A.d2() != inst.d2 || inst.A.m() < 1 || inst.b.size() != inst.A.m() ||
      inst.A.family() != inst.family || inst.has_truth != (inst.M.array() != 0.0).any())
    std::abort();
  const std::string once = format_instance(inst);
  if (format_instance(parse_instance(once, "fuzz-again.txt")) != once) std::abort();
  return 0;
}
