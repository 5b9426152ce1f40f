// libFuzzer target: parse_factors (lib/src/factors_io.cpp) on arbitrary bytes.
// Built and run by ci/fuzz.sh. The first byte picks the instance's shape (d1, d2 in [1, 4]), the
// rest is the factor file. The reader may accept it or reject it with InvalidArgument; anything
// else is a finding:
//   * a crash, a sanitizer report, a leak, a timeout, running out of memory;
//   * any other exception (it escapes and terminates the process);
//   * a rejection whose message does not name the file, or longer than 1000 bytes (a message
//     shows at most 40 bytes of a token);
//   * an accepted pair of the wrong shape, with a non-finite entry, or whose entries do not
//     survive print (17 digits) -> parse bit for bit.
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "flatmin/factors_io.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace flatmin;
  if (size < 1) return 0;
  const Index d1 = 1 + (data[0] & 3), d2 = 1 + ((data[0] >> 2) & 3);
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  Factors<double> f;
  try {
    f = parse_factors(text, "fuzz.txt", d1, d2);
  } catch (const InvalidArgument& e) {
    const std::string what = e.what();
    if (what.rfind("fuzz.txt", 0) != 0 || what.size() > 1000) std::abort();
    return 0;
  }
  const Index k = f.L.cols();
  if (k < 1 || f.L.rows() != d1 || f.R.rows() != d2 || f.R.cols() != k || !f.L.allFinite() ||
      !f.R.allFinite())
    std::abort();
  std::string again;
  char buf[32];
  for (Index i = 0; i < d1 + d2; ++i) {
    for (Index j = 0; j < k; ++j) {
      const double x = i < d1 ? f.L(i, j) : f.R(i - d1, j);
      const auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, 17);
      again.append(buf, res.ptr);
      again += j + 1 < k ? ' ' : '\n';
    }
  }
  const Factors<double> g = parse_factors(again, "fuzz-again.txt", d1, d2);
  if (g.L != f.L || g.R != f.R) std::abort();
  return 0;
}
