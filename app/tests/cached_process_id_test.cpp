// The kiosk's cached getpid(): the process's own ID, the one every library binds to, and a
// forked child's own ID (not its parent's, which a plain cache would keep).
#include <dlfcn.h>
#include <gtest/gtest.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

pid_t kernels_answer() {
    return static_cast<pid_t>(syscall(SYS_getpid));
}

} // namespace

TEST(CachedProcessId, IsTheKernelsAnswerAndWhatLibrariesBindTo) {
    EXPECT_EQ(getpid(), kernels_answer());
    EXPECT_EQ(getpid(), kernels_answer()); // and again, from the cache
    // What the dynamic linker gives a library that looks getpid up: this executable's.
    using GetPid = pid_t (*)();
    auto* bound = reinterpret_cast<GetPid>(dlsym(RTLD_DEFAULT, "getpid"));
    ASSERT_NE(bound, nullptr);
    EXPECT_EQ(bound, &getpid);
    EXPECT_EQ(bound(), kernels_answer());
}

TEST(CachedProcessId, AForkedChildGetsItsOwnId) {
    const pid_t parent = getpid(); // cached now
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // Exit codes, since the child cannot report through gtest.
        _exit(getpid() == kernels_answer() && getpid() != parent ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "the child saw its parent's process ID";
    EXPECT_EQ(getpid(), parent);
}
