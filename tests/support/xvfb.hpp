// Test support: a private Xvfb X server (Mesa's llvmpipe renders OpenGL 3.3 in it) and a
// child process started inside it, for tests of what a person sees.
#pragma once

#include <filesystem>
#include <string>
#include <sys/types.h>
#include <vector>

namespace kiosk::testing {

class XvfbServer {
public:
    // Starts Xvfb on a free display number with one screen of width x height x 24.
    XvfbServer(int width, int height);
    ~XvfbServer();
    XvfbServer(const XvfbServer&) = delete;
    XvfbServer& operator=(const XvfbServer&) = delete;

    [[nodiscard]] const std::string& display() const { return display_; } // e.g. ":7"

private:
    pid_t pid_ = -1;
    std::string display_;
};

// A child process with its stdout and stderr sent to files.
class ChildProcess {
public:
    ChildProcess(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                 const std::filesystem::path& stdout_file,
                 const std::filesystem::path& stderr_file);
    ~ChildProcess(); // SIGKILL if still running
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    [[nodiscard]] bool running();
    [[nodiscard]] pid_t pid() const { return pid_; }
    // CPU time (user + system) the process has used so far, in clock ticks.
    [[nodiscard]] long cpu_ticks() const;
    // SIGTERM, then waits up to `seconds`; returns the exit status, or -1 if it had to be
    // killed, or -(signal) when a signal ended it.
    int terminate(int seconds = 5);

private:
    pid_t pid_ = -1;
    int status_ = 0;
    bool reaped_ = false;
};

// Runs a shell command with DISPLAY set; returns its exit status.
int run_in_display(const std::string& display, const std::string& command);

} // namespace kiosk::testing
