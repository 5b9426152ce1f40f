// cli/args.hpp — the one way flatmin's command line reads numbers, and the last-resort guard
// around every subcommand's action.
//
// CLI11's own conversion (strtoull/strtoll, base 0) accepts "-1" for an unsigned seed (it wraps
// to 2^64 - 1), saturates "18446744073709551616" to the same value, and reads "010" as octal.
// Every seed and count option goes through the parsers below instead: decimal digits only, the
// whole word consumed, the value in range; anything else is a usage error (exit 2) naming the
// option and what was expected.
#pragma once

#include <CLI/CLI.hpp>

#include <cstdint>
#include <functional>
#include <iostream>
#include <new>
#include <optional>
#include <string>

#include "flatmin/memory.hpp"
#include "flatmin/number_syntax.hpp"

namespace flatmin::cli {

// A decimal integer, digits only (no sign, point, exponent or base prefix), below 2^64: the
// syntax of integers in instance files (flatmin/number_syntax.hpp).
inline std::optional<std::uint64_t> parse_u64(const std::string& s) {
  std::uint64_t v = 0;
  if (!text::parse_uint(s, v)) return std::nullopt;
  return v;
}

// A decimal integer in [lo, hi] (0 <= lo <= hi), by parse_u64.
inline std::optional<long long> parse_count(const std::string& s, long long lo, long long hi) {
  const auto v = parse_u64(s);
  if (!v || *v < std::uint64_t(lo) || *v > std::uint64_t(hi)) return std::nullopt;
  return static_cast<long long>(*v);
}

// A finite real in [lo, hi], by the syntax of instance files (no nan, inf or hex floats).
inline std::optional<double> parse_real(const std::string& s, double lo, double hi) {
  double v = 0;
  if (!text::parse_real(s, v) || v < lo || v > hi) return std::nullopt;
  return v;
}

namespace detail {
inline std::string where(const CLI::App* app, const std::string& name) {
  return app->get_name() + ": " + name;
}
}  // namespace detail

// `name` takes an unsigned 64-bit seed into `target`; a bad word is a CLI::ValidationError
// ("<subcommand>: <name> must be an unsigned 64-bit integer, got '<word>'").
inline CLI::Option* add_seed(CLI::App* app, const std::string& name, std::uint64_t& target,
                             const std::string& help) {
  return app->add_option_function<std::string>(
      name,
      [app, name, &target](const std::string& s) {
        const auto v = parse_u64(s);
        if (!v)
          throw CLI::ValidationError(detail::where(app, name) +
                                     " must be an unsigned 64-bit integer, got '" + s + "'");
        target = *v;
      },
      help)
      ->type_name("UINT64");
}

// `name` takes an integer in [lo, hi] into `target` (count() tells whether it was given).
inline CLI::Option* add_count(CLI::App* app, const std::string& name, long long& target,
                              long long lo, long long hi, const std::string& help) {
  return app->add_option_function<std::string>(
      name,
      [app, name, &target, lo, hi](const std::string& s) {
        const auto v = parse_count(s, lo, hi);
        if (!v)
          throw CLI::ValidationError(detail::where(app, name) + " must be an integer between " +
                                     std::to_string(lo) + " and " + std::to_string(hi) +
                                     ", got '" + s + "'");
        target = *v;
      },
      help)
      ->type_name("INT");
}

// `name` takes a finite real in [lo, hi] into `target`; `what` describes the range for the
// message (e.g. "a finite number > 0").
inline CLI::Option* add_real(CLI::App* app, const std::string& name, double& target, double lo,
                             double hi, const std::string& what, const std::string& help) {
  return app->add_option_function<std::string>(
      name,
      [app, name, &target, lo, hi, what](const std::string& s) {
        const auto v = parse_real(s, lo, hi);
        if (!v)
          throw CLI::ValidationError(detail::where(app, name) + " must be " + what + ", got '" +
                                     s + "'");
        target = *v;
      },
      help)
      ->type_name("REAL");
}

// --memory-limit BYTES|auto (default auto; the environment variable FLATMIN_MEMORY_LIMIT gives
// the default): the most memory a run may need by flatmin/memory.hpp's estimate. BYTES is
// decimal, optionally with K, M, G or T (powers of 1024); auto (stored as 0) is the machine's
// available memory (MemAvailable) when the run starts.
inline CLI::Option* add_memory_limit(CLI::App* app, std::uint64_t& target) {
  return app
      ->add_option_function<std::string>(
          "--memory-limit",
          [app, &target](const std::string& s) {
            if (s == "auto") {
              target = 0;
              return;
            }
            const auto v = memory::parse_bytes(s);
            if (!v)
              throw CLI::ValidationError(detail::where(app, "--memory-limit") +
                                         " must be 'auto' or a positive number of bytes "
                                         "(optionally with K, M, G or T), got '" + s + "'");
            target = *v;
          },
          "refuse runs estimated to need more memory than this: BYTES (K, M, G, T suffixes) "
          "or auto (the available memory; default)")
      ->type_name("BYTES|auto")
      ->envname("FLATMIN_MEMORY_LIMIT");
}

// Whether a run estimated to need `need` bytes fits `limit` (0: the available memory); if not,
// says so on stderr ("flatmin: <command>: <task> needs about X of memory, more than the limit
// Y (...)"), and the caller exits 2.
inline bool memory_fits(const std::string& command, const std::string& task, std::uint64_t need,
                        std::uint64_t limit) {
  std::string source = "--memory-limit";
  if (limit == 0) {
    const auto avail = memory::available_bytes();
    if (!avail) return true;  // unknown: let the allocation decide
    limit = *avail;
    source = "the available memory (MemAvailable); set --memory-limit to change";
  }
  if (need <= limit) return true;
  std::cerr << "flatmin: " << command << ": " << task << " needs about " << memory::human(need)
            << " of memory, more than the limit " << memory::human(limit) << " (" << source
            << ")\n";
  return false;
}

// A usage error (bad or missing option or input): the message on stderr after "flatmin: ", and
// the exit status 2 for the caller to return.
inline int usage_error(const std::string& msg) {
  std::cerr << "flatmin: " << msg << "\n";
  return 2;
}

// Runs a subcommand's action. Input problems are reported by the actions themselves (exit 2);
// running out of memory is the machine's limit, not a defect: "out of memory", exit 2. Any
// other exception escaping an action is a defect of flatmin: "internal error", exit 3.
inline int guarded(const std::string& command, const std::function<int()>& action) {
  try {
    return action();
  } catch (const std::bad_alloc&) {
    std::cerr << "flatmin: " << command
              << ": out of memory (an allocation failed; try smaller sizes, or see "
                 "--memory-limit)\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "flatmin: " << command << ": internal error: " << e.what() << "\n";
    return 3;
  }
}

}  // namespace flatmin::cli
