// flatmin/text_file.hpp — reading an input file (instance, factor, manifest and shard files)
// with a bound: a hostile path (a directory, /dev/zero, /dev/urandom, a FIFO with no writer, a
// file of gigabytes without a newline) is refused with a message naming the file, never an
// endless read, a hang or an abort.
#pragma once

#include <cstdint>
#include <string>

namespace flatmin {

// The largest input file flatmin reads: 2 GiB (a Gaussian instance with d = 2000 and m = 10 as
// text is ~1 GB).
constexpr std::uint64_t kMaxInputBytes = std::uint64_t(1) << 31;

// The bytes of the file at `path`. Throws InvalidArgument naming the path and the reason when
// the file does not exist or cannot be opened, when it is not a regular file (directory, FIFO,
// character or block device, socket: checked with stat() before it is opened, so a FIFO
// without a writer cannot block), or when it holds more than `limit` bytes (at most limit + 1
// bytes are ever read, so a file that grows while it is read is refused too).
std::string read_text_file(const std::string& path, std::uint64_t limit = kMaxInputBytes);

}  // namespace flatmin
