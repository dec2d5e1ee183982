// getpid() answered from memory, for the whole kiosk process. libglvnd's libGLX asks the
// kernel for the process ID on every GLX call (to notice a fork), and GLFW makes some 23,000
// GLX calls while it picks a framebuffer configuration on Xvfb: 23,000 system calls, about
// 1 µs each on these VMs, on the way to the first frame. docs/PERFORMANCE.md has the figures.
//
// Linked into the kiosk executable only, where ELF symbol interposition makes this the
// `getpid` of every library (exported with --export-dynamic-symbol, like wipe_on_free.cpp's
// free). A child of fork() asks the kernel again: pthread_atfork forgets the parent's ID.
#include <atomic>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace {

std::atomic<pid_t> cached_pid{0};

void forget_the_parents_pid() {
    cached_pid.store(0, std::memory_order_relaxed);
}

// Registered before main, so before any thread that could fork.
const int fork_handler_registered = pthread_atfork(nullptr, nullptr, forget_the_parents_pid);

} // namespace

extern "C" pid_t getpid() noexcept {
    pid_t pid = cached_pid.load(std::memory_order_relaxed);
    if (pid == 0) {
        pid = static_cast<pid_t>(syscall(SYS_getpid));
        cached_pid.store(pid, std::memory_order_relaxed);
    }
    return pid;
}
