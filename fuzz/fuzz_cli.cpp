// libFuzzer target: flatmin's command-line parser (cli/app.cpp's run_cli with parse_only) on
// arbitrary argument vectors. Built and run by ci/fuzz.sh. The input is split into words at
// NUL and newline bytes (a word may be empty); argv[0] is "flatmin". Parsing must end in 0
// (the words parse; no action runs, nothing is read or written) or 2 (usage error, with a
// message); anything else is a finding: a crash, a sanitizer report, a leak, a timeout, an
// escaping exception (it terminates the process), another status.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "app.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> words{"flatmin"};
  std::string word;
  for (std::size_t i = 0; i < size; ++i) {
    const char c = char(data[i]);
    if (c == '\0' || c == '\n') {
      words.push_back(word);
      word.clear();
    } else {
      word += c;
    }
  }
  if (!word.empty()) words.push_back(word);
  if (words.size() > 64) return 0;  // a command line of a few words is the interesting part
  std::vector<const char*> argv;
  for (const std::string& w : words) argv.push_back(w.c_str());
  const int status = flatmin::cli::run_cli(int(argv.size()), argv.data(), /*parse_only=*/true);
  std::fflush(stdout);
  if (status != 0 && status != 2) std::abort();
  return 0;
}
