// Atomic output files, the registry of live temporary files and its signal handler
// (flatmin/atomic_file.hpp).
#include "flatmin/atomic_file.hpp"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>

#include "flatmin/scalar.hpp"

namespace flatmin {

namespace {

// ---- registry of live temporary files ---------------------------------------------------------
// Fixed storage, so that the signal handler reads only memory that is never freed or moved. A
// slot goes free -> filling (its owner copies the path) -> live -> free (owner: renamed or
// removed) or -> cleaning (the handler claimed it; the process is about to end).
enum : int { kFree, kFilling, kLive, kCleaning };
constexpr int kSlots = 256;  // more than any one write set (train --export at depth 64: 71 files)
struct Slot {
  std::atomic<int> state{kFree};
  char path[PATH_MAX];
};
Slot g_slots[kSlots];
std::atomic<pid_t> g_child{0};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<pid_t>::is_always_lock_free,
              "the signal handler needs lock-free atomics");

extern "C" void remove_temps_and_die(int sig) {
  const pid_t child = g_child.exchange(0);
  if (child > 0) {  // first the child, so that it cannot create an output after the removal
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
  }
  for (Slot& s : g_slots) {
    int live = kLive;
    if (s.state.compare_exchange_strong(live, kCleaning)) ::unlink(s.path);
  }
  // The signal is blocked while its handler runs: it is delivered, with the default action,
  // when this returns, so the exit status still says "killed by SIGINT/SIGTERM".
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : {SIGINT, SIGTERM}) {
      struct sigaction old {};
      if (::sigaction(sig, nullptr, &old) != 0 || (old.sa_flags & SA_SIGINFO) ||
          old.sa_handler != SIG_DFL)
        continue;  // ignored (nohup, a background job) or someone else's handler: leave it
      struct sigaction sa {};
      sa.sa_handler = remove_temps_and_die;
      sigemptyset(&sa.sa_mask);
      sigaddset(&sa.sa_mask, SIGINT);
      sigaddset(&sa.sa_mask, SIGTERM);
      ::sigaction(sig, &sa, nullptr);
    }
  });
}

int register_temp(const std::string& path) {
  install_handlers();
  for (int i = 0; i < kSlots; ++i) {
    int free = kFree;
    if (!g_slots[i].state.compare_exchange_strong(free, kFilling)) continue;
    std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
    g_slots[i].state.store(kLive);
    return i;
  }
  throw std::runtime_error("more than " + std::to_string(kSlots) +
                           " temporary files open at once (a defect of flatmin)");
}

void unregister_temp(int slot) {
  int live = kLive;
  g_slots[slot].state.compare_exchange_strong(live, kFree);  // fails only while dying
}

// ---- errors -----------------------------------------------------------------------------------
// Problems of the path the user named are usage errors (exit 2); the rest (ENOSPC, EDQUOT, EIO,
// ...) are failures of the write itself (IoError, exit 1).
[[noreturn]] void fail(const std::string& final_path, int err) {
  const std::string msg = "cannot write " + final_path + ": " + std::strerror(err);
  switch (err) {
    case EACCES: case EPERM: case EROFS: case ENOENT: case ENOTDIR: case EISDIR:
    case ENAMETOOLONG: case ELOOP: case EXDEV: case ETXTBSY:
      throw InvalidArgument(msg);
    default:
      throw IoError(msg);
  }
}

std::string folder_of(const std::string& path) {
  const std::string dir = std::filesystem::path(path).parent_path().string();
  return dir.empty() ? "." : dir;
}

}  // namespace

std::string special_file_kind(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return "";
  switch (st.st_mode & S_IFMT) {
    case S_IFREG: return "";
    case S_IFLNK: return "a symbolic link";
    case S_IFDIR: return "a directory";
    case S_IFIFO: return "a FIFO";
    case S_IFSOCK: return "a socket";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    default: return "not a regular file";
  }
}

void require_replaceable(const std::string& path) {
  const std::string kind = special_file_kind(path);
  if (!kind.empty())
    throw InvalidArgument("refusing to write " + path + ": it is " + kind +
                          " (only a regular file is replaced)");
}

bool is_temp_name(std::string_view n) {
  const auto digits = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  const auto tmp = n.rfind(".tmp.");
  if (n.size() < 2 || n[0] != '.' || tmp == std::string_view::npos || tmp < 2) return false;
  const std::string_view rest = n.substr(tmp + 5);  // <pid>.<n>
  const auto dot = rest.find('.');
  return dot != std::string_view::npos && digits(rest.substr(0, dot)) &&
         digits(rest.substr(dot + 1));
}

TempFile::TempFile(std::string final_path) : final_(std::move(final_path)) {
  if (final_.empty()) throw InvalidArgument("cannot write an empty path");
  require_replaceable(final_);
  const std::filesystem::path p(final_);
  const std::string name = p.filename().string();
  if (name.empty() || name == "." || name == "..")
    throw InvalidArgument("cannot write " + final_ + ": it names a folder, not a file");
  static std::atomic<unsigned> counter{0};
  for (;;) {
    tmp_ = (p.parent_path() / ("." + name + ".tmp." + std::to_string(::getpid()) + "." +
                               std::to_string(counter++)))
               .string();
    if (tmp_.size() >= PATH_MAX) fail(final_, ENAMETOOLONG);
    slot_ = register_temp(tmp_);  // before the file exists: a signal never misses it
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd_ >= 0) return;
    const int err = errno;
    unregister_temp(slot_);  // not ours: a stale file of an earlier process with our pid
    slot_ = -1;
    if (err != EEXIST) fail(final_, err);
  }
}

TempFile::~TempFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!done_ && slot_ >= 0) {
    ::unlink(tmp_.c_str());
    unregister_temp(slot_);
  }
}

void TempFile::write(std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t k = ::write(fd_, bytes.data(), bytes.size());
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) fail(final_, k < 0 ? errno : EIO);
    bytes.remove_prefix(std::size_t(k));
  }
}

void TempFile::commit() {
  if (::fsync(fd_) != 0) fail(final_, errno);
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(final_, errno);
  require_replaceable(final_);  // again: the narrowest window before the rename
  if (::rename(tmp_.c_str(), final_.c_str()) != 0) fail(final_, errno);
  done_ = true;
  unregister_temp(slot_);
  // Make the rename itself durable. Best effort: the file is complete under its name already,
  // and some file systems refuse fsync on a folder.
  const int dir = ::open(folder_of(final_).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);
    ::close(dir);
  }
}

void write_file_atomic(const std::string& path, std::string_view bytes) {
  TempFile t(path);
  t.write(bytes);
  t.commit();
}

void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files) {
  for (const auto& f : files) require_replaceable(f.first);  // refuse before writing anything
  std::vector<std::unique_ptr<TempFile>> temps;
  for (const auto& f : files) {
    temps.push_back(std::make_unique<TempFile>(f.first));
    temps.back()->write(f.second);
  }
  for (auto& t : temps) t->commit();
}

void require_output_dir(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {  // follows a link: a link to a folder is a folder
    if (!S_ISDIR(st.st_mode)) {
      const std::string kind = special_file_kind(dir);
      throw InvalidArgument("cannot write into " + dir + ": it is " +
                            (kind.empty() ? "a regular file" : kind) + ", not a folder");
    }
  } else {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) throw InvalidArgument("cannot create the output folder " + dir + ": " + ec.message());
  }
  require_writable((std::filesystem::path(dir) / "flatmin-write-test").string());
}

void require_writable(const std::string& path) { TempFile probe(path); }

ChildGuard::ChildGuard(pid_t pid) : pid_(pid) { g_child.store(pid); }
ChildGuard::~ChildGuard() { g_child.store(0); }

int ChildGuard::wait() {
  siginfo_t info{};
  while (::waitid(P_PID, id_t(pid_), &info, WEXITED | WNOWAIT) != 0 && errno == EINTR) {
  }
  g_child.store(0);  // a zombie until reaped below: its pid cannot have been reused yet
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

}  // namespace flatmin
