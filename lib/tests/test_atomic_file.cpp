// flatmin/atomic_file.hpp: only regular files are replaced, a write set is all or nothing, no
// temporary file is left, and the temporary-name pattern later runs skip.
#include "flatmin/atomic_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "flatmin/scalar.hpp"

namespace {

namespace fs = std::filesystem;
using flatmin::InvalidArgument;

struct Folder {
  fs::path dir = fs::temp_directory_path() /
                 ("flatmin_test_atomic_file." + std::to_string(::getpid()));
  Folder() {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Folder() { fs::remove_all(dir); }
  std::string operator/(const std::string& name) const { return (dir / name).string(); }
  std::vector<std::string> names() const {
    std::vector<std::string> n;
    for (const auto& e : fs::directory_iterator(dir)) n.push_back(e.path().filename().string());
    std::sort(n.begin(), n.end());
    return n;
  }
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The message of the InvalidArgument that f throws ("" if it throws none).
template <class F>
std::string refusal(F f) {
  try {
    f();
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "";
}

TEST(AtomicFile, WritesAndReplacesARegularFileLeavingNoTemporary) {
  Folder t;
  flatmin::write_file_atomic(t / "a.txt", "first");
  flatmin::write_file_atomic(t / "a.txt", std::string(100000, 'x'));
  EXPECT_EQ(slurp(t / "a.txt"), std::string(100000, 'x'));
  EXPECT_EQ(t.names(), std::vector<std::string>{"a.txt"});
}

TEST(AtomicFile, RefusesEveryTargetThatIsNotARegularFile) {
  Folder t;
  ASSERT_EQ(::mkfifo((t / "fifo").c_str(), 0600), 0);
  fs::create_directory(t / "dir");
  flatmin::write_file_atomic(t / "target", "kept");
  fs::create_symlink(t / "target", t / "link");
  for (const auto& [name, kind] : std::vector<std::pair<std::string, std::string>>{
           {"fifo", "a FIFO"}, {"dir", "a directory"}, {"link", "a symbolic link"}}) {
    const fs::path target = t / name;  // C++17 lambdas cannot capture a structured binding
    const std::string msg = refusal([&] { flatmin::write_file_atomic(target, "new"); });
    EXPECT_NE(msg.find(t / name), std::string::npos) << msg;
    EXPECT_NE(msg.find("it is " + kind), std::string::npos) << msg;
  }
  struct stat st {};
  ASSERT_EQ(::lstat((t / "fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  ASSERT_EQ(::lstat((t / "link").c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(slurp(t / "target"), "kept");
  EXPECT_EQ(t.names(), (std::vector<std::string>{"dir", "fifo", "link", "target"}));
}

TEST(AtomicFile, AWriteSetIsAllOrNothing) {
  Folder t;
  flatmin::write_file_atomic(t / "one", "old");
  fs::create_directory(t / "two");  // the second target is refused: the first keeps "old"
  EXPECT_THROW(flatmin::write_files_atomic({{t / "one", "new"}, {t / "two", "new"}}),
               InvalidArgument);
  EXPECT_EQ(slurp(t / "one"), "old");
  EXPECT_EQ(t.names(), (std::vector<std::string>{"one", "two"}));
}

TEST(AtomicFile, AMissingFolderIsAUsageErrorNamingThePath) {
  Folder t;
  const std::string path = t / "missing/x.txt";
  EXPECT_NE(refusal([&] { flatmin::write_file_atomic(path, "x"); }).find("cannot write " + path),
            std::string::npos);
  EXPECT_TRUE(t.names().empty());
}

TEST(AtomicFile, OutputFolderMustBeAFolder) {
  Folder t;
  flatmin::require_output_dir(t / "new/sub");  // created
  EXPECT_TRUE(fs::is_directory(t.dir / "new" / "sub"));
  EXPECT_TRUE(fs::is_empty(t.dir / "new" / "sub"));  // the probe is gone
  ASSERT_EQ(::mkfifo((t / "fifo").c_str(), 0600), 0);
  EXPECT_NE(refusal([&] { flatmin::require_output_dir(t / "fifo"); }).find("it is a FIFO"),
            std::string::npos);
}

TEST(AtomicFile, TemporaryFilesAreRemovedUnlessCommitted) {
  Folder t;
  {
    flatmin::TempFile f(t / "x.csv");
    f.write("partial");
    EXPECT_TRUE(flatmin::is_temp_name(fs::path(f.path()).filename().string()));
    EXPECT_EQ(fs::path(f.path()).parent_path(), t.dir);
  }
  EXPECT_TRUE(t.names().empty());
}

TEST(AtomicFile, TempNamePattern) {
  for (const char* yes : {".a.csv.tmp.123.0", ".A-fig3.png.tmp.99999.12", "..x.tmp.1.1"})
    EXPECT_TRUE(flatmin::is_temp_name(yes)) << yes;
  for (const char* no : {"a.csv", "a.csv.tmp.123", ".a.csv.tmp.123", ".a.tmp.x.1", ".tmp.1.2",
                         ".a.tmp.1.2x", "A-noise.quick.shard-1-of-2", ".a.tmp.1."})
    EXPECT_FALSE(flatmin::is_temp_name(no)) << no;
}

}  // namespace
