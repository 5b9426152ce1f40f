// flatmin/atomic_file.hpp — the one way flatmin writes an output file: nothing lost, nothing
// half-written.
//
// A file is written under a temporary name in the folder of its final name,
//   .<name>.tmp.<pid>.<n>       (<pid> the writer's process id, <n> a per-process counter)
// created with O_CREAT | O_EXCL, filled with write(2) (every error checked), fsync'd, and only
// then renamed onto the final name (atomic on a POSIX file system), after which the folder is
// fsync'd. Readers therefore see the old file or the complete new one, never a part.
//
// Only a regular file (or nothing) may be replaced: a final name that is a symbolic link, a
// directory, a FIFO, a socket or a device node is refused (lstat, checked before writing and again
// just before the rename), so `--out /dev/null` can never replace /dev/null.
//
// Errors, two kinds:
//   InvalidArgument (flatmin/scalar.hpp; the CLI's exit 2): a problem of the path the user named:
//     a non-regular target, a missing folder, permission denied, a read-only file system.
//   IoError (exit 1): the write itself failed (full disk, quota, I/O error), e.g.
//     "cannot write out/g.txt: No space left on device". The temporary file is removed and the
//     final name keeps its old content.
//
// Interruption: every live temporary file is kept in a registry that a SIGINT/SIGTERM handler
// empties (unlink, async-signal-safe) before the signal's default action ends the process; a
// gnuplot child drawing into temporary files (ChildGuard) is killed and reaped first. The handler
// is installed when the first temporary file is made, and only for signals whose disposition is
// still the default (an ignored SIGINT stays ignored). SIGKILL cannot be caught: a temporary file
// may then be left behind; it matches is_temp_name() and later runs ignore it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace flatmin {

// The write itself failed (ENOSPC, EDQUOT, EIO, ...): exit status 1, not a usage error.
struct IoError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// "a FIFO", "a directory", "a symbolic link", ... for a path that exists and is not a regular
// file; empty when the path is a regular file or does not exist (lstat: links not followed).
std::string special_file_kind(const std::string& path);

// Throws InvalidArgument "refusing to write PATH: it is a FIFO (only a regular file is replaced)"
// when PATH exists and is not a regular file.
void require_replaceable(const std::string& path);

// True for names of the form .<name>.tmp.<pid>.<n> (a temporary file of some flatmin run).
bool is_temp_name(std::string_view file_name);

// A temporary file for one final path, created (empty, mode 0666 & ~umask) by the constructor
// and registered for removal on SIGINT/SIGTERM. The destructor removes it unless commit() renamed
// it. Not copyable.
class TempFile {
 public:
  explicit TempFile(std::string final_path);  // require_replaceable(final_path) first
  ~TempFile();
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return tmp_; }          // the temporary file
  const std::string& final_path() const { return final_; }
  void write(std::string_view bytes);  // appends; IoError / InvalidArgument naming final_path()
  void commit();                       // fsync, require_replaceable, rename, fsync the folder

 private:
  std::string final_, tmp_;
  int fd_ = -1;
  int slot_ = -1;  // registry slot
  bool done_ = false;
};

// Writes bytes to path atomically (above). path's folder must exist.
void write_file_atomic(const std::string& path, std::string_view bytes);

// Writes several files atomically as a set: all temporaries are written first, then renamed, so
// no final name changes unless every file was written. Each entry is (path, bytes).
void write_files_atomic(const std::vector<std::pair<std::string, std::string>>& files);

// Checks, before long work, that path can be written later: require_replaceable, and a temporary
// file can be created in its folder (it is removed again). Errors as write_file_atomic's.
void require_writable(const std::string& path);

// Creates dir (and its parents) if missing; InvalidArgument unless it is then a directory (a
// symbolic link to one is accepted) in which a file can be created.
void require_output_dir(const std::string& dir);

// While alive, a SIGINT/SIGTERM first kills (SIGKILL) and reaps the child `pid` (gnuplot), then
// removes the registered temporary files, so the child cannot recreate one after the removal.
// Construct it with SIGINT and SIGTERM blocked around the fork, so no signal falls in between.
class ChildGuard {
 public:
  explicit ChildGuard(pid_t pid);
  ~ChildGuard();
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;
  // Waits for the child to end and returns its waitpid status. The guard lets go of the pid
  // before the child is reaped, so the handler never signals a pid the system may reuse.
  int wait();

 private:
  pid_t pid_;
};

}  // namespace flatmin
