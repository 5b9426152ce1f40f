#include "flatmin/text_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "flatmin/scalar.hpp"

namespace flatmin {

namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string too_large(const std::string& path, std::uint64_t limit) {
  return "'" + path + "' is larger than " + std::to_string(limit) +
         " bytes, the limit for an input file";
}

}  // namespace

std::string read_text_file(const std::string& path, std::uint64_t limit) {
  const auto fail = [&](const std::string& why) {
    return InvalidArgument("cannot read '" + path + "': " + why);
  };
  const auto cannot_open = [&] {
    return InvalidArgument("cannot open '" + path + "': " + std::strerror(errno));
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw cannot_open();
  if (!S_ISREG(st.st_mode))
    throw fail(std::string("it is ") + kind_of(st.st_mode) + ", expected a regular file");
  if (std::uint64_t(st.st_size) > limit) throw InvalidArgument(too_large(path, limit));
  // O_NONBLOCK: should the path have been replaced by a FIFO since stat(), open() returns at
  // once and the fstat() below refuses it.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) throw cannot_open();
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    throw fail(std::string("it is ") + kind_of(st.st_mode) + ", expected a regular file");
  std::string text;
  text.reserve(std::size_t(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw fail(std::strerror(errno));
    }
    if (n == 0) break;
    if (text.size() + std::size_t(n) > limit) throw InvalidArgument(too_large(path, limit));
    text.append(buf, std::size_t(n));
  }
  return text;
}

}  // namespace flatmin
